using System.Globalization;
using System.Numerics;
using System.Text;

namespace Eddy.Sql.Types;

/// <summary>
/// An exact decimal number of any precision: an unscaled integer and a scale (value = unscaled ×
/// 10^-scale), like Java's BigDecimal. The scale is kept (1.0 and 1.00 are equal numbers that print
/// differently), which is what DECIMAL(p, s) columns need. Arithmetic follows ksqlDB: the result type
/// decides the scale, rounding is HALF_UP.
/// </summary>
/// <example>
/// <code>
/// var a = SqlDecimal.Parse("10.10");
/// var b = SqlDecimal.Parse("2.0");
/// Console.WriteLine(SqlDecimal.Divide(a, b, 7)); // 5.0500000
/// </code>
/// </example>
public readonly struct SqlDecimal : IEquatable<SqlDecimal>, IComparable<SqlDecimal>, IComparable
{
    private static readonly BigInteger[] PowersOfTen = BuildPowers();

    /// <summary>Creates a decimal from its unscaled value and scale.</summary>
    public SqlDecimal(BigInteger unscaled, int scale)
    {
        Unscaled = unscaled;
        Scale = scale;
    }

    /// <summary>Zero with scale 0.</summary>
    public static SqlDecimal Zero => default;

    /// <summary>The unscaled integer value.</summary>
    public BigInteger Unscaled { get; }

    /// <summary>Digits after the decimal point (may be negative for values like 1E+3).</summary>
    public int Scale { get; }

    /// <summary>Number of digits of the unscaled value (1 for zero), as Java's BigDecimal.precision().</summary>
    public int Precision => DigitCount(Unscaled);

    /// <summary>-1, 0 or 1.</summary>
    public int Sign => Unscaled.Sign;

    /// <summary>Parses plain or scientific notation ("12.50", "-1.5E3"). Leading/trailing spaces are ignored.</summary>
    public static SqlDecimal Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"Invalid DECIMAL value: '{text}'");

    /// <summary>Tries to parse plain or scientific notation.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SqlDecimal value)
    {
        value = default;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            i++;
        }

        var digits = new StringBuilder(text.Length);
        var scale = 0;
        var seenDot = false;
        var seenDigit = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                digits.Append(c);
                seenDigit = true;
                if (seenDot)
                {
                    scale++;
                }
            }
            else if (c == '.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                break;
            }
        }

        if (!seenDigit)
        {
            return false;
        }

        if (i < text.Length)
        {
            if (text[i] is not ('e' or 'E'))
            {
                return false;
            }

            if (!int.TryParse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
            {
                return false;
            }

            scale -= exponent;
        }

        var unscaled = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        value = new SqlDecimal(negative ? -unscaled : unscaled, scale);
        return true;
    }

    /// <summary>An integer as a decimal with scale 0.</summary>
    public static SqlDecimal FromInt64(long value) => new(value, 0);

    /// <summary>
    /// A double's exact binary value as a decimal, rounded HALF_UP to <paramref name="precision"/>
    /// significant digits (Java's <c>new BigDecimal(double, new MathContext(precision))</c>).
    /// </summary>
    public static SqlDecimal FromDouble(double value, int precision)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new OverflowException($"Cannot convert {value.ToString(CultureInfo.InvariantCulture)} to DECIMAL.");
        }

        var exact = FromDoubleExact(value);
        return exact.RoundToPrecision(precision);
    }

    /// <summary>The shortest decimal that round-trips to the same double (as Java's BigDecimal.valueOf(double)).</summary>
    public static SqlDecimal FromDoubleShortest(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new OverflowException($"Cannot convert {value.ToString(CultureInfo.InvariantCulture)} to DECIMAL.");
        }

        var s = value.ToString("R", CultureInfo.InvariantCulture);
        var d = Parse(s);
        // Java's Double.toString always has at least one fractional digit ("1.0").
        return d.Scale < 1 ? d.SetScale(1) : d;
    }

    /// <summary>The exact value of a double (every double is a finite binary fraction).</summary>
    public static SqlDecimal FromDoubleExact(double value)
    {
        if (value == 0)
        {
            return default;
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent++;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        BigInteger unscaled;
        int scale;
        if (exponent >= 0)
        {
            unscaled = new BigInteger(mantissa) << exponent;
            scale = 0;
        }
        else
        {
            // m * 2^-k = m * 5^k / 10^k
            unscaled = new BigInteger(mantissa) * BigInteger.Pow(5, -exponent);
            scale = -exponent;
        }

        var d = new SqlDecimal(negative ? -unscaled : unscaled, scale);
        return d.StripTrailingZeros();
    }

    /// <summary>Removes trailing zeros from the fraction (never below scale 0).</summary>
    public SqlDecimal StripTrailingZeros()
    {
        if (Unscaled.IsZero)
        {
            return default;
        }

        var u = Unscaled;
        var s = Scale;
        while (s > 0)
        {
            var q = BigInteger.DivRem(u, 10, out var r);
            if (!r.IsZero)
            {
                break;
            }

            u = q;
            s--;
        }

        return new SqlDecimal(u, s);
    }

    /// <summary>This value with another scale, rounding HALF_UP when digits are dropped.</summary>
    public SqlDecimal SetScale(int newScale) => SetScale(newScale, MidpointRounding.AwayFromZero);

    /// <summary>This value with another scale and the given rounding (AwayFromZero = HALF_UP, ToZero = DOWN, ToNegativeInfinity = FLOOR, ToPositiveInfinity = CEILING, ToEven = HALF_EVEN).</summary>
    public SqlDecimal SetScale(int newScale, MidpointRounding rounding)
    {
        if (newScale == Scale)
        {
            return this;
        }

        if (newScale > Scale)
        {
            return new SqlDecimal(Unscaled * Pow10(newScale - Scale), newScale);
        }

        var divisor = Pow10(Scale - newScale);
        return new SqlDecimal(DivideRounded(Unscaled, divisor, rounding), newScale);
    }

    /// <summary>Whether the value can take the new scale without rounding.</summary>
    public bool FitsScale(int newScale)
    {
        if (newScale >= Scale)
        {
            return true;
        }

        BigInteger.DivRem(Unscaled, Pow10(Scale - newScale), out var r);
        return r.IsZero;
    }

    /// <summary>Rounds to a number of significant digits, HALF_UP.</summary>
    public SqlDecimal RoundToPrecision(int precision)
    {
        var digits = Precision;
        if (digits <= precision || Unscaled.IsZero)
        {
            return this;
        }

        var drop = digits - precision;
        var rounded = DivideRounded(Unscaled, Pow10(drop), MidpointRounding.AwayFromZero);
        var result = new SqlDecimal(rounded, Scale - drop);
        // Rounding up may add a digit (999 -> 1000).
        return result.Precision > precision ? result.RoundToPrecision(precision) : result;
    }

    /// <summary>Sum with the larger of the two scales.</summary>
    public static SqlDecimal Add(SqlDecimal a, SqlDecimal b)
    {
        var scale = Math.Max(a.Scale, b.Scale);
        return new SqlDecimal(a.Rescaled(scale) + b.Rescaled(scale), scale);
    }

    /// <summary>Difference with the larger of the two scales.</summary>
    public static SqlDecimal Subtract(SqlDecimal a, SqlDecimal b)
    {
        var scale = Math.Max(a.Scale, b.Scale);
        return new SqlDecimal(a.Rescaled(scale) - b.Rescaled(scale), scale);
    }

    /// <summary>Exact product (scale = sum of scales).</summary>
    public static SqlDecimal Multiply(SqlDecimal a, SqlDecimal b) => new(a.Unscaled * b.Unscaled, a.Scale + b.Scale);

    /// <summary>Quotient rounded HALF_UP to <paramref name="scale"/> digits; throws <see cref="DivideByZeroException"/> for zero.</summary>
    public static SqlDecimal Divide(SqlDecimal a, SqlDecimal b, int scale)
    {
        if (b.Unscaled.IsZero)
        {
            throw new DivideByZeroException("Division by zero");
        }

        // a/b = (ua * 10^-sa) / (ub * 10^-sb); result unscaled = ua * 10^(scale - sa + sb) / ub
        var shift = scale - a.Scale + b.Scale;
        BigInteger numerator = a.Unscaled;
        BigInteger denominator = b.Unscaled;
        if (shift >= 0)
        {
            numerator *= Pow10(shift);
        }
        else
        {
            denominator *= Pow10(-shift);
        }

        return new SqlDecimal(DivideRounded(numerator, denominator, MidpointRounding.AwayFromZero), scale);
    }

    /// <summary>Remainder with the sign of the dividend (Java's BigDecimal.remainder).</summary>
    public static SqlDecimal Remainder(SqlDecimal a, SqlDecimal b)
    {
        if (b.Unscaled.IsZero)
        {
            throw new DivideByZeroException("Division by zero");
        }

        var scale = Math.Max(a.Scale, b.Scale);
        return new SqlDecimal(BigInteger.Remainder(a.Rescaled(scale), b.Rescaled(scale)), scale);
    }

    /// <summary>The negated value.</summary>
    public SqlDecimal Negate() => new(-Unscaled, Scale);

    /// <summary>The absolute value.</summary>
    public SqlDecimal Abs() => Unscaled.Sign < 0 ? Negate() : this;

    /// <summary>Largest integer not greater than the value, keeping the scale.</summary>
    public SqlDecimal Floor() => SetScale(0, MidpointRounding.ToNegativeInfinity).SetScale(Math.Max(Scale, 0));

    /// <summary>Smallest integer not less than the value, keeping the scale.</summary>
    public SqlDecimal Ceiling() => SetScale(0, MidpointRounding.ToPositiveInfinity).SetScale(Math.Max(Scale, 0));

    /// <summary>The nearest double (correctly rounded).</summary>
    public double ToDouble() => double.Parse(ToPlainString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The integer part as a long, truncated toward zero, wrapping on overflow (Java's longValue()).</summary>
    public long ToInt64Truncated()
    {
        var integer = Scale <= 0 ? Unscaled * Pow10(-Scale) : BigInteger.Divide(Unscaled, Pow10(Scale));
        return (long)(ulong)(integer & ulong.MaxValue);
    }

    /// <summary>The integer part as an int, truncated toward zero, wrapping on overflow (Java's intValue()).</summary>
    public int ToInt32Truncated() => unchecked((int)ToInt64Truncated());

    /// <summary>Converts to System.Decimal (throws <see cref="OverflowException"/> beyond its 28-29 digits).</summary>
    public decimal ToDecimal()
    {
        var d = this;
        if (d.Scale > 28)
        {
            d = d.SetScale(28);
        }

        if (d.Scale < 0)
        {
            d = d.SetScale(0);
        }

        var magnitude = BigInteger.Abs(d.Unscaled);
        if (magnitude.GetBitLength() > 96)
        {
            throw new OverflowException($"DECIMAL value {ToPlainString()} does not fit System.Decimal.");
        }

        return new decimal(
            unchecked((int)(uint)(magnitude & uint.MaxValue)),
            unchecked((int)(uint)((magnitude >> 32) & uint.MaxValue)),
            unchecked((int)(uint)((magnitude >> 64) & uint.MaxValue)),
            d.Unscaled.Sign < 0,
            (byte)d.Scale);
    }

    /// <summary>Converts from System.Decimal, keeping its scale.</summary>
    public static SqlDecimal FromDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        return new SqlDecimal(negative ? -magnitude : magnitude, scale);
    }

    /// <summary>Plain notation without exponent, e.g. "10.120", "-0.05", "1000".</summary>
    public string ToPlainString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(digits.Length + 3);
        if (Unscaled.Sign < 0)
        {
            sb.Append('-');
        }

        if (Scale <= 0)
        {
            sb.Append(digits);
            if (!Unscaled.IsZero)
            {
                sb.Append('0', -Scale);
            }

            return sb.ToString();
        }

        if (digits.Length > Scale)
        {
            sb.Append(digits, 0, digits.Length - Scale).Append('.').Append(digits, digits.Length - Scale, Scale);
        }
        else
        {
            sb.Append("0.").Append('0', Scale - digits.Length).Append(digits);
        }

        return sb.ToString();
    }

    /// <summary>Plain notation (see <see cref="ToPlainString"/>).</summary>
    public override string ToString() => ToPlainString();

    /// <summary>Numeric comparison (1.0 equals 1.00).</summary>
    public int CompareTo(SqlDecimal other)
    {
        if (Scale == other.Scale)
        {
            return Unscaled.CompareTo(other.Unscaled);
        }

        var scale = Math.Max(Scale, other.Scale);
        return Rescaled(scale).CompareTo(other.Rescaled(scale));
    }

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj is SqlDecimal d ? CompareTo(d) : 1;

    /// <summary>Numeric equality (1.0 equals 1.00).</summary>
    public bool Equals(SqlDecimal other) => CompareTo(other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SqlDecimal d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var s = StripTrailingZeros();
        return HashCode.Combine(s.Unscaled, s.Unscaled.IsZero ? 0 : s.Scale);
    }

    /// <summary>Numeric equality.</summary>
    public static bool operator ==(SqlDecimal left, SqlDecimal right) => left.Equals(right);

    /// <summary>Numeric inequality.</summary>
    public static bool operator !=(SqlDecimal left, SqlDecimal right) => !left.Equals(right);

    /// <summary>Less than.</summary>
    public static bool operator <(SqlDecimal left, SqlDecimal right) => left.CompareTo(right) < 0;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(SqlDecimal left, SqlDecimal right) => left.CompareTo(right) <= 0;

    /// <summary>Greater than.</summary>
    public static bool operator >(SqlDecimal left, SqlDecimal right) => left.CompareTo(right) > 0;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(SqlDecimal left, SqlDecimal right) => left.CompareTo(right) >= 0;

    /// <summary>Converts a System.Decimal (keeping its scale).</summary>
    public static implicit operator SqlDecimal(decimal value) => FromDecimal(value);

    /// <summary>Converts to System.Decimal.</summary>
    public static explicit operator decimal(SqlDecimal value) => value.ToDecimal();

    /// <summary>10^n as a BigInteger.</summary>
    internal static BigInteger Pow10(int n) => n < PowersOfTen.Length ? PowersOfTen[n] : BigInteger.Pow(10, n);

    internal static int DigitCount(BigInteger value)
    {
        if (value.IsZero)
        {
            return 1;
        }

        var abs = BigInteger.Abs(value);
        if (abs < long.MaxValue)
        {
            var v = (long)abs;
            var n = 0;
            while (v > 0)
            {
                v /= 10;
                n++;
            }

            return n;
        }

        return abs.ToString(CultureInfo.InvariantCulture).Length;
    }

    private BigInteger Rescaled(int scale) => scale == Scale ? Unscaled : Unscaled * Pow10(scale - Scale);

    private static BigInteger DivideRounded(BigInteger numerator, BigInteger denominator, MidpointRounding rounding)
    {
        var q = BigInteger.DivRem(numerator, denominator, out var r);
        if (r.IsZero)
        {
            return q;
        }

        var negative = (numerator.Sign < 0) != (denominator.Sign < 0);
        switch (rounding)
        {
            case MidpointRounding.ToZero:
                return q;
            case MidpointRounding.ToNegativeInfinity:
                return negative ? q - 1 : q;
            case MidpointRounding.ToPositiveInfinity:
                return negative ? q : q + 1;
        }

        var twice = BigInteger.Abs(r) * 2;
        var cmp = twice.CompareTo(BigInteger.Abs(denominator));
        var up = cmp > 0 || (cmp == 0 && (rounding == MidpointRounding.AwayFromZero || !q.IsEven));
        if (!up)
        {
            return q;
        }

        return negative ? q - 1 : q + 1;
    }

    private static BigInteger[] BuildPowers()
    {
        var powers = new BigInteger[40];
        powers[0] = BigInteger.One;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
