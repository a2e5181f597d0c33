using System.Linq.Expressions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Compiler;

/// <summary>The CLR types compiled code uses for SQL values (nullable for value types).</summary>
internal static class Repr
{
    public static Type Of(SqlType type) => type.BaseType switch
    {
        SqlBaseType.Boolean => typeof(bool?),
        SqlBaseType.Integer => typeof(int?),
        SqlBaseType.BigInt => typeof(long?),
        SqlBaseType.Double => typeof(double?),
        SqlBaseType.Decimal => typeof(SqlDecimal?),
        SqlBaseType.String => typeof(string),
        SqlBaseType.Bytes => typeof(byte[]),
        SqlBaseType.Timestamp => typeof(DateTime?),
        SqlBaseType.Date => typeof(DateOnly?),
        SqlBaseType.Time => typeof(TimeOnly?),
        SqlBaseType.Array => typeof(List<object?>),
        SqlBaseType.Map => typeof(Dictionary<object, object?>),
        SqlBaseType.Struct => typeof(SqlStruct),
        _ => typeof(object),
    };

    public static Expression NullOf(SqlType type) => Expression.Constant(null, Of(type));

    /// <summary>Boxes a value to object, reusing cached boxes for booleans and small integers.</summary>
    public static Expression Box(Expression value)
    {
        if (value.Type == typeof(object))
        {
            return value;
        }

        if (value.Type == typeof(bool?))
        {
            return Expression.Call(typeof(Boxes).GetMethod(nameof(Boxes.Bool))!, value);
        }

        if (value.Type == typeof(int?))
        {
            return Expression.Call(typeof(Boxes).GetMethod(nameof(Boxes.Int))!, value);
        }

        if (value.Type == typeof(long?))
        {
            return Expression.Call(typeof(Boxes).GetMethod(nameof(Boxes.Long))!, value);
        }

        return Expression.Convert(value, typeof(object));
    }

    /// <summary>Reads an object as the representation of a SQL type.</summary>
    public static Expression Unbox(Expression value, SqlType type)
    {
        var target = Of(type);
        return value.Type == target ? value : Expression.Convert(value, target);
    }
}

/// <summary>Cached boxes so that common values do not allocate.</summary>
internal static class Boxes
{
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly object[] SmallInts = CreateInts();
    private static readonly object[] SmallLongs = CreateLongs();

    public static object? Bool(bool? value) => value is null ? null : value.Value ? True : False;

    public static object? Int(int? value)
    {
        if (value is null)
        {
            return null;
        }

        var v = value.Value;
        return v is >= -128 and < 1024 ? SmallInts[v + 128] : v;
    }

    public static object? Long(long? value)
    {
        if (value is null)
        {
            return null;
        }

        var v = value.Value;
        return v is >= -128 and < 1024 ? SmallLongs[v + 128] : v;
    }

    private static object[] CreateInts()
    {
        var a = new object[1152];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = i - 128;
        }

        return a;
    }

    private static object[] CreateLongs()
    {
        var a = new object[1152];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (long)(i - 128);
        }

        return a;
    }
}
