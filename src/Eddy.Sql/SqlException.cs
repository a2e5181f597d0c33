namespace Eddy.Sql;

/// <summary>
/// A statement or expression that Eddy.Sql cannot accept: a syntax error, an unknown column, a type
/// mismatch, an unsupported feature. The message says what is wrong and, where it can, how to fix it;
/// <see cref="Location"/> says where, when the problem has a place in the statement text.
/// </summary>
/// <example>
/// <code>
/// try { SqlParser.ParseStatements("SELEC * FROM s;"); }
/// catch (SqlException e) { Console.WriteLine(e.Message); } // line 1:1: Syntax Error ...
/// </code>
/// </example>
public class SqlException : Exception
{
    /// <summary>Creates an exception with a message and no location.</summary>
    public SqlException(string message)
        : base(message)
    {
        RawMessage = message;
    }

    /// <summary>Creates an exception with a message and the place in the statement it refers to.</summary>
    public SqlException(string message, SourceLocation? location)
        : this(message, location, syntax: false)
    {
    }

    /// <summary>Creates an error at a location: syntax errors read <c>line L:C: message</c> (as ANTLR's), others <c>Line: L, Col: C: message</c> (as ksqlDB's).</summary>
    /// <param name="message">The message.</param>
    /// <param name="location">Where in the statement text.</param>
    /// <param name="syntax">True for a syntax error.</param>
    protected SqlException(string message, SourceLocation? location, bool syntax)
        : base(location is { } l ? (syntax ? $"line {l.Line}:{l.Column}: {message}" : $"Line: {l.Line}, Col: {l.Column}: {message}") : message)
    {
        RawMessage = message;
        Location = location;
    }

    /// <summary>Creates an exception that wraps another.</summary>
    public SqlException(string message, Exception innerException)
        : base(message, innerException)
    {
        RawMessage = message;
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public SqlException()
        : this("Invalid SQL.")
    {
    }

    /// <summary>Where in the statement text the problem is, when known.</summary>
    public SourceLocation? Location { get; }

    /// <summary>The message without the "line L:C: " prefix.</summary>
    public string RawMessage { get; }
}

/// <summary>
/// The statement text does not follow the grammar (or a literal in it is invalid). The message starts
/// with "line L:C:" and names what was found and what was expected.
/// </summary>
/// <example>
/// <code>
/// catch (SqlParseException e) { Console.WriteLine($"{e.Location?.Line}:{e.Location?.Column}"); }
/// </code>
/// </example>
public class SqlParseException : SqlException
{
    /// <summary>Creates a parse error at a location.</summary>
    public SqlParseException(string message, SourceLocation location)
        : base(message, location, syntax: true)
    {
    }

    /// <summary>Creates a parse error at a location that reads as a semantic one (<c>Line: L, Col: C: message</c>), as ksqlDB reports checks made while it builds the statement.</summary>
    internal SqlParseException(string message, SourceLocation location, bool syntax)
        : base(message, location, syntax)
    {
    }

    /// <summary>Creates a parse error without a location.</summary>
    public SqlParseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a parse error that wraps another.</summary>
    public SqlParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a generic parse error.</summary>
    public SqlParseException()
        : base("Syntax Error")
    {
    }
}

/// <summary>A position in statement text: 1-based line and column, and the 0-based character offset.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column number.</param>
/// <param name="Offset">0-based character offset into the text that was parsed.</param>
/// <example>
/// <code>
/// var where = new SourceLocation(2, 40, 138);
/// Console.WriteLine(where); // 2:40
/// </code>
/// </example>
public readonly record struct SourceLocation(int Line, int Column, int Offset)
{
    /// <summary>Formats as "line:column".</summary>
    public override string ToString() => $"{Line}:{Column}";
}
