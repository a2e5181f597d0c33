using System.Diagnostics.Metrics;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.State;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>Metrics the library publishes through System.Diagnostics.Metrics (meter "Eddy.Streams").</summary>
internal static class StreamsMetrics
{
    public static readonly Meter Meter = new("Eddy.Streams");

    /// <summary>Kafka Streams' dropped-records metric (task level).</summary>
    public static readonly Counter<long> DroppedRecords = Meter.CreateCounter<long>("eddy.streams.task.dropped_records", "{record}",
        "Records dropped: null keys where an operator needs one, deserialization or processing errors handled with Continue, invalid timestamps.");

    public static readonly Counter<long> ProcessedRecords = Meter.CreateCounter<long>("eddy.streams.task.processed_records", "{record}", "Records processed by a task.");
}

/// <summary>The built part of a topology that one task runs: nodes in topological order, sources, sinks, stores.</summary>
internal sealed class ProcessorTopology
{
    public List<ProcessorNode> Processors { get; } = [];

    public Dictionary<string, SourceNode> SourcesByTopic { get; } = new(StringComparer.Ordinal);

    public List<(System.Text.RegularExpressions.Regex Pattern, SourceNode Source)> PatternSources { get; } = [];

    public List<IStoreBuilder> StoreBuilders { get; } = [];

    public HashSet<string> RepartitionTopics { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> StoreToChangelogTopic { get; } = new(StringComparer.Ordinal);

    public SourceNode? SourceFor(string topic)
    {
        if (SourcesByTopic.TryGetValue(topic, out var s))
        {
            return s;
        }
        foreach (var (pattern, source) in PatternSources)
        {
            if (pattern.IsMatch(topic))
            {
                return source;
            }
        }
        return null;
    }
}

/// <summary>
/// Everything a task's processors, stores and nodes share: record context, current node, stream time, record
/// collector, cache, stores, punctuations. Also the store context (changelog writes go to the collector).
/// </summary>
internal sealed class TaskContext : IInternalStoreContext
{
    private readonly Dictionary<string, IStateStore> _stores = new(StringComparer.Ordinal);
    private readonly List<IStateStore> _storeOrder = [];
    private readonly Dictionary<string, Action<byte[], byte[]?>?> _restoreCallbacks = new(StringComparer.Ordinal);
    private readonly PunctuationQueue _streamTimePunctuations = new();
    private readonly PunctuationQueue _wallClockPunctuations = new();
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Dictionary<string, string> _changelogTopics;

    public TaskContext(TaskId taskId, StreamsConfig config, IRecordCollector collector, ThreadCache? cache,
        IReadOnlyDictionary<string, IStateStore> globalStores, Dictionary<string, string> changelogTopics, bool isGlobal)
    {
        TaskId = taskId;
        Config = config;
        Collector = collector;
        Cache = cache;
        GlobalStores = globalStores;
        IsGlobal = isGlobal;
        _changelogTopics = changelogTopics;
        Logger = config.LoggerFactory.CreateLogger("Eddy.Streams.StreamTask");
        _tags = [new("task-id", taskId.ToString()), new("application-id", config.ApplicationId)];
    }

    public string ApplicationId => Config.ApplicationId;

    public TaskId TaskId { get; }

    public StreamsConfig Config { get; }

    public bool IsGlobal { get; }

    public ILogger Logger { get; }

    public IRecordCollector Collector { get; }

    public ThreadCache? Cache { get; }

    public IReadOnlyDictionary<string, IStateStore> GlobalStores { get; }

    // A field, not a property: the forward path reads and writes it per record.
#pragma warning disable CA1051, SA1401
    public ProcessorRecordContext RecordContextField = ProcessorRecordContext.None;
#pragma warning restore CA1051, SA1401

    public ProcessorRecordContext RecordContext
    {
        get => RecordContextField;
        set => RecordContextField = value;
    }

    public ProcessorNode? CurrentNode { get; set; }

    public long StreamTime { get; set; } = -1;

    public long WallClockMs => Config.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public bool CommitRequested { get; set; }

    public bool ClosingDirty { get; set; }

    public long DroppedRecordsTotal { get; private set; }

    public long ProcessedRecordsTotal { get; set; }

    public IReadOnlyList<IStateStore> Stores => _storeOrder;

    public IStateStore? GetStore(string name) => _stores.TryGetValue(name, out var s) ? s : null;

    public void Register(IStateStore store, Action<byte[], byte[]?>? restoreCallback)
    {
        if (_stores.ContainsKey(store.Name))
        {
            throw new ProcessorStateException($"Store {store.Name} has already been registered.");
        }
        _stores.Add(store.Name, store);
        _storeOrder.Add(store);
        _restoreCallbacks[store.Name] = restoreCallback;
    }

    /// <summary>Applies changelog records to a store (the runtime's restore path uses this).</summary>
    public void Restore(string storeName, IEnumerable<(byte[] Key, byte[]? Value, long Timestamp)> records)
    {
        if (!_restoreCallbacks.TryGetValue(storeName, out var cb) || cb is null)
        {
            throw new ProcessorStateException($"Store {storeName} has no restore callback.");
        }
        var timestamped = _stores[storeName] is ITimestampedBytesStore;
        foreach (var (k, v, ts) in records)
        {
            cb(k, v is not null && timestamped ? ValueAndTimestampSerde.Combine(v, ts) : v);
        }
    }

    public void LogChange(string storeName, Bytes key, byte[]? value, long timestamp)
        => Collector.SendBytes(ChangelogTopic(storeName), TaskId.Partition, key.Get(), value, null, timestamp, storeName, this);

    public void LogChange(string storeName, string changelogTopic, Bytes key, byte[]? value, long timestamp)
        => Collector.SendBytes(changelogTopic, TaskId.Partition, key.Get(), value, null, timestamp, storeName, this);

    public void LogChange(string changelogTopic, string storeName, Bytes key, byte[]? value, long timestamp, Headers? headers)
        => Collector.SendBytes(changelogTopic, TaskId.Partition, key.Get(), value, headers, timestamp, storeName, this);

    public string ChangelogTopic(string storeName)
        => _changelogTopics.TryGetValue(storeName, out var t) ? t : ApplicationId + "-" + storeName + "-changelog";

    private long _publishedProcessed;

    /// <summary>Publishes per-task counters accumulated since the last commit (no per-record metric cost).</summary>
    public void PublishMetrics()
    {
        var delta = ProcessedRecordsTotal - _publishedProcessed;
        if (delta > 0)
        {
            StreamsMetrics.ProcessedRecords.Add(delta, _tags);
            _publishedProcessed = ProcessedRecordsTotal;
        }
    }

    public void RecordDropped(string processorNodeId)
    {
        _ = processorNodeId;
        DroppedRecordsTotal++;
        StreamsMetrics.DroppedRecords.Add(1, _tags);
    }

    public ErrorHandlerContext ErrorContext(string processorNodeId)
    {
        var rc = RecordContext;
        return new ErrorHandlerContext(TaskId, processorNodeId, rc.Topic, rc.Partition, rc.Offset, rc.Timestamp, rc.Headers ?? Headers.Empty);
    }

    public void HandleProcessingException(ProcessorNode node, object? key, object? value, Exception e)
    {
        HandlerResponse response;
        try
        {
            response = Config.ProcessingExceptionHandler.Handle(ErrorContext(node.Name), key, value, e, Logger);
        }
        catch (Exception handlerError)
        {
            throw new FailedProcessingException(node.Name, handlerError);
        }
        if (response == HandlerResponse.Fail)
        {
            throw new FailedProcessingException(node.Name, e);
        }
        RecordDropped(node.Name);
    }

    public ICancellable Schedule(ProcessorNode node, TimeSpan interval, PunctuationType type, Action<long> punctuator)
    {
        ArgumentNullException.ThrowIfNull(punctuator);
        var ms = (long)interval.TotalMilliseconds;
        if (ms < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The minimum supported scheduling interval is 1 millisecond.");
        }
        if (type == PunctuationType.StreamTime)
        {
            // Aligned to 0: fires as soon as there is data, then on multiples of the interval.
            var s = new PunctuationSchedule(node, ms, punctuator, 0);
            _streamTimePunctuations.Add(s);
            return s;
        }
        var w = new PunctuationSchedule(node, ms, punctuator, WallClockMs + ms);
        _wallClockPunctuations.Add(w);
        return w;
    }

    public bool MaybePunctuateStreamTime() => StreamTime >= 0 && _streamTimePunctuations.MaybePunctuate(StreamTime, Punctuate);

    public bool MaybePunctuateSystemTime() => _wallClockPunctuations.MaybePunctuate(WallClockMs, Punctuate);

    private void Punctuate(PunctuationSchedule schedule, long time)
    {
        var previousNode = CurrentNode;
        var previousContext = RecordContext;
        CurrentNode = schedule.Node;
        RecordContext = new ProcessorRecordContext(time, -1, -1, null, null);
        try
        {
            schedule.Punctuator(time);
        }
        catch (FailedProcessingException)
        {
            throw;
        }
        catch (Exception e) when (e is not StreamsException { TaskId: not null })
        {
            HandleProcessingException(schedule.Node, null, null, e);
        }
        finally
        {
            CurrentNode = previousNode;
            RecordContext = previousContext;
        }
    }

    public void ProcessSourceRecord<TKey, TValue>(SourceNode<TKey, TValue> source, string topic, int partition, long offset, Record<TKey, TValue> record)
    {
        RecordContext = new ProcessorRecordContext(record.Timestamp, offset, partition, topic, record.RawHeaders);
        CurrentNode = source;
        try
        {
            source.Process(record);
        }
        finally
        {
            CurrentNode = null;
        }
        ProcessedRecordsTotal++;
    }
}

/// <summary>
/// A task: one sub-topology over one input partition number (or, in the test driver, the whole topology). It owns
/// the processors, stores, record queues, stream time and punctuations; the test driver and the Kafka runtime both
/// drive it the same way: add records, process, punctuate, commit.
/// </summary>
internal sealed class StreamTask : IDisposable
{
    private readonly ProcessorTopology _topology;
    private readonly PartitionGroup _partitions = new();
    private readonly Dictionary<TopicPartition, long> _consumedOffsets = [];
    private bool _initialized;
    private bool _closed;
    private string? _lastTypedTopic;
    private SourceNode? _lastTypedSource;

    public StreamTask(TaskId id, ProcessorTopology topology, StreamsConfig config, IRecordCollector collector, ThreadCache? cache,
        IReadOnlyDictionary<string, IStateStore> globalStores, bool isGlobal = false)
    {
        Id = id;
        _topology = topology;
        Context = new TaskContext(id, config, collector, cache, globalStores, topology.StoreToChangelogTopic, isGlobal);
    }

    public TaskId Id { get; }

    public TaskContext Context { get; }

    public ProcessorTopology Topology => _topology;

    public bool CommitNeeded { get; private set; }

    public long StreamTime => Context.StreamTime;

    public int BufferedRecords => _partitions.BufferedCount;

    /// <summary>Builds and opens the stores (in topology order, so upstream caches flush first).</summary>
    public void InitializeStateStores()
    {
        foreach (var builder in _topology.StoreBuilders)
        {
            var store = builder.Build();
            store.Init(Context, store);
            if (Context.GetStore(store.Name) is null)
            {
                throw new ProcessorStateException($"Store {store.Name} did not register itself during Init.");
            }
        }
    }

    /// <summary>Initializes every processor, in topological order.</summary>
    public void InitializeTopology()
    {
        foreach (var node in _topology.Processors)
        {
            node.Init(Context);
        }
        _initialized = true;
    }

    public void Initialize()
    {
        InitializeStateStores();
        InitializeTopology();
    }

    /// <summary>Buffers fetched records of one partition.</summary>
    public void AddRecords(TopicPartition partition, IEnumerable<RawRecord> records)
    {
        var queue = _partitions.Find(partition);
        if (queue is null)
        {
            var source = _topology.SourceFor(partition.Topic) ?? throw new StreamsException($"Task {Id} has no source for topic {partition.Topic}.");
            queue = source.CreateQueue(partition, Context);
            _partitions.Add(queue);
        }
        foreach (var r in records)
        {
            queue.Add(r);
        }
    }

    public void AddRecord(in RawRecord record)
    {
        var tp = new TopicPartition(record.Topic, record.Partition);
        var queue = _partitions.Find(tp);
        if (queue is null)
        {
            var source = _topology.SourceFor(record.Topic) ?? throw new StreamsException($"Task {Id} has no source for topic {record.Topic}.");
            queue = source.CreateQueue(tp, Context);
            _partitions.Add(queue);
        }
        queue.Add(record);
    }

    /// <summary>Processes the buffered record with the smallest timestamp; false when nothing is buffered.</summary>
    public bool Process()
    {
        EnsureRunning();
        var queue = _partitions.Next();
        if (queue is null)
        {
            return false;
        }
        var ts = queue.HeadTimestamp;
        var offset = queue.HeadOffset;
        if (ts > Context.StreamTime)
        {
            Context.StreamTime = ts;
        }
        queue.ProcessHead(Context);
        _consumedOffsets[queue.Partition] = offset;
        CommitNeeded = true;
        return true;
    }

    /// <summary>Processes one already-typed record through a source node (no deserialization): used by in-process benchmarks.</summary>
    public void ProcessTyped<TKey, TValue>(string topic, int partition, long offset, TKey key, TValue value, long timestamp, Headers? headers = null)
    {
        EnsureRunning();
        if (!ReferenceEquals(topic, _lastTypedTopic) || _lastTypedSource is not SourceNode<TKey, TValue> source)
        {
            source = _topology.SourceFor(topic) as SourceNode<TKey, TValue>
                ?? throw new StreamsException($"Task {Id} has no source of <{typeof(TKey).Name}, {typeof(TValue).Name}> for topic {topic}.");
            _lastTypedTopic = topic;
            _lastTypedSource = source;
        }
        if (timestamp > Context.StreamTime)
        {
            Context.StreamTime = timestamp;
        }
        Context.ProcessSourceRecord(source, topic, partition, offset, Record<TKey, TValue>.Create(key, value, timestamp, headers));
        CommitNeeded = true;
    }

    public bool MaybePunctuateStreamTime()
    {
        EnsureRunning();
        return Context.MaybePunctuateStreamTime();
    }

    public bool MaybePunctuateSystemTime()
    {
        EnsureRunning();
        return Context.MaybePunctuateSystemTime();
    }

    /// <summary>
    /// The first half of a commit: flush caches (forwarding and change-logging dirty entries) and stores, then the
    /// collector. Returns the offsets to commit (next offset to read per partition).
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long> PrepareCommit()
    {
        foreach (var store in Context.Stores)
        {
            store.Flush();
        }
        Context.Collector.Flush();
        Context.PublishMetrics();
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var (tp, offset) in _consumedOffsets)
        {
            offsets[tp] = offset + 1;
        }
        return offsets;
    }

    public void PostCommit()
    {
        CommitNeeded = false;
        Context.CommitRequested = false;
    }

    /// <summary>
    /// Closes the task. A clean close first flushes caches (forwarding and change-logging what they hold) while
    /// processors are still open; a dirty close (after a failure, when the task's state is suspect) skips that.
    /// </summary>
    public void Close(bool clean = true)
    {
        if (_closed)
        {
            return;
        }
        List<Exception>? errors = null;
        if (clean && _initialized)
        {
            try
            {
                PrepareCommit();
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }
        _closed = true;
        Context.ClosingDirty = !clean;
        if (_initialized)
        {
            foreach (var node in _topology.Processors)
            {
                try
                {
                    node.Close();
                }
                catch (Exception e)
                {
                    (errors ??= []).Add(e);
                }
            }
        }
        foreach (var store in Context.Stores)
        {
            try
            {
                if (store.IsOpen)
                {
                    store.Close();
                }
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }
        if (errors is not null)
        {
            throw new StreamsException($"Failed to close task {Id} cleanly.", new AggregateException(errors)) { TaskId = Id };
        }
    }

    public void Dispose() => Close(clean: false);

    private void EnsureRunning()
    {
        if (!_initialized || _closed)
        {
            throw new InvalidOperationException($"Task {Id} is {(_closed ? "closed" : "not initialized")}.");
        }
    }
}
