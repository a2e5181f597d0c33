using System.Globalization;
using Eddy.Sql.Ast;

namespace Eddy.Sql.Engine.Execution;

/// <summary>
/// ksqlDB lets pull queries bound WINDOWSTART and WINDOWEND with datetime text
/// (<c>WINDOWSTART &gt;= '2020-02-23T23:45:12.000'</c>, partial values such as <c>'2020-02-22T23:45'</c>,
/// zone offsets such as <c>-0100</c>): those strings are replaced by their epoch milliseconds before analysis.
/// </summary>
internal static class WindowBounds
{
    public static Query Rewrite(Query query) => query.Where is { } where ? query with { Where = Rewrite(where) } : query;

    private static SqlExpression Rewrite(SqlExpression e) => e switch
    {
        LogicalBinary l => l with { Left = Rewrite(l.Left), Right = Rewrite(l.Right) },
        Not n => n with { Operand = Rewrite(n.Operand) },
        Comparison c when IsBound(c.Left) && c.Right is StringLiteral s => c with { Right = Millis(s) },
        Comparison c when IsBound(c.Right) && c.Left is StringLiteral s => c with { Left = Millis(s) },
        Between b when IsBound(b.Value) => b with { Min = b.Min is StringLiteral min ? Millis(min) : b.Min, Max = b.Max is StringLiteral max ? Millis(max) : b.Max },
        _ => e,
    };

    private static bool IsBound(SqlExpression e) => e is ColumnRef { Name: "WINDOWSTART" or "WINDOWEND" };

    private static SqlExpression Millis(StringLiteral s) => ParsePartial(s.Value) is { } millis ? new BigIntLiteral(millis) { Location = s.Location } : s;

    /// <summary>Parses <c>yyyy[-MM[-dd[THH[:mm[:ss[.fff]]]]]][Z|±hh[:]mm]</c> as ksqlDB's PartialStringToTimestampParser; missing parts are the earliest value; hour 24 is the next midnight.</summary>
    public static long? ParsePartial(string text)
    {
        var s = text.Trim();
        var t = s.IndexOf('T', StringComparison.Ordinal);
        var datePart = t < 0 ? s : s[..t];
        var timePart = t < 0 ? string.Empty : s[(t + 1)..];
        var offset = TimeSpan.Zero;
        var zone = timePart.IndexOfAny(['Z', '+', '-']);
        if (zone >= 0)
        {
            var z = timePart[zone..];
            timePart = timePart[..zone];
            if (z != "Z")
            {
                var digits = z[1..].Replace(":", string.Empty, StringComparison.Ordinal);
                if (digits.Length != 4 || !int.TryParse(digits[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var zh) || !int.TryParse(digits[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var zm))
                {
                    return null;
                }

                offset = new TimeSpan(zh, zm, 0) * (z[0] == '-' ? -1 : 1);
            }
        }

        var d = datePart.Split('-');
        var tp = timePart.Length == 0 ? [] : timePart.Split(':');
        if (d.Length is < 1 or > 3 || tp.Length > 3 || !int.TryParse(d[0], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return null;
        }

        static int Part(string[] parts, int i, int fallback) =>
            i < parts.Length ? (int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1) : fallback;

        var month = Part(d, 1, 1);
        var day = Part(d, 2, 1);
        var hour = Part(tp, 0, 0);
        var minute = Part(tp, 1, 0);
        var millis = 0d;
        if (tp.Length == 3 && !double.TryParse(tp[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out millis))
        {
            return null;
        }

        if (month is < 1 or > 12 || day < 1 || hour is < 0 or > 24 || minute is < 0 or > 59 || millis is < 0 or >= 60)
        {
            return null;
        }

        try
        {
            var local = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified).AddHours(hour).AddMinutes(minute).AddMilliseconds(Math.Round(millis * 1000));
            return new DateTimeOffset(local, offset).ToUnixTimeMilliseconds();
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
