using System.Globalization;
using System.Numerics;
using Eddy.Sql.Ast;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Parsing;

internal sealed partial class Parser
{
    private const string ExpressionExpected = "an expression";

    private SqlExpression ParseExpressionRule() => ParseOr();

    private SqlExpression ParseOr()
    {
        var left = ParseAnd();
        while (AtWord("OR"))
        {
            var location = Take().Location;
            var right = ParseAnd();
            left = new LogicalBinary(LogicalOperator.Or, left, right) { Location = left.Location == default ? location : left.Location };
        }

        return left;
    }

    private SqlExpression ParseAnd()
    {
        var left = ParseNot();
        while (AtWord("AND"))
        {
            Take();
            var right = ParseNot();
            left = new LogicalBinary(LogicalOperator.And, left, right) { Location = left.Location };
        }

        return left;
    }

    private SqlExpression ParseNot()
    {
        if (AtWord("NOT"))
        {
            var location = Take().Location;
            return new Not(ParseNot()) { Location = location };
        }

        return ParsePredicated();
    }

    private SqlExpression ParsePredicated()
    {
        var value = ParseValueExpression();
        var location = value.Location;
        var t = Current;
        ComparisonOperator? op = t.Kind switch
        {
            TokenKind.Equal => ComparisonOperator.Equal,
            TokenKind.NotEqual => ComparisonOperator.NotEqual,
            TokenKind.LessThan => ComparisonOperator.LessThan,
            TokenKind.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
            TokenKind.GreaterThan => ComparisonOperator.GreaterThan,
            TokenKind.GreaterThanOrEqual => ComparisonOperator.GreaterThanOrEqual,
            _ => null,
        };
        if (op is { } comparison)
        {
            Take();
            var right = ParseValueExpression();
            return new Comparison(comparison, value, right) { Location = location };
        }

        var negated = false;
        if (AtWord("NOT") && (PeekAt(1).IsWord("BETWEEN") || PeekAt(1).IsWord("IN") || PeekAt(1).IsWord("LIKE")))
        {
            Take();
            negated = true;
        }

        if (TryWord("BETWEEN"))
        {
            var min = ParseValueExpression();
            ExpectWord("AND");
            var max = ParseValueExpression();
            return new Between(value, min, max, negated) { Location = location };
        }

        if (TryWord("IN"))
        {
            Expect(TokenKind.LeftParen, "(");
            if (At(TokenKind.RightParen))
            {
                throw Unexpected(ExpressionExpected, "IN needs at least one value, e.g. x IN (1, 2).");
            }

            var items = new List<SqlExpression>();
            do
            {
                items.Add(ParseExpressionRule());
            }
            while (TryTake(TokenKind.Comma));

            Expect(TokenKind.RightParen, ")");
            return new InList(value, items, negated) { Location = location };
        }

        if (TryWord("LIKE"))
        {
            var pattern = ParseValueExpression();
            char? escape = null;
            if (TryWord("ESCAPE"))
            {
                var e = Current;
                if (e.Kind != TokenKind.String)
                {
                    throw Unexpected("the escape character as a quoted string, e.g. ESCAPE '!'");
                }

                Take();
                if (e.Value.Length != 1)
                {
                    throw new SqlParseException($"Escape must be a single character, not '{e.Value}'.", e.Location);
                }

                escape = e.Value[0];
            }

            return new Like(value, pattern, escape, negated) { Location = location };
        }

        if (AtWord("IS"))
        {
            Take();
            var not = TryWord("NOT");
            if (TryWord("NULL"))
            {
                return new IsNull(value, not) { Location = location };
            }

            if (TryWord("DISTINCT"))
            {
                ExpectWord("FROM");
                var right = ParseValueExpression();
                return new Comparison(not ? ComparisonOperator.IsNotDistinctFrom : ComparisonOperator.IsDistinctFrom, value, right) { Location = location };
            }

            throw Unexpected(not ? "NULL or DISTINCT FROM after IS NOT" : "NULL, NOT NULL or [NOT] DISTINCT FROM after IS");
        }

        return value;
    }

    private SqlExpression ParseValueExpression()
    {
        var left = ParseAdditive();
        while (At(TokenKind.Concat))
        {
            Take();
            var right = ParseAdditive();
            left = new ArithmeticBinary(ArithmeticOperator.Concat, left, right) { Location = left.Location };
        }

        return left;
    }

    private SqlExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (At(TokenKind.Plus) || At(TokenKind.Minus))
        {
            var op = Take().Kind == TokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract;
            var right = ParseMultiplicative();
            left = new ArithmeticBinary(op, left, right) { Location = left.Location };
        }

        return left;
    }

    private SqlExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (At(TokenKind.Asterisk) || At(TokenKind.Slash) || At(TokenKind.Percent))
        {
            var op = Take().Kind switch
            {
                TokenKind.Asterisk => ArithmeticOperator.Multiply,
                TokenKind.Slash => ArithmeticOperator.Divide,
                _ => ArithmeticOperator.Modulus,
            };
            var right = ParseUnary();
            left = new ArithmeticBinary(op, left, right) { Location = left.Location };
        }

        return left;
    }

    private SqlExpression ParseUnary()
    {
        if (At(TokenKind.Minus) || At(TokenKind.Plus))
        {
            var sign = Current;
            var next = PeekAt(1);
            if (sign.Kind == TokenKind.Minus && next.Kind is TokenKind.Integer or TokenKind.Decimal or TokenKind.Float)
            {
                Take();
                var literal = ParseNumber(negative: true, sign.Location);
                return ParsePostfix(literal);
            }

            Take();
            var operand = ParseUnary();
            return new ArithmeticUnary(sign.Kind == TokenKind.Minus ? ArithmeticSign.Minus : ArithmeticSign.Plus, operand) { Location = sign.Location };
        }

        return ParseAtTimeZone();
    }

    private SqlExpression ParseAtTimeZone()
    {
        var value = ParsePrimary();
        while (AtWord("AT") && PeekAt(1).IsWord("TIME"))
        {
            Take();
            Take();
            ExpectWord("ZONE");
            if (!At(TokenKind.String))
            {
                throw Unexpected("the time zone as a quoted string, e.g. AT TIME ZONE 'UTC'");
            }

            value = new AtTimeZone(value, Take().Value) { Location = value.Location };
        }

        return value;
    }

    private Literal ParseNumber(bool negative, SourceLocation location)
    {
        var t = Take();
        var text = negative ? "-" + t.Text : t.Text;
        switch (t.Kind)
        {
            case TokenKind.Integer:
            {
                var big = BigInteger.Parse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture);
                if (negative)
                {
                    big = -big;
                }

                if (big >= int.MinValue && big <= int.MaxValue)
                {
                    return new IntegerLiteral((int)big) { Location = location };
                }

                if (big >= long.MinValue && big <= long.MaxValue)
                {
                    return new BigIntLiteral((long)big) { Location = location };
                }

                throw new SqlParseException($"Invalid numeric literal: {text}", location);
            }

            case TokenKind.Decimal:
            {
                var d = SqlDecimal.Parse(t.Text);
                return new DecimalLiteral(negative ? d.Negate() : d) { Location = location };
            }

            default:
            {
                var d = double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (double.IsInfinity(d))
                {
                    throw new SqlParseException($"Number overflows DOUBLE: {text}", location);
                }

                return new DoubleLiteral(negative ? -d : d) { Location = location };
            }
        }
    }

    private SqlExpression ParsePrimary()
    {
        var t = Current;
        var location = t.Location;
        SqlExpression result;
        switch (t.Kind)
        {
            case TokenKind.String:
                Take();
                result = new StringLiteral(t.Value) { Location = location };
                break;
            case TokenKind.Integer:
            case TokenKind.Decimal:
            case TokenKind.Float:
                result = ParseNumber(negative: false, location);
                break;
            case TokenKind.Variable:
                Take();
                result = new VariableLiteral(t.Value) { Location = location };
                break;
            case TokenKind.LeftParen:
            {
                Take();
                var inner = ParseExpressionRule();
                Expect(TokenKind.RightParen, ")");
                result = inner;
                break;
            }

            case TokenKind.Word:
                result = ParseWordPrimary(t);
                break;
            case TokenKind.QuotedIdentifier:
            case TokenKind.BackQuotedIdentifier:
            case TokenKind.DigitIdentifier:
                result = ParseNamePrimary();
                break;
            default:
                throw Unexpected(ExpressionExpected);
        }

        return ParsePostfix(result);
    }

    private SqlExpression ParseWordPrimary(Token t)
    {
        var location = t.Location;
        var next = PeekAt(1);
        switch (t.Upper)
        {
            case "NULL":
                Take();
                return new NullLiteral { Location = location };
            case "TRUE":
            case "FALSE":
                Take();
                return new BooleanLiteral(t.Upper == "TRUE") { Location = location };
            case "CASE":
                return ParseCase();
            case "CAST":
                return ParseCast();
            case "ARRAY" when next.Kind == TokenKind.LeftBracket:
            {
                Take();
                Take();
                var items = new List<SqlExpression>();
                if (!At(TokenKind.RightBracket))
                {
                    do
                    {
                        items.Add(ParseExpressionRule());
                    }
                    while (TryTake(TokenKind.Comma));
                }

                Expect(TokenKind.RightBracket, "]");
                return new CreateArray(items) { Location = location };
            }

            case "MAP" when next.Kind == TokenKind.LeftParen:
            {
                Take();
                Take();
                var entries = new List<MapEntry>();
                if (!At(TokenKind.RightParen))
                {
                    do
                    {
                        var entryStart = Current.Location;
                        var key = ParseExpressionRule();
                        Expect(TokenKind.Assign, ":=");
                        var value = ParseExpressionRule();
                        entries.Add(new MapEntry(key, value) { Location = entryStart });
                    }
                    while (TryTake(TokenKind.Comma));
                }

                Expect(TokenKind.RightParen, ")");
                return new CreateMap(entries) { Location = location };
            }

            case "STRUCT" when next.Kind == TokenKind.LeftParen:
            {
                Take();
                Take();
                var fields = new List<StructFieldValue>();
                if (!At(TokenKind.RightParen))
                {
                    do
                    {
                        var fieldStart = Current.Location;
                        var name = ParseIdentifier("a field name");
                        Expect(TokenKind.Assign, ":=");
                        var value = ParseExpressionRule();
                        fields.Add(new StructFieldValue(name, value) { Location = fieldStart });
                    }
                    while (TryTake(TokenKind.Comma));
                }

                Expect(TokenKind.RightParen, ")");
                return new CreateStruct(fields) { Location = location };
            }
        }

        if (next.Kind == TokenKind.String && t.Upper is "DECIMAL" or "TIMESTAMP" or "DATE" or "TIME" or "BYTES")
        {
            // Type constructors: DECIMAL '1.23' (ksqlDB), and TIMESTAMP/DATE/TIME/BYTES 'text' as CAST shorthands.
            Take();
            var s = Take();
            if (t.Upper == "DECIMAL")
            {
                if (!SqlDecimal.TryParse(s.Value, out var d))
                {
                    throw new SqlParseException($"Invalid DECIMAL literal: '{s.Value}'.", s.Location);
                }

                return new DecimalLiteral(d) { Location = location };
            }

            var type = t.Upper switch
            {
                "TIMESTAMP" => SqlTypes.Timestamp,
                "DATE" => SqlTypes.Date,
                "TIME" => SqlTypes.Time,
                _ => SqlTypes.Bytes,
            };
            return new Cast(new StringLiteral(s.Value) { Location = s.Location }, new BuiltInTypeRef(type) { Location = location }) { Location = location };
        }

        if (Keywords.IsReserved(t.Upper))
        {
            throw Unexpected(ExpressionExpected);
        }

        return ParseNamePrimary();
    }

    private SqlExpression ParseNamePrimary()
    {
        var location = Current.Location;
        var first = Current;
        var name = ParseIdentifier(ExpressionExpected);
        if (At(TokenKind.LeftParen))
        {
            if (first.Kind is TokenKind.QuotedIdentifier or TokenKind.BackQuotedIdentifier)
            {
                name = name.ToUpperInvariant();
            }

            return ParseFunctionCall(name, location);
        }

        if (At(TokenKind.Dot) && IsIdentifier(PeekAt(1)))
        {
            Take();
            var column = ParseIdentifier("a column name");
            return new ColumnRef(name, column) { Location = location };
        }

        return new ColumnRef(null, name) { Location = location };
    }

    private FunctionCall ParseFunctionCall(string name, SourceLocation location)
    {
        Expect(TokenKind.LeftParen, "(");
        if (At(TokenKind.Asterisk) && PeekAt(1).Kind == TokenKind.RightParen)
        {
            Take();
            Take();
            return new FunctionCall(name, Array.Empty<SqlExpression>(), IsStar: true) { Location = location };
        }

        var args = new List<SqlExpression>();
        if (!At(TokenKind.RightParen))
        {
            do
            {
                args.Add(ParseFunctionArgument());
            }
            while (TryTake(TokenKind.Comma));
        }

        Expect(TokenKind.RightParen, ")");
        return new FunctionCall(name, args) { Location = location };
    }

    private SqlExpression ParseFunctionArgument()
    {
        var t = Current;
        if (IsIdentifier(t) && PeekAt(1).Kind == TokenKind.Lambda)
        {
            var name = ParseIdentifier("a lambda parameter");
            Take();
            return new LambdaFunction(new[] { name }, ParseExpressionRule()) { Location = t.Location };
        }

        if (t.Kind == TokenKind.LeftParen && IsLambdaParameterList())
        {
            Take();
            var names = new List<string>();
            do
            {
                names.Add(ParseIdentifier("a lambda parameter"));
            }
            while (TryTake(TokenKind.Comma));

            Expect(TokenKind.RightParen, ")");
            Expect(TokenKind.Lambda, "=>");
            return new LambdaFunction(names, ParseExpressionRule()) { Location = t.Location };
        }

        if (t.Kind == TokenKind.Word && Keywords.TimeUnit(t.Upper) is { } unit && PeekAt(1).Kind is TokenKind.Comma or TokenKind.RightParen)
        {
            Take();
            return new IntervalUnitLiteral(unit.Unit) { Location = t.Location };
        }

        return ParseExpressionRule();
    }

    private bool IsLambdaParameterList()
    {
        // '(' identifier (',' identifier)* ')' '=>'
        var i = 1;
        while (true)
        {
            if (!IsIdentifier(PeekAt(i)))
            {
                return false;
            }

            i++;
            if (PeekAt(i).Kind == TokenKind.Comma)
            {
                i++;
                continue;
            }

            return PeekAt(i).Kind == TokenKind.RightParen && PeekAt(i + 1).Kind == TokenKind.Lambda;
        }
    }

    private SqlExpression ParsePostfix(SqlExpression value)
    {
        while (true)
        {
            if (At(TokenKind.LeftBracket))
            {
                Take();
                var index = ParseValueExpression();
                Expect(TokenKind.RightBracket, "]");
                value = new Subscript(value, index) { Location = value.Location };
            }
            else if (At(TokenKind.Arrow) && PeekAt(1).Kind != TokenKind.Asterisk)
            {
                Take();
                var field = ParseIdentifier("a struct field name after '->'");
                value = new Dereference(value, field) { Location = value.Location };
            }
            else
            {
                return value;
            }
        }
    }

    private SqlExpression ParseCase()
    {
        var location = Take().Location;
        SqlExpression? operand = null;
        if (!AtWord("WHEN"))
        {
            operand = ParseValueExpression();
        }

        var whens = new List<WhenClause>();
        while (AtWord("WHEN"))
        {
            var whenLocation = Take().Location;
            var condition = ParseExpressionRule();
            ExpectWord("THEN");
            var result = ParseExpressionRule();
            whens.Add(new WhenClause(condition, result) { Location = whenLocation });
        }

        if (whens.Count == 0)
        {
            throw Unexpected("WHEN: a CASE needs at least one WHEN ... THEN ... branch");
        }

        SqlExpression? elseResult = null;
        if (TryWord("ELSE"))
        {
            elseResult = ParseExpressionRule();
        }

        if (!AtWord("END"))
        {
            throw Unexpected(elseResult is null ? "WHEN, ELSE or END" : "END");
        }

        Take();
        return operand is null
            ? new SearchedCase(whens, elseResult) { Location = location }
            : new SimpleCase(operand, whens, elseResult) { Location = location };
    }

    private Cast ParseCast()
    {
        var location = Take().Location;
        Expect(TokenKind.LeftParen, "(");
        var operand = ParseExpressionRule();
        ExpectWord("AS");
        var type = ParseTypeRule();
        Expect(TokenKind.RightParen, ")");
        return new Cast(operand, type) { Location = location };
    }

    // ---- types ------------------------------------------------------------------------------

    private const string TypeExpected = "a data type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), STRING, BYTES, DATE, TIME, TIMESTAMP, ARRAY<T>, MAP<K, V>, STRUCT<...> or a type created with CREATE TYPE)";

    private TypeRef ParseTypeRule()
    {
        var type = ParseTypeAtom();
        while (AtWord("ARRAY") && PeekAt(1).Kind != TokenKind.LessThan)
        {
            var location = Take().Location;
            type = new ArrayTypeRef(type) { Location = location };
        }

        return type;
    }

    private TypeRef ParseTypeAtom()
    {
        var t = Current;
        var location = t.Location;
        if (t.Kind == TokenKind.Word)
        {
            switch (t.Upper)
            {
                case "ARRAY":
                {
                    Take();
                    Expect(TokenKind.LessThan, "<");
                    var element = ParseTypeRule();
                    Expect(TokenKind.GreaterThan, ">");
                    return new ArrayTypeRef(element) { Location = location };
                }

                case "MAP":
                {
                    Take();
                    Expect(TokenKind.LessThan, "<");
                    var key = ParseTypeRule();
                    Expect(TokenKind.Comma, ",");
                    var value = ParseTypeRule();
                    Expect(TokenKind.GreaterThan, ">");
                    return new MapTypeRef(key, value) { Location = location };
                }

                case "STRUCT":
                {
                    Take();
                    Expect(TokenKind.LessThan, "<");
                    var fields = new List<StructFieldRef>();
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    if (!At(TokenKind.GreaterThan))
                    {
                        do
                        {
                            var fieldLocation = Current.Location;
                            var name = ParseIdentifier("a field name");
                            if (!names.Add(name))
                            {
                                throw new SqlParseException($"Duplicate field names found in STRUCT: '{name}'", fieldLocation);
                            }

                            fields.Add(new StructFieldRef(name, ParseTypeRule()) { Location = fieldLocation });
                        }
                        while (TryTake(TokenKind.Comma));
                    }

                    Expect(TokenKind.GreaterThan, ">");
                    return new StructTypeRef(fields) { Location = location };
                }

                case "DECIMAL":
                {
                    Take();
                    Expect(TokenKind.LeftParen, "(");
                    var precisionToken = Current;
                    var precision = ParseIntegerValue("the DECIMAL precision (a number), e.g. DECIMAL(10, 2)");
                    Expect(TokenKind.Comma, ",");
                    var scale = ParseIntegerValue("the DECIMAL scale (a number), e.g. DECIMAL(10, 2)");
                    Expect(TokenKind.RightParen, ")");
                    try
                    {
                        return new BuiltInTypeRef(SqlTypes.Decimal(precision, scale)) { Location = location };
                    }
                    catch (SqlException e)
                    {
                        throw new SqlParseException(e.RawMessage, precisionToken.Location);
                    }
                }
            }

            SqlType? builtIn = t.Upper switch
            {
                "BOOLEAN" => SqlTypes.Boolean,
                "INT" or "INTEGER" => SqlTypes.Integer,
                "BIGINT" => SqlTypes.BigInt,
                "DOUBLE" => SqlTypes.Double,
                "STRING" or "VARCHAR" => SqlTypes.String,
                "BYTES" => SqlTypes.Bytes,
                "TIME" => SqlTypes.Time,
                "DATE" => SqlTypes.Date,
                "TIMESTAMP" => SqlTypes.Timestamp,
                _ => null,
            };
            if (builtIn is not null)
            {
                Take();
                SkipTypeParameters();
                return new BuiltInTypeRef(builtIn) { Location = location };
            }

            if (Keywords.IsReserved(t.Upper))
            {
                throw Unexpected(TypeExpected);
            }
        }

        if (!IsIdentifier(t))
        {
            throw Unexpected(TypeExpected);
        }

        var custom = ParseIdentifier(TypeExpected);
        return new CustomTypeRef(custom) { Location = location };
    }

    private void SkipTypeParameters()
    {
        // VARCHAR(10) and the like: ksqlDB's grammar accepts parameters and ignores them.
        if (!At(TokenKind.LeftParen))
        {
            return;
        }

        Take();
        do
        {
            if (At(TokenKind.Integer) || At(TokenKind.String) || AtWord("STRING"))
            {
                Take();
            }
            else
            {
                throw Unexpected("a type parameter (a number)");
            }
        }
        while (TryTake(TokenKind.Comma));

        Expect(TokenKind.RightParen, ")");
    }
}
