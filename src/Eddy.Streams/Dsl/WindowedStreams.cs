namespace Eddy.Streams.Dsl;

/// <summary>
/// A grouped stream windowed by time windows (tumbling, hopping, sliding): aggregations produce one result per key
/// and window (Kafka's <c>TimeWindowedKStream</c>). Records later than a window's end plus its grace period are
/// dropped and counted in dropped-records.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// IKTable&lt;Windowed&lt;string&gt;, long&gt; perMinute = clicks.GroupByKey()
///     .WindowedBy(TimeWindows.OfSizeAndGrace(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)))
///     .Count();
/// </code>
/// </example>
public interface ITimeWindowedKStream<TKey, TValue>
{
    /// <summary>Counts records per key and window (records with a null key are dropped).</summary>
    /// <param name="materialized">How the counts are stored (a window store; retention defaults to size plus grace).</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The windowed counts.</returns>
    IKTable<Windowed<TKey>, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null);

    /// <summary>Combines values per key and window; the first value is the window's initial aggregate.</summary>
    /// <param name="reducer">Combines the aggregate with a new value.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The windowed aggregates.</returns>
    IKTable<Windowed<TKey>, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null);

    /// <summary>Aggregates values per key and window from an initial value.</summary>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="initializer">The initial aggregate of a window.</param>
    /// <param name="aggregator">Adds a value to the aggregate.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The windowed aggregates.</returns>
    IKTable<Windowed<TKey>, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Materialized<TKey, TAgg>? materialized = null, Named? named = null);

    /// <summary>Chooses when results are emitted: on every update (default) or once per window when it closes.</summary>
    /// <param name="emitStrategy">The strategy.</param>
    /// <returns>This windowed stream.</returns>
    ITimeWindowedKStream<TKey, TValue> EmitStrategy(EmitStrategy emitStrategy);
}

/// <summary>
/// A grouped stream windowed by sessions: aggregations produce one result per key and session, and a record that
/// bridges two sessions merges them (Kafka's <c>SessionWindowedKStream</c>). A merged-away session is deleted
/// downstream (a null value for its windowed key).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var sessions = clicks.GroupByKey()
///     .WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMinutes(30)))
///     .Aggregate(() =&gt; 0L, (k, v, agg) =&gt; agg + 1, (k, a, b) =&gt; a + b);
/// </code>
/// </example>
public interface ISessionWindowedKStream<TKey, TValue>
{
    /// <summary>Counts records per key and session.</summary>
    /// <param name="materialized">How the counts are stored (a session store; retention defaults to gap plus grace).</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The session counts.</returns>
    IKTable<Windowed<TKey>, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null);

    /// <summary>Combines values per key and session (merged sessions are combined with the reducer too).</summary>
    /// <param name="reducer">Combines two aggregates.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The session aggregates.</returns>
    IKTable<Windowed<TKey>, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null);

    /// <summary>Aggregates values per key and session.</summary>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="initializer">The initial aggregate of a session.</param>
    /// <param name="aggregator">Adds a value to the aggregate.</param>
    /// <param name="sessionMerger">Combines the aggregates of two sessions that merge.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The session aggregates.</returns>
    IKTable<Windowed<TKey>, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Func<TKey, TAgg, TAgg, TAgg> sessionMerger,
        Materialized<TKey, TAgg>? materialized = null, Named? named = null);

    /// <summary>Chooses when results are emitted: on every update (default) or once per session when it closes.</summary>
    /// <param name="emitStrategy">The strategy.</param>
    /// <returns>This windowed stream.</returns>
    ISessionWindowedKStream<TKey, TValue> EmitStrategy(EmitStrategy emitStrategy);
}

/// <summary>Co-grouped streams windowed by time windows (Kafka's <c>TimeWindowedCogroupedKStream</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TAgg">The aggregate type.</typeparam>
/// <example>
/// <code>
/// var totals = clicks.GroupByKey().Cogroup&lt;long&gt;((k, v, agg) =&gt; agg + 1)
///     .Cogroup(buys.GroupByKey(), (k, v, agg) =&gt; agg + 10)
///     .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMinutes(1)))
///     .Aggregate(() =&gt; 0L);
/// </code>
/// </example>
public interface ITimeWindowedCogroupedKStream<TKey, TAgg>
{
    /// <summary>Aggregates every co-grouped stream per key and window.</summary>
    /// <param name="initializer">The initial aggregate of a window.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name prefix.</param>
    /// <returns>The windowed aggregates.</returns>
    IKTable<Windowed<TKey>, TAgg> Aggregate(Func<TAgg> initializer, Materialized<TKey, TAgg>? materialized = null, Named? named = null);
}

/// <summary>Co-grouped streams windowed by sessions (Kafka's <c>SessionWindowedCogroupedKStream</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TAgg">The aggregate type.</typeparam>
/// <example>
/// <code>
/// var totals = clicks.GroupByKey().Cogroup&lt;long&gt;((k, v, agg) =&gt; agg + 1)
///     .WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMinutes(5)))
///     .Aggregate(() =&gt; 0L, (k, a, b) =&gt; a + b);
/// </code>
/// </example>
public interface ISessionWindowedCogroupedKStream<TKey, TAgg>
{
    /// <summary>Aggregates every co-grouped stream per key and session.</summary>
    /// <param name="initializer">The initial aggregate of a session.</param>
    /// <param name="sessionMerger">Combines the aggregates of two sessions that merge.</param>
    /// <param name="materialized">How the aggregates are stored.</param>
    /// <param name="named">The processor name prefix.</param>
    /// <returns>The session aggregates.</returns>
    IKTable<Windowed<TKey>, TAgg> Aggregate(Func<TAgg> initializer, Func<TKey, TAgg, TAgg, TAgg> sessionMerger, Materialized<TKey, TAgg>? materialized = null, Named? named = null);
}
