namespace Eddy.Cli.Shell;

/// <summary>
/// Tab completion: ksqlDB's keywords, the shell's own commands, and the names of the server's
/// streams and tables (refreshed by the shell with SHOW STREAMS/TABLES after each DDL statement).
/// </summary>
internal sealed class SqlCompleter
{
    // ksqlDB's keywords (SqlBase.g4) plus the type names and WITH properties a user types most.
    private static readonly string[] Keywords =
    [
        "EMIT", "CHANGES", "FINAL", "SELECT", "FROM", "AS", "ALL", "DISTINCT", "WHERE", "WITHIN", "WINDOW",
        "GROUP", "BY", "HAVING", "LIMIT", "AT", "OR", "AND", "IN", "NOT", "EXISTS", "BETWEEN", "LIKE",
        "ESCAPE", "IS", "NULL", "TRUE", "FALSE", "INTEGER", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "YEAR",
        "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "YEARS", "MONTHS", "DAYS", "HOURS",
        "MINUTES", "SECONDS", "MILLISECONDS", "ZONE", "TUMBLING", "HOPPING", "SESSION", "SIZE", "ADVANCE",
        "RETENTION", "GRACE", "PERIOD", "CASE", "WHEN", "THEN", "ELSE", "END", "JOIN", "FULL", "OUTER", "INNER",
        "LEFT", "RIGHT", "ON", "PARTITION", "STRUCT", "WITH", "VALUES", "CREATE", "TABLE", "TOPIC", "STREAM",
        "STREAMS", "INSERT", "DELETE", "INTO", "DESCRIBE", "EXTENDED", "PRINT", "EXPLAIN", "TYPE", "TYPES",
        "CAST", "SHOW", "LIST", "TABLES", "TOPICS", "QUERY", "QUERIES", "TERMINATE", "COLUMNS", "PARTITIONS",
        "FUNCTIONS", "FUNCTION", "DROP", "TO", "ARRAY", "MAP", "SET", "DEFINE", "UNDEFINE", "PROPERTIES",
        "BEGINNING", "UNSET", "RUN", "SCRIPT", "DECIMAL", "KEY", "PRIMARY", "REPLACE", "ASSERT", "ADD", "ALTER",
        "VARIABLES", "HEADERS", "HEADER", "IF", "STRING", "VARCHAR", "BIGINT", "INT", "DOUBLE", "BOOLEAN",
        "BYTES", "PAUSE", "RESUME", "WINDOWSTART", "WINDOWEND", "ROWTIME", "ROWPARTITION", "ROWOFFSET",
        "KAFKA_TOPIC", "VALUE_FORMAT", "KEY_FORMAT", "FORMAT", "TIMESTAMP_FORMAT", "REPLICAS",
        "VALUE_DELIMITER", "WRAP_SINGLE_VALUE",
    ];

    private static readonly string[] ShellCommands = ["HELP", "CLEAR", "EXIT", "QUIT", "HISTORY", "OUTPUT", "SERVER", "VERSION"];

    private string[] _names = [];

    /// <summary>Replaces the known stream and table names.</summary>
    public void SetNames(IEnumerable<string> names) =>
        _names = [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Names => _names;

    /// <summary>
    /// The candidates for the word that ends at <paramref name="cursor"/>. Keywords follow the case the
    /// user typed in; names keep their own case. <paramref name="wordStart"/> is where the word begins.
    /// </summary>
    public IReadOnlyList<string> Complete(string line, int cursor, out int wordStart)
    {
        wordStart = cursor;
        while (wordStart > 0 && IsWordChar(line[wordStart - 1]))
        {
            wordStart--;
        }
        var prefix = line[wordStart..cursor];
        if (InsideQuotes(line, wordStart))
        {
            return [];
        }
        bool lower = prefix.Length > 0 && prefix.All(c => !char.IsLetter(c) || char.IsLower(c));
        bool firstWord = line[..wordStart].Trim().Length == 0;
        var keywords = firstWord ? Keywords.Concat(ShellCommands) : Keywords;
        var matches = keywords
            .Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => lower ? k.ToLowerInvariant() : k)
            .Concat(_names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        // A bare Tab on nothing would list every keyword; names alone are the useful answer there.
        return prefix.Length == 0 ? _names : matches;
    }

    /// <summary>The longest prefix all candidates share (compared without case, returned in the first one's case).</summary>
    public static string CommonPrefix(IReadOnlyList<string> candidates)
    {
        if (candidates.Count == 0)
        {
            return string.Empty;
        }
        int length = candidates[0].Length;
        foreach (var c in candidates)
        {
            length = Math.Min(length, c.Length);
            for (int i = 0; i < length; i++)
            {
                if (char.ToUpperInvariant(c[i]) != char.ToUpperInvariant(candidates[0][i]))
                {
                    length = i;
                    break;
                }
            }
        }
        return candidates[0][..length];
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool InsideQuotes(string line, int position)
    {
        bool single = false;
        for (int i = 0; i < position; i++)
        {
            if (line[i] == '\'')
            {
                single = !single;
            }
        }
        return single;
    }
}
