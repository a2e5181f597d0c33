using Eddy.Sql.Types;

namespace Eddy.Sql.Functions;

/// <summary>
/// An aggregate function resolved for concrete argument types, in an engine-neutral shape a planner
/// wraps in stream-processing aggregators: <see cref="Initialize"/>, <see cref="Aggregate"/> per
/// record, <see cref="Merge"/> for merging session windows, <see cref="Undo"/> for table
/// aggregations (when <see cref="SupportsUndo"/>), and <see cref="Map"/> to the result. States are
/// values of <see cref="AggregateType"/> in the row model (so they can be serialized into state
/// stores); a function never changes a state it was given, it returns a new one.
/// </summary>
/// <example>
/// <code>
/// var sum = registry.ResolveAggregate("SUM", [SqlTypes.BigInt]);
/// object? state = sum.Initialize();
/// state = sum.Aggregate(state, [5L]);
/// state = sum.Aggregate(state, [7L]);
/// Console.WriteLine(sum.Map(state)); // 12
/// </code>
/// </example>
public abstract class AggregateFunction
{
    /// <summary>Creates the description of a resolved aggregate.</summary>
    protected AggregateFunction(string name, IReadOnlyList<SqlType> argumentTypes, SqlType aggregateType, SqlType returnType)
    {
        Name = name;
        ArgumentTypes = argumentTypes;
        AggregateType = aggregateType;
        ReturnType = returnType;
    }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>The types of the aggregated columns (empty for COUNT(*), which counts rows).</summary>
    public IReadOnlyList<SqlType> ArgumentTypes { get; }

    /// <summary>The type of the intermediate state.</summary>
    public SqlType AggregateType { get; }

    /// <summary>The result type.</summary>
    public SqlType ReturnType { get; }

    /// <summary>Whether <see cref="Undo"/> is supported (required to aggregate a table).</summary>
    public virtual bool SupportsUndo => false;

    /// <summary>The state before any record.</summary>
    public abstract object? Initialize();

    /// <summary>The state after adding a record's argument values (one per <see cref="ArgumentTypes"/>).</summary>
    public abstract object? Aggregate(object? aggregate, ReadOnlySpan<object?> arguments);

    /// <summary>The state of two merged states (session windows).</summary>
    public abstract object? Merge(object? left, object? right);

    /// <summary>The state after removing a record's values (table aggregations).</summary>
    public virtual object? Undo(object? aggregate, ReadOnlySpan<object?> arguments) =>
        throw new NotSupportedException($"{Name} cannot be applied to a table source, only to a stream source.");

    /// <summary>The result of a state.</summary>
    public abstract object? Map(object? aggregate);

    /// <summary>The function and argument types, e.g. <c>SUM(BIGINT)</c>.</summary>
    public override string ToString() => $"{Name}({string.Join(", ", ArgumentTypes)})";
}

/// <summary>
/// A table function resolved for concrete argument types: each call returns the values of the rows it
/// produces (zero or more). Several table functions in one SELECT are zipped, the shorter padded with NULL.
/// </summary>
/// <example>
/// <code>
/// var explode = registry.ResolveTableFunction("EXPLODE", [SqlTypes.Array(SqlTypes.Integer)]);
/// IReadOnlyList&lt;object?&gt; rows = explode.Apply([new List&lt;object?&gt; { 1, 2 }]); // [1, 2]
/// </code>
/// </example>
public abstract class TableFunction
{
    /// <summary>Creates the description of a resolved table function.</summary>
    protected TableFunction(string name, IReadOnlyList<SqlType> argumentTypes, SqlType returnType)
    {
        Name = name;
        ArgumentTypes = argumentTypes;
        ReturnType = returnType;
    }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>The argument types.</summary>
    public IReadOnlyList<SqlType> ArgumentTypes { get; }

    /// <summary>The type of each produced value.</summary>
    public SqlType ReturnType { get; }

    /// <summary>The produced values for one input row (never null; empty for none).</summary>
    public abstract IReadOnlyList<object?> Apply(ReadOnlySpan<object?> arguments);

    /// <summary>The function and argument types.</summary>
    public override string ToString() => $"{Name}({string.Join(", ", ArgumentTypes)})";
}

/// <summary>
/// What functions may need from their environment: the clock (UNIX_TIMESTAMP()), a random source and
/// limits such as COLLECT_LIST's. A function method whose first parameter has this type receives it.
/// </summary>
/// <example>
/// <code>
/// var context = new FunctionContext { TimeProvider = fakeTime, CollectListLimit = 100 };
/// </code>
/// </example>
public sealed class FunctionContext
{
    /// <summary>The default context: system clock, shared random, ksqlDB's default limits.</summary>
    public static FunctionContext Default { get; } = new();

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Random numbers for RANDOM() and UUID().</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Most elements COLLECT_LIST keeps (ksql.functions.collect_list.limit, default 1000).</summary>
    public int CollectListLimit { get; init; } = 1000;

    /// <summary>Most elements COLLECT_SET keeps (ksql.functions.collect_set.limit, default 1000).</summary>
    public int CollectSetLimit { get; init; } = 1000;

    /// <summary>The current time in epoch milliseconds.</summary>
    public long NowMillis => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
