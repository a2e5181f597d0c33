namespace Eddy.TestSupport;

/// <summary>
/// Rewrites one "## " section of docs/conformance.md with a conformance run's results; shared (as a linked
/// file) by the QTT and REST conformance tests, which each own one section.
/// </summary>
internal static class ConformanceDoc
{
    /// <summary>Replaces the section starting at <paramref name="title"/> (or <paramref name="formerTitle"/>) up to the next "## " heading, or appends it.</summary>
    public static void ReplaceSection(string repoRoot, string title, string section, string? formerTitle = null)
    {
        var path = Path.Combine(repoRoot, "docs", "conformance.md");
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Conformance\n";
        var start = text.IndexOf(title, StringComparison.Ordinal);
        if (start < 0 && formerTitle is not null)
        {
            start = text.IndexOf(formerTitle, StringComparison.Ordinal);
        }

        string updated;
        if (start < 0)
        {
            updated = text.TrimEnd() + "\n\n" + section;
        }
        else
        {
            var next = text.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
            updated = text[..start] + section + (next < 0 ? string.Empty : "\n" + text[(next + 1)..]);
        }

        File.WriteAllText(path, updated);
    }

    /// <summary>One line of Markdown: no line breaks, escaped table bars, at most 300 characters.</summary>
    public static string Escape(string s)
    {
        var line = s.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
