using System.Text.RegularExpressions;
using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Dsl;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.State;

namespace Eddy.Streams;

/// <summary>
/// The entry point of the DSL: create streams and tables from topics, chain operators, then <see cref="Build()"/> the
/// <see cref="Topology"/>. Kafka Streams' <c>StreamsBuilder</c>; processor, store and internal topic names are
/// generated exactly as Kafka Streams generates them.
/// </summary>
/// <example>
/// <code>
/// var builder = new StreamsBuilder();
/// builder.Stream&lt;string, string&gt;("lines")
///     .FlatMapValues(line =&gt; line.ToLowerInvariant().Split(' '))
///     .GroupBy((_, word) =&gt; word)
///     .Count(Materialized&lt;string, long&gt;.As("counts-store"))
///     .ToStream()
///     .To("word-counts", Produced.With(Serdes.String(), Serdes.Int64()));
/// Topology topology = builder.Build();
/// </code>
/// </example>
public sealed class StreamsBuilder
{
    private readonly InternalStreamsBuilder _internal = new();
    private Topology? _topology;

    /// <summary>A stream of the records of <paramref name="topic"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="consumed">Serdes, timestamp extractor, offset reset and name.</param>
    /// <returns>The stream.</returns>
    public IKStream<TKey, TValue> Stream<TKey, TValue>(string topic, Consumed<TKey, TValue>? consumed = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return Stream([topic], consumed);
    }

    /// <summary>A stream of the records of several topics.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topics">The topics.</param>
    /// <param name="consumed">Serdes, timestamp extractor, offset reset and name.</param>
    /// <returns>The stream.</returns>
    public IKStream<TKey, TValue> Stream<TKey, TValue>(IReadOnlyCollection<string> topics, Consumed<TKey, TValue>? consumed = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var name = consumed?.ProcessorName ?? _internal.NewProcessorName("KSTREAM-SOURCE-");
        var array = topics.ToArray();
        _internal.Add(t => t.AddSource(new SourceNodeFactory<TKey, TValue>(name, array, null, consumed?.OffsetReset, consumed?.KeySerde, consumed?.ValueSerde, consumed?.TimestampExtractor)));
        return new KStreamImpl<TKey, TValue>(_internal, name, consumed?.KeySerde, consumed?.ValueSerde, false, [name]);
    }

    /// <summary>A stream of every topic matching <paramref name="pattern"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="pattern">The topic pattern.</param>
    /// <param name="consumed">Serdes, timestamp extractor, offset reset and name.</param>
    /// <returns>The stream.</returns>
    public IKStream<TKey, TValue> Stream<TKey, TValue>(Regex pattern, Consumed<TKey, TValue>? consumed = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var name = consumed?.ProcessorName ?? _internal.NewProcessorName("KSTREAM-SOURCE-");
        _internal.Add(t => t.AddSource(new SourceNodeFactory<TKey, TValue>(name, null, pattern, consumed?.OffsetReset, consumed?.KeySerde, consumed?.ValueSerde, consumed?.TimestampExtractor)));
        return new KStreamImpl<TKey, TValue>(_internal, name, consumed?.KeySerde, consumed?.ValueSerde, false, [name]);
    }

    /// <summary>
    /// A table of the latest value per key of <paramref name="topic"/> (a null value deletes). It is stored only when
    /// named in <paramref name="materialized"/> or when a downstream operator needs it.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="consumed">Serdes, timestamp extractor, offset reset and name.</param>
    /// <param name="materialized">How the table is stored.</param>
    /// <returns>The table.</returns>
    public IKTable<TKey, TValue> Table<TKey, TValue>(string topic, Consumed<TKey, TValue>? consumed = null, Materialized<TKey, TValue>? materialized = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var storeName = materialized?.StoreName ?? _internal.NewStoreName(topic + "-");
        var sourceName = consumed?.ProcessorName ?? _internal.NewProcessorName("KSTREAM-SOURCE-");
        var tableName = consumed?.ProcessorName is { } cn ? cn + "-table-source" : _internal.NewProcessorName("KTABLE-SOURCE-");
        var ks = materialized?.KeySerde ?? consumed?.KeySerde;
        var vs = materialized?.ValueSerde ?? consumed?.ValueSerde;
        var settings = new TableProcessorSettings { Kind = TableKind.Source, StoreName = storeName, QueryableName = materialized?.StoreName };
        _internal.Add(t =>
        {
            t.AddSource(new SourceNodeFactory<TKey, TValue>(sourceName, [topic], null, consumed?.OffsetReset, consumed?.KeySerde, consumed?.ValueSerde, consumed?.TimestampExtractor));
            t.AddProcessor(new ProcessorNodeFactory<TKey, TValue, TKey, Change<TValue>>(tableName, [sourceName], () => new KTableSource<TKey, TValue>(settings)));
            if (settings.QueryableName is not null)
            {
                t.AddStateStore(InternalStreamsBuilder.TimestampedStore(settings.QueryableName, materialized, ks, vs), false, tableName);
            }
        });
        return new KTableImpl<TKey, TValue>(_internal, tableName, ks, vs, settings, materialized?.StoreName, [sourceName], KTableImpl<TKey, TValue>.SourceGetter(settings));
    }

    /// <summary>
    /// A global table: every instance keeps all of <paramref name="topic"/> in a read-only store, for lookups from
    /// any processor (Processor API: <c>GetStateStore</c> with its store name).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="consumed">Serdes and timestamp extractor.</param>
    /// <param name="materialized">The store (logging is always off: the topic is the changelog).</param>
    /// <returns>The global table.</returns>
    public IGlobalKTable<TKey, TValue> GlobalTable<TKey, TValue>(string topic, Consumed<TKey, TValue>? consumed = null, Materialized<TKey, TValue>? materialized = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var storeName = materialized?.StoreName ?? _internal.NewStoreName(topic + "-");
        var sourceName = _internal.NewProcessorName("KSTREAM-SOURCE-");
        var processorName = _internal.NewProcessorName("KTABLE-SOURCE-");
        var ks = materialized?.KeySerde ?? consumed?.KeySerde;
        var vs = materialized?.ValueSerde ?? consumed?.ValueSerde;
        var settings = new TableProcessorSettings { Kind = TableKind.Source, StoreName = storeName, QueryableName = storeName };
        _internal.Add(t =>
        {
            var store = InternalStreamsBuilder.TimestampedStore(storeName, materialized, ks, vs).WithLoggingDisabled();
            t.AddGlobalStore(store,
                new SourceNodeFactory<TKey, TValue>(sourceName, [topic], null, AutoOffsetReset.Earliest, consumed?.KeySerde, consumed?.ValueSerde, consumed?.TimestampExtractor),
                new ProcessorNodeFactory<TKey, TValue, TKey, Change<TValue>>(processorName, [sourceName], () => new KTableSource<TKey, TValue>(settings)));
        });
        return new GlobalKTableImpl<TKey, TValue>(storeName, ks, vs);
    }

    /// <summary>Adds a store for processors given to <c>Process</c> or <c>ProcessValues</c> by name.</summary>
    /// <param name="storeBuilder">The store builder.</param>
    /// <returns>This builder.</returns>
    public StreamsBuilder AddStateStore(IStoreBuilder storeBuilder)
    {
        ArgumentNullException.ThrowIfNull(storeBuilder);
        _internal.Add(t => t.AddStateStore(storeBuilder, false));
        return this;
    }

    /// <summary>Adds a global store updated by a processor from <paramref name="topic"/> (see <see cref="Topology.AddGlobalStore{TKey, TValue}"/>).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="storeBuilder">The store builder (logging disabled).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="consumed">Serdes and timestamp extractor.</param>
    /// <param name="stateUpdateSupplier">Creates the processor that writes the store.</param>
    /// <returns>This builder.</returns>
    public StreamsBuilder AddGlobalStore<TKey, TValue>(IStoreBuilder storeBuilder, string topic, Consumed<TKey, TValue>? consumed,
        Func<IProcessor<TKey, TValue, object?, object?>> stateUpdateSupplier)
    {
        ArgumentNullException.ThrowIfNull(storeBuilder);
        ArgumentNullException.ThrowIfNull(stateUpdateSupplier);
        var sourceName = _internal.NewProcessorName("KSTREAM-SOURCE-");
        var processorName = _internal.NewProcessorName("KTABLE-SOURCE-");
        _internal.Add(t => t.AddGlobalStore(storeBuilder,
            new SourceNodeFactory<TKey, TValue>(sourceName, [topic], null, AutoOffsetReset.Earliest, consumed?.KeySerde, consumed?.ValueSerde, consumed?.TimestampExtractor),
            new ProcessorNodeFactory<TKey, TValue, object?, object?>(processorName, [sourceName], stateUpdateSupplier)));
        return this;
    }

    /// <summary>Builds the topology of everything declared so far (calling it again adds what was declared since).</summary>
    /// <returns>The topology.</returns>
    public Topology Build()
    {
        _internal.Build();
        return _topology ??= new Topology(_internal.Topology);
    }

    /// <summary>Builds the topology, checking settings that change its shape (only topology.optimization=none is supported).</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The topology.</returns>
    public Topology Build(StreamsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TopologyOptimization is not ("none" or ""))
        {
            throw new Errors.StreamsException($"topology.optimization={config.TopologyOptimization} is not supported yet; use none.");
        }
        return Build();
    }
}
