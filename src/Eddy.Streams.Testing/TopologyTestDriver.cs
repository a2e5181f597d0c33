using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Testing;

/// <summary>
/// Runs a topology synchronously and deterministically, without a broker: pipe records into input topics, read
/// what sinks wrote from output topics, inspect stores, move the wall clock. It drives the same StreamTask,
/// processors, stores, cache and record collector as the Kafka runtime. After every input record it processes
/// everything that became processable (including repartition topics), punctuates by stream time and commits,
/// as Kafka's TopologyTestDriver does, so caches flush after each record.
/// </summary>
/// <example>
/// <code>
/// using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "test" });
/// var input = driver.CreateInputTopic("lines", Serdes.String(), Serdes.String());
/// var output = driver.CreateOutputTopic("counts", Serdes.String(), Serdes.Int64());
/// input.PipeInput("k", "hello world");
/// var counts = output.ReadKeyValuesToMap();
/// </code>
/// </example>
public sealed class TopologyTestDriver : IDisposable
{
    private readonly Topology _topology;
    private readonly StreamsConfig _config;
    private readonly ManualTimeProvider _time;
    private readonly CapturingProducer _producer;
    private readonly StreamTask? _task;
    private readonly StreamTask? _globalTask;
    private readonly HashSet<string> _globalTopics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<ProducerRecord>> _outputs = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>Creates a driver.</summary>
    /// <param name="topology">The topology to run.</param>
    /// <param name="config">The configuration; application.id defaults to a test id.</param>
    /// <param name="initialWallClockTime">The wall clock at start; default the current time.</param>
    public TopologyTestDriver(Topology topology, StreamsConfig? config = null, DateTimeOffset? initialWallClockTime = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
        _config = config?.Clone() ?? new StreamsConfig();
        if (string.IsNullOrEmpty(_config.ApplicationId))
        {
            _config.ApplicationId = "dummy-topology-test-driver-app-id";
        }
        _config.Validate();
        _time = new ManualTimeProvider(initialWallClockTime ?? DateTimeOffset.UtcNow);
        _config.TimeProvider = _time;
        topology.Builder.Rewrite(_config);
        var cache = new ThreadCache(_config.StateStoreCacheMaxBytes);
        _producer = new CapturingProducer(this);
        var collector = new RecordCollector(_producer, _config.LoggerFactory.CreateLogger("Eddy.Streams.Testing.TopologyTestDriver"));

        var globalNodes = topology.Builder.GlobalNodes();
        var globalStores = new Dictionary<string, IStateStore>(StringComparer.Ordinal);
        if (globalNodes.Count > 0)
        {
            var globalTopology = topology.BuildTask(_config, globalNodes);
            foreach (var t in globalTopology.SourcesByTopic.Keys)
            {
                _globalTopics.Add(t);
            }
            _globalTask = new StreamTask(new TaskId(-1, -1), globalTopology, _config, collector, cache, globalStores, isGlobal: true);
            _globalTask.InitializeStateStores();
            foreach (var s in _globalTask.Context.Stores)
            {
                globalStores[s.Name] = s;
            }
            _globalTask.InitializeTopology();
        }
        var main = topology.BuildTask(_config, null);
        if (main.Processors.Count > 0)
        {
            _task = new StreamTask(new TaskId(0, 0), main, _config, collector, cache, globalStores);
            _task.Initialize();
        }
    }

    /// <summary>The configuration in use (with the driver's clock).</summary>
    public StreamsConfig Config => _config;

    /// <summary>Records dropped so far (Kafka's dropped-records-total): null keys, handled errors, invalid timestamps.</summary>
    public long DroppedRecordsTotal => (_task?.Context.DroppedRecordsTotal ?? 0) + (_globalTask?.Context.DroppedRecordsTotal ?? 0);

    /// <summary>The topics written so far, including internal (repartition and changelog) topics.</summary>
    public IReadOnlyCollection<string> ProducedTopicNames => _outputs.Keys;

    /// <summary>The current wall-clock time.</summary>
    public DateTimeOffset WallClockTime => _time.GetUtcNow();

    /// <summary>Creates an input topic to pipe records into.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topic">The topic name.</param>
    /// <param name="keySerializer">The key serializer; null for the default.</param>
    /// <param name="valueSerializer">The value serializer; null for the default.</param>
    /// <param name="startTimestamp">The timestamp of the first record without one; default the wall clock.</param>
    /// <param name="autoAdvance">How far the topic's time moves after each record without a timestamp.</param>
    /// <returns>The input topic.</returns>
    public TestInputTopic<TKey, TValue> CreateInputTopic<TKey, TValue>(string topic, ISerializer<TKey>? keySerializer = null,
        ISerializer<TValue>? valueSerializer = null, DateTimeOffset? startTimestamp = null, TimeSpan? autoAdvance = null)
        => new(this, topic,
            keySerializer ?? Internal.SerdeResolver.Resolve<TKey>(null, _config, true, "input topic " + topic),
            valueSerializer ?? Internal.SerdeResolver.Resolve<TValue>(null, _config, false, "input topic " + topic),
            (startTimestamp ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(), autoAdvance ?? TimeSpan.Zero);

    /// <summary>Creates an output topic to read what sinks wrote.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="topic">The topic name.</param>
    /// <param name="keyDeserializer">The key deserializer; null for the default.</param>
    /// <param name="valueDeserializer">The value deserializer; null for the default.</param>
    /// <returns>The output topic.</returns>
    public TestOutputTopic<TKey, TValue> CreateOutputTopic<TKey, TValue>(string topic, IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null)
        => new(this, topic,
            keyDeserializer ?? Internal.SerdeResolver.Resolve<TKey>(null, _config, true, "output topic " + topic),
            valueDeserializer ?? Internal.SerdeResolver.Resolve<TValue>(null, _config, false, "output topic " + topic));

    /// <summary>Moves the wall clock forward, fires due wall-clock punctuations, and commits.</summary>
    /// <param name="advance">How far.</param>
    public void AdvanceWallClockTime(TimeSpan advance)
    {
        ThrowIfClosed();
        _time.Advance(advance);
        if (_task is not null)
        {
            _task.MaybePunctuateSystemTime();
            Commit();
            CompleteAllProcessableWork();
        }
    }

    /// <summary>Every store of the topology, including global stores, by name.</summary>
    /// <returns>The stores.</returns>
    public IReadOnlyDictionary<string, IStateStore> GetAllStateStores()
    {
        var all = new Dictionary<string, IStateStore>(StringComparer.Ordinal);
        foreach (var s in _globalTask?.Context.Stores ?? [])
        {
            all[s.Name] = s;
        }
        foreach (var s in _task?.Context.Stores ?? [])
        {
            all[s.Name] = s;
        }
        return all;
    }

    /// <summary>A store by name, or null.</summary>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public IStateStore? GetStateStore(string name) => GetAllStateStores().TryGetValue(name, out var s) ? s : null;

    /// <summary>A key-value store by name (a timestamped one is seen without timestamps), or null.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public IKeyValueStore<TKey, TValue>? GetKeyValueStore<TKey, TValue>(string name) => GetStateStore(name) switch
    {
        ITimestampedKeyValueStore<TKey, TValue> ts => new KeyValueStoreFacade<TKey, TValue>(ts),
        IKeyValueStore<TKey, TValue> kv => kv,
        _ => null,
    };

    /// <summary>A timestamped key-value store by name, or null.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public ITimestampedKeyValueStore<TKey, TValue>? GetTimestampedKeyValueStore<TKey, TValue>(string name)
        => GetStateStore(name) as ITimestampedKeyValueStore<TKey, TValue>;

    /// <summary>A window store by name (a timestamped one is seen without timestamps), or null.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public IWindowStore<TKey, TValue>? GetWindowStore<TKey, TValue>(string name) => GetStateStore(name) switch
    {
        ITimestampedWindowStore<TKey, TValue> ts => new WindowStoreFacade<TKey, TValue>(ts),
        IWindowStore<TKey, TValue> ws => ws,
        _ => null,
    };

    /// <summary>A timestamped window store by name (windowed aggregations keep these), or null.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public ITimestampedWindowStore<TKey, TValue>? GetTimestampedWindowStore<TKey, TValue>(string name)
        => GetStateStore(name) as ITimestampedWindowStore<TKey, TValue>;

    /// <summary>A session store by name, or null.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="name">The store name.</param>
    /// <returns>The store or null.</returns>
    public ISessionStore<TKey, TAgg>? GetSessionStore<TKey, TAgg>(string name) => GetStateStore(name) as ISessionStore<TKey, TAgg>;

    internal void PipeRaw(string topic, byte[]? key, byte[]? value, long timestamp, Headers? headers)
    {
        ThrowIfClosed();
        var offset = _offsets.TryGetValue(topic, out var o) ? o : 0;
        _offsets[topic] = offset + 1;
        var raw = new RawRecord(topic, 0, offset, timestamp, TimestampType.CreateTime, headers, key, value);
        if (_globalTopics.Contains(topic))
        {
            _globalTask!.AddRecord(raw);
            while (_globalTask.Process())
            {
            }
            _globalTask.PrepareCommit();
            _globalTask.PostCommit();
            return;
        }
        if (_task is null || _task.Topology.SourceFor(topic) is null)
        {
            throw new ArgumentException($"Unknown topic: {topic}", nameof(topic));
        }
        _task.AddRecord(raw);
        CompleteAllProcessableWork();
    }

    private void CompleteAllProcessableWork()
    {
        if (_task is null)
        {
            return;
        }
        while (_task.Process())
        {
            _task.MaybePunctuateStreamTime();
            Commit();
        }
    }

    private void Commit()
    {
        _task!.PrepareCommit();
        _task.PostCommit();
    }

    internal Queue<ProducerRecord> OutputQueue(string topic)
    {
        if (!_outputs.TryGetValue(topic, out var q))
        {
            q = new Queue<ProducerRecord>();
            _outputs[topic] = q;
        }
        return q;
    }

    private void Captured(in ProducerRecord record)
    {
        OutputQueue(record.Topic).Enqueue(record);
        // Records written to a repartition topic are read back by the task, like from a real topic.
        if (_task is not null && _task.Topology.RepartitionTopics.Contains(record.Topic))
        {
            var offset = _offsets.TryGetValue(record.Topic, out var o) ? o : 0;
            _offsets[record.Topic] = offset + 1;
            _task.AddRecord(new RawRecord(record.Topic, 0, offset, record.Timestamp, TimestampType.CreateTime, record.Headers, record.Key, record.Value));
        }
    }

    /// <summary>Closes every processor and store.</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        try
        {
            if (_task is not null)
            {
                Commit();
                _task.Close();
            }
        }
        finally
        {
            _globalTask?.Close();
        }
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
    }

    private sealed class CapturingProducer(TopologyTestDriver driver) : IStreamsProducer
    {
        public int? PartitionsFor(string topic) => 1;

        public void Send(in ProducerRecord record)
        {
            driver.Captured(record with { Partition = record.Partition ?? 0, Headers = record.Headers?.Clone() });
        }

        public void Flush() { }
    }
}
