using System.Text;
using System.Text.Json;

namespace Eddy.Cli.Shell;

/// <summary>
/// ksqlDB CLI's listing layout (SHOW, DESCRIBE): a header, a rule of dashes above and below the rows,
/// columns separated by " | ".
/// </summary>
internal static class ListingTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var body = rows.Select(r => r.Select(Flatten).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, body.Count == 0 ? 0 : body.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join('|', widths.Select((w, i) => " " + (i < cells.Count ? cells[i] : string.Empty).PadRight(w) + " ")).TrimEnd();
        int ruleLength = widths.Sum() + (3 * widths.Length) - 1;
        var rule = new string('-', ruleLength);
        output.WriteLine(Line(headers));
        output.WriteLine(rule);
        foreach (var row in body)
        {
            output.WriteLine(Line(row));
        }
        output.WriteLine(rule);
    }

    // A newline inside a cell would break the layout; statements in SHOW QUERIES often have them.
    private static string Flatten(string cell) => cell.Contains('\n', StringComparison.Ordinal)
        ? string.Join(' ', cell.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        : cell;
}

/// <summary>
/// The grid query rows are shown in (ksqlDB CLI's TabularRow): fixed-width cells between '|', long
/// values wrapped onto extra lines. Push-query rows are printed as they arrive, so their widths come
/// from the terminal width; a pull query's rows are all known and size the columns themselves.
/// </summary>
internal sealed class RowGrid
{
    private const int MinWidth = 4;
    private readonly IReadOnlyList<string> _headers;
    private readonly int[] _widths;

    private RowGrid(IReadOnlyList<string> headers, int[] widths)
    {
        _headers = headers;
        _widths = widths;
    }

    public IReadOnlyList<int> Widths => _widths;

    /// <summary>Equal columns that fill the terminal, as ksqlDB's CLI does for push queries.</summary>
    public static RowGrid ForTerminal(IReadOnlyList<string> headers, int terminalWidth)
    {
        int n = Math.Max(1, headers.Count);
        int width = Math.Max(MinWidth, ((terminalWidth - 1) / n) - 1);
        return new RowGrid(headers, [.. headers.Select(_ => width)]);
    }

    /// <summary>Columns as wide as their widest value, narrowed (widest first) until the grid fits the terminal.</summary>
    public static RowGrid FitToContent(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int terminalWidth)
    {
        var widths = headers.Select((h, i) => Math.Max(Math.Max(h.Length, 1), rows.Count == 0 ? 0 : rows.Max(r => i < r.Count ? LongestLine(r[i]) : 0))).ToArray();
        int budget = terminalWidth - widths.Length - 1;
        while (widths.Sum() > budget)
        {
            int widest = Array.IndexOf(widths, widths.Max());
            if (widths[widest] <= MinWidth)
            {
                break;
            }
            widths[widest]--;
        }
        return new RowGrid(headers, widths);
    }

    public void WriteHeader(TextWriter output)
    {
        WriteBorder(output);
        WriteRow(output, _headers);
        WriteBorder(output);
    }

    public void WriteBorder(TextWriter output) =>
        output.WriteLine("+" + string.Join('+', _widths.Select(w => new string('-', w))) + "+");

    public void WriteRow(TextWriter output, IReadOnlyList<string> cells)
    {
        var wrapped = _widths.Select((w, i) => Wrap(i < cells.Count ? cells[i] : string.Empty, w)).ToArray();
        int lines = wrapped.Max(c => c.Count);
        var sb = new StringBuilder();
        for (int line = 0; line < lines; line++)
        {
            sb.Clear().Append('|');
            for (int i = 0; i < _widths.Length; i++)
            {
                sb.Append((line < wrapped[i].Count ? wrapped[i][line] : string.Empty).PadRight(_widths[i])).Append('|');
            }
            output.WriteLine(sb.ToString());
        }
    }

    /// <summary>How ksqlDB's CLI shows a value in a cell: strings bare, null as "null", the rest as JSON.</summary>
    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        _ => value.GetRawText(),
    };

    private static int LongestLine(string text) => text.Split('\n').Max(l => l.TrimEnd('\r').Length);

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var part = raw.TrimEnd('\r');
            if (part.Length == 0)
            {
                lines.Add(string.Empty);
            }
            for (int i = 0; i < part.Length; i += width)
            {
                lines.Add(part.Substring(i, Math.Min(width, part.Length - i)));
            }
        }
        return lines;
    }
}
