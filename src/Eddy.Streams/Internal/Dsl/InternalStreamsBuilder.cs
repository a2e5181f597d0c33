using System.Globalization;
using System.Text.RegularExpressions;
using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>Serdes that must see the configuration before use (wrappers whose inner serde may be a default).</summary>
internal interface IConfigurableSerde
{
    void Configure(StreamsConfig config, bool isKey);
}

/// <summary>ChangeSerde whose inner serde is resolved from the configuration when the topology is built.</summary>
internal sealed class LazyChangeSerde<TValue>(ISerde<TValue>? inner) : Serde<Change<TValue>>, IConfigurableSerde
{
    private ChangeSerde<TValue>? _serde = inner is null ? null : new ChangeSerde<TValue>(inner);

    public void Configure(StreamsConfig config, bool isKey)
        => _serde ??= new ChangeSerde<TValue>(SerdeResolver.Resolve<TValue>(null, config, isKey, "repartition topic"));

    private ChangeSerde<TValue> Serde => _serde ?? throw new InvalidOperationException("The change serde was not configured.");

    public override byte[]? Serialize(Change<TValue> data, SerializationContext context) => Serde.Serialize(data, context);

    public override Change<TValue> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => Serde.Deserialize(data, isNull, context);
}

/// <summary>
/// Turns DSL calls into topology nodes. Names are generated exactly as Kafka Streams does (one shared counter for
/// processors and stores, formatted with ten digits); nodes are written to the topology in creation order when
/// the topology is built, so choices made later (materializing a table source) take effect.
/// </summary>
internal sealed partial class InternalStreamsBuilder
{
    private readonly List<Action<InternalTopologyBuilder>> _pending = [];
    private int _index;

    public InternalTopologyBuilder Topology { get; } = new();

    public string NewProcessorName(string prefix) => prefix + (_index++).ToString("D10", CultureInfo.InvariantCulture);

    public string NewStoreName(string prefix) => prefix + "STATE-STORE-" + (_index++).ToString("D10", CultureInfo.InvariantCulture);

    public void Add(Action<InternalTopologyBuilder> write) => _pending.Add(write);

    public void Build()
    {
        foreach (var write in _pending)
        {
            write(Topology);
        }
        _pending.Clear();
        Topology.ValidateCopartitioning();
    }

    public void AddProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>(string name, string[] parents, Func<IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>> supplier)
        => Add(t => t.AddProcessor(new ProcessorNodeFactory<TKeyIn, TValueIn, TKeyOut, TValueOut>(name, parents, supplier)));

    [GeneratedRegex("^KSTREAM.*-[0-9]{10}$")]
    private static partial Regex GeneratedName();

    /// <summary>
    /// Adds filter, sink and source for a repartition topic (Kafka's createRepartitionedSource). Three names are
    /// always generated to keep the counter compatible; they are used only for generated topic prefixes.
    /// </summary>
    public string CreateRepartitionedSource<TKey, TValue>(string parent, string topicPrefix, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde,
        IStreamPartitioner<TKey, TValue>? partitioner, int? partitions)
    {
        var topic = topicPrefix.EndsWith("-repartition", StringComparison.Ordinal) ? topicPrefix : topicPrefix + "-repartition";
        var genSink = NewProcessorName("KSTREAM-SINK-");
        var genFilter = NewProcessorName("KSTREAM-FILTER-");
        var genSource = NewProcessorName("KSTREAM-SOURCE-");
        string sink, filter, source;
        if (GeneratedName().IsMatch(topicPrefix))
        {
            (sink, filter, source) = (genSink, genFilter, genSource);
        }
        else
        {
            (sink, filter, source) = (topic + "-sink", topic + "-filter", topic + "-source");
        }
        Add(t =>
        {
            t.AddInternalTopic(topic, partitions);
            t.AddProcessor(new ProcessorNodeFactory<TKey, TValue, TKey, TValue>(filter, [parent], static () => new KStreamFilter<TKey, TValue>(static (_, _) => true, false)));
            t.AddSink(new SinkNodeFactory<TKey, TValue>(sink, [filter], topic, null, keySerde, valueSerde, partitioner));
            t.AddSource(new SourceNodeFactory<TKey, TValue>(source, [topic], null, null, keySerde, valueSerde, new FailOnInvalidTimestamp()));
        });
        return source;
    }

    public static StoreBuilder<ITimestampedKeyValueStore<TKey, TValue>> TimestampedStore<TKey, TValue>(string storeName, Materialized<TKey, TValue>? materialized,
        ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    {
        var supplier = materialized?.StoreSupplier ?? Stores.InMemoryKeyValueStore(storeName);
        var b = Stores.TimestampedKeyValueStoreBuilder(supplier, materialized?.KeySerde ?? keySerde, materialized?.ValueSerde ?? valueSerde);
        if (materialized?.CachingEnabled ?? true)
        {
            b.WithCachingEnabled();
        }
        else
        {
            b.WithCachingDisabled();
        }
        if (materialized?.LoggingEnabled ?? true)
        {
            b.WithLoggingEnabled(materialized?.TopicConfig);
        }
        else
        {
            b.WithLoggingDisabled();
        }
        return b;
    }
}
