using System.Text;

namespace Eddy.Sql.Internal.Parsing;

/// <summary>
/// Splits SQL text into tokens. Keywords are case-insensitive, unquoted identifiers are upper-cased,
/// "double" and `back` quoted identifiers keep their case ('' / "" / `` escape the quote), comments
/// are <c>-- ...</c> and <c>/* ... */</c>. Positions are 1-based line and column.
/// </summary>
internal sealed class Lexer
{
    private readonly string _text;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string text)
    {
        _text = text;
    }

    public static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text);
        var tokens = new List<Token>(Math.Max(16, text.Length / 4));
        while (true)
        {
            var t = lexer.Next();
            tokens.Add(t);
            if (t.Kind == TokenKind.EndOfInput)
            {
                return tokens;
            }
        }
    }

    private SourceLocation Here => new(_line, _pos - _lineStart + 1, _pos);

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }

        _pos++;
    }

    private Token Next()
    {
        SkipTrivia();
        var start = Here;
        if (_pos >= _text.Length)
        {
            return new Token(TokenKind.EndOfInput, string.Empty, string.Empty, string.Empty, start, _pos);
        }

        var c = _text[_pos];
        if (IsIdentifierStart(c))
        {
            return ReadWord(start);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return ReadNumber(start);
        }

        switch (c)
        {
            case '\'':
                return ReadQuoted(start, '\'', TokenKind.String, "string literal");
            case '"':
                return ReadQuoted(start, '"', TokenKind.QuotedIdentifier, "quoted identifier");
            case '`':
                return ReadQuoted(start, '`', TokenKind.BackQuotedIdentifier, "back-quoted identifier");
            case '$' when Peek(1) == '{':
                return ReadVariable(start);
        }

        var (kind, length) = c switch
        {
            '=' when Peek(1) == '>' => (TokenKind.Lambda, 2),
            '=' => (TokenKind.Equal, 1),
            '<' when Peek(1) == '>' => (TokenKind.NotEqual, 2),
            '<' when Peek(1) == '=' => (TokenKind.LessThanOrEqual, 2),
            '<' => (TokenKind.LessThan, 1),
            '>' when Peek(1) == '=' => (TokenKind.GreaterThanOrEqual, 2),
            '>' => (TokenKind.GreaterThan, 1),
            '!' when Peek(1) == '=' => (TokenKind.NotEqual, 2),
            '+' => (TokenKind.Plus, 1),
            '-' when Peek(1) == '>' => (TokenKind.Arrow, 2),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Asterisk, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '|' when Peek(1) == '|' => (TokenKind.Concat, 2),
            ':' when Peek(1) == '=' => (TokenKind.Assign, 2),
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            '[' => (TokenKind.LeftBracket, 1),
            ']' => (TokenKind.RightBracket, 1),
            ',' => (TokenKind.Comma, 1),
            '.' => (TokenKind.Dot, 1),
            ';' => (TokenKind.Semicolon, 1),
            _ => (TokenKind.EndOfInput, 0),
        };

        if (length == 0)
        {
            var shown = char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString();
            throw new SqlParseException($"Syntax Error\nUnexpected character '{shown}' at line {start.Line}:{start.Column}.", start);
        }

        var text = _text.Substring(_pos, length);
        for (var i = 0; i < length; i++)
        {
            Advance();
        }

        return new Token(kind, text, text, text, start, _pos);
    }

    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else if (c == '-' && Peek(1) == '-')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    Advance();
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                var start = Here;
                Advance();
                Advance();
                while (true)
                {
                    if (_pos >= _text.Length)
                    {
                        throw new SqlParseException($"Syntax Error\nUnterminated comment: '/*' at line {start.Line}:{start.Column} has no closing '*/'.", start);
                    }

                    if (_text[_pos] == '*' && Peek(1) == '/')
                    {
                        Advance();
                        Advance();
                        break;
                    }

                    Advance();
                }
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || (c > 127 && char.IsLetter(c));

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '@' || (c > 127 && char.IsLetterOrDigit(c));

    private Token ReadWord(SourceLocation start)
    {
        var begin = _pos;
        while (_pos < _text.Length && IsIdentifierPart(_text[_pos]))
        {
            Advance();
        }

        var text = _text[begin.._pos];
        var upper = text.ToUpperInvariant();
        return new Token(TokenKind.Word, text, upper, upper, start, _pos);
    }

    private Token ReadNumber(SourceLocation start)
    {
        var begin = _pos;
        var kind = TokenKind.Integer;
        while (char.IsAsciiDigit(Peek()))
        {
            Advance();
        }

        if (Peek() == '.')
        {
            kind = TokenKind.Decimal;
            Advance();
            while (char.IsAsciiDigit(Peek()))
            {
                Advance();
            }
        }

        if ((Peek() is 'e' or 'E') && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            // An exponent, unless the word goes on (1E5X is an identifier).
            var save = (_pos, _line, _lineStart);
            Advance();
            if (Peek() is '+' or '-')
            {
                Advance();
            }

            while (char.IsAsciiDigit(Peek()))
            {
                Advance();
            }

            if (kind == TokenKind.Integer && IsIdentifierPart(Peek()))
            {
                (_pos, _line, _lineStart) = save;
            }
            else
            {
                kind = TokenKind.Float;
            }
        }

        if (kind == TokenKind.Integer && IsIdentifierPart(Peek()))
        {
            // DIGIT_IDENTIFIER: a digit followed by letters, digits, '_' or '@'.
            while (_pos < _text.Length && IsIdentifierPart(_text[_pos]))
            {
                Advance();
            }

            var word = _text[begin.._pos];
            var upper = word.ToUpperInvariant();
            return new Token(TokenKind.DigitIdentifier, word, upper, upper, start, _pos);
        }

        var text = _text[begin.._pos];
        return new Token(kind, text, text, text, start, _pos);
    }

    private Token ReadQuoted(SourceLocation start, char quote, TokenKind kind, string what)
    {
        var begin = _pos;
        Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw new SqlParseException($"Syntax Error\nUnterminated {what}: the {quote} at line {start.Line}:{start.Column} has no closing {quote}.", start);
            }

            var c = _text[_pos];
            if (c == quote)
            {
                if (Peek(1) == quote)
                {
                    sb.Append(quote);
                    Advance();
                    Advance();
                    continue;
                }

                Advance();
                break;
            }

            sb.Append(c);
            Advance();
        }

        var text = _text[begin.._pos];
        var value = sb.ToString();
        return new Token(kind, text, value, kind == TokenKind.String ? value : string.Empty, start, _pos);
    }

    private Token ReadVariable(SourceLocation start)
    {
        var begin = _pos;
        Advance();
        Advance();
        var nameStart = _pos;
        while (_pos < _text.Length && _text[_pos] != '}' && IsIdentifierPart(_text[_pos]))
        {
            Advance();
        }

        if (Peek() != '}' || _pos == nameStart)
        {
            throw new SqlParseException($"Syntax Error\nInvalid variable reference at line {start.Line}:{start.Column}: expected ${{name}} where name is a letter followed by letters, digits or '_'.", start);
        }

        var name = _text[nameStart.._pos];
        Advance();
        var text = _text[begin.._pos];
        return new Token(TokenKind.Variable, text, name.ToUpperInvariant(), text, start, _pos);
    }
}
