namespace Eddy.Sql.Internal.Parsing;

internal enum TokenKind
{
    EndOfInput,

    /// <summary>An unquoted word: a keyword or an identifier. <see cref="Token.Upper"/> is its upper-cased text.</summary>
    Word,
    QuotedIdentifier,
    BackQuotedIdentifier,
    DigitIdentifier,
    String,
    Integer,
    Decimal,
    Float,
    Variable,

    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Plus,
    Minus,
    Asterisk,
    Slash,
    Percent,
    Concat,
    Assign,
    Arrow,
    Lambda,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Semicolon,
}

/// <summary>
/// One token. <see cref="Text"/> is the raw text; <see cref="Value"/> the processed value (identifier
/// name after case rules, unescaped string, variable name); <see cref="Upper"/> the upper-cased text
/// of unquoted words, used for keyword matching.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, string Value, string Upper, SourceLocation Location, int End)
{
    public int Offset => Location.Offset;

    public bool IsWord(string keyword) => Kind == TokenKind.Word && string.Equals(Upper, keyword, StringComparison.Ordinal);

    public string Display => Kind switch
    {
        TokenKind.EndOfInput => "<EOF>",
        _ => "'" + Text + "'",
    };
}
