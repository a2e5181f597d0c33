using Eddy.Sql.Internal.Functions.BuiltIn;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Planning;

/// <summary>Converts a timestamp column's value to epoch milliseconds (BIGINT as is, TIMESTAMP, or a STRING in TIMESTAMP_FORMAT).</summary>
internal static class TimestampValue
{
    public static long ToMillis(object? value, SqlType type, string? format) => value switch
    {
        null => -1,
        long l => l,
        int i => i,
        DateTime dt => SqlValues.ToEpochMillis(dt),
        string s when format is not null => ParseTimestampFunction.ParseTimestamp(s, format) is { } ts ? SqlValues.ToEpochMillis(ts) : -1,
        string s => long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : -1,
        _ => throw new SqlException($"Cannot use a {type} column as the record timestamp."),
    };
}
