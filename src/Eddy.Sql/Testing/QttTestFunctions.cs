using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Testing;

/// <summary>
/// The functions ksqlDB's own test jar puts on the classpath of its query-validation runner
/// (BAD_UDF, TEST_UDTF, THROWING_UDTF, WHENCONDITION, WHENRESULT). The QTT files call them to check
/// error handling and lazy evaluation, so <see cref="QttRunner"/> registers them; nothing else does.
/// </summary>
/// <example><code>var functions = QttTestFunctions.Register(new FunctionRegistry());</code></example>
public static class QttTestFunctions
{
    /// <summary>Registers the test functions in <paramref name="registry"/> and returns it.</summary>
    public static FunctionRegistry Register(FunctionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(typeof(BadUdf));
        registry.Register(typeof(WhenCondition));
        registry.Register(typeof(WhenResult));
        registry.Register(typeof(TestUdtf));
        registry.Register(typeof(ThrowingUdtf));
        return registry;
    }

    /// <summary>Throws when asked to, to test how a query treats a failing expression.</summary>
    [SqlFunction("BAD_UDF", Description = "throws exceptions when called")]
    internal sealed class BadUdf
    {
        private int _calls;

        [SqlOverload(Description = "throws")]
        public static string BlowUp(int arg) => throw new InvalidOperationException("boom!");

        [SqlOverload(Description = "throws if arg is true")]
        public static int MightThrow(bool arg) => arg ? throw new InvalidOperationException("You asked me to throw...") : 0;

        [SqlOverload(Description = "returns null every other invocation")]
        public string? ReturnNull(string? arg) => _calls++ % 2 == 0 ? null : arg;
    }

    /// <summary>A CASE condition that fails when evaluated although it should not be.</summary>
    [SqlFunction("WHENCONDITION", Description = "UDF used in case-expression.json")]
    internal static class WhenCondition
    {
        [SqlOverload]
        public static bool Evaluate(bool retValue, bool shouldBeEvaluated) =>
            shouldBeEvaluated ? retValue : throw new SqlException("When condition in case is not running lazily!");
    }

    /// <summary>A CASE result that fails when evaluated although it should not be.</summary>
    [SqlFunction("WHENRESULT", Description = "UDF used in case-expression.json")]
    internal static class WhenResult
    {
        [SqlOverload]
        public static int Evaluate(int retVal, bool shouldBeEvaluated) =>
            shouldBeEvaluated ? retVal : throw new SqlException("Then expression in case is not running lazily!");
    }

    /// <summary>One row per argument (as text), or the argument itself, for each parameter type.</summary>
    [SqlTableFunction("TEST_UDTF", Description = "test")]
    internal static class TestUdtf
    {
        [SqlOverload]
        public static List<string?> StandardParams(
            int i, long l, double d, bool b, string? s, SqlDecimal? bd, [SqlParameter("struct", Type = "STRUCT<A VARCHAR>")] SqlStruct? st) =>
            [Text(i), Text(l), Text(d), Text(b), s, Text(bd ?? throw Npe()), Text(st ?? throw Npe())];

        [SqlOverload]
        public static List<string?> ListParams(
            [SqlParameter("i", Type = "ARRAY<INT>")] List<object?>? i,
            [SqlParameter("l", Type = "ARRAY<BIGINT>")] List<object?>? l,
            [SqlParameter("d", Type = "ARRAY<DOUBLE>")] List<object?>? d,
            [SqlParameter("b", Type = "ARRAY<BOOLEAN>")] List<object?>? b,
            [SqlParameter("s", Type = "ARRAY<STRING>")] List<object?>? s,
            [SqlParameter("bd", Type = "ARRAY<DECIMAL>")] List<object?>? bd,
            [SqlParameter("struct", Type = "ARRAY<STRUCT<A VARCHAR>>")] List<object?>? st) =>
            [.. new[] { i, l, d, b, s, bd, st }.Select(list => list is null ? throw Npe() : (string?)Text(list[0]))];

        [SqlOverload]
        public static List<string?> MapParams(
            [SqlParameter("i", Type = "MAP<STRING, INT>")] Dictionary<object, object?>? i,
            [SqlParameter("l", Type = "MAP<STRING, BIGINT>")] Dictionary<object, object?>? l,
            [SqlParameter("d", Type = "MAP<STRING, DOUBLE>")] Dictionary<object, object?>? d,
            [SqlParameter("b", Type = "MAP<STRING, BOOLEAN>")] Dictionary<object, object?>? b,
            [SqlParameter("s", Type = "MAP<STRING, STRING>")] Dictionary<object, object?>? s,
            [SqlParameter("bd", Type = "MAP<STRING, DECIMAL>")] Dictionary<object, object?>? bd,
            [SqlParameter("struct", Type = "MAP<STRING, STRUCT<A VARCHAR>>")] Dictionary<object, object?>? st) =>
            [.. new[] { i, l, d, b, s, bd, st }.Select(map => map is null ? throw Npe() : (string?)Text(map.Values.First()))];

        [SqlOverload]
        public static List<int> IntReturn(int i) => [i];

        [SqlOverload]
        public static List<long> LongReturn(long l) => [l];

        [SqlOverload]
        public static List<double> DoubleReturn(double d) => [d];

        [SqlOverload]
        public static List<bool> BooleanReturn(bool b) => [b];

        [SqlOverload]
        public static List<string?> StringReturn(string? s) => [s];

        [SqlOverload(ReturnTypeProvider = nameof(DecimalReturnType))]
        public static List<SqlDecimal?> DecimalReturn(SqlDecimal? bd) => [bd];

        [SqlOverload(ReturnType = "STRUCT<A VARCHAR>")]
        public static List<SqlStruct?> StructReturn([SqlParameter("struct", Type = "STRUCT<A VARCHAR>")] SqlStruct? st) => [st];

        private static SqlDecimalType DecimalReturnType(IReadOnlyList<SqlType> args) => SqlTypes.Decimal(30, 10);

        // Java's String.valueOf of the boxed value, as the test jar returns it.
        private static string Text(object? value) => SqlValues.ToJavaString(value);

        private static InvalidOperationException Npe() => new("null argument");
    }

    /// <summary>Throws when its argument is true, to test how a query treats a failing table function.</summary>
    [SqlTableFunction("THROWING_UDTF", Description = "test UDTF that throws if param is true")]
    internal static class ThrowingUdtf
    {
        [SqlOverload]
        public static List<bool> ThrowIfTrue(bool shouldThrow) =>
            shouldThrow ? throw new InvalidOperationException("You asked me to throw...") : [shouldThrow];
    }
}
