using System.Text;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions;

/// <summary>
/// A function parameter or return type: a concrete base type (DECIMAL and STRUCT of any shape), an
/// exact type, a generic (T), ARRAY/MAP of those, a lambda, or an interval unit.
/// </summary>
internal abstract record ParamType
{
    public abstract override string ToString();

    public sealed record Base(SqlBaseType BaseType) : ParamType
    {
        public override string ToString() => BaseType switch
        {
            SqlBaseType.Integer => "INT",
            SqlBaseType.String => "VARCHAR",
            _ => BaseType.SqlName(),
        };
    }

    public sealed record Exact(SqlType Type) : ParamType
    {
        public override string ToString() => Type.ToString();
    }

    public sealed record Generic(string Name) : ParamType
    {
        public override string ToString() => Name;
    }

    public sealed record ArrayOf(ParamType Element) : ParamType
    {
        public override string ToString() => $"ARRAY<{Element}>";
    }

    public sealed record MapOf(ParamType Key, ParamType Value) : ParamType
    {
        public override string ToString() => $"MAP<{Key}, {Value}>";
    }

    public sealed record Lambda(ParamType[] Inputs, ParamType Result) : ParamType
    {
        public override string ToString() => $"LAMBDA ({string.Join(", ", Inputs.Select(i => i.ToString()))}) => {Result}";

        public bool Equals(Lambda? other) => other is not null && Inputs.SequenceEqual(other.Inputs) && Result.Equals(other.Result);

        public override int GetHashCode() => HashCode.Combine(Inputs.Length, Result);
    }

    public sealed record IntervalUnit : ParamType
    {
        public override string ToString() => "INTERVALUNITTYPE";
    }

    public static readonly ParamType Boolean = new Base(SqlBaseType.Boolean);
    public static readonly ParamType Integer = new Base(SqlBaseType.Integer);
    public static readonly ParamType BigInt = new Base(SqlBaseType.BigInt);
    public static readonly ParamType Double = new Base(SqlBaseType.Double);
    public static readonly ParamType Decimal = new Base(SqlBaseType.Decimal);
    public static readonly ParamType String = new Base(SqlBaseType.String);
    public static readonly ParamType Bytes = new Base(SqlBaseType.Bytes);
    public static readonly ParamType Timestamp = new Base(SqlBaseType.Timestamp);
    public static readonly ParamType Date = new Base(SqlBaseType.Date);
    public static readonly ParamType Time = new Base(SqlBaseType.Time);
    public static readonly ParamType AnyStruct = new Base(SqlBaseType.Struct);

    public bool HasGenerics => this switch
    {
        Generic => true,
        ArrayOf a => a.Element.HasGenerics,
        MapOf m => m.Key.HasGenerics || m.Value.HasGenerics,
        Lambda l => l.Inputs.Any(i => i.HasGenerics) || l.Result.HasGenerics,
        _ => false,
    };

    /// <summary>The concrete type for these bindings, or null when a generic is unbound or the type is open (DECIMAL, STRUCT).</summary>
    public SqlType? Resolve(IReadOnlyDictionary<string, SqlType> bindings) => this switch
    {
        Base b => SqlTypes.Primitive(b.BaseType),
        Exact e => e.Type,
        Generic g => bindings.TryGetValue(g.Name, out var t) ? t : null,
        ArrayOf a => a.Element.Resolve(bindings) is { } e ? SqlTypes.Array(e) : null,
        MapOf m => m.Key.Resolve(bindings) is { } k && m.Value.Resolve(bindings) is { } v ? SqlTypes.Map(k, v) : null,
        _ => null,
    };

    /// <summary>
    /// Parses the type notation of function attributes: SQL types plus generics (single upper-case
    /// letters), DECIMAL and STRUCT without
    /// parameters (any), INTERVAL_UNIT, and lambdas <c>(T, U) =&gt; R</c>.
    /// </summary>
    public static ParamType Parse(string text)
    {
        var p = new TypeTextParser(text);
        var result = p.ParseType();
        p.ExpectEnd();
        return result;
    }

    private sealed class TypeTextParser(string text)
    {
        private int _pos;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos != text.Length)
            {
                throw Fail("end");
            }
        }

        public ParamType ParseType()
        {
            SkipSpace();
            if (Peek() == '(')
            {
                _pos++;
                var inputs = new List<ParamType>();
                SkipSpace();
                if (Peek() != ')')
                {
                    do
                    {
                        inputs.Add(ParseType());
                        SkipSpace();
                    }
                    while (TryChar(','));
                }

                ExpectChar(')');
                SkipSpace();
                ExpectChar('=');
                ExpectChar('>');
                return new Lambda([.. inputs], ParseType());
            }

            var word = ReadWord();
            switch (word)
            {
                case "ARRAY":
                {
                    ExpectChar('<');
                    var e = ParseType();
                    ExpectChar('>');
                    return new ArrayOf(e);
                }

                case "MAP":
                {
                    ExpectChar('<');
                    var k = ParseType();
                    ExpectChar(',');
                    var v = ParseType();
                    ExpectChar('>');
                    return new MapOf(k, v);
                }

                case "STRUCT":
                    SkipSpace();
                    if (Peek() == '<')
                    {
                        var start = _pos - "STRUCT".Length;
                        var depth = 0;
                        while (_pos < text.Length)
                        {
                            var c = text[_pos++];
                            if (c == '<')
                            {
                                depth++;
                            }
                            else if (c == '>' && --depth == 0)
                            {
                                break;
                            }
                        }

                        return new Exact(SqlParser.ParseType(text[start.._pos]));
                    }

                    return AnyStruct;
                case "DECIMAL":
                    SkipSpace();
                    if (Peek() == '(')
                    {
                        var start = _pos - "DECIMAL".Length;
                        while (_pos < text.Length && text[_pos] != ')')
                        {
                            _pos++;
                        }

                        _pos++;
                        return new Exact(SqlParser.ParseType(text[start.._pos]));
                    }

                    return Decimal;
                case "INTERVAL_UNIT":
                case "INTERVALUNIT":
                    return new IntervalUnit();
                case "BOOLEAN":
                    return Boolean;
                case "INT":
                case "INTEGER":
                    return Integer;
                case "BIGINT":
                    return BigInt;
                case "DOUBLE":
                    return Double;
                case "STRING":
                case "VARCHAR":
                    return String;
                case "BYTES":
                    return Bytes;
                case "TIMESTAMP":
                    return Timestamp;
                case "DATE":
                    return Date;
                case "TIME":
                    return Time;
            }

            if (word.Length is > 0 and <= 2 && char.IsAsciiLetterUpper(word[0]) && word.All(char.IsAsciiLetterOrDigit))
            {
                return new Generic(word);
            }

            throw Fail("a type");
        }

        private string ReadWord()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            return text[start.._pos].ToUpperInvariant();
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool TryChar(char c)
        {
            SkipSpace();
            if (Peek() == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void ExpectChar(char c)
        {
            if (!TryChar(c))
            {
                throw Fail($"'{c}'");
            }
        }

        private InvalidOperationException Fail(string expected) =>
            new($"Invalid function type '{text}': expected {expected} at position {_pos}.");
    }

    public static string Describe(IEnumerable<ParamType> types)
    {
        var sb = new StringBuilder();
        foreach (var t in types)
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(t);
        }

        return sb.ToString();
    }
}
