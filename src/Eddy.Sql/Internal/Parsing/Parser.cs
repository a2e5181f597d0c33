using System.Globalization;
using Eddy.Sql.Ast;

namespace Eddy.Sql.Internal.Parsing;

/// <summary>
/// Hand-written recursive-descent parser for ksqlDB's grammar (SqlBase.g4), with precedence climbing
/// for expressions. Every error names the line and column of the offending token, what was found and
/// what was expected.
/// </summary>
internal sealed partial class Parser
{
    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _index;

    private Parser(string text)
    {
        _text = text;
        _tokens = Lexer.Tokenize(text);
    }

    public static List<ParsedStatement> ParseStatements(string text)
    {
        var parser = new Parser(text);
        var result = new List<ParsedStatement>();
        while (true)
        {
            while (parser.At(TokenKind.Semicolon))
            {
                parser.Take();
            }

            if (parser.At(TokenKind.EndOfInput))
            {
                return result;
            }

            var start = parser.Current;
            var statement = parser.ParseStatement();
            int end;
            if (parser.At(TokenKind.Semicolon))
            {
                end = parser.Take().End;
            }
            else if (parser.At(TokenKind.EndOfInput))
            {
                end = parser._tokens[parser._index - 1].End;
            }
            else
            {
                throw parser.UnexpectedAfterStatement(statement);
            }

            result.Add(new ParsedStatement(statement, text[start.Offset..end], start.Location));
        }
    }

    public static SqlExpression ParseExpression(string text)
    {
        var parser = new Parser(text);
        var e = parser.ParseExpressionRule();
        parser.ExpectEnd("the end of the expression");
        return e;
    }

    public static TypeRef ParseType(string text)
    {
        var parser = new Parser(text);
        var t = parser.ParseTypeRule();
        parser.ExpectEnd("the end of the type");
        return t;
    }

    public static NodeList<TableElement> ParseColumns(string text)
    {
        var parser = new Parser(text);
        var elements = new List<TableElement>();
        if (!parser.At(TokenKind.EndOfInput))
        {
            do
            {
                elements.Add(parser.ParseTableElement(null));
            }
            while (parser.TryTake(TokenKind.Comma));
        }

        parser.ExpectEnd("',' or the end of the column list");
        return elements;
    }

    // ---- token helpers ----------------------------------------------------------------------

    private Token Current => _tokens[_index];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Previous => _tokens[Math.Max(0, _index - 1)];

    private bool At(TokenKind kind) => Current.Kind == kind;

    private bool AtWord(string keyword) => Current.IsWord(keyword);

    private Token Take()
    {
        var t = Current;
        if (t.Kind != TokenKind.EndOfInput)
        {
            _index++;
        }

        return t;
    }

    private bool TryTake(TokenKind kind)
    {
        if (At(kind))
        {
            _index++;
            return true;
        }

        return false;
    }

    private bool TryWord(string keyword)
    {
        if (AtWord(keyword))
        {
            _index++;
            return true;
        }

        return false;
    }

    private Token Expect(TokenKind kind, string display)
    {
        if (At(kind))
        {
            return Take();
        }

        throw Missing(display);
    }

    private Token ExpectWord(string keyword)
    {
        if (AtWord(keyword))
        {
            return Take();
        }

        throw Missing(keyword);
    }

    private void ExpectEnd(string what)
    {
        TryTake(TokenKind.Semicolon);
        if (!At(TokenKind.EndOfInput))
        {
            throw Unexpected(what);
        }
    }

    // ---- errors -----------------------------------------------------------------------------

    private static SqlParseException Error(SourceLocation at, string detail) => new("Syntax Error\n" + detail, at);

    /// <summary>A specific token was required: "missing ')' at ','".</summary>
    private SqlParseException Missing(string expected)
    {
        var t = Current;
        var detail = $"missing '{expected}' at {t.Display}";
        if (t.Kind == TokenKind.Word && expected.All(char.IsAsciiLetterUpper) && Suggest.Distance(t.Upper, expected) <= 2)
        {
            detail += $". Did you mean {expected}?";
        }

        return Error(t.Location, detail);
    }

    /// <summary>A kind of construct was required: "Syntax error at or near 'x' at line 1:5: expected a type".</summary>
    private SqlParseException Unexpected(string expected, string? hint = null)
    {
        var t = Current;
        var detail = $"Syntax error at or near {t.Display} at line {t.Location.Line}:{t.Location.Column}: expected {expected}.";
        if (t.Kind == TokenKind.Word && Keywords.IsReserved(t.Upper) && t.Upper is not ("FROM" or "WHERE" or "AS" or "AND" or "OR" or "THEN" or "ELSE" or "END") && (expected.Contains("name", StringComparison.Ordinal) || expected.Contains("expression", StringComparison.Ordinal)))
        {
            detail += $" '{t.Upper}' is a reserved keyword and it can't be used as an identifier. You can use it as an identifier by escaping it as `{t.Text}`.";
        }

        if (hint is not null)
        {
            detail += " " + hint;
        }

        return Error(t.Location, detail);
    }

    private SqlParseException UnexpectedAfterStatement(Statement statement)
    {
        if (statement is Query q)
        {
            return Unexpected(ExpectedAfterQuery(q));
        }

        if (statement is CreateAsSelect c)
        {
            return Unexpected(ExpectedAfterQuery(c.Query));
        }

        if (statement is InsertInto i)
        {
            return Unexpected(ExpectedAfterQuery(i.Query));
        }

        return Unexpected("';' at the end of the statement");
    }

    private static string ExpectedAfterQuery(Query q)
    {
        var options = new List<string>();
        if (q.From is not JoinRelation && q.Window is null && q.Where is null && q.GroupBy is null && q.PartitionBy is null && q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("JOIN");
        }

        if (q.Window is null && q.Where is null && q.GroupBy is null && q.PartitionBy is null && q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("WINDOW");
        }

        if (q.Where is null && q.GroupBy is null && q.PartitionBy is null && q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("WHERE");
        }

        if (q.GroupBy is null && q.PartitionBy is null && q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("GROUP BY");
        }

        if (q.PartitionBy is null && q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("PARTITION BY");
        }

        if (q.Having is null && q.Emit is null && q.Limit is null)
        {
            options.Add("HAVING");
        }

        if (q.Emit is null && q.Limit is null)
        {
            options.Add("EMIT");
        }

        if (q.Limit is null)
        {
            options.Add("LIMIT");
        }

        options.Add("';'");
        return options.Count == 1 ? options[0] : string.Join(", ", options.Take(options.Count - 1)) + " or " + options[^1];
    }

    // ---- identifiers ------------------------------------------------------------------------

    private static bool IsIdentifier(Token t) => t.Kind switch
    {
        TokenKind.Word => !Keywords.IsReserved(t.Upper),
        TokenKind.QuotedIdentifier or TokenKind.BackQuotedIdentifier or TokenKind.DigitIdentifier or TokenKind.Variable => true,
        _ => false,
    };

    private string ParseIdentifier(string what)
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Word when !Keywords.IsReserved(t.Upper):
            case TokenKind.DigitIdentifier:
                Take();
                return t.Upper;
            case TokenKind.QuotedIdentifier:
            case TokenKind.BackQuotedIdentifier:
                Take();
                if (t.Value.Length == 0)
                {
                    throw Error(t.Location, $"Empty identifier at line {t.Location.Line}:{t.Location.Column}: a quoted name needs at least one character.");
                }

                return t.Value;
            case TokenKind.Variable:
                Take();
                return t.Text;
            default:
                throw Unexpected(what);
        }
    }

    private string ParseIdentifierOrString(string what)
    {
        if (At(TokenKind.String))
        {
            return Take().Value;
        }

        return ParseIdentifier(what);
    }

    private int ParseIntegerValue(string what, bool allowNegative = false)
    {
        var negative = allowNegative && TryTake(TokenKind.Minus);
        var t = Current;
        if (t.Kind != TokenKind.Integer)
        {
            throw Unexpected(what);
        }

        Take();
        if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new SqlParseException($"Invalid integer value: {t.Text} (must be at most {int.MaxValue}).", t.Location);
        }

        return negative ? -value : value;
    }

    private long ParseLongValue(string what)
    {
        var t = Current;
        if (t.Kind != TokenKind.Integer)
        {
            throw Unexpected(what);
        }

        Take();
        if (!long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new SqlParseException($"Invalid numeric literal: {t.Text}", t.Location);
        }

        return value;
    }

    private TimeUnit ParseTimeUnit()
    {
        if (Current.Kind == TokenKind.Word && Keywords.TimeUnit(Current.Upper) is { } unit)
        {
            Take();
            return unit.Unit;
        }

        throw Unexpected("a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS)");
    }

    private Duration ParseDuration(string what)
    {
        var start = Current.Location;
        var value = ParseLongValue(what);
        var unit = ParseTimeUnit();
        return new Duration(value, unit) { Location = start };
    }

    private static T Located<T>(T node, SourceLocation location)
        where T : SqlNode => node with { Location = location };
}
