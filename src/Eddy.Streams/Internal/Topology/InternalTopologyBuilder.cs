using System.Text.RegularExpressions;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Topology;

/// <summary>A node as declared: name, predecessors, and how to build its runtime node for a task.</summary>
internal abstract class NodeFactory(string name, string[] predecessors)
{
    public string Name { get; } = name;

    public string[] Predecessors { get; } = predecessors;

    public abstract TopologyNodeKind Kind { get; }

    public abstract ProcessorNode Build(StreamsConfig config, Func<string, string> decorate, ISet<string> internalTopics);
}

internal abstract class SourceNodeFactory(string name, string[]? topics, Regex? pattern, AutoOffsetReset? reset) : NodeFactory(name, [])
{
    public IReadOnlyList<string> Topics { get; } = topics ?? [];

    public Regex? Pattern { get; } = pattern;

    public AutoOffsetReset? OffsetReset { get; } = reset;

    public override TopologyNodeKind Kind => TopologyNodeKind.Source;
}

internal sealed class SourceNodeFactory<TKey, TValue>(string name, string[]? topics, Regex? pattern, AutoOffsetReset? reset,
    IDeserializer<TKey>? keyDeserializer, IDeserializer<TValue>? valueDeserializer, ITimestampExtractor? extractor)
    : SourceNodeFactory(name, topics, pattern, reset)
{
    public override ProcessorNode Build(StreamsConfig config, Func<string, string> decorate, ISet<string> internalTopics)
    {
        (keyDeserializer as Dsl.IConfigurableSerde)?.Configure(config, true);
        (valueDeserializer as Dsl.IConfigurableSerde)?.Configure(config, false);
        return new SourceNode<TKey, TValue>(Name,
            keyDeserializer ?? SerdeResolver.Resolve<TKey>(null, config, true, "source " + Name),
            valueDeserializer ?? SerdeResolver.Resolve<TValue>(null, config, false, "source " + Name),
            extractor ?? config.DefaultTimestampExtractor);
    }
}

internal abstract class ProcessorNodeFactory(string name, string[] predecessors) : NodeFactory(name, predecessors)
{
    /// <summary>Connected store names in connection order (a Java HashSet in Kafka; order matters only for Describe).</summary>
    public List<string> StoreNames { get; } = [];

    public override TopologyNodeKind Kind => TopologyNodeKind.Processor;

    public void AddStore(string name)
    {
        if (!StoreNames.Contains(name))
        {
            StoreNames.Add(name);
        }
    }
}

internal sealed class ProcessorNodeFactory<TKeyIn, TValueIn, TKeyOut, TValueOut>(string name, string[] predecessors,
    Func<IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut>> supplier) : ProcessorNodeFactory(name, predecessors)
{
    public override ProcessorNode Build(StreamsConfig config, Func<string, string> decorate, ISet<string> internalTopics)
    {
        var processor = supplier() ?? throw new StreamsException($"The processor supplier of {Name} returned null.");
        return new ProcessorNodeImpl<TKeyIn, TValueIn, TKeyOut, TValueOut>(Name, processor, StoreNames);
    }
}

internal abstract class SinkNodeFactory(string name, string[] predecessors, string? topic, string? extractorDescription) : NodeFactory(name, predecessors)
{
    public string? Topic { get; } = topic;

    public string? ExtractorDescription { get; } = extractorDescription;

    public override TopologyNodeKind Kind => TopologyNodeKind.Sink;
}

internal sealed class SinkNodeFactory<TKey, TValue>(string name, string[] predecessors, string? topic, ITopicNameExtractor<TKey, TValue>? extractor,
    ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer, IStreamPartitioner<TKey, TValue>? partitioner)
    : SinkNodeFactory(name, predecessors, topic, extractor?.ToString())
{
    public override ProcessorNode Build(StreamsConfig config, Func<string, string> decorate, ISet<string> internalTopics)
    {
        var t = Topic is not null && internalTopics.Contains(Topic) ? decorate(Topic) : Topic;
        (keySerializer as Dsl.IConfigurableSerde)?.Configure(config, true);
        (valueSerializer as Dsl.IConfigurableSerde)?.Configure(config, false);
        return new SinkNode<TKey, TValue>(Name, t, extractor,
            keySerializer ?? SerdeResolver.Resolve<TKey>(null, config, true, "sink " + Name),
            valueSerializer ?? SerdeResolver.Resolve<TValue>(null, config, false, "sink " + Name),
            partitioner);
    }
}

/// <summary>The topics of one sub-topology (see InternalTopologyBuilder.TopicGroups).</summary>
internal sealed record TopicsInfo(int SubtopologyId, IReadOnlyList<string> SourceTopics, IReadOnlyList<Regex> SourcePatterns,
    IReadOnlyDictionary<string, int?> RepartitionSourceTopics, IReadOnlyList<string> SinkTopics, IReadOnlyList<string> StateChangelogTopics);

/// <summary>Union-find over node names: sub-topologies are the connected components (Kafka's QuickUnion).</summary>
internal sealed class QuickUnion
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    public void Add(string id) => _ids[id] = id;

    public string Root(string id)
    {
        var current = id;
        var parent = _ids[current];
        while (parent != current)
        {
            var grandparent = _ids[parent];
            _ids[current] = grandparent;
            current = parent;
            parent = grandparent;
        }
        return current;
    }

    public void Unite(string id1, params string[] ids)
    {
        foreach (var id in ids)
        {
            var root1 = Root(id1);
            var root2 = Root(id);
            if (root1 != root2)
            {
                _ids[root1] = root2;
            }
        }
    }
}

/// <summary>
/// The topology as declared (Kafka's InternalTopologyBuilder): node factories in declaration order, stores,
/// global stores, internal topics. Builds per-task topologies and the describe text.
/// </summary>
internal sealed class InternalTopologyBuilder
{
    private sealed class StoreFactory(IStoreBuilder builder)
    {
        public IStoreBuilder Builder { get; } = builder;

        public List<string> Users { get; } = [];
    }

    private readonly List<NodeFactory> _nodeOrder = [];
    private readonly Dictionary<string, NodeFactory> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoreFactory> _stores = new(StringComparer.Ordinal);
    private readonly List<string> _storeOrder = [];
    private readonly Dictionary<string, IStoreBuilder> _globalStores = new(StringComparer.Ordinal);
    private readonly List<string> _globalStoreOrder = [];
    private readonly HashSet<string> _sourceTopics = new(StringComparer.Ordinal);
    private readonly HashSet<string> _globalTopics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _globalSourceToStore = new(StringComparer.Ordinal);
    private readonly HashSet<string> _internalTopics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int?> _repartitionPartitions = new(StringComparer.Ordinal);
    private readonly List<Regex> _patterns = [];
    private readonly QuickUnion _grouper = new();
    private readonly List<HashSet<string>> _copartitionGroups = [];

    public string? ApplicationId { get; set; }

    public IReadOnlyList<NodeFactory> Nodes => _nodeOrder;

    public IReadOnlySet<string> InternalTopics => _internalTopics;

    public IReadOnlyList<HashSet<string>> CopartitionGroups => _copartitionGroups;

    public bool HasNode(string name) => _nodes.ContainsKey(name);

    public string DecorateTopic(string topic)
        => ApplicationId is null ? throw new TopologyException("there are internal topics and the application id is null.") : ApplicationId + "-" + topic;

    public void AddSource(SourceNodeFactory factory)
    {
        if (factory.Pattern is null && factory.Topics.Count == 0)
        {
            throw new TopologyException("You must provide at least one topic");
        }
        ArgumentException.ThrowIfNullOrEmpty(factory.Name);
        if (_nodes.ContainsKey(factory.Name))
        {
            throw new TopologyException("Processor " + factory.Name + " is already added.");
        }
        foreach (var topic in factory.Topics)
        {
            ArgumentNullException.ThrowIfNull(topic);
            ValidateTopicNotAlreadyRegistered(topic);
        }
        if (factory.Pattern is { } p)
        {
            foreach (var t in _sourceTopics)
            {
                if (p.IsMatch(t))
                {
                    throw new TopologyException($"Pattern {p} will match a topic that has already been registered by another source.");
                }
            }
            _patterns.Add(p);
        }
        foreach (var topic in factory.Topics)
        {
            _sourceTopics.Add(topic);
        }
        AddNode(factory);
    }

    public void AddProcessor(ProcessorNodeFactory factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(factory.Name);
        if (_nodes.ContainsKey(factory.Name))
        {
            throw new TopologyException("Processor " + factory.Name + " is already added.");
        }
        if (factory.Predecessors.Length == 0)
        {
            throw new TopologyException("Processor " + factory.Name + " must have at least one parent");
        }
        foreach (var p in factory.Predecessors)
        {
            if (p == factory.Name)
            {
                throw new TopologyException("Processor " + factory.Name + " cannot be a predecessor of itself.");
            }
            if (!_nodes.TryGetValue(p, out var parent))
            {
                throw new TopologyException("Predecessor processor " + p + " is not added yet for " + factory.Name);
            }
            if (parent is SinkNodeFactory)
            {
                throw new TopologyException("Sink " + p + " cannot be used a parent.");
            }
        }
        AddNode(factory);
        _grouper.Unite(factory.Name, factory.Predecessors);
    }

    public void AddSink(SinkNodeFactory factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(factory.Name);
        if (_nodes.ContainsKey(factory.Name))
        {
            throw new TopologyException("Processor " + factory.Name + " is already added.");
        }
        if (factory.Predecessors.Length == 0)
        {
            throw new TopologyException("Sink " + factory.Name + " must have at least one parent");
        }
        foreach (var p in factory.Predecessors)
        {
            if (p == factory.Name)
            {
                throw new TopologyException("Processor " + factory.Name + " cannot be a predecessor of itself.");
            }
            if (!_nodes.TryGetValue(p, out var parent))
            {
                throw new TopologyException("Predecessor processor " + p + " is not added yet.");
            }
            if (parent is SinkNodeFactory)
            {
                throw new TopologyException("Sink " + p + " cannot be used a parent.");
            }
        }
        AddNode(factory);
        _grouper.Unite(factory.Name, factory.Predecessors);
    }

    private void AddNode(NodeFactory factory)
    {
        _nodes.Add(factory.Name, factory);
        _nodeOrder.Add(factory);
        _grouper.Add(factory.Name);
    }

    public void AddStateStore(IStoreBuilder builder, bool allowOverride, params string[] processorNames)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!allowOverride && _stores.TryGetValue(builder.Name, out var existing) && existing.Builder != builder)
        {
            throw new TopologyException("A different StateStore has already been added with the name " + builder.Name);
        }
        if (_globalStores.ContainsKey(builder.Name))
        {
            throw new TopologyException("A different GlobalStateStore has already been added with the name " + builder.Name);
        }
        if (!_stores.ContainsKey(builder.Name))
        {
            _storeOrder.Add(builder.Name);
            _stores[builder.Name] = new StoreFactory(builder);
        }
        foreach (var p in processorNames)
        {
            ConnectProcessorAndStateStore(p, builder.Name);
        }
    }

    public bool HasStore(string name) => _stores.ContainsKey(name) || _globalStores.ContainsKey(name);

    public void AddGlobalStore(IStoreBuilder builder, SourceNodeFactory source, ProcessorNodeFactory processor)
    {
        var topic = source.Topics.Count == 1 ? source.Topics[0] : throw new TopologyException("A global store reads exactly one topic.");
        if (_nodes.ContainsKey(source.Name))
        {
            throw new TopologyException("Processor " + source.Name + " is already added.");
        }
        if (_nodes.ContainsKey(processor.Name))
        {
            throw new TopologyException("Processor " + processor.Name + " is already added.");
        }
        if (_stores.ContainsKey(builder.Name))
        {
            throw new TopologyException("A different StateStore has already been added with the name " + builder.Name);
        }
        if (_globalStores.ContainsKey(builder.Name))
        {
            throw new TopologyException("A different GlobalStateStore has already been added with the name " + builder.Name);
        }
        if (builder.LoggingEnabled)
        {
            throw new TopologyException("StateStore " + builder.Name + " for global table must not have logging enabled.");
        }
        if (source.Name == processor.Name)
        {
            throw new TopologyException("sourceName and processorName must be different.");
        }
        ValidateTopicNotAlreadyRegistered(topic);
        _globalTopics.Add(topic);
        AddNode(source);
        processor.AddStore(builder.Name);
        AddNode(processor);
        _grouper.Unite(processor.Name, source.Name);
        _globalStores.Add(builder.Name, builder);
        _globalStoreOrder.Add(builder.Name);
        _globalSourceToStore[source.Name] = builder.Name;
    }

    public void ConnectProcessorAndStateStore(string processorName, string storeName)
    {
        if (_globalStores.ContainsKey(storeName))
        {
            throw new TopologyException("Global StateStore " + storeName + " can be used by a Processor without being specified; it should not be explicitly passed.");
        }
        if (!_stores.TryGetValue(storeName, out var store))
        {
            throw new TopologyException("StateStore " + storeName + " is not added yet.");
        }
        if (!_nodes.TryGetValue(processorName, out var node))
        {
            throw new TopologyException("Processor " + processorName + " is not added yet.");
        }
        if (node is not ProcessorNodeFactory pf)
        {
            throw new TopologyException("cannot connect a state store " + storeName + " to a source node or a sink node.");
        }
        if (store.Users.Count > 0)
        {
            _grouper.Unite(store.Users[0], processorName);
        }
        if (!store.Users.Contains(processorName))
        {
            store.Users.Add(processorName);
        }
        pf.AddStore(storeName);
    }

    public void AddInternalTopic(string topic, int? partitions = null)
    {
        _internalTopics.Add(topic);
        _repartitionPartitions[topic] = partitions;
    }

    public void CopartitionSources(IEnumerable<string> sourceNodes) => _copartitionGroups.Add([.. sourceNodes]);

    private void ValidateTopicNotAlreadyRegistered(string topic)
    {
        if (_sourceTopics.Contains(topic) || _globalTopics.Contains(topic))
        {
            throw new TopologyException("Topic " + topic + " has already been registered by another source.");
        }
        foreach (var p in _patterns)
        {
            if (p.IsMatch(topic))
            {
                throw new TopologyException("Topic " + topic + " matches a Pattern already registered by another source.");
            }
        }
    }

    private bool IsGlobalSource(string node) => _globalSourceToStore.ContainsKey(node);

    /// <summary>Connected components in declaration order: sub-topology ids.</summary>
    public List<List<string>> NodeGroups()
    {
        var groups = new List<List<string>>();
        var byRoot = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var n in _nodeOrder)
        {
            var root = _grouper.Root(n.Name);
            if (!byRoot.TryGetValue(root, out var g))
            {
                g = [];
                byRoot[root] = g;
                groups.Add(g);
            }
            g.Add(n.Name);
        }
        return groups;
    }

    /// <summary>The sub-topologies (excluding global-store groups) with their ids.</summary>
    public List<(int Id, List<string> Nodes)> Subtopologies()
    {
        var result = new List<(int, List<string>)>();
        var groups = NodeGroups();
        for (var i = 0; i < groups.Count; i++)
        {
            if (!groups[i].Exists(IsGlobalSource))
            {
                result.Add((i, groups[i]));
            }
        }
        return result;
    }

    public IReadOnlyList<string> SourceTopicsOf(IEnumerable<string> nodeNames)
    {
        var list = new List<string>();
        foreach (var n in nodeNames)
        {
            if (_nodes[n] is SourceNodeFactory s)
            {
                foreach (var t in s.Topics)
                {
                    list.Add(_internalTopics.Contains(t) ? DecorateTopic(t) : t);
                }
            }
        }
        return list;
    }

    /// <summary>Builds the runtime topology of a set of nodes (all non-global nodes when null).</summary>
    public ProcessorTopology Build(StreamsConfig config, ISet<string>? nodeGroup)
    {
        var topology = new ProcessorTopology();
        var built = new Dictionary<string, ProcessorNode>(StringComparer.Ordinal);
        var global = GlobalNodes();
        foreach (var factory in _nodeOrder)
        {
            if (nodeGroup is null ? global.Contains(factory.Name) : !nodeGroup.Contains(factory.Name))
            {
                continue;
            }
            var node = factory.Build(config, DecorateTopic, _internalTopics);
            built.Add(factory.Name, node);
            topology.Processors.Add(node);
            foreach (var p in factory.Predecessors)
            {
                built[p].AddChild(node);
            }
            switch (factory)
            {
                case SourceNodeFactory s:
                    foreach (var t in s.Topics)
                    {
                        var topic = _internalTopics.Contains(t) ? DecorateTopic(t) : t;
                        topology.SourcesByTopic[topic] = (SourceNode)node;
                        if (_internalTopics.Contains(t))
                        {
                            topology.RepartitionTopics.Add(topic);
                        }
                    }
                    if (s.Pattern is { } pattern)
                    {
                        topology.PatternSources.Add((pattern, (SourceNode)node));
                    }
                    break;
                case ProcessorNodeFactory pf:
                    foreach (var storeName in pf.StoreNames)
                    {
                        if (_stores.TryGetValue(storeName, out var sf) && !topology.StoreBuilders.Contains(sf.Builder))
                        {
                            topology.StoreBuilders.Add(sf.Builder);
                            topology.StoreToChangelogTopic[storeName] = DecorateTopic(storeName + "-changelog");
                        }
                        else if (_globalStores.TryGetValue(storeName, out var gb) && !topology.StoreBuilders.Contains(gb))
                        {
                            topology.StoreBuilders.Add(gb);
                        }
                    }
                    break;
            }
        }
        return topology;
    }

    public HashSet<string> GlobalNodes()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in NodeGroups())
        {
            if (g.Exists(IsGlobalSource))
            {
                set.UnionWith(g);
            }
        }
        return set;
    }

    public IReadOnlyDictionary<string, IStoreBuilder> GlobalStoreBuilders => _globalStores;

    public IStoreBuilder? StoreBuilder(string name) => _stores.TryGetValue(name, out var f) ? f.Builder : null;

    public IEnumerable<IStoreBuilder> AllStoreBuilders()
    {
        foreach (var n in _storeOrder)
        {
            yield return _stores[n].Builder;
        }
    }

    /// <summary>Kafka's rewriteTopology: with a zero-byte cache, every store's caching layer is removed.</summary>
    public void Rewrite(StreamsConfig config)
    {
        ApplicationId = config.ApplicationId;
        if (config.StateStoreCacheMaxBytes == 0)
        {
            foreach (var s in _stores.Values)
            {
                s.Builder.WithCachingDisabled();
            }
            foreach (var g in _globalStores.Values)
            {
                g.WithCachingDisabled();
            }
        }
    }

    /// <summary>
    /// What each sub-topology reads and writes, for the runtime to create internal topics and to assign tasks
    /// (Kafka's TopicsInfo): source topics, repartition topics it reads (with a partition count when fixed),
    /// sink topics and the changelog topics of its stores. Internal names are prefixed with the application id.
    /// </summary>
    public List<TopicsInfo> TopicGroups()
    {
        var result = new List<TopicsInfo>();
        foreach (var (id, nodes) in Subtopologies())
        {
            var sources = new List<string>();
            var repartitionSources = new Dictionary<string, int?>(StringComparer.Ordinal);
            var sinks = new List<string>();
            var changelogs = new List<string>();
            var patterns = new List<Regex>();
            foreach (var name in nodes)
            {
                switch (_nodes[name])
                {
                    case SourceNodeFactory src:
                        foreach (var t in src.Topics)
                        {
                            if (_internalTopics.Contains(t))
                            {
                                repartitionSources[DecorateTopic(t)] = _repartitionPartitions.GetValueOrDefault(t);
                            }
                            else
                            {
                                sources.Add(t);
                            }
                        }
                        if (src.Pattern is { } p)
                        {
                            patterns.Add(p);
                        }
                        break;
                    case SinkNodeFactory sink when sink.Topic is { } topic:
                        sinks.Add(_internalTopics.Contains(topic) ? DecorateTopic(topic) : topic);
                        break;
                    case ProcessorNodeFactory proc:
                        foreach (var store in proc.StoreNames)
                        {
                            if (_stores.TryGetValue(store, out var f) && f.Builder.LoggingEnabled)
                            {
                                var changelog = DecorateTopic(store + "-changelog");
                                if (!changelogs.Contains(changelog))
                                {
                                    changelogs.Add(changelog);
                                }
                            }
                        }
                        break;
                }
            }
            result.Add(new TopicsInfo(id, sources, patterns, repartitionSources, sinks, changelogs));
        }
        return result;
    }

    /// <summary>
    /// The co-partition groups as topics (Kafka's copartitionGroups): the source topics of source nodes that must read
    /// co-partitioned topics (joins), internal topics decorated with the application id.
    /// </summary>
    public List<SortedSet<string>> CopartitionTopicGroups()
    {
        var result = new List<SortedSet<string>>();
        foreach (var group in _copartitionGroups)
        {
            var topics = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var node in group)
            {
                if (_nodes.TryGetValue(node, out var f) && f is SourceNodeFactory s)
                {
                    foreach (var t in s.Topics)
                    {
                        topics.Add(_internalTopics.Contains(t) ? DecorateTopic(t) : t);
                    }
                }
            }
            if (topics.Count > 0)
            {
                result.Add(topics);
            }
        }
        return result;
    }

    /// <summary>
    /// Checks what can be checked before any topic exists: repartition topics that must be co-partitioned cannot have
    /// different fixed partition counts, and pattern sources cannot be co-partitioned (their topics are unknown).
    /// </summary>
    public void ValidateCopartitioning()
    {
        foreach (var group in _copartitionGroups)
        {
            var fixedCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in group)
            {
                if (!_nodes.TryGetValue(node, out var f) || f is not SourceNodeFactory s)
                {
                    continue;
                }
                if (s.Pattern is not null)
                {
                    throw new TopologyException($"Source {s.Name} subscribes to a pattern ({s.Pattern}) and cannot be joined: co-partitioning needs known topics.");
                }
                foreach (var t in s.Topics)
                {
                    if (_internalTopics.Contains(t) && _repartitionPartitions.GetValueOrDefault(t) is { } n)
                    {
                        fixedCounts[t] = n;
                    }
                }
            }
            if (fixedCounts.Values.Distinct().Count() > 1)
            {
                throw new TopologyException("Following topics do not have the same number of partitions: [" +
                    string.Join(", ", fixedCounts.Select(kv => kv.Key + "=" + kv.Value)) + "]. Joined inputs must be co-partitioned.");
            }
        }
    }

    /// <summary>The fixed partition count of an internal topic (Repartitioned.WithNumberOfPartitions), or null.</summary>
    public int? InternalTopicPartitions(string topic) => _repartitionPartitions.GetValueOrDefault(topic);

    public TopologyDescription Describe() => TopologyDescriber.Describe(this, NodeGroups(), IsGlobalSource, n => _globalSourceToStore[n]);
}
