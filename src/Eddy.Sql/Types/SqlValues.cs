using System.Collections;
using System.Globalization;
using System.Text;

namespace Eddy.Sql.Types;

/// <summary>
/// Operations on SQL values as they exist at run time (see <see cref="SqlType.ClrType"/>): structural
/// equality and hashing (BYTES, ARRAY, MAP and STRUCT compare by content), ordering, conversion of
/// CLR values from user code into the row model, and the text form ksqlDB gives values when it
/// casts them to STRING (Java's toString: <c>[1, 3]</c>, <c>{this=1}</c>, <c>1.0E10</c>).
/// </summary>
/// <example>
/// <code>
/// bool same = SqlValues.ValueEquals(new List&lt;object?&gt; { 1, 2 }, new List&lt;object?&gt; { 1, 2 }); // true
/// string s = SqlValues.ToJavaString(1e10); // "1.0E10"
/// </code>
/// </example>
public static class SqlValues
{
    /// <summary>Structural equality of two runtime values (null equals null here).</summary>
    public static bool ValueEquals(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        switch (a)
        {
            case byte[] ba:
                return b is byte[] bb && ba.AsSpan().SequenceEqual(bb);
            case List<object?> la:
            {
                if (b is not List<object?> lb || la.Count != lb.Count)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!ValueEquals(la[i], lb[i]))
                    {
                        return false;
                    }
                }

                return true;
            }

            case Dictionary<object, object?> da:
            {
                if (b is not Dictionary<object, object?> db || da.Count != db.Count)
                {
                    return false;
                }

                foreach (var kv in da)
                {
                    if (!db.TryGetValue(kv.Key, out var other) || !ValueEquals(kv.Value, other))
                    {
                        return false;
                    }
                }

                return true;
            }

            case double d when b is double e:
                return d.Equals(e);
        }

        return a.Equals(b);
    }

    /// <summary>A hash code consistent with <see cref="ValueEquals"/>.</summary>
    public static int ValueHashCode(object? value)
    {
        switch (value)
        {
            case null:
                return 0;
            case byte[] bytes:
            {
                var h = new HashCode();
                h.AddBytes(bytes);
                return h.ToHashCode();
            }

            case List<object?> list:
            {
                var h = new HashCode();
                foreach (var v in list)
                {
                    h.Add(ValueHashCode(v));
                }

                return h.ToHashCode();
            }

            case Dictionary<object, object?> map:
            {
                var sum = 0;
                foreach (var kv in map)
                {
                    sum += HashCode.Combine(ValueHashCode(kv.Key), ValueHashCode(kv.Value));
                }

                return sum;
            }

            default:
                return value.GetHashCode();
        }
    }

    /// <summary>
    /// Orders two non-null values of comparable types: numbers (across INTEGER, BIGINT, DECIMAL and
    /// DOUBLE), strings (ordinal, as Java's compareTo), BYTES (unsigned lexicographic), booleans, time types.
    /// </summary>
    public static int Compare(object a, object b)
    {
        switch (a)
        {
            case string sa when b is string sb:
                return string.CompareOrdinal(sa, sb);
            case int ia when b is int ib:
                return ia.CompareTo(ib);
            case long la when b is long lb:
                return la.CompareTo(lb);
            case double da when b is double db:
                return da.CompareTo(db);
            case bool ba when b is bool bb:
                return ba.CompareTo(bb);
            case DateTime ta when b is DateTime tb:
                return ta.CompareTo(tb);
            case DateOnly ya when b is DateOnly yb:
                return ya.CompareTo(yb);
            case TimeOnly xa when b is TimeOnly xb:
                return xa.CompareTo(xb);
            case byte[] ba2 when b is byte[] bb2:
                return ba2.AsSpan().SequenceCompareTo(bb2);
            case SqlDecimal ma when b is SqlDecimal mb:
                return ma.CompareTo(mb);
            case DateOnly yd when b is DateTime td:
                return yd.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).CompareTo(td);
            case DateTime tt when b is DateOnly dd:
                return tt.CompareTo(dd.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        }

        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
            {
                return ToDouble(a).CompareTo(ToDouble(b));
            }

            return ToDecimal(a).CompareTo(ToDecimal(b));
        }

        throw new SqlException($"Cannot compare {Describe(a)} to {Describe(b)}.");
    }

    /// <summary>An equality comparer and comparer over runtime values (for maps, sets, sorting).</summary>
    public static SqlValueComparer Comparer => SqlValueComparer.Instance;

    /// <summary>
    /// Converts a CLR value produced by user code (a UDF, a client) into the row model for
    /// <paramref name="type"/>: decimal → <see cref="SqlDecimal"/> (at the type's scale), arrays and
    /// lists → <c>List&lt;object?&gt;</c>, dictionaries → <c>Dictionary&lt;object, object?&gt;</c>,
    /// <see cref="DateTimeOffset"/> → UTC <see cref="DateTime"/>, an object array (positional fields) or a
    /// string-keyed dictionary (named fields) → <see cref="SqlStruct"/>, and so on. Throws when it cannot.
    /// </summary>
    public static object? FromClr(object? value, SqlType type)
    {
        if (value is null)
        {
            return null;
        }

        switch (type.BaseType)
        {
            case SqlBaseType.Boolean:
                return value is bool ? value : Convert.ToBoolean(value, CultureInfo.InvariantCulture);
            case SqlBaseType.Integer:
                return value is int ? value : Convert.ToInt32(value, CultureInfo.InvariantCulture);
            case SqlBaseType.BigInt:
                return value is long ? value : Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case SqlBaseType.Double:
                return value is double ? value : Convert.ToDouble(value, CultureInfo.InvariantCulture);
            case SqlBaseType.Decimal:
            {
                var d = value switch
                {
                    SqlDecimal sd => sd,
                    decimal m => SqlDecimal.FromDecimal(m),
                    int i => SqlDecimal.FromInt64(i),
                    long l => SqlDecimal.FromInt64(l),
                    double db => SqlDecimal.FromDoubleShortest(db),
                    string str => SqlDecimal.Parse(str),
                    _ => throw Unconvertible(value, type),
                };
                var dt = (SqlDecimalType)type;
                return d.Scale == dt.Scale ? d : d.SetScale(dt.Scale);
            }

            case SqlBaseType.String:
                return value as string ?? value.ToString();
            case SqlBaseType.Bytes:
                return value switch
                {
                    byte[] b => b,
                    ReadOnlyMemory<byte> rom => rom.ToArray(),
                    Memory<byte> m => m.ToArray(),
                    ArraySegment<byte> seg => seg.ToArray(),
                    _ => throw Unconvertible(value, type),
                };
            case SqlBaseType.Timestamp:
                return value switch
                {
                    DateTime dt => dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc),
                    DateTimeOffset dto => dto.UtcDateTime,
                    long ms => DateTime.UnixEpoch.AddMilliseconds(ms),
                    _ => throw Unconvertible(value, type),
                };
            case SqlBaseType.Date:
                return value switch
                {
                    DateOnly d => d,
                    DateTime dt => DateOnly.FromDateTime(dt),
                    int days => DateOnly.FromDayNumber(EpochDayNumber + days),
                    _ => throw Unconvertible(value, type),
                };
            case SqlBaseType.Time:
                return value switch
                {
                    TimeOnly t => t,
                    TimeSpan ts => TimeOnly.FromTimeSpan(ts),
                    _ => throw Unconvertible(value, type),
                };
            case SqlBaseType.Array:
            {
                var element = ((SqlArrayType)type).ElementType;
                if (value is List<object?> existing && AllMatch(existing, element))
                {
                    return existing;
                }

                if (value is not IEnumerable items || value is string)
                {
                    throw Unconvertible(value, type);
                }

                var list = new List<object?>();
                foreach (var item in items)
                {
                    list.Add(FromClr(item, element));
                }

                return list;
            }

            case SqlBaseType.Map:
            {
                var mt = (SqlMapType)type;
                if (value is Dictionary<object, object?> existing && ReferenceEquals(existing.Comparer, SqlValueComparer.Instance))
                {
                    return existing;
                }

                if (value is not IDictionary dict)
                {
                    throw Unconvertible(value, type);
                }

                var map = new Dictionary<object, object?>(dict.Count, SqlValueComparer.Instance);
                foreach (DictionaryEntry e in dict)
                {
                    map[FromClr(e.Key, mt.KeyType)!] = FromClr(e.Value, mt.ValueType);
                }

                return map;
            }

            case SqlBaseType.Struct:
            {
                var st = (SqlStructType)type;
                switch (value)
                {
                    case SqlStruct s:
                        return s;
                    case object?[] positional when positional.Length == st.Fields.Count:
                    {
                        var values = new object?[positional.Length];
                        for (var i = 0; i < values.Length; i++)
                        {
                            values[i] = FromClr(positional[i], st.Fields[i].Type);
                        }

                        return new SqlStruct(st, values);
                    }

                    case IReadOnlyDictionary<string, object?> named:
                    {
                        var values = new object?[st.Fields.Count];
                        for (var i = 0; i < values.Length; i++)
                        {
                            values[i] = named.TryGetValue(st.Fields[i].Name, out var v) ? FromClr(v, st.Fields[i].Type) : null;
                        }

                        return new SqlStruct(st, values);
                    }

                    default:
                        throw Unconvertible(value, type);
                }
            }
        }

        throw Unconvertible(value, type);
    }

    /// <summary>Whether a runtime value has the CLR type its SQL type calls for (shallow).</summary>
    public static bool HasClrType(object value, SqlType type) => type.BaseType switch
    {
        SqlBaseType.Array => value is List<object?>,
        SqlBaseType.Map => value is Dictionary<object, object?>,
        _ => value.GetType() == type.ClrType,
    };

    /// <summary>The day number (as <see cref="DateOnly.DayNumber"/>) of 1970-01-01.</summary>
    public static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Milliseconds since the epoch of a TIMESTAMP value.</summary>
    public static long ToEpochMillis(DateTime timestamp) =>
        (timestamp.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>The TIMESTAMP value of milliseconds since the epoch.</summary>
    public static DateTime FromEpochMillis(long millis) =>
        new(DateTime.UnixEpoch.Ticks + (millis * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    /// <summary>Days since the epoch of a DATE value.</summary>
    public static int ToEpochDays(DateOnly date) => date.DayNumber - EpochDayNumber;

    /// <summary>The DATE value of days since the epoch.</summary>
    public static DateOnly FromEpochDays(int days) => DateOnly.FromDayNumber(EpochDayNumber + days);

    /// <summary>Milliseconds since midnight of a TIME value.</summary>
    public static int ToMillisOfDay(TimeOnly time) => (int)(time.Ticks / TimeSpan.TicksPerMillisecond);

    /// <summary>The TIME value of milliseconds since midnight.</summary>
    public static TimeOnly FromMillisOfDay(long millis) => new(millis * TimeSpan.TicksPerMillisecond);

    /// <summary>The text ksqlDB gives a value when it is cast to STRING (Java's toString of the value).</summary>
    public static string ToJavaString(object? value)
    {
        switch (value)
        {
            case null:
                return "null";
            case string s:
                return s;
            case int i:
                return i.ToString(CultureInfo.InvariantCulture);
            case long l:
                return l.ToString(CultureInfo.InvariantCulture);
            case bool b:
                return b ? "true" : "false";
            case double d:
                return JavaDouble(d);
        }

        var sb = new StringBuilder();
        AppendJavaString(sb, value);
        return sb.ToString();
    }

    /// <summary>Appends <see cref="ToJavaString"/> of a value.</summary>
    public static void AppendJavaString(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                sb.Append(s);
                break;
            case double d:
                sb.Append(JavaDouble(d));
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case SqlDecimal m:
                sb.Append(m.ToPlainString());
                break;
            case DateTime ts:
                sb.Append(FormatTimestamp(ts));
                break;
            case DateOnly date:
                sb.Append(FormatDate(date));
                break;
            case TimeOnly time:
                sb.Append(FormatTime(time));
                break;
            case byte[] bytes:
                sb.Append(Convert.ToBase64String(bytes));
                break;
            case List<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    AppendJavaString(sb, list[i]);
                }

                sb.Append(']');
                break;
            case Dictionary<object, object?> map:
            {
                sb.Append('{');
                var first = true;
                foreach (var kv in map)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    AppendJavaString(sb, kv.Key);
                    sb.Append('=');
                    AppendJavaString(sb, kv.Value);
                }

                sb.Append('}');
                break;
            }

            case IFormattable f:
                sb.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                sb.Append(value);
                break;
        }
    }

    /// <summary>ISO text of a TIMESTAMP as ksqlDB prints it: <c>2022-04-28T21:44:47.943</c>.</summary>
    public static string FormatTimestamp(DateTime ts) =>
        ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>ISO text of a DATE: <c>2022-04-28</c>.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>ISO text of a TIME: <c>21:44:47</c>, with <c>.SSS</c> when there are milliseconds.</summary>
    public static string FormatTime(TimeOnly time) =>
        time.Millisecond == 0
            ? time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>
    /// Java's Double.toString: plain notation with at least one fractional digit for 10^-3 ≤ |d| &lt; 10^7
    /// ("10.3", "1.0"), otherwise computerized scientific notation ("1.0E10", "4.9E-324").
    /// </summary>
    public static string JavaDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(d))
        {
            return "Infinity";
        }

        if (double.IsNegativeInfinity(d))
        {
            return "-Infinity";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits and decimal exponent.
        var r = d.ToString("E16", CultureInfo.InvariantCulture);
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = Decompose(shortest);
        _ = r;
        var negative = d < 0;
        var abs = Math.Abs(d);
        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        if (abs >= 1e-3 && abs < 1e7)
        {
            // exponent = position of the decimal point relative to the first digit.
            var pointPos = exponent + 1;
            if (pointPos <= 0)
            {
                sb.Append("0.").Append('0', -pointPos).Append(digits);
            }
            else if (pointPos >= digits.Length)
            {
                sb.Append(digits).Append('0', pointPos - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.');
            sb.Append(digits.Length > 1 ? digits[1..] : "0");
            sb.Append('E').Append(exponent.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static (string Digits, int Exponent) Decompose(string roundTrip)
    {
        // roundTrip is like "-1.2345E-05", "123.45", "1E+16".
        var s = roundTrip.TrimStart('-');
        var exp = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var frac = dot >= 0 ? s[(dot + 1)..] : string.Empty;
        var all = intPart + frac;
        var leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }

        var digits = all[leading..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // Value = 0.all * 10^(intPart.Length) * 10^exp; first significant digit at position leading.
        var exponent = intPart.Length - 1 - leading + exp;
        return (digits, exponent);
    }

    internal static bool IsNumber(object value) => value is int or long or double or SqlDecimal;

    internal static double ToDouble(object value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        SqlDecimal m => m.ToDouble(),
        _ => throw new InvalidCastException($"Not a number: {Describe(value)}"),
    };

    internal static SqlDecimal ToDecimal(object value) => value switch
    {
        int i => SqlDecimal.FromInt64(i),
        long l => SqlDecimal.FromInt64(l),
        SqlDecimal m => m,
        double d => SqlDecimal.FromDoubleShortest(d),
        _ => throw new InvalidCastException($"Not a number: {Describe(value)}"),
    };

    internal static string Describe(object value) => value switch
    {
        string => "STRING",
        int => "INTEGER",
        long => "BIGINT",
        double => "DOUBLE",
        bool => "BOOLEAN",
        SqlDecimal => "DECIMAL",
        byte[] => "BYTES",
        DateTime => "TIMESTAMP",
        DateOnly => "DATE",
        TimeOnly => "TIME",
        List<object?> => "ARRAY",
        Dictionary<object, object?> => "MAP",
        SqlStruct => "STRUCT",
        _ => value.GetType().Name,
    };

    private static bool AllMatch(List<object?> list, SqlType element)
    {
        foreach (var item in list)
        {
            if (item is not null && !HasClrType(item, element))
            {
                return false;
            }
        }

        return true;
    }

    private static SqlException Unconvertible(object value, SqlType type) =>
        new($"Cannot convert a value of CLR type {value.GetType().Name} to {type}.");
}

/// <summary>
/// Equality, hashing and ordering of runtime SQL values, for dictionaries (MAP values use it), sets
/// and sorting. Nulls order first.
/// </summary>
/// <example>
/// <code>
/// var map = new Dictionary&lt;object, object?&gt;(SqlValueComparer.Instance);
/// </code>
/// </example>
public sealed class SqlValueComparer : IEqualityComparer<object>, IComparer<object?>
{
    private SqlValueComparer()
    {
    }

    /// <summary>The shared instance.</summary>
    public static SqlValueComparer Instance { get; } = new();

    /// <inheritdoc/>
    public new bool Equals(object? x, object? y) => SqlValues.ValueEquals(x, y);

    /// <inheritdoc/>
    public int GetHashCode(object obj) => SqlValues.ValueHashCode(obj);

    /// <inheritdoc/>
    public int Compare(object? x, object? y)
    {
        if (x is null)
        {
            return y is null ? 0 : -1;
        }

        return y is null ? 1 : SqlValues.Compare(x, y);
    }
}
