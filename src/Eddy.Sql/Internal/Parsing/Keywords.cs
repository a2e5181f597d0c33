namespace Eddy.Sql.Internal.Parsing;

/// <summary>ksqlDB's keywords (SqlBase.g4) and which of them may still be used as identifiers.</summary>
internal static class Keywords
{
    public static readonly HashSet<string> All = new(StringComparer.Ordinal)
    {
        "EMIT", "CHANGES", "FINAL", "SELECT", "FROM", "AS", "ALL", "DISTINCT", "WHERE", "WITHIN", "WINDOW",
        "GROUP", "BY", "HAVING", "LIMIT", "AT", "OR", "AND", "IN", "NOT", "EXISTS", "BETWEEN", "LIKE",
        "ESCAPE", "IS", "NULL", "TRUE", "FALSE", "INTEGER", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "YEAR",
        "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "YEARS", "MONTHS", "DAYS", "HOURS",
        "MINUTES", "SECONDS", "MILLISECONDS", "ZONE", "TUMBLING", "HOPPING", "SIZE", "ADVANCE", "RETENTION",
        "GRACE", "PERIOD", "CASE", "WHEN", "THEN", "ELSE", "END", "JOIN", "FULL", "OUTER", "INNER", "LEFT",
        "RIGHT", "ON", "PARTITION", "STRUCT", "WITH", "VALUES", "CREATE", "TABLE", "TOPIC", "STREAM",
        "STREAMS", "INSERT", "DELETE", "INTO", "DESCRIBE", "EXTENDED", "PRINT", "EXPLAIN", "ANALYZE", "TYPE",
        "TYPES", "CAST", "SHOW", "LIST", "TABLES", "TOPICS", "QUERY", "QUERIES", "TERMINATE", "LOAD",
        "COLUMNS", "COLUMN", "PARTITIONS", "FUNCTIONS", "FUNCTION", "DROP", "TO", "RENAME", "ARRAY", "MAP",
        "SET", "DEFINE", "UNDEFINE", "RESET", "SESSION", "SAMPLE", "EXPORT", "CATALOG", "PROPERTIES",
        "BEGINNING", "UNSET", "RUN", "SCRIPT", "DECIMAL", "KEY", "CONNECTOR", "CONNECTORS", "SINK", "SOURCE",
        "NAMESPACE", "MATERIALIZED", "VIEW", "PRIMARY", "REPLACE", "ASSERT", "ADD", "ALTER", "VARIABLES",
        "PLUGINS", "HEADERS", "HEADER", "SYSTEM", "TIMEOUT", "SCHEMA", "SUBJECT", "ID", "IF", "STRING",
    };

    public static readonly HashSet<string> NonReserved = new(StringComparer.Ordinal)
    {
        "SHOW", "TABLES", "COLUMNS", "COLUMN", "PARTITIONS", "FUNCTIONS", "FUNCTION", "SESSION", "STRUCT",
        "MAP", "ARRAY", "PARTITION", "INTEGER", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "ZONE", "STRING",
        "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "EXPLAIN", "ANALYZE", "TYPE", "TYPES", "SET",
        "RESET", "IF", "SOURCE", "SINK", "PRIMARY", "KEY", "EMIT", "CHANGES", "FINAL", "ESCAPE", "REPLACE",
        "ASSERT", "ALTER", "ADD", "HEADER", "HEADERS", "GRACE", "PERIOD", "DEFINE", "UNDEFINE", "VARIABLES",
        "PLUGINS", "SYSTEM", "TIMEOUT", "SCHEMA", "SUBJECT", "ID",
    };

    /// <summary>Words that start a statement, for suggestions when the first word is misspelled.</summary>
    public static readonly string[] StatementStarts =
    [
        "SELECT", "CREATE", "INSERT", "DROP", "SHOW", "LIST", "DESCRIBE", "EXPLAIN", "PRINT", "TERMINATE",
        "PAUSE", "RESUME", "SET", "UNSET", "DEFINE", "UNDEFINE", "ALTER", "ASSERT", "RUN",
    ];

    public static bool IsReserved(string upper) => All.Contains(upper) && !NonReserved.Contains(upper);

    public static TimeUnitSpec? TimeUnit(string upper) => upper switch
    {
        "MILLISECOND" or "MILLISECONDS" => new TimeUnitSpec(Ast.TimeUnit.Milliseconds),
        "SECOND" or "SECONDS" => new TimeUnitSpec(Ast.TimeUnit.Seconds),
        "MINUTE" or "MINUTES" => new TimeUnitSpec(Ast.TimeUnit.Minutes),
        "HOUR" or "HOURS" => new TimeUnitSpec(Ast.TimeUnit.Hours),
        "DAY" or "DAYS" => new TimeUnitSpec(Ast.TimeUnit.Days),
        _ => null,
    };

    internal readonly record struct TimeUnitSpec(Ast.TimeUnit Unit);
}

/// <summary>Edit distance, for "did you mean" suggestions.</summary>
internal static class Suggest
{
    public static int Distance(string a, string b)
    {
        if (a.Length == 0)
        {
            return b.Length;
        }

        if (b.Length == 0)
        {
            return a.Length;
        }

        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }

    /// <summary>The closest candidate within a distance that scales with the word's length, or null.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = word.Length <= 3 ? 1 : word.Length <= 6 ? 2 : 3;
        foreach (var c in candidates)
        {
            var d = Distance(word, c);
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(c, best) < 0))
            {
                bestDistance = d;
                best = c;
            }
        }

        return bestDistance <= limit ? best : null;
    }
}
