using Eddy.Streams.Processors;

namespace Eddy.Streams.Dsl;

/// <summary>
/// A record stream: every record is an independent event (Kafka Streams' <c>KStream</c>). Operators return new
/// streams; nothing runs until the topology built from them is run.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// builder.Stream&lt;string, string&gt;("lines")
///     .FlatMapValues(line =&gt; line.Split(' '))
///     .GroupBy((_, word) =&gt; word)
///     .Count()
///     .ToStream()
///     .To("word-counts", Produced&lt;string, long&gt;.With(Serdes.String(), Serdes.Int64()));
/// </code>
/// </example>
public interface IKStream<TKey, TValue>
{
    /// <summary>Keeps records that satisfy <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The test.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The filtered stream.</returns>
    IKStream<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, Named? named = null);

    /// <summary>Drops records that satisfy <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The test.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The filtered stream.</returns>
    IKStream<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, Named? named = null);

    /// <summary>Changes key and value; the result is repartitioned before grouping or joining.</summary>
    /// <typeparam name="TKeyOut">The new key type.</typeparam>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The mapped stream.</returns>
    IKStream<TKeyOut, TValueOut> Map<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> mapper, Named? named = null);

    /// <summary>Changes values only (keeps partitioning).</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The mapped stream.</returns>
    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, Named? named = null);

    /// <summary>Changes values from key and value (keeps partitioning; do not change the key inside).</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The mapped stream.</returns>
    IKStream<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, Named? named = null);

    /// <summary>Maps each record to zero or more records.</summary>
    /// <typeparam name="TKeyOut">The new key type.</typeparam>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The stream.</returns>
    IKStream<TKeyOut, TValueOut> FlatMap<TKeyOut, TValueOut>(Func<TKey, TValue, IEnumerable<KeyValue<TKeyOut, TValueOut>>> mapper, Named? named = null);

    /// <summary>Maps each value to zero or more values with the same key.</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The stream.</returns>
    IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TValue, IEnumerable<TValueOut>> mapper, Named? named = null);

    /// <summary>Maps each record to zero or more values with the same key.</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The stream.</returns>
    IKStream<TKey, TValueOut> FlatMapValues<TValueOut>(Func<TKey, TValue, IEnumerable<TValueOut>> mapper, Named? named = null);

    /// <summary>Sets a new key; the result is repartitioned before grouping or joining.</summary>
    /// <typeparam name="TKeyOut">The new key type.</typeparam>
    /// <param name="selector">Computes the key.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The re-keyed stream.</returns>
    IKStream<TKeyOut, TValue> SelectKey<TKeyOut>(Func<TKey, TValue, TKeyOut> selector, Named? named = null);

    /// <summary>Runs an action on each record and passes it on unchanged.</summary>
    /// <param name="action">The action.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The same records.</returns>
    IKStream<TKey, TValue> Peek(Action<TKey, TValue> action, Named? named = null);

    /// <summary>Runs an action on each record; a terminal operation.</summary>
    /// <param name="action">The action.</param>
    /// <param name="named">The processor name.</param>
    void Foreach(Action<TKey, TValue> action, Named? named = null);

    /// <summary>Prints each record as <c>[label]: key, value</c> to standard output or a file; a terminal operation for debugging.</summary>
    /// <param name="printed">Where and how to print.</param>
    /// <param name="named">The processor name.</param>
    void Print(Printed<TKey, TValue> printed, Named? named = null);

    /// <summary>Splits the stream into branches by predicates; each record goes to the first branch that matches.</summary>
    /// <param name="named">The name prefix of the branch processors.</param>
    /// <returns>The splitter to add branches to.</returns>
    IBranchedKStream<TKey, TValue> Split(Named? named = null);

    /// <summary>The pre-2.8 Kafka Streams branch: one stream per predicate, a record going to the first match. Prefer <see cref="Split"/>.</summary>
    /// <param name="predicates">The predicates.</param>
    /// <returns>One stream per predicate.</returns>
    IKStream<TKey, TValue>[] Branch(params Func<TKey, TValue, bool>[] predicates);

    /// <summary>Combines this stream with another of the same types.</summary>
    /// <param name="other">The other stream.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The merged stream.</returns>
    IKStream<TKey, TValue> Merge(IKStream<TKey, TValue> other, Named? named = null);

    /// <summary>Writes the stream through an internal repartition topic, partitioned by key.</summary>
    /// <param name="repartitioned">Topic name, partition count, serdes and partitioner.</param>
    /// <returns>The stream read back from the topic.</returns>
    IKStream<TKey, TValue> Repartition(Repartitioned<TKey, TValue>? repartitioned = null);

    /// <summary>Writes records to a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="produced">Serdes, partitioner and name.</param>
    void To(string topic, Produced<TKey, TValue>? produced = null);

    /// <summary>Writes each record to the topic chosen by <paramref name="topicNameExtractor"/>.</summary>
    /// <param name="topicNameExtractor">Chooses the topic.</param>
    /// <param name="produced">Serdes, partitioner and name.</param>
    void To(ITopicNameExtractor<TKey, TValue> topicNameExtractor, Produced<TKey, TValue>? produced = null);

    /// <summary>Turns the stream into a table: each record updates its key (a null value deletes it).</summary>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the table is stored.</param>
    /// <returns>The table.</returns>
    IKTable<TKey, TValue> ToTable(Named? named = null, Materialized<TKey, TValue>? materialized = null);

    /// <summary>Groups by the current key, for aggregation.</summary>
    /// <param name="grouped">Serdes and repartition topic name.</param>
    /// <returns>The grouped stream.</returns>
    IKGroupedStream<TKey, TValue> GroupByKey(Grouped<TKey, TValue>? grouped = null);

    /// <summary>Groups by a new key (always repartitions), for aggregation.</summary>
    /// <typeparam name="TKeyOut">The grouping key type.</typeparam>
    /// <param name="keySelector">Computes the grouping key.</param>
    /// <param name="grouped">Serdes and repartition topic name.</param>
    /// <returns>The grouped stream.</returns>
    IKGroupedStream<TKeyOut, TValue> GroupBy<TKeyOut>(Func<TKey, TValue, TKeyOut> keySelector, Grouped<TKeyOut, TValue>? grouped = null);

    /// <summary>Runs a Processor API processor on the stream (it may change keys, so the result is repartitioned before grouping).</summary>
    /// <typeparam name="TKeyOut">The output key type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="supplier">Creates the processor per task (and may name its stores).</param>
    /// <param name="named">The processor name.</param>
    /// <param name="stateStoreNames">Stores (added with StreamsBuilder.AddStateStore) to connect.</param>
    /// <returns>The processor's output.</returns>
    IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(IProcessorSupplier<TKey, TValue, TKeyOut, TValueOut> supplier, Named? named = null, params string[] stateStoreNames);

    /// <summary>Runs a Processor API processor created by <paramref name="factory"/>.</summary>
    /// <typeparam name="TKeyOut">The output key type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="factory">Creates the processor per task.</param>
    /// <param name="stateStoreNames">Stores to connect.</param>
    /// <returns>The processor's output.</returns>
    IKStream<TKeyOut, TValueOut> Process<TKeyOut, TValueOut>(Func<IProcessor<TKey, TValue, TKeyOut, TValueOut>> factory, params string[] stateStoreNames);

    /// <summary>Runs a fixed-key processor: values change, keys and partitioning do not.</summary>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="supplier">Creates the processor per task.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="stateStoreNames">Stores to connect.</param>
    /// <returns>The processor's output.</returns>
    IKStream<TKey, TValueOut> ProcessValues<TValueOut>(IFixedKeyProcessorSupplier<TKey, TValue, TValueOut> supplier, Named? named = null, params string[] stateStoreNames);

    /// <summary>Runs a fixed-key processor created by <paramref name="factory"/>.</summary>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="factory">Creates the processor per task.</param>
    /// <param name="stateStoreNames">Stores to connect.</param>
    /// <returns>The processor's output.</returns>
    IKStream<TKey, TValueOut> ProcessValues<TValueOut>(Func<IFixedKeyProcessor<TKey, TValue, TValueOut>> factory, params string[] stateStoreNames);

    /// <summary>
    /// Joins with another stream: each record is joined with every record of the other stream with the same key
    /// whose timestamp is within the join window (an inner join). The result's timestamp is the larger of the two.
    /// </summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream (co-partitioned with this one).</param>
    /// <param name="joiner">Computes the result from this value and the other value.</param>
    /// <param name="windows">How far apart joined records may be, and the grace period.</param>
    /// <param name="streamJoined">Serdes, names and stores of the join.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> Join<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue, TOther, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>Like <see cref="Join{TOther, TValueOut}(IKStream{TKey, TOther}, Func{TValue, TOther, TValueOut}, JoinWindows, StreamJoined{TKey, TValue, TOther})"/>, with the key passed to the joiner.</summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream.</param>
    /// <param name="joiner">Computes the result from the key and both values.</param>
    /// <param name="windows">The join window.</param>
    /// <param name="streamJoined">Serdes, names and stores.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> Join<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue, TOther, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>
    /// Left-joins with another stream: like an inner join, and a record that found no match is emitted once with a
    /// missing other value after its window and the grace period have passed, never before (no spurious results).
    /// </summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream.</param>
    /// <param name="joiner">Computes the result; the other value is null (default) when there is no match.</param>
    /// <param name="windows">The join window.</param>
    /// <param name="streamJoined">Serdes, names and stores.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>Like the left join above, with the key passed to the joiner.</summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream.</param>
    /// <param name="joiner">Computes the result from the key and both values.</param>
    /// <param name="windows">The join window.</param>
    /// <param name="streamJoined">Serdes, names and stores.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>Outer-joins with another stream: unmatched records of either side are emitted once their window has closed.</summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream.</param>
    /// <param name="joiner">Computes the result; either value is null (default) when unmatched.</param>
    /// <param name="windows">The join window.</param>
    /// <param name="streamJoined">Serdes, names and stores.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TValue?, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>Like the outer join above, with the key passed to the joiner.</summary>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other stream.</param>
    /// <param name="joiner">Computes the result from the key and both values.</param>
    /// <param name="windows">The join window.</param>
    /// <param name="streamJoined">Serdes, names and stores.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKStream<TKey, TOther> other, Func<TKey, TValue?, TOther?, TValueOut> joiner, JoinWindows windows,
        StreamJoined<TKey, TValue, TOther>? streamJoined = null);

    /// <summary>Joins each record with the table's current value for its key; records without a table value are dropped.</summary>
    /// <typeparam name="TTableValue">The table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="table">The table (co-partitioned with this stream).</param>
    /// <param name="joiner">Computes the result from the record's value and the table's value.</param>
    /// <param name="joined">Serdes for a repartition and the processor name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> Join<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TValue, TTableValue, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null);

    /// <summary>Like the stream-table join above, with the key passed to the joiner.</summary>
    /// <typeparam name="TTableValue">The table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="table">The table.</param>
    /// <param name="joiner">Computes the result from the key, the record's value and the table's value.</param>
    /// <param name="joined">Serdes and name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> Join<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TKey, TValue, TTableValue, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null);

    /// <summary>Joins each record with the table's current value for its key, or with null (default) when it has none.</summary>
    /// <typeparam name="TTableValue">The table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="table">The table.</param>
    /// <param name="joiner">Computes the result; the table value is null (default) when absent.</param>
    /// <param name="joined">Serdes and name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> LeftJoin<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TValue, TTableValue?, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null);

    /// <summary>Like the stream-table left join above, with the key passed to the joiner.</summary>
    /// <typeparam name="TTableValue">The table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="table">The table.</param>
    /// <param name="joiner">Computes the result from the key and both values.</param>
    /// <param name="joined">Serdes and name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> LeftJoin<TTableValue, TValueOut>(IKTable<TKey, TTableValue> table, Func<TKey, TValue, TTableValue?, TValueOut> joiner,
        Joined<TKey, TValue, TTableValue>? joined = null);

    /// <summary>Joins each record with a global table's value for the key computed by <paramref name="keySelector"/>; no repartitioning needed.</summary>
    /// <typeparam name="TGlobalKey">The global table's key type.</typeparam>
    /// <typeparam name="TGlobalValue">The global table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="globalTable">The global table.</param>
    /// <param name="keySelector">Maps a record to the global table's key.</param>
    /// <param name="joiner">Computes the result.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> Join<TGlobalKey, TGlobalValue, TValueOut>(IGlobalKTable<TGlobalKey, TGlobalValue> globalTable, Func<TKey, TValue, TGlobalKey> keySelector,
        Func<TValue, TGlobalValue, TValueOut> joiner, Named? named = null);

    /// <summary>Left-joins each record with a global table's value for the selected key (null/default when absent).</summary>
    /// <typeparam name="TGlobalKey">The global table's key type.</typeparam>
    /// <typeparam name="TGlobalValue">The global table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="globalTable">The global table.</param>
    /// <param name="keySelector">Maps a record to the global table's key.</param>
    /// <param name="joiner">Computes the result.</param>
    /// <param name="named">The processor name.</param>
    /// <returns>The joined stream.</returns>
    IKStream<TKey, TValueOut> LeftJoin<TGlobalKey, TGlobalValue, TValueOut>(IGlobalKTable<TGlobalKey, TGlobalValue> globalTable, Func<TKey, TValue, TGlobalKey> keySelector,
        Func<TValue, TGlobalValue?, TValueOut> joiner, Named? named = null);
}

/// <summary>The branches of a split stream (Kafka's <c>BranchedKStream</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var branches = stream.Split(Named.As("route-"))
///     .Branch((k, v) =&gt; v.Priority == "high", Branched&lt;string, Order&gt;.As("high"))
///     .DefaultBranch(Branched&lt;string, Order&gt;.As("rest"));
/// branches["route-high"].To("urgent");
/// </code>
/// </example>
public interface IBranchedKStream<TKey, TValue>
{
    /// <summary>Adds a branch for records matching <paramref name="predicate"/> (and no earlier branch).</summary>
    /// <param name="predicate">The test.</param>
    /// <param name="branched">Name and handling of the branch.</param>
    /// <returns>This splitter.</returns>
    IBranchedKStream<TKey, TValue> Branch(Func<TKey, TValue, bool> predicate, Branched<TKey, TValue>? branched = null);

    /// <summary>Adds a branch for every remaining record and returns the branches by name.</summary>
    /// <param name="branched">Name and handling of the branch.</param>
    /// <returns>The branches by name (splitter name + branch name or index).</returns>
    IReadOnlyDictionary<string, IKStream<TKey, TValue>> DefaultBranch(Branched<TKey, TValue>? branched = null);

    /// <summary>Drops records matching no branch and returns the branches by name.</summary>
    /// <returns>The branches by name.</returns>
    IReadOnlyDictionary<string, IKStream<TKey, TValue>> NoDefaultBranch();
}

/// <summary>
/// A changelog stream: the latest value per key (Kafka Streams' <c>KTable</c>). A null value (tombstone) deletes
/// a key. Updates flow downstream with old and new values where operators need them.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>var active = builder.Table&lt;string, User&gt;("users").Filter((id, u) =&gt; u.Active);</code></example>
public interface IKTable<TKey, TValue>
{
    /// <summary>The name of the store that materializes this table, if it is queryable.</summary>
    string? QueryableStoreName { get; }

    /// <summary>Keeps rows that satisfy <paramref name="predicate"/>; rows that stop satisfying it are deleted downstream.</summary>
    /// <param name="predicate">The test.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result when it has a store name.</param>
    /// <returns>The filtered table.</returns>
    IKTable<TKey, TValue> Filter(Func<TKey, TValue, bool> predicate, Named? named = null, Materialized<TKey, TValue>? materialized = null);

    /// <summary>Drops rows that satisfy <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The test.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result when it has a store name.</param>
    /// <returns>The filtered table.</returns>
    IKTable<TKey, TValue> FilterNot(Func<TKey, TValue, bool> predicate, Named? named = null, Materialized<TKey, TValue>? materialized = null);

    /// <summary>Changes values.</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result when it has a store name.</param>
    /// <returns>The mapped table.</returns>
    IKTable<TKey, TValueOut> MapValues<TValueOut>(Func<TValue, TValueOut> mapper, Named? named = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Changes values from key and value.</summary>
    /// <typeparam name="TValueOut">The new value type.</typeparam>
    /// <param name="mapper">The mapping.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result when it has a store name.</param>
    /// <returns>The mapped table.</returns>
    IKTable<TKey, TValueOut> MapValues<TValueOut>(Func<TKey, TValue, TValueOut> mapper, Named? named = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>The table's updates as a stream (a deletion becomes a record with a null value).</summary>
    /// <param name="named">The processor name.</param>
    /// <returns>The stream.</returns>
    IKStream<TKey, TValue> ToStream(Named? named = null);

    /// <summary>
    /// Re-keys the table for aggregation. Each update sends the old row's contribution to be subtracted and the new
    /// row's to be added, through a repartition topic.
    /// </summary>
    /// <typeparam name="TKeyOut">The grouping key type.</typeparam>
    /// <typeparam name="TValueOut">The grouped value type.</typeparam>
    /// <param name="selector">Maps a row to its grouping key and value.</param>
    /// <param name="grouped">Serdes and repartition topic name.</param>
    /// <returns>The grouped table.</returns>
    IKGroupedTable<TKeyOut, TValueOut> GroupBy<TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> selector, Grouped<TKeyOut, TValueOut>? grouped = null);

    /// <summary>Joins with another table on the key: a row exists where both tables have one (Kafka's KTable.join).</summary>
    /// <typeparam name="TOther">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other table (co-partitioned with this one).</param>
    /// <param name="joiner">Computes the result from both values.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result (it is queryable when named).</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> Join<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue, TOther, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Left-joins with another table on the key: a row exists where this table has one.</summary>
    /// <typeparam name="TOther">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other table.</param>
    /// <param name="joiner">Computes the result; the other value is null (default) when absent.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> LeftJoin<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue, TOther?, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Outer-joins with another table on the key: a row exists where either table has one.</summary>
    /// <typeparam name="TOther">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The other table.</param>
    /// <param name="joiner">Computes the result; a missing value is null (default).</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> OuterJoin<TOther, TValueOut>(IKTable<TKey, TOther> other, Func<TValue?, TOther?, TValueOut> joiner, Named? named = null,
        Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>
    /// Foreign-key join (KIP-213): each row of this table joins the row of <paramref name="other"/> whose key is
    /// extracted from this row's value. No co-partitioning is needed: subscriptions travel to the other table's
    /// partitions and results come back through internal topics named as Kafka names them.
    /// </summary>
    /// <typeparam name="TForeignKey">The other table's key type.</typeparam>
    /// <typeparam name="TForeignValue">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The foreign table.</param>
    /// <param name="foreignKeyExtractor">Extracts the foreign key from this table's value (null: no join).</param>
    /// <param name="joiner">Computes the result from this value and the foreign value.</param>
    /// <param name="tableJoined">Name and partitioners.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table, keyed like this table.</returns>
    IKTable<TKey, TValueOut> Join<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Foreign-key join with an extractor that also sees the key (KIP-1104).</summary>
    /// <typeparam name="TForeignKey">The other table's key type.</typeparam>
    /// <typeparam name="TForeignValue">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The foreign table.</param>
    /// <param name="foreignKeyExtractor">Extracts the foreign key from this table's key and value.</param>
    /// <param name="joiner">Computes the result.</param>
    /// <param name="tableJoined">Name and partitioners.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> Join<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TKey, TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Foreign-key left join: every row of this table has a result, with a null (default) foreign value when there is no match.</summary>
    /// <typeparam name="TForeignKey">The other table's key type.</typeparam>
    /// <typeparam name="TForeignValue">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The foreign table.</param>
    /// <param name="foreignKeyExtractor">Extracts the foreign key from this table's value.</param>
    /// <param name="joiner">Computes the result.</param>
    /// <param name="tableJoined">Name and partitioners.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> LeftJoin<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue?, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Foreign-key left join with an extractor that also sees the key.</summary>
    /// <typeparam name="TForeignKey">The other table's key type.</typeparam>
    /// <typeparam name="TForeignValue">The other table's value type.</typeparam>
    /// <typeparam name="TValueOut">The result type.</typeparam>
    /// <param name="other">The foreign table.</param>
    /// <param name="foreignKeyExtractor">Extracts the foreign key from this table's key and value.</param>
    /// <param name="joiner">Computes the result.</param>
    /// <param name="tableJoined">Name and partitioners.</param>
    /// <param name="materialized">Materializes the result.</param>
    /// <returns>The joined table.</returns>
    IKTable<TKey, TValueOut> LeftJoin<TForeignKey, TForeignValue, TValueOut>(IKTable<TForeignKey, TForeignValue> other, Func<TKey, TValue, TForeignKey> foreignKeyExtractor,
        Func<TValue, TForeignValue?, TValueOut> joiner, TableJoined<TKey, TForeignKey>? tableJoined = null, Materialized<TKey, TValueOut>? materialized = null);

    /// <summary>Holds back updates: until windows close (final results) or for a time limit per key (rate limiting).</summary>
    /// <param name="suppressed">How to suppress.</param>
    /// <returns>The suppressed table.</returns>
    IKTable<TKey, TValue> Suppress(Suppressed<TKey> suppressed);
}

/// <summary>A stream grouped by key, ready to aggregate (Kafka's <c>KGroupedStream</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>IKTable&lt;string, long&gt; counts = stream.GroupByKey().Count();</code></example>
public interface IKGroupedStream<TKey, TValue>
{
    /// <summary>Counts records per key (records with a null key or value are dropped).</summary>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the counts are stored.</param>
    /// <returns>The counts.</returns>
    IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null);

    /// <summary>Combines values per key; the first value is the initial aggregate.</summary>
    /// <param name="reducer">Combines the aggregate with a new value.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the aggregate is stored.</param>
    /// <returns>The aggregate.</returns>
    IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> reducer, Materialized<TKey, TValue>? materialized = null, Named? named = null);

    /// <summary>Aggregates values per key from an initial value.</summary>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="initializer">The initial aggregate.</param>
    /// <param name="aggregator">Adds a value to the aggregate.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the aggregate is stored.</param>
    /// <returns>The aggregate.</returns>
    IKTable<TKey, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator, Materialized<TKey, TAgg>? materialized = null, Named? named = null);

    /// <summary>Starts a co-grouped aggregation: several grouped streams feeding one aggregate.</summary>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="aggregator">Adds this stream's value to the aggregate.</param>
    /// <returns>The co-grouped stream.</returns>
    ICogroupedKStream<TKey, TAgg> Cogroup<TAgg>(Func<TKey, TValue, TAgg, TAgg> aggregator);

    /// <summary>Windows the aggregation by fixed windows: tumbling or hopping <see cref="TimeWindows"/>, or <see cref="UnlimitedWindows"/>.</summary>
    /// <typeparam name="TWindow">The window type.</typeparam>
    /// <param name="windows">The windows.</param>
    /// <returns>The windowed stream.</returns>
    ITimeWindowedKStream<TKey, TValue> WindowedBy<TWindow>(Windows<TWindow> windows)
        where TWindow : Window;

    /// <summary>Windows the aggregation by sliding windows.</summary>
    /// <param name="windows">The windows.</param>
    /// <returns>The windowed stream.</returns>
    ITimeWindowedKStream<TKey, TValue> WindowedBy(SlidingWindows windows);

    /// <summary>Windows the aggregation by sessions.</summary>
    /// <param name="windows">The session windows.</param>
    /// <returns>The session-windowed stream.</returns>
    ISessionWindowedKStream<TKey, TValue> WindowedBy(SessionWindows windows);
}

/// <summary>Several grouped streams aggregated into one table (Kafka's <c>CogroupedKStream</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TAgg">The aggregate type.</typeparam>
/// <example>
/// <code>
/// var totals = clicks.GroupByKey().Cogroup&lt;long&gt;((k, v, agg) =&gt; agg + 1)
///     .Cogroup(purchases.GroupByKey(), (k, v, agg) =&gt; agg + 10)
///     .Aggregate(() =&gt; 0L);
/// </code>
/// </example>
public interface ICogroupedKStream<TKey, TAgg>
{
    /// <summary>Adds another grouped stream with its aggregator.</summary>
    /// <typeparam name="TValue">That stream's value type.</typeparam>
    /// <param name="groupedStream">The grouped stream.</param>
    /// <param name="aggregator">Adds its value to the aggregate.</param>
    /// <returns>This co-grouped stream.</returns>
    ICogroupedKStream<TKey, TAgg> Cogroup<TValue>(IKGroupedStream<TKey, TValue> groupedStream, Func<TKey, TValue, TAgg, TAgg> aggregator);

    /// <summary>Aggregates all co-grouped streams.</summary>
    /// <param name="initializer">The initial aggregate.</param>
    /// <param name="named">The processor name prefix.</param>
    /// <param name="materialized">How the aggregate is stored.</param>
    /// <returns>The aggregate.</returns>
    IKTable<TKey, TAgg> Aggregate(Func<TAgg> initializer, Materialized<TKey, TAgg>? materialized = null, Named? named = null);

    /// <summary>Windows the co-grouped aggregation by fixed windows.</summary>
    /// <typeparam name="TWindow">The window type.</typeparam>
    /// <param name="windows">The windows.</param>
    /// <returns>The windowed co-grouped stream.</returns>
    ITimeWindowedCogroupedKStream<TKey, TAgg> WindowedBy<TWindow>(Windows<TWindow> windows)
        where TWindow : Window;

    /// <summary>Windows the co-grouped aggregation by sliding windows.</summary>
    /// <param name="windows">The windows.</param>
    /// <returns>The windowed co-grouped stream.</returns>
    ITimeWindowedCogroupedKStream<TKey, TAgg> WindowedBy(SlidingWindows windows);

    /// <summary>Windows the co-grouped aggregation by sessions.</summary>
    /// <param name="windows">The session windows.</param>
    /// <returns>The session-windowed co-grouped stream.</returns>
    ISessionWindowedCogroupedKStream<TKey, TAgg> WindowedBy(SessionWindows windows);
}

/// <summary>A re-keyed table, ready to aggregate with adders and subtractors (Kafka's <c>KGroupedTable</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>var usersPerRegion = users.GroupBy((id, u) =&gt; KeyValue.Pair(u.Region, u)).Count();</code></example>
public interface IKGroupedTable<TKey, TValue>
{
    /// <summary>Counts rows per key (a row leaving a group decrements it).</summary>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the counts are stored.</param>
    /// <returns>The counts.</returns>
    IKTable<TKey, long> Count(Materialized<TKey, long>? materialized = null, Named? named = null);

    /// <summary>Combines values per key: <paramref name="adder"/> for new rows, <paramref name="subtractor"/> for replaced or deleted ones.</summary>
    /// <param name="adder">Adds a value.</param>
    /// <param name="subtractor">Removes a value.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the aggregate is stored.</param>
    /// <returns>The aggregate.</returns>
    IKTable<TKey, TValue> Reduce(Func<TValue, TValue, TValue> adder, Func<TValue, TValue, TValue> subtractor, Materialized<TKey, TValue>? materialized = null, Named? named = null);

    /// <summary>Aggregates values per key with an adder and a subtractor.</summary>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="initializer">The initial aggregate.</param>
    /// <param name="adder">Adds a value.</param>
    /// <param name="subtractor">Removes a value.</param>
    /// <param name="named">The processor name.</param>
    /// <param name="materialized">How the aggregate is stored.</param>
    /// <returns>The aggregate.</returns>
    IKTable<TKey, TAgg> Aggregate<TAgg>(Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> adder, Func<TKey, TValue, TAgg, TAgg> subtractor,
        Materialized<TKey, TAgg>? materialized = null, Named? named = null);
}

/// <summary>
/// A table fully replicated to every instance from all partitions of its topic; read-only, used for lookups
/// (Kafka's <c>GlobalKTable</c>).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>var countries = builder.GlobalTable&lt;string, Country&gt;("countries", Materialized&lt;string, Country&gt;.As("countries-store"));</code></example>
public interface IGlobalKTable<TKey, TValue>
{
    /// <summary>The store that holds it.</summary>
    string QueryableStoreName { get; }
}
