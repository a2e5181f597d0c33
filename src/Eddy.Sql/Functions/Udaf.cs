namespace Eddy.Sql.Functions;

/// <summary>
/// A user-defined aggregate: <see cref="Initialize"/> the state, <see cref="Aggregate"/> each value
/// into it, <see cref="Merge"/> two states (session windows that join), and <see cref="Map"/> a state
/// to the result. States should be treated as immutable values: return a new state rather than
/// changing the one passed in.
/// </summary>
/// <typeparam name="TInput">The aggregated value (a ValueTuple for several columns).</typeparam>
/// <typeparam name="TAggregate">The intermediate state.</typeparam>
/// <typeparam name="TOutput">The result.</typeparam>
/// <example>
/// <code>
/// sealed class Sum : IUdaf&lt;long?, long, long&gt;
/// {
///     public long Initialize() => 0;
///     public long Aggregate(long? value, long aggregate) => aggregate + (value ?? 0);
///     public long Merge(long a, long b) => a + b;
///     public long Map(long aggregate) => aggregate;
/// }
/// </code>
/// </example>
public interface IUdaf<TInput, TAggregate, TOutput>
{
    /// <summary>The state before any value.</summary>
    TAggregate Initialize();

    /// <summary>Adds a value to the state.</summary>
    TAggregate Aggregate(TInput value, TAggregate aggregate);

    /// <summary>Combines two states (used when session windows merge).</summary>
    TAggregate Merge(TAggregate aggregateOne, TAggregate aggregateTwo);

    /// <summary>The result of a state.</summary>
    TOutput Map(TAggregate aggregate);
}

/// <summary>An aggregate that can also remove a value, so it can aggregate a table (whose rows change).</summary>
/// <typeparam name="TInput">The aggregated value.</typeparam>
/// <typeparam name="TAggregate">The intermediate state.</typeparam>
/// <typeparam name="TOutput">The result.</typeparam>
/// <example>
/// <code>
/// public long Undo(long? value, long aggregate) => aggregate - (value ?? 0);
/// </code>
/// </example>
public interface ITableUdaf<TInput, TAggregate, TOutput> : IUdaf<TInput, TAggregate, TOutput>
{
    /// <summary>Removes a value previously aggregated.</summary>
    TAggregate Undo(TInput valueToUndo, TAggregate aggregate);
}
