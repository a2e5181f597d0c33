using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions.BuiltIn;

internal static class DecimalSchemas
{
    public static SqlType Same(IReadOnlyList<SqlType> args) => args[0];

    public static SqlType Integral(IReadOnlyList<SqlType> args)
    {
        var d = (SqlDecimalType)args[0];
        return SqlTypes.Decimal(Math.Max(1, d.Precision - d.Scale + 1), 0);
    }
}

[SqlFunction("ABS", Category = "MATHEMATICAL", Description = "Returns the absolute value of its argument.")]
internal static class AbsFunction
{
    [SqlOverload]
    public static int? Abs(int? v) => v is null ? null : unchecked(v.Value < 0 ? -v.Value : v.Value);

    [SqlOverload]
    public static long? Abs(long? v) => v is null ? null : unchecked(v.Value < 0 ? -v.Value : v.Value);

    [SqlOverload]
    public static double? Abs(double? v) => v is null ? null : Math.Abs(v.Value);

    [SqlOverload(ReturnTypeProvider = nameof(DecimalType))]
    public static SqlDecimal? Abs(SqlDecimal? v) => v?.Abs();

    private static SqlType DecimalType(IReadOnlyList<SqlType> args) => DecimalSchemas.Same(args);
}

internal static class Trig
{
    public static double? Apply(double? v, Func<double, double> f) => v is null ? null : f(v.Value);
}

[SqlFunction("ACOS", Category = "MATHEMATICAL", Description = "The inverse (arc) cosine of a value.")]
internal static class AcosFunction
{
    [SqlOverload]
    public static double? Acos(double? v) => Trig.Apply(v, Math.Acos);
}

[SqlFunction("ASIN", Category = "MATHEMATICAL", Description = "The inverse (arc) sine of a value.")]
internal static class AsinFunction
{
    [SqlOverload]
    public static double? Asin(double? v) => Trig.Apply(v, Math.Asin);
}

[SqlFunction("ATAN", Category = "MATHEMATICAL", Description = "The inverse (arc) tangent of a value.")]
internal static class AtanFunction
{
    [SqlOverload]
    public static double? Atan(double? v) => Trig.Apply(v, Math.Atan);
}

[SqlFunction("ATAN2", Category = "MATHEMATICAL", Description = "The inverse (arc) tangent of y / x.")]
internal static class Atan2Function
{
    [SqlOverload]
    public static double? Atan2(double? y, double? x) => y is null || x is null ? null : Math.Atan2(y.Value, x.Value);
}

[SqlFunction("CBRT", Category = "MATHEMATICAL", Description = "The cube root of a value.")]
internal static class CbrtFunction
{
    [SqlOverload]
    public static double? Cbrt(double? v) => Trig.Apply(v, Math.Cbrt);
}

[SqlFunction("COS", Category = "MATHEMATICAL", Description = "The cosine of a value.")]
internal static class CosFunction
{
    [SqlOverload]
    public static double? Cos(double? v) => Trig.Apply(v, Math.Cos);
}

[SqlFunction("COSH", Category = "MATHEMATICAL", Description = "The hyperbolic cosine of a value.")]
internal static class CoshFunction
{
    [SqlOverload]
    public static double? Cosh(double? v) => Trig.Apply(v, Math.Cosh);
}

[SqlFunction("COT", Category = "MATHEMATICAL", Description = "The cotangent of a value.")]
internal static class CotFunction
{
    [SqlOverload]
    public static double? Cot(double? v) => Trig.Apply(v, x => 1.0 / Math.Tan(x));
}

[SqlFunction("DEGREES", Category = "MATHEMATICAL", Description = "Converts a value in radians to a value in degrees.")]
internal static class DegreesFunction
{
    [SqlOverload]
    public static double? Degrees(double? v) => Trig.Apply(v, x => x * 180.0 / Math.PI);
}

[SqlFunction("RADIANS", Category = "MATHEMATICAL", Description = "Converts a value in degrees to a value in radians.")]
internal static class RadiansFunction
{
    [SqlOverload]
    public static double? Radians(double? v) => Trig.Apply(v, x => x / 180.0 * Math.PI);
}

[SqlFunction("EXP", Category = "MATHEMATICAL", Description = "The exponential of a value.")]
internal static class ExpFunction
{
    [SqlOverload]
    public static double? Exp(double? v) => Trig.Apply(v, Math.Exp);
}

[SqlFunction("LN", Category = "MATHEMATICAL", Description = "The natural logarithm of a value.")]
internal static class LnFunction
{
    [SqlOverload]
    public static double? Ln(double? v) => Trig.Apply(v, Math.Log);
}

[SqlFunction("LOG", Category = "MATHEMATICAL", Description = "The logarithm of a value: natural, or to the given base.")]
internal static class LogFunction
{
    [SqlOverload(Description = "The natural logarithm.")]
    public static double? Log(double? value) => Trig.Apply(value, Math.Log);

    [SqlOverload(Description = "The logarithm to a base.")]
    public static double? Log(double? @base, double? value)
    {
        if (@base is null || value is null)
        {
            return null;
        }

        if (@base <= 0 || @base == 1 || value < 0)
        {
            return double.NaN;
        }

        return Math.Log(value.Value) / Math.Log(@base.Value);
    }
}

[SqlFunction("SIN", Category = "MATHEMATICAL", Description = "The sine of a value.")]
internal static class SinFunction
{
    [SqlOverload]
    public static double? Sin(double? v) => Trig.Apply(v, Math.Sin);
}

[SqlFunction("SINH", Category = "MATHEMATICAL", Description = "The hyperbolic sine of a value.")]
internal static class SinhFunction
{
    [SqlOverload]
    public static double? Sinh(double? v) => Trig.Apply(v, Math.Sinh);
}

[SqlFunction("TAN", Category = "MATHEMATICAL", Description = "The tangent of a value.")]
internal static class TanFunction
{
    [SqlOverload]
    public static double? Tan(double? v) => Trig.Apply(v, Math.Tan);
}

[SqlFunction("TANH", Category = "MATHEMATICAL", Description = "The hyperbolic tangent of a value.")]
internal static class TanhFunction
{
    [SqlOverload]
    public static double? Tanh(double? v) => Trig.Apply(v, Math.Tanh);
}

[SqlFunction("SQRT", Category = "MATHEMATICAL", Description = "The square root of a value.")]
internal static class SqrtFunction
{
    [SqlOverload]
    public static double? Sqrt(double? v) => Trig.Apply(v, Math.Sqrt);
}

[SqlFunction("POWER", Category = "MATHEMATICAL", Description = "Given a base and an exponent, returns the result of the base raised to the exponent.")]
internal static class PowerFunction
{
    [SqlOverload]
    public static double? Power(double? @base, double? exponent) => @base is null || exponent is null ? null : Math.Pow(@base.Value, exponent.Value);
}

[SqlFunction("PI", Category = "MATHEMATICAL", Description = "Returns an approximate value of pi.")]
internal static class PiFunction
{
    [SqlOverload]
    public static double Pi() => Math.PI;
}

[SqlFunction("RANDOM", Category = "MATHEMATICAL", Description = "Returns a random number greater than or equal to 0.0 and less than 1.0.")]
internal static class RandomFunction
{
    [SqlOverload]
    public static double Random(FunctionContext context) => context.Random.NextDouble();
}

[SqlFunction("SIGN", Category = "MATHEMATICAL", Description = "The sign of a value: -1, 0 or 1.")]
internal static class SignFunction
{
    [SqlOverload]
    public static int? Sign(int? v) => v is null ? null : Math.Sign(v.Value);

    [SqlOverload]
    public static int? Sign(long? v) => v is null ? null : Math.Sign(v.Value);

    [SqlOverload]
    public static int? Sign(double? v) => v is null ? null : double.IsNaN(v.Value) ? 0 : Math.Sign(v.Value);
}

[SqlFunction("CEIL", Category = "MATHEMATICAL", Description = "Returns the smallest integer greater than or equal to the specified numeric expression.")]
internal static class CeilFunction
{
    [SqlOverload]
    public static int? Ceil(int? v) => v;

    [SqlOverload]
    public static long? Ceil(long? v) => v;

    [SqlOverload]
    public static double? Ceil(double? v) => v is null ? null : Math.Ceiling(v.Value);

    [SqlOverload(ReturnTypeProvider = nameof(DecimalType))]
    public static SqlDecimal? Ceil(SqlDecimal? v) => v?.SetScale(0, MidpointRounding.ToPositiveInfinity);

    private static SqlType DecimalType(IReadOnlyList<SqlType> args) => DecimalSchemas.Integral(args);
}

[SqlFunction("FLOOR", Category = "MATHEMATICAL", Description = "Returns the largest integer less than or equal to the specified numeric expression.")]
internal static class FloorFunction
{
    [SqlOverload]
    public static int? Floor(int? v) => v;

    [SqlOverload]
    public static long? Floor(long? v) => v;

    [SqlOverload]
    public static double? Floor(double? v) => v is null ? null : Math.Floor(v.Value);

    [SqlOverload(ReturnTypeProvider = nameof(DecimalType))]
    public static SqlDecimal? Floor(SqlDecimal? v) => v?.SetScale(0, MidpointRounding.ToNegativeInfinity);

    private static SqlType DecimalType(IReadOnlyList<SqlType> args) => DecimalSchemas.Integral(args);
}

[SqlFunction("ROUND", Category = "MATHEMATICAL", Description = "Round a value to the number of decimal places as specified by scale to the right of the decimal point. Numbers equidistant to the nearest value are rounded up (in the positive direction).")]
internal static class RoundFunction
{
    [SqlOverload]
    public static long? Round(long? v) => v;

    [SqlOverload]
    public static long? Round(double? v) => v is null ? null : double.IsNaN(v.Value) ? 0 : (long)Math.Floor(v.Value + 0.5);

    [SqlOverload]
    public static double? Round(double? v, int? places)
    {
        if (v is null || places is null)
        {
            return null;
        }

        if (double.IsNaN(v.Value) || double.IsInfinity(v.Value))
        {
            return v;
        }

        return RoundDecimal(SqlDecimal.FromDoubleShortest(v.Value), places.Value).ToDouble();
    }

    [SqlOverload(ReturnTypeProvider = nameof(IntegralType))]
    public static SqlDecimal? Round(SqlDecimal? v) => v is null ? null : RoundDecimal(v.Value, 0);

    [SqlOverload(ReturnTypeProvider = nameof(SameType))]
    public static SqlDecimal? Round(SqlDecimal? v, int? places) => v is null || places is null ? null : RoundDecimal(v.Value, places.Value);

    /// <summary>Java's Math.round rule: HALF_UP for positive values, HALF_DOWN for negative ones (-1.5 rounds to -1).</summary>
    public static SqlDecimal RoundDecimal(SqlDecimal v, int places)
    {
        if (v.Sign >= 0)
        {
            return v.SetScale(places, MidpointRounding.AwayFromZero);
        }

        var magnitude = v.Abs();
        var truncated = magnitude.SetScale(places, MidpointRounding.ToZero);
        var remainder = SqlDecimal.Subtract(magnitude, truncated);
        var up = remainder.CompareTo(new SqlDecimal(5, places + 1)) > 0;
        var rounded = up ? SqlDecimal.Add(truncated, new SqlDecimal(1, places)).SetScale(places) : truncated;
        return rounded.Negate();
    }

    private static SqlType IntegralType(IReadOnlyList<SqlType> args) => DecimalSchemas.Integral(args);

    private static SqlType SameType(IReadOnlyList<SqlType> args) => DecimalSchemas.Same(args);
}

[SqlFunction("TRUNC", Category = "MATHEMATICAL", Description = "Truncates a value to the number of decimal places as specified by scale to the right of the decimal point.")]
internal static class TruncFunction
{
    [SqlOverload]
    public static long? Trunc(long? v) => v;

    [SqlOverload]
    public static long? Trunc(double? v) => v is null ? null : (long)Math.Truncate(v.Value);

    [SqlOverload]
    public static double? Trunc(double? v, int? places)
    {
        if (v is null || places is null)
        {
            return null;
        }

        if (double.IsNaN(v.Value) || double.IsInfinity(v.Value))
        {
            return v;
        }

        return SqlDecimal.FromDoubleShortest(v.Value).SetScale(places.Value, MidpointRounding.ToZero).ToDouble();
    }

    [SqlOverload(ReturnTypeProvider = nameof(IntegralType))]
    public static SqlDecimal? Trunc(SqlDecimal? v) => v?.SetScale(0, MidpointRounding.ToZero);

    [SqlOverload(ReturnTypeProvider = nameof(SameType))]
    public static SqlDecimal? Trunc(SqlDecimal? v, int? places) => v is null || places is null ? null : v.Value.SetScale(places.Value, MidpointRounding.ToZero);

    private static SqlType IntegralType(IReadOnlyList<SqlType> args) => DecimalSchemas.Integral(args);

    private static SqlType SameType(IReadOnlyList<SqlType> args) => DecimalSchemas.Same(args);
}

[SqlFunction("GREATEST", Category = "MATHEMATICAL", Description = "Returns the highest non-null value among a variable number of comparable columns.")]
internal static class GreatestFunction
{
    [SqlOverload]
    public static object? Greatest([SqlParameter("val", Type = "T")] object? first, [SqlParameter("vals", Type = "T")] params object?[] rest) => Extreme.Pick(first, rest, 1);
}

[SqlFunction("LEAST", Category = "MATHEMATICAL", Description = "Returns the lowest non-null value among a variable number of comparable columns.")]
internal static class LeastFunction
{
    [SqlOverload]
    public static object? Least([SqlParameter("val", Type = "T")] object? first, [SqlParameter("vals", Type = "T")] params object?[] rest) => Extreme.Pick(first, rest, -1);
}

internal static class Extreme
{
    public static object? Pick(object? first, object?[] rest, int direction)
    {
        var best = first;
        foreach (var v in rest)
        {
            if (v is not null && (best is null || SqlValues.Compare(v, best) * direction > 0))
            {
                best = v;
            }
        }

        return best;
    }
}

[SqlFunction("GEO_DISTANCE", Category = "OTHER", Description = "Compute the distance between two points on the surface of the earth, according to the Haversine formula for \"great circle distance\" (in KM, or MI).")]
internal static class GeoDistanceFunction
{
    [SqlOverload]
    public static double? GeoDistance(double? lat1, double? lon1, double? lat2, double? lon2) => GeoDistance(lat1, lon1, lat2, lon2, "KM");

    [SqlOverload]
    public static double? GeoDistance(double? lat1, double? lon1, double? lat2, double? lon2, string? units)
    {
        if (lat1 is null || lon1 is null || lat2 is null || lon2 is null || units is null)
        {
            return null;
        }

        var radius = units.Trim().ToUpperInvariant() switch
        {
            "KM" or "KILOMETER" or "KILOMETERS" or "KILOMETRE" or "KILOMETRES" => 6371.0,
            "MI" or "MILE" or "MILES" => 3959.0,
            _ => throw new ArgumentException($"GeoDistance function units parameter must be one of KM, KILOMETER, KILOMETERS, MI, MILE or MILES, not '{units}'."),
        };
        if (Math.Abs(lat1.Value) > 90 || Math.Abs(lat2.Value) > 90 || Math.Abs(lon1.Value) > 180 || Math.Abs(lon2.Value) > 180)
        {
            throw new ArgumentException("valid latitude values for GeoDistance function are in the range of -90 to 90 decimal degrees, and longitude values are in the range of -180 to 180.");
        }

        var dLat = (lat2.Value - lat1.Value) * Math.PI / 180;
        var dLon = (lon2.Value - lon1.Value) * Math.PI / 180;
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(lat1.Value * Math.PI / 180) * Math.Cos(lat2.Value * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * radius * Math.Asin(Math.Sqrt(a));
    }
}

[SqlFunction("AS_VALUE", Category = "OTHER", Description = "Used exclusively in the projection of a query to allow a key column to be copied into the value schema.")]
internal static class AsValueFunction
{
    [SqlOverload]
    public static object? AsValue([SqlParameter("keyColumn", Type = "T")] object? value) => value;
}
