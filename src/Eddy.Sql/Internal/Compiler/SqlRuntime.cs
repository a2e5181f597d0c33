using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Compiler;

/// <summary>
/// Helpers that compiled expressions call: decimal arithmetic at a result type, comparisons with
/// ksqlDB's null rule (NULL compares false), casts, subscripts, LIKE. Everything here is null-safe.
/// </summary>
internal static class SqlRuntime
{
    // ---- decimal arithmetic ----------------------------------------------------------------

    public static SqlDecimal? DecimalAdd(SqlDecimal? a, SqlDecimal? b, int precision, int scale) =>
        a is null || b is null ? null : Fit(SqlDecimal.Add(a.Value, b.Value), precision, scale);

    public static SqlDecimal? DecimalSubtract(SqlDecimal? a, SqlDecimal? b, int precision, int scale) =>
        a is null || b is null ? null : Fit(SqlDecimal.Subtract(a.Value, b.Value), precision, scale);

    public static SqlDecimal? DecimalMultiply(SqlDecimal? a, SqlDecimal? b, int precision, int scale) =>
        a is null || b is null ? null : Fit(SqlDecimal.Multiply(a.Value, b.Value), precision, scale);

    public static SqlDecimal? DecimalDivide(SqlDecimal? a, SqlDecimal? b, int precision, int scale) =>
        a is null || b is null ? null : Fit(SqlDecimal.Divide(a.Value, b.Value, scale), precision, scale);

    public static SqlDecimal? DecimalRemainder(SqlDecimal? a, SqlDecimal? b, int precision, int scale) =>
        a is null || b is null ? null : Fit(SqlDecimal.Remainder(a.Value, b.Value), precision, scale);

    public static SqlDecimal? DecimalNegate(SqlDecimal? a) => a?.Negate();

    /// <summary>Sets the scale (HALF_UP) and checks the value fits the precision.</summary>
    public static SqlDecimal Fit(SqlDecimal value, int precision, int scale)
    {
        var scaled = value.Scale == scale ? value : value.SetScale(scale);
        if (scaled.Precision - scaled.Scale > precision - scale && !scaled.Unscaled.IsZero)
        {
            throw new OverflowException(
                $"Numeric field overflow: A field with precision {precision} and scale {scale} must round to an absolute value less than 10^{precision - scale}. Got {value.ToPlainString()}");
        }

        return scaled;
    }

    // ---- integer arithmetic with Java semantics ---------------------------------------------

    public static int? IntDivide(int? a, int? b) =>
        a is null || b is null ? null : b.Value == -1 ? unchecked(-a.Value) : a.Value / b.Value;

    public static long? LongDivide(long? a, long? b) =>
        a is null || b is null ? null : b.Value == -1 ? unchecked(-a.Value) : a.Value / b.Value;

    public static int? IntRemainder(int? a, int? b) =>
        a is null || b is null ? null : b.Value == -1 ? 0 : a.Value % b.Value;

    public static long? LongRemainder(long? a, long? b) =>
        a is null || b is null ? null : b.Value == -1 ? 0 : a.Value % b.Value;

    // ---- comparisons (NULL on either side → false) --------------------------------------------

    public static bool CompareValues(object? a, object? b, int op)
    {
        if (a is null || b is null)
        {
            return false;
        }

        var c = SqlValues.Compare(a, b);
        return op switch
        {
            0 => c == 0,
            1 => c != 0,
            2 => c < 0,
            3 => c <= 0,
            4 => c > 0,
            _ => c >= 0,
        };
    }

    public static bool EqualsValues(object? a, object? b) => a is not null && b is not null && SqlValues.ValueEquals(a, b);

    public static bool IsDistinct(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return (a is null) != (b is null);
        }

        return !SqlValues.ValueEquals(a, b);
    }

    public static bool? Not(bool? value) => value is null ? null : !value.Value;

    public static bool? And(bool? a, bool? b)
    {
        if (a == false || b == false)
        {
            return false;
        }

        if (a is null || b is null)
        {
            return null;
        }

        return true;
    }

    public static bool? Or(bool? a, bool? b)
    {
        if (a == true || b == true)
        {
            return true;
        }

        if (a is null || b is null)
        {
            return null;
        }

        return false;
    }

    public static bool InList(object? value, object?[] items)
    {
        if (value is null)
        {
            return false;
        }

        foreach (var item in items)
        {
            if (item is not null && SqlValues.ValueEquals(value, item))
            {
                return true;
            }
        }

        return false;
    }

    // ---- LIKE -------------------------------------------------------------------------------

    public static bool Like(string? value, string? pattern, char escape, bool hasEscape)
    {
        if (value is null || pattern is null)
        {
            return false;
        }

        return LikeMatch(value.AsSpan(), pattern.AsSpan(), escape, hasEscape);
    }

    private static bool LikeMatch(ReadOnlySpan<char> s, ReadOnlySpan<char> p, char escape, bool hasEscape)
    {
        // Iterative wildcard match with backtracking to the last '%'.
        int si = 0, pi = 0, starP = -1, starS = 0;
        while (si < s.Length)
        {
            if (pi < p.Length)
            {
                var pc = p[pi];
                if (hasEscape && pc == escape && pi + 1 < p.Length)
                {
                    if (s[si] == p[pi + 1])
                    {
                        si++;
                        pi += 2;
                        continue;
                    }
                }
                else if (pc == '%')
                {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                else if (pc == '_' || pc == s[si])
                {
                    si++;
                    pi++;
                    continue;
                }
            }

            if (starP < 0)
            {
                return false;
            }

            pi = starP + 1;
            si = ++starS;
        }

        while (pi < p.Length && p[pi] == '%')
        {
            pi++;
        }

        return pi == p.Length;
    }

    // ---- subscripts and fields ----------------------------------------------------------------

    /// <summary>ARRAY subscript: 1-based; negative counts from the end; out of range is NULL.</summary>
    public static object? ArrayGet(List<object?>? list, int? index)
    {
        if (list is null || index is null)
        {
            return null;
        }

        var i = index.Value;
        var position = i > 0 ? i - 1 : list.Count + i;
        return i == 0 || position < 0 || position >= list.Count ? null : list[position];
    }

    public static object? MapGet(Dictionary<object, object?>? map, object? key) =>
        map is null || key is null ? null : map.TryGetValue(key, out var v) ? v : null;

    public static object? StructGet(SqlStruct? value, int index) => value?[index];

    public static List<object?> NewList(object?[] items) => [.. items];

    public static Dictionary<object, object?>? NewMap(object?[] keys, object?[] values)
    {
        var map = new Dictionary<object, object?>(keys.Length, SqlValueComparer.Instance);
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is { } k)
            {
                map[k] = values[i];
            }
        }

        return map;
    }

    public static SqlStruct NewStruct(SqlStructType type, object?[] values) => new(type, values);

    // ---- conversions ------------------------------------------------------------------------

    public static SqlDecimal? IntToDecimal(int? v, int precision, int scale) =>
        v is null ? null : CheckedDecimal(SqlDecimal.FromInt64(v.Value), precision, scale, rounding: false);

    public static SqlDecimal? LongToDecimal(long? v, int precision, int scale) =>
        v is null ? null : CheckedDecimal(SqlDecimal.FromInt64(v.Value), precision, scale, rounding: false);

    public static SqlDecimal? DoubleToDecimal(double? v, int precision, int scale) =>
        v is null ? null : CheckedDecimal(SqlDecimal.FromDouble(v.Value, precision), precision, scale, rounding: true);

    public static SqlDecimal? DecimalToDecimal(SqlDecimal? v, int precision, int scale) =>
        v is null ? null : v.Value.Scale == scale && v.Value.Precision <= precision ? v : CheckedDecimal(v.Value, precision, scale, rounding: true);

    public static SqlDecimal? StringToDecimal(string? v, int precision, int scale)
    {
        if (v is null)
        {
            return null;
        }

        if (!SqlDecimal.TryParse(v, out var d))
        {
            throw new FormatException($"invalid input syntax for type DECIMAL: \"{v}\"");
        }

        return CheckedDecimal(d, precision, scale, rounding: true);
    }

    private static SqlDecimal CheckedDecimal(SqlDecimal value, int precision, int scale, bool rounding)
    {
        var digits = precision - scale;
        var rounded = value.Scale == scale ? value : value.SetScale(scale);
        if (!rounding && !value.FitsScale(scale))
        {
            throw new OverflowException($"Cannot fit decimal '{value.ToPlainString()}' into DECIMAL({precision}, {scale}) without rounding.");
        }

        var integer = rounded.Abs().SetScale(0, MidpointRounding.ToZero);
        if (integer.Precision > digits && !integer.Unscaled.IsZero)
        {
            throw new OverflowException(
                $"Numeric field overflow: A field with precision {precision} and scale {scale} must round to an absolute value less than 10^{digits}. Got {value.ToPlainString()}");
        }

        return rounded;
    }

    public static double? DecimalToDouble(SqlDecimal? v) => v?.ToDouble();

    public static int? DecimalToInt(SqlDecimal? v) => v?.ToInt32Truncated();

    public static long? DecimalToLong(SqlDecimal? v) => v?.ToInt64Truncated();

    /// <summary>Java's (int) double: truncation, saturating, NaN → 0.</summary>
    public static int? DoubleToInt(double? v)
    {
        if (v is null)
        {
            return null;
        }

        var d = v.Value;
        if (double.IsNaN(d))
        {
            return 0;
        }

        return d >= int.MaxValue ? int.MaxValue : d <= int.MinValue ? int.MinValue : (int)d;
    }

    /// <summary>Java's (long) double: truncation, saturating, NaN → 0.</summary>
    public static long? DoubleToLong(double? v)
    {
        if (v is null)
        {
            return null;
        }

        var d = v.Value;
        if (double.IsNaN(d))
        {
            return 0;
        }

        return d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d;
    }

    public static int? StringToInt(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var t = s.Trim();
        return int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"invalid input syntax for type INTEGER: \"{s}\"");
    }

    public static long? StringToLong(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var t = s.Trim();
        return long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"invalid input syntax for type BIGINT: \"{s}\"");
    }

    public static double? StringToDouble(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var t = s.Trim();
        if (t.EndsWith('d') || t.EndsWith('D') || t.EndsWith('f') || t.EndsWith('F'))
        {
            t = t[..^1];
        }

        return t switch
        {
            "NaN" => double.NaN,
            "Infinity" or "+Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new FormatException($"invalid input syntax for type DOUBLE: \"{s}\""),
        };
    }

    /// <summary>ksqlDB's SqlBooleans.parseBoolean: true for (prefixes of) "true" and "yes", case-insensitive.</summary>
    public static bool? StringToBoolean(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var t = s.Trim();
        if (t.Length == 0)
        {
            return false;
        }

        return "true".StartsWith(t, StringComparison.OrdinalIgnoreCase) || "yes".StartsWith(t, StringComparison.OrdinalIgnoreCase);
    }

    public static DateTime? StringToTimestamp(string? s) => s is null ? null : SqlTimeParsing.ParseTimestamp(s);

    public static DateOnly? StringToDate(string? s) => s is null ? null : SqlTimeParsing.ParseDate(s);

    public static TimeOnly? StringToTime(string? s) => s is null ? null : SqlTimeParsing.ParseTime(s);

    public static DateOnly? TimestampToDate(DateTime? ts) => ts is null ? null : DateOnly.FromDateTime(ts.Value);

    public static TimeOnly? TimestampToTime(DateTime? ts) => ts is null ? null : TimeOnly.FromDateTime(ts.Value);

    public static DateTime? DateToTimestamp(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public static string? ToJavaString(object? value) => value is null ? null : SqlValues.ToJavaString(value);

    public static string? BytesToString(byte[]? b) => b is null ? null : Convert.ToBase64String(b);

    public static byte[]? StringToBytes(string? s) => s is null ? null : Convert.FromBase64String(s);

    public static List<object?>? CastArray(List<object?>? list, Func<object?, object?> element)
    {
        if (list is null)
        {
            return null;
        }

        var result = new List<object?>(list.Count);
        foreach (var item in list)
        {
            result.Add(element(item));
        }

        return result;
    }

    public static Dictionary<object, object?>? CastMap(Dictionary<object, object?>? map, Func<object?, object?> key, Func<object?, object?> value)
    {
        if (map is null)
        {
            return null;
        }

        var result = new Dictionary<object, object?>(map.Count, SqlValueComparer.Instance);
        foreach (var kv in map)
        {
            if (key(kv.Key) is { } k)
            {
                result[k] = value(kv.Value);
            }
        }

        return result;
    }

    public static SqlStruct? CastStruct(SqlStruct? value, SqlStructType target, int[] sourceIndexes, Func<object?, object?>?[] converters)
    {
        if (value is null)
        {
            return null;
        }

        var values = new object?[target.Fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var src = sourceIndexes[i];
            if (src >= 0)
            {
                var v = value[src];
                values[i] = converters[i] is { } c ? c(v) : v;
            }
        }

        return new SqlStruct(target, values);
    }

    public static string? Concat(string?[] parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            sb.Append(p);
        }

        return sb.ToString();
    }

    public static Regex LikeToRegex(string pattern) => new("^" + Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
