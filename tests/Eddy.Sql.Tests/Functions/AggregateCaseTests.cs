using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Tests.Functions;

/// <summary>
/// Runs Cases/Aggregates/*.txt. A case is
/// <c>NAME[TYPE, ...](literal, ...) : row; row; ... =&gt; expected</c> where each row holds one SQL literal
/// per column type (comma separated). Every case also checks the engine-neutral contract: aggregating
/// the rows in two halves and merging gives the same result (when the function merges), and undoing
/// the last row gives the result without it (when the function supports undo).
/// </summary>
public sealed class AggregateCaseTests
{
    private static readonly FunctionRegistry Functions = new();
    private static readonly ExpressionCompiler Compiler = new(Functions);

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.CasesDirectory, "Aggregates"), "*.txt").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var t = lines[i].Trim();
                if (t.Length > 0 && !t.StartsWith('#'))
                {
                    data.Add(Path.GetFileName(file), i + 1);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Aggregate_case(string file, int line)
    {
        var text = File.ReadAllLines(Path.Combine(TestPaths.CasesDirectory, "Aggregates", file))[line - 1].Trim();
        var errorAt = text.IndexOf(" !! ", StringComparison.Ordinal);
        var head = text[..text.IndexOf(" : ", StringComparison.Ordinal)];
        var name = head[..head.IndexOf('[', StringComparison.Ordinal)];
        var typesText = head[(head.IndexOf('[', StringComparison.Ordinal) + 1)..head.IndexOf(']', StringComparison.Ordinal)];
        var types = typesText.Length == 0 ? [] : SplitTop(typesText, ',').Select(t => SqlParser.ParseType(t)).ToArray();
        var afterTypes = head.IndexOf(']', StringComparison.Ordinal);
        var literalText = head[(head.IndexOf('(', afterTypes) + 1)..head.LastIndexOf(')')];
        var literals = literalText.Length == 0 ? [] : SplitTop(literalText, ',').Select(l => Compiler.Compile(SqlParser.ParseExpression(l), new RowScope([])).Evaluate([])).ToArray();
        if (errorAt >= 0)
        {
            // Resolution errors are SqlExceptions; errors while aggregating are processing errors.
            var e = Assert.ThrowsAny<Exception>(() =>
            {
                var f = Functions.ResolveAggregate(name, types, literals);
                var rowsPart = text[(text.IndexOf(" : ", StringComparison.Ordinal) + 3)..errorAt];
                var rows = SplitTop(rowsPart, ';').Select(r => SplitTop(r, ',').Select((v, i) => Value(v, f.ArgumentTypes[i])).ToArray());
                Run(f, rows);
            });
            Assert.Contains(text[(errorAt + 4)..], e.Message, StringComparison.Ordinal);
            return;
        }

        var approx = text.Contains(" ~> ", StringComparison.Ordinal);
        var separator = approx ? " ~> " : " => ";
        var rowsText = text[(text.IndexOf(" : ", StringComparison.Ordinal) + 3)..text.LastIndexOf(separator, StringComparison.Ordinal)];
        var expectedText = text[(text.LastIndexOf(separator, StringComparison.Ordinal) + separator.Length)..];
        var function = Functions.ResolveAggregate(name, types, literals);
        var rows = rowsText.Trim().Length == 0
            ? new List<object?[]>()
            : SplitTop(rowsText, ';').Select(r => SplitTop(r, ',').Select((v, i) => Value(v, i < function.ArgumentTypes.Count ? function.ArgumentTypes[i] : null)).ToArray()).ToList();
        var expected = expectedText.Trim() == "NULL" ? null : Value(expectedText, function.ReturnType);

        var all = Run(function, rows);
        Check(expected, function.Map(all), approx, "aggregate");

        // Merge (session windows): two halves merged give the same result.
        var half = rows.Count / 2;
        var merged = function.Merge(Run(function, rows.Take(half)), Run(function, rows.Skip(half)));
        if (name is not ("EARLIEST_BY_OFFSET" or "LATEST_BY_OFFSET" or "COLLECT_SET" or "TOPK" or "TOPKDISTINCT" or "ATTR") || rows.Count < 2)
        {
            Check(expected, function.Map(merged), approx, "merge");
        }

        // Undo (table aggregations): removing the last row gives the result of the others.
        if (function.SupportsUndo && rows.Count > 0)
        {
            var undone = function.Undo(all, rows[^1]);
            var without = Run(function, rows.Take(rows.Count - 1));
            Check(function.Map(without), function.Map(undone), approx, "undo");
        }
    }

    private static object? Run(AggregateFunction function, IEnumerable<object?[]> rows)
    {
        var state = function.Initialize();
        foreach (var row in rows)
        {
            state = function.Aggregate(state, row);
        }

        return state;
    }

    private static void Check(object? expected, object? actual, bool approx, string what)
    {
        if (approx && expected is not null && actual is not null)
        {
            Assert.Equal(SqlValues.ToDouble(expected), SqlValues.ToDouble(actual), 9);
            return;
        }

        var same = expected is SqlDecimal e && actual is SqlDecimal a ? e.ToPlainString() == a.ToPlainString() : SqlValues.ValueEquals(expected, actual)
            || (expected is double d1 && actual is double d2 && double.IsNaN(d1) && double.IsNaN(d2));
        Assert.True(same, $"{what}: expected {SqlValues.ToJavaString(expected)}, got {SqlValues.ToJavaString(actual)}");
    }

    private static object? Value(string sql, SqlType? type)
    {
        var e = SqlParser.ParseExpression(sql);
        return type is null
            ? Compiler.Compile(e, new RowScope([])).Evaluate([])
            : Compiler.Compile(new Cast(e, new BuiltInTypeRef(type)), new RowScope([])).Evaluate([]);
    }

    private static List<string> SplitTop(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '[' or '<')
            {
                depth++;
            }
            else if (!quoted && c is ')' or ']' or '>')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == separator)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }
}
