using System.Text;
using Eddy.Sql.Ast;
using Eddy.Sql.Internal.Parsing;
using Eddy.Sql.Types;

namespace Eddy.Sql;

/// <summary>
/// Parses ksqlDB SQL: scripts of ';'-terminated statements, single statements, expressions, types and
/// column lists. Errors are <see cref="SqlParseException"/>s whose message starts with "line L:C:" and
/// says what was found and what was expected.
/// </summary>
/// <example>
/// <code>
/// var statements = SqlParser.ParseStatements("""
///     CREATE STREAM orders (id BIGINT KEY, amount DECIMAL(10, 2)) WITH (kafka_topic='orders', format='JSON');
///     SELECT id, amount * 2 AS doubled FROM orders EMIT CHANGES;
///     """);
/// var query = (Query)statements[1].Statement;
/// </code>
/// </example>
public static class SqlParser
{
    /// <summary>Parses every statement of a script. Each must end with ';' (the last one may omit it).</summary>
    public static IReadOnlyList<ParsedStatement> ParseStatements(string sql) => Parser.ParseStatements(sql);

    /// <summary>
    /// Substitutes <c>${name}</c> variables (see <see cref="SubstituteVariables"/>), then parses every statement.
    /// </summary>
    public static IReadOnlyList<ParsedStatement> ParseStatements(string sql, IReadOnlyDictionary<string, string> variables) =>
        Parser.ParseStatements(SubstituteVariables(sql, variables));

    /// <summary>Parses exactly one statement (a trailing ';' is optional).</summary>
    public static Statement ParseStatement(string sql)
    {
        var statements = Parser.ParseStatements(sql);
        if (statements.Count != 1)
        {
            throw new SqlParseException(statements.Count == 0
                ? "Expected a statement but the text is empty."
                : $"Expected one statement but found {statements.Count}; the second starts at line {statements[1].Location}.");
        }

        return statements[0].Statement;
    }

    /// <summary>Parses an expression, e.g. <c>price * 1.2 &gt; 100 AND region = 'EU'</c>.</summary>
    public static SqlExpression ParseExpression(string sql) => Parser.ParseExpression(sql);

    /// <summary>Parses a type as written, e.g. <c>ARRAY&lt;STRUCT&lt;a INT&gt;&gt;</c>; custom type names stay unresolved.</summary>
    public static TypeRef ParseTypeRef(string sql) => Parser.ParseType(sql);

    /// <summary>Parses and resolves a type, e.g. <c>MAP&lt;STRING, DECIMAL(10, 2)&gt;</c>.</summary>
    public static SqlType ParseType(string sql, ITypeRegistry? registry = null) => Parser.ParseType(sql).Resolve(registry);

    /// <summary>Parses a column list such as <c>ID BIGINT KEY, NAME STRING</c> (the schema strings of ksqlDB's tests).</summary>
    public static IReadOnlyList<TableElement> ParseColumns(string sql) => Parser.ParseColumns(sql);

    /// <summary>
    /// Replaces <c>${name}</c> references with variable values (names are case-insensitive): bare
    /// references with the value as is, references inside quoted strings and identifiers with the value
    /// escaped for that quoting. A bare reference to an undefined variable is an error; inside quotes it
    /// is left alone.
    /// </summary>
    public static string SubstituteVariables(string sql, IReadOnlyDictionary<string, string> variables)
    {
        if (!sql.Contains("${", StringComparison.Ordinal))
        {
            return sql;
        }

        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in variables)
        {
            lookup[kv.Key] = kv.Value;
        }

        var tokens = Lexer.Tokenize(sql);
        var sb = new StringBuilder(sql.Length);
        var pos = 0;
        foreach (var t in tokens)
        {
            if (t.Kind == TokenKind.Variable)
            {
                if (!lookup.TryGetValue(t.Value, out var value))
                {
                    throw new SqlParseException($"Undefined variable: {t.Text}. Define it first, e.g. DEFINE {t.Value.ToLowerInvariant()} = 'value';", t.Location);
                }

                sb.Append(sql, pos, t.Offset - pos).Append(value);
                pos = t.End;
            }
            else if (t.Kind is TokenKind.String or TokenKind.QuotedIdentifier or TokenKind.BackQuotedIdentifier && t.Text.Contains("${", StringComparison.Ordinal))
            {
                var quote = t.Text[0];
                sb.Append(sql, pos, t.Offset - pos);
                sb.Append(ReplaceInside(t.Text, lookup, quote));
                pos = t.End;
            }
        }

        sb.Append(sql, pos, sql.Length - pos);
        return sb.ToString();
    }

    private static string ReplaceInside(string quoted, Dictionary<string, string> lookup, char quote)
    {
        var sb = new StringBuilder(quoted.Length);
        var i = 0;
        while (i < quoted.Length)
        {
            if (quoted[i] == '$' && i + 1 < quoted.Length && quoted[i + 1] == '{')
            {
                var close = quoted.IndexOf('}', i + 2);
                if (close > 0 && lookup.TryGetValue(quoted[(i + 2)..close], out var value))
                {
                    sb.Append(value.Replace(quote.ToString(), new string(quote, 2), StringComparison.Ordinal));
                    i = close + 1;
                    continue;
                }
            }

            sb.Append(quoted[i]);
            i++;
        }

        return sb.ToString();
    }
}
