namespace Eddy.Sql.Types;

/// <summary>
/// The base kinds of SQL types, in ksqlDB's order (the numeric members are ordered from narrowest
/// to widest, which is what implicit widening follows: INTEGER → BIGINT → DECIMAL → DOUBLE).
/// </summary>
/// <example>
/// <code>
/// bool widens = SqlBaseType.Integer.CanImplicitlyCast(SqlBaseType.Double); // true
/// </code>
/// </example>
public enum SqlBaseType
{
    /// <summary>BOOLEAN.</summary>
    Boolean,

    /// <summary>INT / INTEGER: 32-bit signed integer.</summary>
    Integer,

    /// <summary>BIGINT: 64-bit signed integer.</summary>
    BigInt,

    /// <summary>DECIMAL(precision, scale): exact decimal.</summary>
    Decimal,

    /// <summary>DOUBLE: 64-bit IEEE 754.</summary>
    Double,

    /// <summary>STRING / VARCHAR.</summary>
    String,

    /// <summary>ARRAY&lt;T&gt;.</summary>
    Array,

    /// <summary>MAP&lt;K, V&gt;.</summary>
    Map,

    /// <summary>STRUCT&lt;name T, ...&gt;.</summary>
    Struct,

    /// <summary>TIME: time of day, millisecond precision.</summary>
    Time,

    /// <summary>DATE: a calendar date.</summary>
    Date,

    /// <summary>TIMESTAMP: an instant, millisecond precision, no time zone.</summary>
    Timestamp,

    /// <summary>BYTES.</summary>
    Bytes,
}

/// <summary>Helpers over <see cref="SqlBaseType"/>.</summary>
/// <example>
/// <code>
/// if (type.BaseType.IsNumber()) { ... }
/// </code>
/// </example>
public static class SqlBaseTypeExtensions
{
    /// <summary>True for INTEGER, BIGINT, DECIMAL and DOUBLE.</summary>
    public static bool IsNumber(this SqlBaseType type) =>
        type is SqlBaseType.Integer or SqlBaseType.BigInt or SqlBaseType.Decimal or SqlBaseType.Double;

    /// <summary>True for TIME, DATE and TIMESTAMP.</summary>
    public static bool IsTime(this SqlBaseType type) =>
        type is SqlBaseType.Time or SqlBaseType.Date or SqlBaseType.Timestamp;

    /// <summary>
    /// Whether a value of this base type may be used where <paramref name="to"/> is expected without an
    /// explicit CAST: the same type, a wider number, a STRING where a time type is expected (it is parsed), or a DATE where a TIMESTAMP is (midnight UTC).
    /// </summary>
    public static bool CanImplicitlyCast(this SqlBaseType from, SqlBaseType to)
    {
        if (from == to)
        {
            return true;
        }

        if (from.IsNumber() && to.IsNumber())
        {
            return from <= to;
        }

        return (from == SqlBaseType.String && to.IsTime()) || (from == SqlBaseType.Date && to == SqlBaseType.Timestamp);
    }

    /// <summary>The ksqlDB name of the base type, e.g. INTEGER.</summary>
    public static string SqlName(this SqlBaseType type) => type switch
    {
        SqlBaseType.Boolean => "BOOLEAN",
        SqlBaseType.Integer => "INTEGER",
        SqlBaseType.BigInt => "BIGINT",
        SqlBaseType.Decimal => "DECIMAL",
        SqlBaseType.Double => "DOUBLE",
        SqlBaseType.String => "STRING",
        SqlBaseType.Array => "ARRAY",
        SqlBaseType.Map => "MAP",
        SqlBaseType.Struct => "STRUCT",
        SqlBaseType.Time => "TIME",
        SqlBaseType.Date => "DATE",
        SqlBaseType.Timestamp => "TIMESTAMP",
        SqlBaseType.Bytes => "BYTES",
        _ => type.ToString().ToUpperInvariant(),
    };
}
