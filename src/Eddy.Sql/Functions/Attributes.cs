namespace Eddy.Sql.Functions;

/// <summary>
/// Marks a class whose <see cref="SqlOverloadAttribute"/> methods implement a scalar SQL function.
/// Methods may be static, or instance methods of a class with a public parameterless constructor
/// (one instance is created per registry). Parameter and return types map to SQL types: bool → BOOLEAN,
/// int → INT, long → BIGINT, double → DOUBLE, <see cref="Types.SqlDecimal"/> or decimal → DECIMAL,
/// string → STRING, byte[] → BYTES, DateTime → TIMESTAMP, DateOnly → DATE, TimeOnly → TIME,
/// <c>List&lt;T&gt;</c> / <c>IReadOnlyList&lt;T&gt;</c> / <c>T[]</c> → ARRAY, <c>Dictionary</c> → MAP,
/// <see cref="Types.SqlStruct"/> → STRUCT (give its schema), object → a generic type. A <c>params</c>
/// array makes the function variadic. A non-nullable value-type parameter makes the call return NULL
/// when that argument is NULL, without calling the method.
/// </summary>
/// <example>
/// <code>
/// [SqlFunction("MULTIPLY", Description = "Multiplies two numbers.")]
/// public static class Multiply
/// {
///     [SqlOverload] public static long Evaluate(long a, long b) => a * b;
///     [SqlOverload] public static double Evaluate(double a, double b) => a * b;
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SqlFunctionAttribute(string name) : Attribute
{
    /// <summary>The SQL name (case-insensitive; stored upper-case).</summary>
    public string Name { get; } = name;

    /// <summary>What the function does (shown by DESCRIBE FUNCTION).</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The category shown by SHOW FUNCTIONS, e.g. STRING, MATHEMATICAL.</summary>
    public string Category { get; set; } = "OTHER";

    /// <summary>Who wrote it.</summary>
    public string Author { get; set; } = string.Empty;

    /// <summary>The function's version.</summary>
    public string Version { get; set; } = string.Empty;
}

/// <summary>Marks one overload of a scalar or table function.</summary>
/// <example>
/// <code>
/// [SqlOverload(Description = "Pads on the left.", ReturnType = "STRING")]
/// public static string? Pad(string? s, int? length, string? padding) => ...;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SqlOverloadAttribute : Attribute
{
    /// <summary>What this overload does.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>
    /// The SQL return type when the CLR return type does not say it, e.g. <c>ARRAY&lt;T&gt;</c> or
    /// <c>STRUCT&lt;A INT&gt;</c>; single upper-case letters are generic types bound by the arguments.
    /// </summary>
    public string? ReturnType { get; set; }

    /// <summary>
    /// The name of a static method <c>SqlType M(IReadOnlyList&lt;SqlType&gt; argumentTypes)</c> on the same
    /// class that computes the return type from the argument types (e.g. a DECIMAL's precision).
    /// </summary>
    public string? ReturnTypeProvider { get; set; }
}

/// <summary>Names and describes a parameter; <see cref="Type"/> gives its SQL type when the CLR type does not.</summary>
/// <example>
/// <code>
/// public static bool? Contains([SqlParameter("list", Type = "ARRAY&lt;T&gt;")] List&lt;object?&gt;? list, [SqlParameter("value", Type = "T")] object? value)
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class SqlParameterAttribute(string name) : Attribute
{
    /// <summary>The parameter name shown by DESCRIBE FUNCTION.</summary>
    public string Name { get; } = name;

    /// <summary>What the parameter means.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>
    /// The SQL type, e.g. <c>ARRAY&lt;T&gt;</c>, <c>MAP&lt;STRING, V&gt;</c>, <c>STRUCT</c> (any struct),
    /// <c>DECIMAL</c> (any precision), <c>INTERVAL_UNIT</c>, or a lambda <c>(T) =&gt; R</c>.
    /// </summary>
    public string? Type { get; set; }
}

/// <summary>
/// Marks a class whose <see cref="SqlAggregateFactoryAttribute"/> static methods create an aggregate
/// function (a <see cref="IUdaf{TInput, TAggregate, TOutput}"/>). Factory parameters are the literal
/// arguments given after the aggregated column(s), e.g. <c>TOPK(col, 3)</c>.
/// </summary>
/// <example>
/// <code>
/// [SqlAggregate("LONG_SUM")]
/// public static class LongSum
/// {
///     [SqlAggregateFactory] public static IUdaf&lt;long, long, long&gt; Create() => new Impl();
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SqlAggregateAttribute(string name) : Attribute
{
    /// <summary>The SQL name.</summary>
    public string Name { get; } = name;

    /// <summary>What the function does.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>Who wrote it.</summary>
    public string Author { get; set; } = string.Empty;

    /// <summary>The function's version.</summary>
    public string Version { get; set; } = string.Empty;
}

/// <summary>Marks a static factory of an aggregate function; schemas are needed only when CLR types do not say them.</summary>
/// <example>
/// <code>
/// [SqlAggregateFactory(InputType = "ARRAY&lt;INT&gt;", AggregateType = "STRUCT&lt;SUM BIGINT, COUNT BIGINT&gt;", ReturnType = "DOUBLE")]
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SqlAggregateFactoryAttribute : Attribute
{
    /// <summary>What this variant does.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The SQL type of the aggregated value (for a tuple input, of each element: "INT, STRING").</summary>
    public string? InputType { get; set; }

    /// <summary>The SQL type of the intermediate aggregate (stored in state stores).</summary>
    public string? AggregateType { get; set; }

    /// <summary>The SQL type of the result.</summary>
    public string? ReturnType { get; set; }
}

/// <summary>
/// Marks a class whose <see cref="SqlOverloadAttribute"/> methods implement a table function: each
/// returns a list (or sequence) of values and each value becomes an output row.
/// </summary>
/// <example>
/// <code>
/// [SqlTableFunction("SPLIT_ROWS")]
/// public static class SplitRows
/// {
///     [SqlOverload] public static IEnumerable&lt;string&gt; Evaluate(string s) => s.Split(',');
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SqlTableFunctionAttribute(string name) : Attribute
{
    /// <summary>The SQL name.</summary>
    public string Name { get; } = name;

    /// <summary>What the function does.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>Who wrote it.</summary>
    public string Author { get; set; } = string.Empty;

    /// <summary>The function's version.</summary>
    public string Version { get; set; } = string.Empty;
}
