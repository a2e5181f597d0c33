using System.Text.RegularExpressions;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams;

/// <summary>
/// A processing graph of sources, processors and sinks, with state stores: the Processor API, and what
/// <see cref="StreamsBuilder.Build()"/> returns. Kafka Streams' <c>Topology</c>.
/// </summary>
/// <example>
/// <code>
/// var topology = new Topology()
///     .AddSource&lt;string, string&gt;("in", ["lines"])
///     .AddProcessor("upper", () =&gt; new UpperProcessor(), "in")
///     .AddSink&lt;string, string&gt;("out", "upper-lines", "upper");
/// Console.WriteLine(topology.Describe());
/// </code>
/// </example>
public sealed class Topology
{
    internal Topology(InternalTopologyBuilder builder) => Builder = builder;

    /// <summary>Creates an empty topology.</summary>
    public Topology() : this(new InternalTopologyBuilder()) { }

    internal InternalTopologyBuilder Builder { get; }

    /// <summary>Adds a source that reads <paramref name="topics"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="topics">The topics.</param>
    /// <param name="keyDeserializer">The key deserializer; null for default.key.serde.</param>
    /// <param name="valueDeserializer">The value deserializer; null for default.value.serde.</param>
    /// <param name="timestampExtractor">The timestamp extractor; null for default.timestamp.extractor.</param>
    /// <param name="offsetReset">Where to start without a committed offset; null for the consumer's auto.offset.reset.</param>
    /// <returns>This topology.</returns>
    public Topology AddSource<TKey, TValue>(string name, string[] topics, IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null, ITimestampExtractor? timestampExtractor = null, AutoOffsetReset? offsetReset = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        Builder.AddSource(new SourceNodeFactory<TKey, TValue>(name, topics, null, offsetReset, keyDeserializer, valueDeserializer, timestampExtractor));
        return this;
    }

    /// <summary>Adds a source that reads every topic matching <paramref name="pattern"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="pattern">The topic pattern.</param>
    /// <param name="keyDeserializer">The key deserializer; null for the default.</param>
    /// <param name="valueDeserializer">The value deserializer; null for the default.</param>
    /// <param name="timestampExtractor">The timestamp extractor; null for the default.</param>
    /// <param name="offsetReset">Where to start without a committed offset.</param>
    /// <returns>This topology.</returns>
    public Topology AddSource<TKey, TValue>(string name, Regex pattern, IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null, ITimestampExtractor? timestampExtractor = null, AutoOffsetReset? offsetReset = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Builder.AddSource(new SourceNodeFactory<TKey, TValue>(name, null, pattern, offsetReset, keyDeserializer, valueDeserializer, timestampExtractor));
        return this;
    }

    /// <summary>Adds a processor fed by <paramref name="parentNames"/>.</summary>
    /// <typeparam name="TKeyIn">The input key type.</typeparam>
    /// <typeparam name="TValueIn">The input value type.</typeparam>
    /// <typeparam name="TKeyOut">The output key type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="supplier">Creates a new processor per task.</param>
    /// <param name="parentNames">Sources or processors that feed it.</param>
    /// <returns>This topology.</returns>
    public Topology AddProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>(string name,
        Func<IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>> supplier, params string[] parentNames)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        Builder.AddProcessor(new ProcessorNodeFactory<TKeyIn, TValueIn, TKeyOut, TValueOut>(name, parentNames, supplier));
        return this;
    }

    /// <summary>Adds a processor from a supplier; the stores it names are added and connected.</summary>
    /// <typeparam name="TKeyIn">The input key type.</typeparam>
    /// <typeparam name="TValueIn">The input value type.</typeparam>
    /// <typeparam name="TKeyOut">The output key type.</typeparam>
    /// <typeparam name="TValueOut">The output value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="supplier">The supplier.</param>
    /// <param name="parentNames">Sources or processors that feed it.</param>
    /// <returns>This topology.</returns>
    public Topology AddProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>(string name,
        IProcessorSupplier<TKeyIn, TValueIn, TKeyOut, TValueOut> supplier, params string[] parentNames)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        AddProcessor(name, supplier.Get, parentNames);
        if (supplier.Stores is { } stores)
        {
            foreach (var s in stores)
            {
                Builder.AddStateStore(s, false, name);
            }
        }
        return this;
    }

    /// <summary>Adds a sink that writes to <paramref name="topic"/> with the default serdes.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="parentNames">The processors that feed it.</param>
    /// <returns>This topology.</returns>
    public Topology AddSink<TKey, TValue>(string name, string topic, params string[] parentNames)
        => AddSink<TKey, TValue>(name, topic, parentNames, null, null, null);

    /// <summary>Adds a sink that writes to <paramref name="topic"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="parentNames">The processors that feed it.</param>
    /// <param name="keySerializer">The key serializer; null for the default.</param>
    /// <param name="valueSerializer">The value serializer; null for the default.</param>
    /// <param name="partitioner">Chooses partitions; null for the default partitioner.</param>
    /// <returns>This topology.</returns>
    public Topology AddSink<TKey, TValue>(string name, string topic, string[] parentNames, ISerializer<TKey>? keySerializer,
        ISerializer<TValue>? valueSerializer = null, IStreamPartitioner<TKey, TValue>? partitioner = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Builder.AddSink(new SinkNodeFactory<TKey, TValue>(name, parentNames, topic, null, keySerializer, valueSerializer, partitioner));
        return this;
    }

    /// <summary>Adds a sink whose topic is chosen per record.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The unique node name.</param>
    /// <param name="topicNameExtractor">Chooses the topic.</param>
    /// <param name="parentNames">The processors that feed it.</param>
    /// <param name="keySerializer">The key serializer; null for the default.</param>
    /// <param name="valueSerializer">The value serializer; null for the default.</param>
    /// <param name="partitioner">Chooses partitions; null for the default partitioner.</param>
    /// <returns>This topology.</returns>
    public Topology AddSink<TKey, TValue>(string name, ITopicNameExtractor<TKey, TValue> topicNameExtractor, string[] parentNames,
        ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null, IStreamPartitioner<TKey, TValue>? partitioner = null)
    {
        ArgumentNullException.ThrowIfNull(topicNameExtractor);
        Builder.AddSink(new SinkNodeFactory<TKey, TValue>(name, parentNames, null, topicNameExtractor, keySerializer, valueSerializer, partitioner));
        return this;
    }

    /// <summary>Adds a state store and connects it to <paramref name="processorNames"/>.</summary>
    /// <param name="storeBuilder">The store builder.</param>
    /// <param name="processorNames">Processors that may use it.</param>
    /// <returns>This topology.</returns>
    public Topology AddStateStore(IStoreBuilder storeBuilder, params string[] processorNames)
    {
        Builder.AddStateStore(storeBuilder, false, processorNames);
        return this;
    }

    /// <summary>
    /// Adds a global store: every instance reads all partitions of <paramref name="topic"/> into its own copy, updated
    /// only by <paramref name="stateUpdateSupplier"/>; every processor may read it. Logging must be off (the topic is the changelog).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="storeBuilder">The store builder (logging disabled).</param>
    /// <param name="sourceName">The source node name.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="processorName">The updating processor's name.</param>
    /// <param name="stateUpdateSupplier">Creates the updating processor, which writes the store.</param>
    /// <param name="keyDeserializer">The key deserializer; null for the default.</param>
    /// <param name="valueDeserializer">The value deserializer; null for the default.</param>
    /// <param name="timestampExtractor">The timestamp extractor; null for the default.</param>
    /// <returns>This topology.</returns>
    public Topology AddGlobalStore<TKey, TValue>(IStoreBuilder storeBuilder, string sourceName, string topic, string processorName,
        Func<IProcessor<TKey, TValue, object?, object?>> stateUpdateSupplier, IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null, ITimestampExtractor? timestampExtractor = null)
    {
        ArgumentNullException.ThrowIfNull(storeBuilder);
        ArgumentNullException.ThrowIfNull(stateUpdateSupplier);
        Builder.AddGlobalStore(storeBuilder,
            new SourceNodeFactory<TKey, TValue>(sourceName, [topic], null, AutoOffsetReset.Earliest, keyDeserializer, valueDeserializer, timestampExtractor),
            new ProcessorNodeFactory<TKey, TValue, object?, object?>(processorName, [sourceName], stateUpdateSupplier));
        return this;
    }

    /// <summary>Connects existing stores to a processor.</summary>
    /// <param name="processorName">The processor.</param>
    /// <param name="stateStoreNames">The stores.</param>
    /// <returns>This topology.</returns>
    public Topology ConnectProcessorAndStateStores(string processorName, params string[] stateStoreNames)
    {
        if (stateStoreNames.Length == 0)
        {
            throw new Errors.TopologyException("Must provide at least one state store name.");
        }
        foreach (var s in stateStoreNames)
        {
            Builder.ConnectProcessorAndStateStore(processorName, s);
        }
        return this;
    }

    /// <summary>Describes the topology; its <c>ToString()</c> is Kafka Streams' exact text format.</summary>
    /// <returns>The description.</returns>
    public TopologyDescription Describe() => Builder.Describe();

    /// <inheritdoc/>
    public override string ToString() => Describe().ToString();

    /// <summary>The topics the application reads, internal ones prefixed with <paramref name="applicationId"/>.</summary>
    /// <param name="applicationId">The application id.</param>
    /// <returns>Topic names.</returns>
    public IReadOnlyList<string> SourceTopics(string applicationId)
    {
        Builder.ApplicationId = applicationId;
        var list = new List<string>();
        foreach (var (_, nodes) in Builder.Subtopologies())
        {
            list.AddRange(Builder.SourceTopicsOf(nodes));
        }
        return list;
    }

    /// <summary>Internal (repartition and changelog) topic names for <paramref name="applicationId"/>.</summary>
    /// <param name="applicationId">The application id.</param>
    /// <returns>Topic names.</returns>
    public IReadOnlyList<string> InternalTopics(string applicationId)
    {
        var list = new List<string>();
        foreach (var t in Builder.InternalTopics)
        {
            list.Add(applicationId + "-" + t);
        }
        foreach (var s in Builder.AllStoreBuilders())
        {
            if (s.LoggingEnabled)
            {
                list.Add(applicationId + "-" + s.Name + "-changelog");
            }
        }
        return list;
    }

    internal ProcessorTopology BuildTask(StreamsConfig config, ISet<string>? nodes) => Builder.Build(config, nodes);
}
