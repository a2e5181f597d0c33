namespace Eddy.Sql.Types;

/// <summary>
/// The SQL type constants and the rules between types: implicit widening (INT → BIGINT → DECIMAL →
/// DOUBLE, STRING → TIME/DATE/TIMESTAMP), the common type of a list of values, and DECIMAL result
/// types of arithmetic (ksqlDB's rules, which follow SQL Server's).
/// </summary>
/// <example>
/// <code>
/// SqlType? t = SqlTypes.CommonType(SqlTypes.Integer, SqlTypes.Decimal(4, 2)); // DECIMAL(12, 2)
/// </code>
/// </example>
public static class SqlTypes
{
    /// <summary>BOOLEAN.</summary>
    public static readonly SqlPrimitiveType Boolean = new(SqlBaseType.Boolean, typeof(bool));

    /// <summary>INTEGER.</summary>
    public static readonly SqlPrimitiveType Integer = new(SqlBaseType.Integer, typeof(int));

    /// <summary>BIGINT.</summary>
    public static readonly SqlPrimitiveType BigInt = new(SqlBaseType.BigInt, typeof(long));

    /// <summary>DOUBLE.</summary>
    public static readonly SqlPrimitiveType Double = new(SqlBaseType.Double, typeof(double));

    /// <summary>STRING.</summary>
    public static readonly SqlPrimitiveType String = new(SqlBaseType.String, typeof(string));

    /// <summary>BYTES.</summary>
    public static readonly SqlPrimitiveType Bytes = new(SqlBaseType.Bytes, typeof(byte[]));

    /// <summary>TIME.</summary>
    public static readonly SqlPrimitiveType Time = new(SqlBaseType.Time, typeof(TimeOnly));

    /// <summary>DATE.</summary>
    public static readonly SqlPrimitiveType Date = new(SqlBaseType.Date, typeof(DateOnly));

    /// <summary>TIMESTAMP.</summary>
    public static readonly SqlPrimitiveType Timestamp = new(SqlBaseType.Timestamp, typeof(DateTime));

    /// <summary>The DECIMAL an INTEGER widens to: DECIMAL(10, 0).</summary>
    public static readonly SqlDecimalType IntegerAsDecimal = new(10, 0);

    /// <summary>The DECIMAL a BIGINT widens to: DECIMAL(19, 0).</summary>
    public static readonly SqlDecimalType BigIntAsDecimal = new(19, 0);

    /// <summary>DECIMAL(precision, scale).</summary>
    public static SqlDecimalType Decimal(int precision, int scale) => new(precision, scale);

    /// <summary>ARRAY&lt;element&gt;.</summary>
    public static SqlArrayType Array(SqlType element) => new(element);

    /// <summary>MAP&lt;key, value&gt;.</summary>
    public static SqlMapType Map(SqlType key, SqlType value) => new(key, value);

    /// <summary>STRUCT of the given fields.</summary>
    public static SqlStructType Struct(IEnumerable<SqlStructField> fields) => new(fields);

    /// <summary>STRUCT of the given (name, type) pairs.</summary>
    public static SqlStructType Struct(params (string Name, SqlType Type)[] fields)
    {
        var list = new List<SqlStructField>(fields.Length);
        foreach (var (name, type) in fields)
        {
            list.Add(new SqlStructField(name, type));
        }

        return new SqlStructType(list);
    }

    /// <summary>The primitive type of a base type; null for DECIMAL, ARRAY, MAP and STRUCT.</summary>
    public static SqlPrimitiveType? Primitive(SqlBaseType baseType) => baseType switch
    {
        SqlBaseType.Boolean => Boolean,
        SqlBaseType.Integer => Integer,
        SqlBaseType.BigInt => BigInt,
        SqlBaseType.Double => Double,
        SqlBaseType.String => String,
        SqlBaseType.Bytes => Bytes,
        SqlBaseType.Time => Time,
        SqlBaseType.Date => Date,
        SqlBaseType.Timestamp => Timestamp,
        _ => null,
    };

    /// <summary>
    /// The DECIMAL that holds every value of a numeric type without loss: INTEGER → DECIMAL(10, 0),
    /// BIGINT → DECIMAL(19, 0), a DECIMAL itself; null for other types.
    /// </summary>
    public static SqlDecimalType? AsDecimal(SqlType type) => type switch
    {
        SqlDecimalType d => d,
        _ when type.BaseType == SqlBaseType.Integer => IntegerAsDecimal,
        _ when type.BaseType == SqlBaseType.BigInt => BigIntAsDecimal,
        _ => null,
    };

    /// <summary>
    /// Whether a value of <paramref name="from"/> can be used where <paramref name="to"/> is expected
    /// without an explicit CAST and without losing information (DOUBLE excepted, as in ksqlDB).
    /// </summary>
    public static bool CanImplicitlyCast(SqlType from, SqlType to)
    {
        if (from.Equals(to))
        {
            return true;
        }

        switch (to)
        {
            case SqlDecimalType target:
            {
                var source = AsDecimal(from);
                return source is not null
                    && source.Scale <= target.Scale
                    && source.IntegerDigits <= target.IntegerDigits;
            }

            case SqlArrayType ta:
                return from is SqlArrayType fa && CanImplicitlyCast(fa.ElementType, ta.ElementType);
            case SqlMapType tm:
                return from is SqlMapType fm
                    && CanImplicitlyCast(fm.KeyType, tm.KeyType)
                    && CanImplicitlyCast(fm.ValueType, tm.ValueType);
            case SqlStructType ts:
            {
                if (from is not SqlStructType fs)
                {
                    return false;
                }

                foreach (var field in fs.Fields)
                {
                    var target = ts.Field(field.Name);
                    if (target is null || !CanImplicitlyCast(field.Type, target.Type))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        return from.BaseType.CanImplicitlyCast(to.BaseType);
    }

    /// <summary>
    /// The narrowest type both values can be widened to, or null when there is none. For numbers the
    /// wider one (an INTEGER and a DECIMAL meet in a DECIMAL with room for both); for ARRAY, MAP and
    /// STRUCT the common type of their parts (STRUCT: the union of the fields); a STRING meets a
    /// time type in the time type.
    /// </summary>
    public static SqlType? CommonType(SqlType a, SqlType b)
    {
        if (a.Equals(b))
        {
            return a;
        }

        if (a.BaseType.IsNumber() && b.BaseType.IsNumber())
        {
            if (a.BaseType == SqlBaseType.Double || b.BaseType == SqlBaseType.Double)
            {
                return Double;
            }

            if (a.BaseType == SqlBaseType.Decimal || b.BaseType == SqlBaseType.Decimal)
            {
                return WidenDecimal(a, b);
            }

            return a.BaseType >= b.BaseType ? a : b;
        }

        switch (a)
        {
            case SqlArrayType aa when b is SqlArrayType ba:
            {
                var e = CommonType(aa.ElementType, ba.ElementType);
                return e is null ? null : Array(e);
            }

            case SqlMapType am when b is SqlMapType bm:
            {
                var k = CommonType(am.KeyType, bm.KeyType);
                var v = CommonType(am.ValueType, bm.ValueType);
                return k is null || v is null ? null : Map(k, v);
            }

            case SqlStructType asx when b is SqlStructType bs:
            {
                var fields = new List<SqlStructField>();
                foreach (var f in asx.Fields)
                {
                    var other = bs.Field(f.Name);
                    if (other is null)
                    {
                        fields.Add(f);
                        continue;
                    }

                    var t = CommonType(f.Type, other.Type);
                    if (t is null)
                    {
                        return null;
                    }

                    fields.Add(new SqlStructField(f.Name, t));
                }

                foreach (var f in bs.Fields)
                {
                    if (asx.Field(f.Name) is null)
                    {
                        fields.Add(f);
                    }
                }

                return Struct(fields);
            }
        }

        if (a.BaseType == SqlBaseType.String && b.BaseType.IsTime())
        {
            return b;
        }

        if (b.BaseType == SqlBaseType.String && a.BaseType.IsTime())
        {
            return a;
        }

        if (a.BaseType == SqlBaseType.Date && b.BaseType == SqlBaseType.Timestamp)
        {
            return b;
        }

        if (b.BaseType == SqlBaseType.Date && a.BaseType == SqlBaseType.Timestamp)
        {
            return a;
        }

        return null;
    }

    /// <summary>A DECIMAL wide enough for both numeric types (each must be INTEGER, BIGINT or DECIMAL).</summary>
    public static SqlDecimalType WidenDecimal(SqlType a, SqlType b)
    {
        var l = AsDecimal(a) ?? throw new SqlException($"Cannot convert {a} to DECIMAL.");
        var r = AsDecimal(b) ?? throw new SqlException($"Cannot convert {b} to DECIMAL.");
        var whole = Math.Max(l.IntegerDigits, r.IntegerDigits);
        var scale = Math.Max(l.Scale, r.Scale);
        return Decimal(whole + scale, scale);
    }

    /// <summary>Result type of DECIMAL + or - DECIMAL.</summary>
    public static SqlDecimalType DecimalAdd(SqlDecimalType l, SqlDecimalType r)
    {
        var scale = Math.Max(l.Scale, r.Scale);
        var precision = scale + Math.Max(l.IntegerDigits, r.IntegerDigits) + 1;
        return Decimal(precision, scale);
    }

    /// <summary>Result type of DECIMAL * DECIMAL.</summary>
    public static SqlDecimalType DecimalMultiply(SqlDecimalType l, SqlDecimalType r) =>
        Decimal(l.Precision + r.Precision + 1, l.Scale + r.Scale);

    /// <summary>Result type of DECIMAL / DECIMAL.</summary>
    public static SqlDecimalType DecimalDivide(SqlDecimalType l, SqlDecimalType r)
    {
        var scale = Math.Max(6, l.Scale + r.Precision + 1);
        var precision = l.Precision - l.Scale + r.Scale + scale;
        return Decimal(precision, scale);
    }

    /// <summary>Result type of DECIMAL % DECIMAL.</summary>
    public static SqlDecimalType DecimalModulus(SqlDecimalType l, SqlDecimalType r)
    {
        var scale = Math.Max(l.Scale, r.Scale);
        var precision = Math.Min(l.IntegerDigits, r.IntegerDigits) + scale;
        return Decimal(Math.Max(precision, 1), scale);
    }
}
