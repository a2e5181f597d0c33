using System.Globalization;

namespace Eddy.Sql.Internal.Compiler;

/// <summary>ISO-8601 parsing of TIMESTAMP, DATE and TIME text, as ksqlDB's SqlTimeTypes accepts it.</summary>
internal static class SqlTimeParsing
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd'T'HH", "yyyy-MM-dd",
    ];

    public static DateTime ParseTimestamp(string s)
    {
        var t = s.Trim();
        if (DateTimeOffset.TryParseExact(t, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
        {
            return TruncateToMillis(dto.UtcDateTime);
        }

        throw new FormatException($"Failed to parse timestamp '{s}': expected ISO-8601, e.g. 2022-04-28T21:44:47.943 or 2022-04-28T21:44:47.943Z");
    }

    public static DateOnly ParseDate(string s)
    {
        var t = s.Trim();
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        throw new FormatException($"Failed to parse date '{s}': expected yyyy-MM-dd");
    }

    public static TimeOnly ParseTime(string s)
    {
        var t = s.Trim();
        if (TimeOnly.TryParseExact(t, ["HH:mm:ss.FFFFFFF", "HH:mm:ss", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new TimeOnly(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond));
        }

        throw new FormatException($"Failed to parse time '{s}': expected HH:mm:ss or HH:mm:ss.SSS");
    }

    public static DateTime TruncateToMillis(DateTime dt) =>
        new(dt.Ticks - (dt.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}
