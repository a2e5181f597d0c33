using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Tests.Expressions;

/// <summary>
/// Runs the expression case files in Cases/Expressions. Each file declares columns
/// (<c>column NAME TYPE = literal</c>) and then one case per line:
/// <c>expression =&gt; expected</c> (the expected value is a SQL expression over the same columns),
/// optionally followed by <c>:: TYPE</c>; <c>expression !! message part</c> for an error at compile time;
/// <c>expression ~&gt; expected</c> for doubles compared within 1e-9.
/// </summary>
public sealed class ExpressionCaseTests
{
    private static readonly FunctionRegistry Functions = new(new FunctionContext
    {
        TimeProvider = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1_650_000_000_000)),
        Random = new Random(42),
    });

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.CasesDirectory, "Expressions"), "*.txt").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (IsCase(lines[i]))
                {
                    data.Add(Path.GetFileName(file), i + 1);
                }
            }
        }

        return data;
    }

    private static bool IsCase(string line)
    {
        var t = line.Trim();
        return t.Length > 0 && !t.StartsWith('#') && !t.StartsWith("column ", StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expression_case(string file, int line)
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.CasesDirectory, "Expressions", file));
        var (scope, row) = Columns(lines);
        var text = lines[line - 1].Trim();
        var compiler = new ExpressionCompiler(Functions);
        var errorAt = text.IndexOf(" !! ", StringComparison.Ordinal);
        if (errorAt >= 0)
        {
            var exprText = text[..errorAt];
            var expectedError = text[(errorAt + 4)..];
            var e = Assert.ThrowsAny<SqlException>(() => compiler.Compile(SqlParser.ParseExpression(exprText), scope));
            Assert.Contains(expectedError, e.Message, StringComparison.Ordinal);
            return;
        }

        var approx = text.Contains(" ~> ", StringComparison.Ordinal);
        var separator = approx ? " ~> " : " => ";
        var at = text.LastIndexOf(separator, StringComparison.Ordinal);
        var parts = at < 0 ? [text] : new[] { text[..at], text[(at + separator.Length)..] };
        Assert.True(parts.Length == 2, $"{file}:{line}: a case is 'expression => expected', 'expression ~> expected' or 'expression !! error'");
        var expectedText = parts[1];
        string? expectedType = null;
        var typeAt = expectedText.LastIndexOf(" :: ", StringComparison.Ordinal);
        if (typeAt >= 0)
        {
            expectedType = expectedText[(typeAt + 4)..].Trim();
            expectedText = expectedText[..typeAt];
        }

        var compiled = compiler.Compile(SqlParser.ParseExpression(parts[0]), scope);
        var errors = new List<ProcessingError>();
        var actual = new ExpressionCompiler(Functions, errors.Add).Compile(SqlParser.ParseExpression(parts[0]), scope).Evaluate(row);
        // The expected value is cast to the actual type, so "=> 10" also reads as a BIGINT or DECIMAL 10.
        var expectedExpression = SqlParser.ParseExpression(expectedText);
        var expected = expectedText.Trim() == "NULL" ? null : compiler.Compile(new Cast(expectedExpression, new BuiltInTypeRef(compiled.Type)), scope).Evaluate(row);
        if (expectedType is not null)
        {
            Assert.Equal(SqlParser.ParseType(expectedType).ToString(), compiled.Type.ToString());
        }

        if (approx)
        {
            Assert.NotNull(actual);
            Assert.Equal(SqlValues.ToDouble(expected!), SqlValues.ToDouble(actual!), 9);
            return;
        }

        Assert.True(
            SameValue(expected, actual),
            $"{file}:{line}: {parts[0]}\n  expected: {Show(expected)}\n  actual:   {Show(actual)}" + (errors.Count > 0 ? $"\n  error: {errors[0].Exception.Message}" : string.Empty));
    }

    private static bool SameValue(object? expected, object? actual)
    {
        if (expected is SqlDecimal e && actual is SqlDecimal a)
        {
            return e.ToPlainString() == a.ToPlainString();
        }

        return SqlValues.ValueEquals(expected, actual);
    }

    private static string Show(object? v) => v is null ? "NULL" : $"{SqlValues.ToJavaString(v)} ({v.GetType().Name})";

    private static (RowScope Scope, object?[] Row) Columns(string[] lines)
    {
        var columns = new List<ScopeColumn>();
        var values = new List<object?>();
        var compiler = new ExpressionCompiler(Functions);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (!line.StartsWith("column ", StringComparison.Ordinal))
            {
                continue;
            }

            var eq = line.IndexOf(" = ", StringComparison.Ordinal);
            var decl = line[7..eq].Trim();
            var space = decl.IndexOf(' ', StringComparison.Ordinal);
            var name = decl[..space];
            var type = SqlParser.ParseType(decl[(space + 1)..]);
            var valueText = line[(eq + 3)..];
            var value = valueText.Trim() == "NULL"
                ? null
                : compiler.Compile(new Cast(SqlParser.ParseExpression(valueText), new BuiltInTypeRef(type)), new RowScope([])).Evaluate([]);
            columns.Add(new ScopeColumn(name, type));
            values.Add(value);
        }

        return (new RowScope(columns), values.ToArray());
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
