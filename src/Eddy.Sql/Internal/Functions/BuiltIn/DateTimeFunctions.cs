using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Time;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions.BuiltIn;

internal static class Times
{
    public static string FormatInstant(DateTime utc, string pattern, string zoneId)
    {
        var zone = Zones.Find(zoneId);
        var offset = zone.GetUtcOffset(utc);
        var local = DateTime.SpecifyKind(utc + offset, DateTimeKind.Unspecified);
        return JavaDateTimeFormat.Of(pattern).Format(local, offset, zoneId);
    }

    public static DateTime ParseInstant(string text, string pattern, string zoneId)
    {
        var parsed = JavaDateTimeFormat.Of(pattern).Parse(text);
        return Compiler.SqlTimeParsing.TruncateToMillis(JavaDateTimeFormat.ToUtc(parsed, Zones.Find(zoneId)));
    }

    public static long ToMillis(TimeUnit unit, long amount) => unit.ToMilliseconds(amount);
}

[SqlFunction("CONVERT_TZ", Category = "DATE_TIME", Description = "Converts a TIMESTAMP value from one timezone to another.")]
internal static class ConvertTzFunction
{
    [SqlOverload]
    public static DateTime? ConvertTz(DateTime? timestamp, string? fromTimeZone, string? toTimeZone)
    {
        if (timestamp is null || fromTimeZone is null || toTimeZone is null)
        {
            return null;
        }

        var ts = timestamp.Value;
        var delta = Zones.Find(toTimeZone).GetUtcOffset(ts) - Zones.Find(fromTimeZone).GetUtcOffset(ts);
        return DateTime.SpecifyKind(ts + delta, DateTimeKind.Utc);
    }
}

[SqlFunction("DATEADD", Category = "DATE_TIME", Description = "Adds a duration to a DATE value.")]
internal static class DateAddFunction
{
    [SqlOverload]
    public static DateOnly? DateAdd(TimeUnit unit, int? interval, DateOnly? date) =>
        interval is null || date is null ? null : SqlValues.FromEpochDays((int)Math.Floor((SqlValues.ToEpochDays(date.Value) * 86_400_000.0 + Times.ToMillis(unit, interval.Value)) / 86_400_000.0));
}

[SqlFunction("DATESUB", Category = "DATE_TIME", Description = "Subtracts a duration from a DATE value.")]
internal static class DateSubFunction
{
    [SqlOverload]
    public static DateOnly? DateSub(TimeUnit unit, int? interval, DateOnly? date) =>
        interval is null ? null : DateAddFunction.DateAdd(unit, -interval.Value, date);
}

[SqlFunction("DATETOSTRING", Category = "DATE_TIME", Description = "Converts the number of days since 1970-01-01 00:00:00 UTC/GMT to a date string using the given format pattern.")]
internal static class DateToStringFunction
{
    [SqlOverload]
    public static string? DateToString(int? epochDays, string? format) =>
        epochDays is null || format is null ? null : FormatDateFunction.FormatDate(SqlValues.FromEpochDays(epochDays.Value), format);
}

[SqlFunction("FORMAT_DATE", Category = "DATE_TIME", Description = "Converts a DATE value to a string using the given format pattern.")]
internal static class FormatDateFunction
{
    [SqlOverload]
    public static string? FormatDate(DateOnly? date, string? format) =>
        date is null || format is null ? null : JavaDateTimeFormat.Of(format).Format(date.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero, "UTC");
}

[SqlFunction("FORMAT_TIME", Category = "DATE_TIME", Description = "Converts a TIME value into the string representation of the time in the given format.")]
internal static class FormatTimeFunction
{
    [SqlOverload]
    public static string? FormatTime(TimeOnly? time, string? format) =>
        time is null || format is null ? null : JavaDateTimeFormat.Of(format).Format(new DateTime(1970, 1, 1).Add(time.Value.ToTimeSpan()), TimeSpan.Zero, "UTC");
}

[SqlFunction("FORMAT_TIMESTAMP", Category = "DATE_TIME", Description = "Converts a TIMESTAMP value into the string representation of the timestamp in the given format (and time zone, UTC by default).")]
internal static class FormatTimestampFunction
{
    [SqlOverload]
    public static string? FormatTimestamp(DateTime? timestamp, string? format) => FormatTimestamp(timestamp, format, "UTC");

    [SqlOverload]
    public static string? FormatTimestamp(DateTime? timestamp, string? format, string? timeZone) =>
        timestamp is null || format is null || timeZone is null ? null : Times.FormatInstant(timestamp.Value, format, timeZone);
}

[SqlFunction("FROM_DAYS", Category = "DATE_TIME", Description = "Converts a number of days since epoch to a DATE value.")]
internal static class FromDaysFunction
{
    [SqlOverload]
    public static DateOnly? FromDays(int? days) => days is null ? null : SqlValues.FromEpochDays(days.Value);
}

[SqlFunction("FROM_UNIXTIME", Category = "DATE_TIME", Description = "Converts the number of milliseconds since 1970-01-01 00:00:00 UTC/GMT into a TIMESTAMP value.")]
internal static class FromUnixTimeFunction
{
    [SqlOverload]
    public static DateTime? FromUnixTime(long? millis) => millis is null ? null : SqlValues.FromEpochMillis(millis.Value);
}

[SqlFunction("PARSE_DATE", Category = "DATE_TIME", Description = "Converts a string representation of a date in the given format into a DATE value.")]
internal static class ParseDateFunction
{
    [SqlOverload]
    public static DateOnly? ParseDate(string? text, string? format)
    {
        if (text is null || format is null)
        {
            return null;
        }

        var local = JavaDateTimeFormat.ToLocal(JavaDateTimeFormat.Of(format).Parse(text));
        return DateOnly.FromDateTime(local);
    }
}

[SqlFunction("PARSE_TIME", Category = "DATE_TIME", Description = "Converts a string representation of a time in the given format into a TIME value.")]
internal static class ParseTimeFunction
{
    [SqlOverload]
    public static TimeOnly? ParseTime(string? text, string? format)
    {
        if (text is null || format is null)
        {
            return null;
        }

        var local = JavaDateTimeFormat.ToLocal(JavaDateTimeFormat.Of(format).Parse(text));
        return new TimeOnly(local.TimeOfDay.Ticks - (local.TimeOfDay.Ticks % TimeSpan.TicksPerMillisecond));
    }
}

[SqlFunction("PARSE_TIMESTAMP", Category = "DATE_TIME", Description = "Converts a string representation of a date in the given format into a TIMESTAMP value (in the given time zone, UTC by default).")]
internal static class ParseTimestampFunction
{
    [SqlOverload]
    public static DateTime? ParseTimestamp(string? text, string? format) => ParseTimestamp(text, format, "UTC");

    [SqlOverload]
    public static DateTime? ParseTimestamp(string? text, string? format, string? timeZone) =>
        text is null || format is null || timeZone is null ? null : Times.ParseInstant(text, format, timeZone);
}

[SqlFunction("STRINGTODATE", Category = "DATE_TIME", Description = "Converts a string representation of a date in the given format into the number of days since 1970-01-01 00:00:00 UTC/GMT.")]
internal static class StringToDateFunction
{
    [SqlOverload]
    public static int? StringToDate(string? text, string? format) =>
        ParseDateFunction.ParseDate(text, format) is { } d ? SqlValues.ToEpochDays(d) : null;
}

[SqlFunction("STRINGTOTIMESTAMP", Category = "DATE_TIME", Description = "Converts a string representation of a date in the given format into the number of milliseconds since 1970-01-01 00:00:00 UTC/GMT.")]
internal static class StringToTimestampFunction
{
    [SqlOverload]
    public static long? StringToTimestamp(string? text, string? format) => StringToTimestamp(text, format, "UTC");

    [SqlOverload]
    public static long? StringToTimestamp(string? text, string? format, string? timeZone) =>
        ParseTimestampFunction.ParseTimestamp(text, format, timeZone) is { } ts ? SqlValues.ToEpochMillis(ts) : null;
}

[SqlFunction("TIMEADD", Category = "DATE_TIME", Description = "Adds a duration to a TIME value (wrapping around midnight).")]
internal static class TimeAddFunction
{
    [SqlOverload]
    public static TimeOnly? TimeAdd(TimeUnit unit, int? interval, TimeOnly? time)
    {
        if (interval is null || time is null)
        {
            return null;
        }

        var millis = (SqlValues.ToMillisOfDay(time.Value) + Times.ToMillis(unit, interval.Value)) % 86_400_000;
        if (millis < 0)
        {
            millis += 86_400_000;
        }

        return SqlValues.FromMillisOfDay(millis);
    }
}

[SqlFunction("TIMESUB", Category = "DATE_TIME", Description = "Subtracts a duration from a TIME value (wrapping around midnight).")]
internal static class TimeSubFunction
{
    [SqlOverload]
    public static TimeOnly? TimeSub(TimeUnit unit, int? interval, TimeOnly? time) =>
        interval is null ? null : TimeAddFunction.TimeAdd(unit, -interval.Value, time);
}

[SqlFunction("TIMESTAMPADD", Category = "DATE_TIME", Description = "Adds a duration to a TIMESTAMP value.")]
internal static class TimestampAddFunction
{
    [SqlOverload]
    public static DateTime? TimestampAdd(TimeUnit unit, long? interval, DateTime? timestamp) =>
        interval is null || timestamp is null ? null : timestamp.Value.AddMilliseconds(Times.ToMillis(unit, interval.Value));
}

[SqlFunction("TIMESTAMPSUB", Category = "DATE_TIME", Description = "Subtracts a duration from a TIMESTAMP value.")]
internal static class TimestampSubFunction
{
    [SqlOverload]
    public static DateTime? TimestampSub(TimeUnit unit, long? interval, DateTime? timestamp) =>
        interval is null ? null : TimestampAddFunction.TimestampAdd(unit, -interval.Value, timestamp);
}

[SqlFunction("TIMESTAMPTOSTRING", Category = "DATE_TIME", Description = "Converts a number of milliseconds since 1970-01-01 00:00:00 UTC/GMT into the string representation of the timestamp in the given format (and time zone, UTC by default).")]
internal static class TimestampToStringFunction
{
    [SqlOverload]
    public static string? TimestampToString(long? epochMillis, string? format) => TimestampToString(epochMillis, format, "UTC");

    [SqlOverload]
    public static string? TimestampToString(long? epochMillis, string? format, string? timeZone) =>
        epochMillis is null || format is null || timeZone is null ? null : Times.FormatInstant(SqlValues.FromEpochMillis(epochMillis.Value), format, timeZone);
}

[SqlFunction("UNIX_DATE", Category = "DATE_TIME", Description = "Returns the number of days since 1970-01-01 for a DATE, or for the current date.")]
internal static class UnixDateFunction
{
    [SqlOverload(Description = "Today, in days since the epoch (UTC).")]
    public static int UnixDate(FunctionContext context) => (int)Math.Floor(context.NowMillis / 86_400_000.0);

    [SqlOverload]
    public static int? UnixDate(DateOnly? date) => date is null ? null : SqlValues.ToEpochDays(date.Value);
}

[SqlFunction("UNIX_TIMESTAMP", Category = "DATE_TIME", Description = "Returns the number of milliseconds since 1970-01-01 00:00:00 UTC of a TIMESTAMP, or of the current time.")]
internal static class UnixTimestampFunction
{
    [SqlOverload(Description = "The current time in milliseconds since the epoch.")]
    public static long UnixTimestamp(FunctionContext context) => context.NowMillis;

    [SqlOverload]
    public static long? UnixTimestamp(DateTime? timestamp) => timestamp is null ? null : SqlValues.ToEpochMillis(timestamp.Value);
}
