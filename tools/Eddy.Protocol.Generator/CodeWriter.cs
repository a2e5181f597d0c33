using System.Text;

namespace Eddy.Protocol.Generator;

/// <summary>A StringBuilder with indentation, for emitting C#.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length == 0)
        {
            _text.Append('\n');
            return;
        }

        _text.Append(' ', _indent * 4).Append(line).Append('\n');
    }

    public void Open(string line)
    {
        if (line.Length > 0)
        {
            Line(line);
        }

        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Doc(string? text, string fallback)
    {
        string summary = string.IsNullOrWhiteSpace(text) ? fallback : text.Trim();
        Line($"/// <summary>{Escape(summary)}</summary>");
    }

    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal)
            .Replace("\r", string.Empty, StringComparison.Ordinal);

    public override string ToString() => _text.ToString();
}
