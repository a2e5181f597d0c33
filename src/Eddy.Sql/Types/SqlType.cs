using System.Text;

namespace Eddy.Sql.Types;

/// <summary>
/// A SQL type: a primitive (BOOLEAN, INT, BIGINT, DOUBLE, STRING, BYTES, TIME, DATE, TIMESTAMP), a
/// DECIMAL(p, s), or a structured type (ARRAY, MAP, STRUCT). Types compare by structure and print the
/// way ksqlDB prints them (<c>STRUCT&lt;`F0` STRING, `F1` INTEGER&gt;</c>).
/// </summary>
/// <example>
/// <code>
/// SqlType t = SqlTypes.Array(SqlTypes.Decimal(10, 2));
/// Console.WriteLine(t); // ARRAY&lt;DECIMAL(10, 2)&gt;
/// </code>
/// </example>
public abstract class SqlType : IEquatable<SqlType>
{
    private protected SqlType(SqlBaseType baseType)
    {
        BaseType = baseType;
    }

    /// <summary>The base kind of this type.</summary>
    public SqlBaseType BaseType { get; }

    /// <summary>
    /// The CLR type values of this SQL type have at run time (boxed in rows): bool, int, long, double,
    /// <see cref="SqlDecimal"/>, string, byte[], <see cref="DateTime"/> (UTC, TIMESTAMP),
    /// <see cref="DateOnly"/>, <see cref="TimeOnly"/>, <see cref="List{T}"/> of object (ARRAY),
    /// <see cref="Dictionary{TKey, TValue}"/> of object (MAP) or <see cref="SqlStruct"/>.
    /// </summary>
    public abstract Type ClrType { get; }

    /// <summary>True when the type contains a MAP anywhere (ksqlDB rejects such key columns).</summary>
    public virtual bool ContainsMap => false;

    /// <inheritdoc/>
    public abstract bool Equals(SqlType? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SqlType other && Equals(other);

    /// <inheritdoc/>
    public abstract override int GetHashCode();

    /// <summary>Formats the type as ksqlDB does, e.g. <c>MAP&lt;STRING, INTEGER&gt;</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        AppendTo(sb, quoteFieldNames: true);
        return sb.ToString();
    }

    /// <summary>Formats the type as SQL that this parser reads back, e.g. <c>STRUCT&lt;`a` INT&gt;</c>.</summary>
    public string ToSql()
    {
        var sb = new StringBuilder();
        AppendTo(sb, quoteFieldNames: true);
        return sb.ToString();
    }

    internal abstract void AppendTo(StringBuilder sb, bool quoteFieldNames);

    /// <summary>Structural equality.</summary>
    public static bool operator ==(SqlType? left, SqlType? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(SqlType? left, SqlType? right) => !(left == right);
}

/// <summary>A type without parameters: BOOLEAN, INTEGER, BIGINT, DOUBLE, STRING, BYTES, TIME, DATE, TIMESTAMP.</summary>
/// <example>
/// <code>
/// SqlType t = SqlTypes.BigInt;
/// </code>
/// </example>
public sealed class SqlPrimitiveType : SqlType
{
    private readonly Type _clrType;

    internal SqlPrimitiveType(SqlBaseType baseType, Type clrType)
        : base(baseType)
    {
        _clrType = clrType;
    }

    /// <inheritdoc/>
    public override Type ClrType => _clrType;

    /// <inheritdoc/>
    public override bool Equals(SqlType? other) => other is SqlPrimitiveType p && p.BaseType == BaseType;

    /// <inheritdoc/>
    public override int GetHashCode() => (int)BaseType;

    internal override void AppendTo(StringBuilder sb, bool quoteFieldNames) => sb.Append(BaseType.SqlName());
}

/// <summary>DECIMAL(precision, scale).</summary>
/// <example>
/// <code>
/// var money = SqlTypes.Decimal(10, 2);
/// Console.WriteLine(money.Precision); // 10
/// </code>
/// </example>
public sealed class SqlDecimalType : SqlType
{
    internal SqlDecimalType(int precision, int scale)
        : base(SqlBaseType.Decimal)
    {
        if (precision < 1)
        {
            throw new SqlException($"DECIMAL precision must be >= 1: DECIMAL({precision},{scale})");
        }

        if (scale < 0)
        {
            throw new SqlException($"DECIMAL scale must be >= 0: DECIMAL({precision},{scale})");
        }

        if (scale > precision)
        {
            throw new SqlException($"DECIMAL precision must be >= scale: DECIMAL({precision},{scale})");
        }

        Precision = precision;
        Scale = scale;
    }

    /// <summary>Total number of digits.</summary>
    public int Precision { get; }

    /// <summary>Digits after the decimal point.</summary>
    public int Scale { get; }

    /// <summary>Digits before the decimal point (precision - scale).</summary>
    public int IntegerDigits => Precision - Scale;

    /// <inheritdoc/>
    public override Type ClrType => typeof(SqlDecimal);

    /// <inheritdoc/>
    public override bool Equals(SqlType? other) =>
        other is SqlDecimalType d && d.Precision == Precision && d.Scale == Scale;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SqlBaseType.Decimal, Precision, Scale);

    internal override void AppendTo(StringBuilder sb, bool quoteFieldNames) =>
        sb.Append("DECIMAL(").Append(Precision).Append(", ").Append(Scale).Append(')');
}

/// <summary>ARRAY&lt;T&gt;.</summary>
/// <example>
/// <code>
/// var tags = SqlTypes.Array(SqlTypes.String);
/// </code>
/// </example>
public sealed class SqlArrayType : SqlType
{
    internal SqlArrayType(SqlType elementType)
        : base(SqlBaseType.Array)
    {
        ElementType = elementType;
    }

    /// <summary>The element type.</summary>
    public SqlType ElementType { get; }

    /// <inheritdoc/>
    public override Type ClrType => typeof(List<object?>);

    /// <inheritdoc/>
    public override bool ContainsMap => ElementType.ContainsMap;

    /// <inheritdoc/>
    public override bool Equals(SqlType? other) => other is SqlArrayType a && a.ElementType.Equals(ElementType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SqlBaseType.Array, ElementType);

    internal override void AppendTo(StringBuilder sb, bool quoteFieldNames)
    {
        sb.Append("ARRAY<");
        ElementType.AppendTo(sb, quoteFieldNames);
        sb.Append('>');
    }
}

/// <summary>MAP&lt;K, V&gt;.</summary>
/// <example>
/// <code>
/// var counts = SqlTypes.Map(SqlTypes.String, SqlTypes.BigInt);
/// </code>
/// </example>
public sealed class SqlMapType : SqlType
{
    internal SqlMapType(SqlType keyType, SqlType valueType)
        : base(SqlBaseType.Map)
    {
        KeyType = keyType;
        ValueType = valueType;
    }

    /// <summary>The key type.</summary>
    public SqlType KeyType { get; }

    /// <summary>The value type.</summary>
    public SqlType ValueType { get; }

    /// <inheritdoc/>
    public override Type ClrType => typeof(Dictionary<object, object?>);

    /// <inheritdoc/>
    public override bool ContainsMap => true;

    /// <inheritdoc/>
    public override bool Equals(SqlType? other) =>
        other is SqlMapType m && m.KeyType.Equals(KeyType) && m.ValueType.Equals(ValueType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SqlBaseType.Map, KeyType, ValueType);

    internal override void AppendTo(StringBuilder sb, bool quoteFieldNames)
    {
        sb.Append("MAP<");
        KeyType.AppendTo(sb, quoteFieldNames);
        sb.Append(", ");
        ValueType.AppendTo(sb, quoteFieldNames);
        sb.Append('>');
    }
}

/// <summary>One field of a <see cref="SqlStructType"/>. Field names are case-sensitive.</summary>
/// <param name="Name">The field name as declared (unquoted names are upper-cased by the parser).</param>
/// <param name="Type">The field type.</param>
/// <example>
/// <code>
/// var f = new SqlStructField("CITY", SqlTypes.String);
/// </code>
/// </example>
public sealed record SqlStructField(string Name, SqlType Type);

/// <summary>STRUCT&lt;name T, ...&gt;: an ordered list of named fields.</summary>
/// <example>
/// <code>
/// var address = SqlTypes.Struct(("STREET", SqlTypes.String), ("ZIP", SqlTypes.Integer));
/// int i = address.IndexOf("ZIP"); // 1
/// </code>
/// </example>
public sealed class SqlStructType : SqlType
{
    private readonly SqlStructField[] _fields;
    private readonly Dictionary<string, int> _index;

    internal SqlStructType(IEnumerable<SqlStructField> fields)
        : base(SqlBaseType.Struct)
    {
        _fields = [.. fields];
        _index = new Dictionary<string, int>(_fields.Length, StringComparer.Ordinal);
        for (var i = 0; i < _fields.Length; i++)
        {
            if (!_index.TryAdd(_fields[i].Name, i))
            {
                throw new SqlException($"Duplicate field names found in STRUCT: '{_fields[i].Name}'");
            }
        }
    }

    /// <summary>The fields in declaration order.</summary>
    public IReadOnlyList<SqlStructField> Fields => _fields;

    /// <inheritdoc/>
    public override Type ClrType => typeof(SqlStruct);

    /// <inheritdoc/>
    public override bool ContainsMap
    {
        get
        {
            foreach (var f in _fields)
            {
                if (f.Type.ContainsMap)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The position of a field (exact, case-sensitive name), or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;

    /// <summary>The field with this exact name, or null.</summary>
    public SqlStructField? Field(string name) => _index.TryGetValue(name, out var i) ? _fields[i] : null;

    /// <inheritdoc/>
    public override bool Equals(SqlType? other)
    {
        if (other is not SqlStructType s || s._fields.Length != _fields.Length)
        {
            return false;
        }

        for (var i = 0; i < _fields.Length; i++)
        {
            if (!string.Equals(_fields[i].Name, s._fields[i].Name, StringComparison.Ordinal)
                || !_fields[i].Type.Equals(s._fields[i].Type))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(SqlBaseType.Struct);
        foreach (var f in _fields)
        {
            h.Add(f.Name, StringComparer.Ordinal);
            h.Add(f.Type);
        }

        return h.ToHashCode();
    }

    internal override void AppendTo(StringBuilder sb, bool quoteFieldNames)
    {
        sb.Append("STRUCT<");
        for (var i = 0; i < _fields.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            if (quoteFieldNames)
            {
                sb.Append('`').Append(_fields[i].Name.Replace("`", "``", StringComparison.Ordinal)).Append('`');
            }
            else
            {
                sb.Append(_fields[i].Name);
            }

            sb.Append(' ');
            _fields[i].Type.AppendTo(sb, quoteFieldNames);
        }

        sb.Append('>');
    }
}
