using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Tests.Functions;

/// <summary>User-defined functions: attribute-annotated classes registered in code or loaded from an extensions folder.</summary>
public sealed class UserFunctionTests
{
    [Fact]
    public void Scalar_functions_bind_by_CLR_types_and_skip_NULL_for_non_nullable_parameters()
    {
        var registry = new FunctionRegistry();
        var info = registry.Register(typeof(Multiply));
        Assert.Equal("MULTIPLY", info.Name);
        Assert.Equal(FunctionKind.Scalar, info.Kind);
        Assert.Equal(3, info.Overloads.Count);

        Assert.Equal(12L, Eval(registry, "MULTIPLY(3, 4)"));
        Assert.Equal(7.5, Eval(registry, "MULTIPLY(3, 2.5E0)"));
        Assert.Null(Eval(registry, "MULTIPLY(CAST(NULL AS BIGINT), 4)"));
        Assert.Equal("a-b-c", Eval(registry, "MULTIPLY('-', 'a', 'b', 'c')"));
    }

    [Fact]
    public void Instance_functions_keep_one_instance_and_typed_lists_and_decimals_convert()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(Counter));
        registry.Register(typeof(Totals));
        registry.Register(typeof(UpperAllFunction));
        Assert.Equal(1, Eval(registry, "NEXT_COUNT()"));
        Assert.Equal(2, Eval(registry, "NEXT_COUNT()"));
        Assert.Equal(SqlDecimal.Parse("6.60"), Eval(registry, "TOTAL(ARRAY[1.10, 2.20, 3.30])"));
        Assert.Equal(new List<object?> { "A", "B" }, Eval(registry, "UPPER_ALL(ARRAY['a', 'b'])"));
    }

    [Fact]
    public void Aggregate_functions_adapt_IUdaf_with_merge_and_undo()
    {
        var registry = new FunctionRegistry();
        var info = registry.Register(typeof(LongSum));
        Assert.Equal(FunctionKind.Aggregate, info.Kind);
        Assert.True(registry.IsAggregate("long_sum"));
        var sum = registry.ResolveAggregate("LONG_SUM", [SqlTypes.BigInt]);
        Assert.True(sum.SupportsUndo);
        var state = sum.Initialize();
        state = sum.Aggregate(state, [5L]);
        state = sum.Aggregate(state, [7L]);
        state = sum.Aggregate(state, [null]);
        Assert.Equal(12L, sum.Map(state));
        Assert.Equal(5L, sum.Map(sum.Undo(state, [7L])));
        Assert.Equal(24L, sum.Map(sum.Merge(state, state)));
    }

    [Fact]
    public void Aggregate_factories_take_literal_arguments()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(CappedCount));
        var capped = registry.ResolveAggregate("CAPPED_COUNT", [SqlTypes.String], [2]);
        var state = capped.Initialize();
        for (var i = 0; i < 5; i++)
        {
            state = capped.Aggregate(state, ["x"]);
        }

        Assert.Equal(2, capped.Map(state));
        Assert.False(capped.SupportsUndo);
        Assert.Throws<NotSupportedException>(() => capped.Undo(state, ["x"]));
    }

    [Fact]
    public void Table_functions_produce_rows_and_type_as_one_value()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(SplitRows));
        var split = registry.ResolveTableFunction("SPLIT_ROWS", [SqlTypes.String]);
        Assert.Equal(SqlTypes.String, split.ReturnType);
        Assert.Equal(["a", "b"], split.Apply(["a,b"]));
        Assert.Empty(split.Apply([null]));

        var compiler = new ExpressionCompiler(registry);
        var scope = new RowScope([new ScopeColumn("S", SqlTypes.String)]);
        Assert.Equal(SqlTypes.String, compiler.TypeOf(SqlParser.ParseExpression("SPLIT_ROWS(s)"), scope));
        var compiled = compiler.CompileTableFunction((Ast.FunctionCall)SqlParser.ParseExpression("SPLIT_ROWS(s || ',z')"), scope);
        Assert.Equal(new List<object?> { "x", "z" }, compiled.Evaluate(["x"]));
        Assert.Throws<SqlException>(() => compiler.Compile(SqlParser.ParseExpression("SPLIT_ROWS(s)"), scope));
    }

    [Fact]
    public void Built_in_table_functions_explode_arrays()
    {
        var registry = new FunctionRegistry();
        var explode = registry.ResolveTableFunction("EXPLODE", [SqlTypes.Array(SqlTypes.Integer)]);
        Assert.Equal(SqlTypes.Integer, explode.ReturnType);
        Assert.Equal([1, 2, 3], explode.Apply([new List<object?> { 1, 2, 3 }]));
        Assert.Empty(explode.Apply([null]));

        var cube = registry.ResolveTableFunction("CUBE_EXPLODE", [SqlTypes.Array(SqlTypes.Integer)]);
        var rows = cube.Apply([new List<object?> { 1, 2 }]);
        Assert.Equal(4, rows.Count);
        Assert.Equal(new List<object?> { 1, 2 }, rows[0]);
        Assert.Equal(new List<object?> { null, null }, rows[3]);
        Assert.Equal(2, cube.Apply([new List<object?> { 1, null }]).Count);
    }

    [Fact]
    public void Show_and_describe_functions_list_built_ins_and_user_functions()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(Multiply));
        var all = registry.ListFunctions();
        Assert.True(all.Count >= 150, $"expected the whole catalog, got {all.Count}");
        Assert.Contains(all, f => f.Name == "MULTIPLY" && f.Path == "internal");
        Assert.Contains(all, f => f.Name == "EXPLODE" && f.Kind == FunctionKind.Table && f.Category == "TABLE");
        Assert.Contains(all, f => f.Name == "TOPK" && f.Kind == FunctionKind.Aggregate);
        Assert.Equal(all.Select(f => f.Name).Order(StringComparer.Ordinal), all.Select(f => f.Name));

        var substring = registry.Describe("substring")!;
        Assert.Equal("STRING", substring.Category);
        Assert.Equal(4, substring.Overloads.Count);
        Assert.Contains(substring.Overloads, o => o.Signature == "(VARCHAR, INT, INT)" && o.ReturnType == "VARCHAR");
        var concat = registry.Describe("CONCAT")!;
        Assert.Contains(concat.Overloads, o => o.Arguments[0].IsVariadic);
        Assert.Null(registry.Describe("NOPE"));
    }

    [Fact]
    public void Every_catalog_function_is_there()
    {
        var registry = new FunctionRegistry();
        var catalog = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "..", "shared", "reference", "ksql", "functions.md"));
        var names = System.Text.RegularExpressions.Regex.Matches(catalog, @"^\| \*\*([A-Z_0-9]+)\*\*", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToList();
        if (names.Count == 0)
        {
            return;
        }

        var missing = names.Where(n => registry.KindOf(n) is null).ToList();
        Assert.True(missing.Count == 0, "missing functions: " + string.Join(", ", missing));
    }

    [Fact]
    public void Names_must_be_unique()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(Multiply));
        var e = Assert.Throws<InvalidOperationException>(() => registry.Register(typeof(Multiply)));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        var builtIn = Assert.Throws<InvalidOperationException>(() => registry.Register(typeof(Ucase)));
        Assert.Contains("built in", builtIn.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extensions_load_from_a_folder()
    {
        var dir = Directory.CreateTempSubdirectory("eddy-ext-");
        try
        {
            // This test assembly is itself an extension: copy it to the folder and load it from there.
            var assembly = typeof(UserFunctionTests).Assembly.Location;
            File.Copy(assembly, Path.Combine(dir.FullName, Path.GetFileName(assembly)));
            File.WriteAllText(Path.Combine(dir.FullName, "notes.dll"), "not an assembly");
            var registry = new FunctionRegistry();
            var loaded = registry.LoadExtensions(dir.FullName);
            Assert.Contains(loaded, f => f.Name == "MULTIPLY");
            Assert.Contains(loaded, f => f.Name == "LONG_SUM" && f.Kind == FunctionKind.Aggregate);
            Assert.Contains(loaded, f => f.Name == "SPLIT_ROWS" && f.Kind == FunctionKind.Table);
            var multiply = registry.Describe("MULTIPLY")!;
            Assert.EndsWith(Path.GetFileName(assembly), multiply.Path, StringComparison.Ordinal);
            Assert.Equal(12L, Eval(registry, "MULTIPLY(3, 4)"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Case_branches_evaluate_lazily()
    {
        var registry = new FunctionRegistry();
        registry.Register(typeof(WhenCondition));
        registry.Register(typeof(WhenResult));
        Assert.Equal(100, Eval(registry, "CASE WHEN WHENCONDITION(true, true) THEN WHENRESULT(100, true) WHEN WHENCONDITION(true, false) THEN WHENRESULT(200, false) ELSE WHENRESULT(300, false) END"));
        Assert.Equal(300, Eval(registry, "CASE WHEN WHENCONDITION(false, true) THEN WHENRESULT(100, false) WHEN WHENCONDITION(false, true) THEN WHENRESULT(200, false) ELSE WHENRESULT(300, true) END"));
    }

    private static object? Eval(FunctionRegistry registry, string sql)
    {
        var errors = new List<ProcessingError>();
        var value = new ExpressionCompiler(registry, errors.Add).Compile(SqlParser.ParseExpression(sql), new RowScope([])).Evaluate([]);
        Assert.True(errors.Count == 0, errors.Count == 0 ? string.Empty : errors[0].Exception.ToString());
        return value;
    }
}

[SqlFunction("MULTIPLY", Description = "Multiplies two numbers, or joins strings.", Category = "TEST")]
public static class Multiply
{
    [SqlOverload]
    public static long Evaluate(long a, long b) => a * b;

    [SqlOverload]
    public static double Evaluate(double a, double b) => a * b;

    [SqlOverload]
    public static string Evaluate(string separator, params string[] parts) => string.Join(separator, parts);
}

[SqlFunction("NEXT_COUNT")]
public sealed class Counter
{
    private int _count;

    [SqlOverload]
    public int Next() => ++_count;
}

[SqlFunction("TOTAL")]
public static class Totals
{
    [SqlOverload(ReturnType = "DECIMAL(10, 2)")]
    public static decimal Total([SqlParameter("values", Type = "ARRAY<DECIMAL>")] List<decimal> values) => values.Sum();
}

[SqlFunction("UPPER_ALL")]
public static class UpperAllFunction
{
    [SqlOverload]
    public static IReadOnlyList<string> UpperAll(IReadOnlyList<string> values) => values.Select(v => v.ToUpperInvariant()).ToList();
}

/// <summary>Clashes with the built-in UCASE (internal, so extension loading of this assembly skips it).</summary>
[SqlFunction("UCASE")]
internal static class Ucase
{
    [SqlOverload]
    public static string Evaluate(string s) => s;
}

[SqlAggregate("LONG_SUM", Description = "Sums longs, undoably.")]
public static class LongSum
{
    [SqlAggregateFactory]
    public static ITableUdaf<long?, long, long> Create() => new Impl();

    private sealed class Impl : ITableUdaf<long?, long, long>
    {
        public long Initialize() => 0;

        public long Aggregate(long? value, long aggregate) => aggregate + (value ?? 0);

        public long Merge(long aggregateOne, long aggregateTwo) => aggregateOne + aggregateTwo;

        public long Map(long aggregate) => aggregate;

        public long Undo(long? valueToUndo, long aggregate) => aggregate - (valueToUndo ?? 0);
    }
}

[SqlAggregate("CAPPED_COUNT")]
public static class CappedCount
{
    [SqlAggregateFactory(Description = "Counts up to a cap.")]
    public static IUdaf<string, int, int> Create(int cap) => new Impl(cap);

    private sealed class Impl(int cap) : IUdaf<string, int, int>
    {
        public int Initialize() => 0;

        public int Aggregate(string value, int aggregate) => Math.Min(cap, aggregate + 1);

        public int Merge(int aggregateOne, int aggregateTwo) => Math.Min(cap, aggregateOne + aggregateTwo);

        public int Map(int aggregate) => aggregate;
    }
}

[SqlTableFunction("SPLIT_ROWS", Description = "One row per comma-separated part.")]
public static class SplitRows
{
    [SqlOverload]
    public static IEnumerable<string> Evaluate(string? s) => s is null ? [] : s.Split(',');
}

/// <summary>ksqlDB's test UDF: returns its first argument, and fails when it should not have been evaluated.</summary>
[SqlFunction("WHENCONDITION")]
public static class WhenCondition
{
    [SqlOverload]
    public static bool Evaluate(bool result, bool shouldBeEvaluated) =>
        shouldBeEvaluated ? result : throw new InvalidOperationException("This WHEN condition should not have been evaluated.");
}

/// <summary>ksqlDB's test UDF: returns its first argument, and fails when it should not have been evaluated.</summary>
[SqlFunction("WHENRESULT")]
public static class WhenResult
{
    [SqlOverload]
    public static int Evaluate(int result, bool shouldBeEvaluated) =>
        shouldBeEvaluated ? result : throw new InvalidOperationException("This THEN result should not have been evaluated.");
}
