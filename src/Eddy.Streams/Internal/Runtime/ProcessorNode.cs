using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>A node of a built (per-task) topology.</summary>
internal abstract class ProcessorNode
{
    protected ProcessorNode(string name) => Name = name;

    public string Name { get; }

    public List<ProcessorNode> Children { get; } = [];

    public TaskContext Task { get; private set; } = null!;

    public virtual void Init(TaskContext task) => Task = task;

    public virtual void Close() { }

    public abstract void AddChild(ProcessorNode child);

    /// <summary>True when the node runs user code that may change a record's headers in place.</summary>
    public virtual bool RunsUserCode => false;

    public override string ToString() => Name;
}

/// <summary>Marks the library's own DSL processors, which never change headers in place.</summary>
internal interface IDslProcessor
{
}

/// <summary>A node that accepts records of one key and value type.</summary>
internal abstract class ProcessorNode<TKey, TValue> : ProcessorNode
{
    protected ProcessorNode(string name) : base(name) { }

    public abstract void Process(Record<TKey, TValue> record);
}

/// <summary>The per-node context: forwards to this node's children, typed on what the node emits.</summary>
internal sealed class NodeContext<TKeyOut, TValueOut> : IProcessorContext<TKeyOut, TValueOut>
{
    private ProcessorNode<TKeyOut, TValueOut>[] _children = [];
    private readonly ProcessorNode _owner;
    private readonly HashSet<string> _stores;

    public NodeContext(ProcessorNode owner, IEnumerable<string> storeNames)
    {
        _owner = owner;
        _stores = new HashSet<string>(storeNames, StringComparer.Ordinal);
    }

    public TaskContext Task { get; set; } = null!;

    public void AddChild(ProcessorNode child, string parentName)
    {
        if (child is not ProcessorNode<TKeyOut, TValueOut> typed)
        {
            throw new TopologyException(
                $"Processor {child.Name} cannot be a child of {parentName}: {parentName} forwards <{typeof(TKeyOut).Name}, {typeof(TValueOut).Name}> " +
                $"but {child.Name} accepts {DescribeInput(child)}.");
        }
        _children = [.. _children, typed];
    }

    private static string DescribeInput(ProcessorNode node)
    {
        var t = node.GetType();
        while (t is not null && !(t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ProcessorNode<,>)))
        {
            t = t.BaseType;
        }
        return t is null ? "another type" : $"<{t.GetGenericArguments()[0].Name}, {t.GetGenericArguments()[1].Name}>";
    }

    public string ApplicationId => Task.ApplicationId;

    public TaskId TaskId => Task.TaskId;

    public RecordMetadata? RecordMetadata => Task.RecordContext.Topic is { } topic
        ? new RecordMetadata(topic, Task.RecordContext.Partition, Task.RecordContext.Offset)
        : null;

    public StreamsConfig Config => Task.Config;

    public SerDes.ISerdeProvider? KeySerde => Task.Config.DefaultKeySerde;

    public SerDes.ISerdeProvider? ValueSerde => Task.Config.DefaultValueSerde;

    public long CurrentStreamTimeMs => Task.StreamTime;

    public long CurrentSystemTimeMs => Task.WallClockMs;

    public TStore GetStateStore<TStore>(string name)
        where TStore : IStateStore
    {
        if (!_stores.Contains(name) && Task.GlobalStores.TryGetValue(name, out var global))
        {
            // Global stores are written only by their global source; everyone else reads them.
            var ro = global is Internal.State.IReadOnlyWrappable w ? w.AsReadOnly() : global;
            return ro is TStore g ? g : throw WrongType<TStore>(name, global);
        }
        if (!_stores.Contains(name))
        {
            throw new StreamsException($"Processor {_owner.Name} has no access to StateStore {name} as the store is not connected to the processor. " +
                "If you add stores manually via '.AddStateStore()' make sure to connect the added store to the processor by providing the processor name to " +
                "'.AddStateStore()' or connect them via '.ConnectProcessorAndStateStores()'. DSL users need to provide the store name to '.Process()' or '.ProcessValues()' to connect the store to the corresponding operator.");
        }
        var store = Task.GetStore(name) ?? throw new StreamsException($"State store {name} is not open in task {Task.TaskId}.");
        return store is TStore s ? s : throw WrongType<TStore>(name, store);
    }

    private static InvalidCastException WrongType<TStore>(string name, IStateStore store)
        => new($"State store {name} is a {store.GetType().Name}, not a {typeof(TStore).Name}. A timestamped store is read as ITimestampedKeyValueStore<K, V>.");

    public ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator) => Task.Schedule(_owner, interval, type, punctuator);

    public void Commit() => Task.CommitRequested = true;

    public void Forward(Record<TKeyOut, TValueOut> record)
    {
        var task = Task;
        var previousNode = task.CurrentNode ?? throw new StreamsException(
            "Current node is unknown. This can happen if 'Forward()' is called in an illegal scope: only from Process() or a punctuation.");
        // The record context follows the forwarded record's timestamp and headers (Kafka's ProcessorContextImpl.forward);
        // it is copied and restored only when they differ, which keeps the common path free of struct copies.
        var changed = record.Timestamp != task.RecordContext.Timestamp || !ReferenceEquals(record.RawHeaders, task.RecordContext.Headers);
        var previousContext = default(Internal.State.ProcessorRecordContext);
        if (changed)
        {
            previousContext = task.RecordContext;
            task.RecordContext = previousContext with { Timestamp = record.Timestamp, Headers = record.RawHeaders };
        }
        try
        {
            var children = _children;
            if (children.Length == 1)
            {
                var only = children[0];
                task.CurrentNode = only;
                only.Process(record);
            }
            else
            {
                for (var i = 0; i < children.Length; i++)
                {
                    var child = children[i];
                    task.CurrentNode = child;
                    child.Process(record);
                }
            }
        }
        finally
        {
            task.CurrentNode = previousNode;
            if (changed)
            {
                task.RecordContext = previousContext;
            }
        }
    }

    /// <summary>Forwards a record flushed from a store's cache at commit: as if the owning node processed it.</summary>
    public void ForwardFromCacheFlush(Record<TKeyOut, TValueOut> record, Internal.State.ProcessorRecordContext recordContext)
    {
        var task = Task;
        var previousNode = task.CurrentNode;
        var previousContext = task.RecordContext;
        task.CurrentNode = _owner;
        task.RecordContext = recordContext;
        try
        {
            Forward(record);
        }
        finally
        {
            task.CurrentNode = previousNode;
            task.RecordContext = previousContext;
        }
    }

    public void Forward(Record<TKeyOut, TValueOut> record, string childName)
    {
        foreach (var child in _children)
        {
            if (child.Name == childName)
            {
                var task = Task;
                var previousNode = task.CurrentNode ?? throw new StreamsException("Current node is unknown: Forward() called outside Process() or a punctuation.");
                var previousContext = task.RecordContext;
                task.RecordContext = previousContext with { Timestamp = record.Timestamp, Headers = record.RawHeaders };
                try
                {
                    task.CurrentNode = child;
                    child.Process(record);
                }
                finally
                {
                    task.CurrentNode = previousNode;
                    task.RecordContext = previousContext;
                }
                return;
            }
        }
        throw new StreamsException($"Unknown downstream node: {childName} either does not exist or is not connected to this processor.");
    }
}

/// <summary>Fixed-key context over a normal node context: forwarding keeps the key.</summary>
internal sealed class FixedKeyNodeContext<TKey, TValueOut>(NodeContext<TKey, TValueOut> inner) : IFixedKeyProcessorContext<TKey, TValueOut>
{
    public string ApplicationId => inner.ApplicationId;

    public TaskId TaskId => inner.TaskId;

    public RecordMetadata? RecordMetadata => inner.RecordMetadata;

    public StreamsConfig Config => inner.Config;

    public SerDes.ISerdeProvider? KeySerde => inner.KeySerde;

    public SerDes.ISerdeProvider? ValueSerde => inner.ValueSerde;

    public long CurrentStreamTimeMs => inner.CurrentStreamTimeMs;

    public long CurrentSystemTimeMs => inner.CurrentSystemTimeMs;

    public TStore GetStateStore<TStore>(string name)
        where TStore : IStateStore => inner.GetStateStore<TStore>(name);

    public ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator) => inner.Schedule(interval, type, punctuator);

    public void Commit() => inner.Commit();

    public void Forward(FixedKeyRecord<TKey, TValueOut> record) => inner.Forward(record.Inner);

    public void Forward(FixedKeyRecord<TKey, TValueOut> record, string childName) => inner.Forward(record.Inner, childName);
}

/// <summary>Runs a user (or DSL) processor: init, process with the processing exception handler, close.</summary>
internal sealed class ProcessorNodeImpl<TKeyIn, TValueIn, TKeyOut, TValueOut> : ProcessorNode<TKeyIn, TValueIn>
{
    private readonly IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> _processor;
    private readonly NodeContext<TKeyOut, TValueOut> _context;

    public ProcessorNodeImpl(string name, IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> processor, IEnumerable<string> stores) : base(name)
    {
        _processor = processor;
        _context = new NodeContext<TKeyOut, TValueOut>(this, stores);
    }

    public IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> Processor => _processor;

    public NodeContext<TKeyOut, TValueOut> Context => _context;

    public override void AddChild(ProcessorNode child)
    {
        _context.AddChild(child, Name);
        Children.Add(child);
    }

    public override void Init(TaskContext task)
    {
        base.Init(task);
        _context.Task = task;
        var previous = task.CurrentNode;
        task.CurrentNode = this;
        try
        {
            _processor.Init(_context);
        }
        catch (Exception e) when (e is not StreamsException)
        {
            throw new StreamsException($"failed to initialize processor {Name}", e);
        }
        finally
        {
            task.CurrentNode = previous;
        }
    }

    public override void Close() => _processor.Close();

    public override bool RunsUserCode => _processor is not IDslProcessor;

    public override void Process(Record<TKeyIn, TValueIn> record)
    {
        try
        {
            _processor.Process(record);
        }
        catch (FailedProcessingException)
        {
            throw;
        }
        catch (Exception e) when (e is not StreamsException { TaskId: not null })
        {
            Task.HandleProcessingException(this, record.Key, record.Value, e);
        }
    }
}

/// <summary>Adapts a fixed-key processor to the normal node shape.</summary>
internal sealed class FixedKeyProcessorAdapter<TKey, TValueIn, TValueOut>(IFixedKeyProcessor<TKey, TValueIn, TValueOut> inner)
    : IProcessor<TKey, TValueIn, TKey, TValueOut>
{
    public void Init(IProcessorContext<TKey, TValueOut> context) => inner.Init(new FixedKeyNodeContext<TKey, TValueOut>((NodeContext<TKey, TValueOut>)context));

    public void Process(Record<TKey, TValueIn> record) => inner.Process(new FixedKeyRecord<TKey, TValueIn>(record));

    public void Close() => inner.Close();
}

/// <summary>Reads a topic: deserializes and stamps records, then forwards them.</summary>
internal abstract class SourceNode : ProcessorNode
{
    protected SourceNode(string name) : base(name) { }

    public abstract RecordQueue CreateQueue(TopicPartition partition, TaskContext task);
}

internal sealed class SourceNode<TKey, TValue> : SourceNode
{
    private readonly NodeContext<TKey, TValue> _context;

    public SourceNode(string name, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, ITimestampExtractor extractor) : base(name)
    {
        KeyDeserializer = keyDeserializer;
        ValueDeserializer = valueDeserializer;
        TimestampExtractor = extractor;
        _context = new NodeContext<TKey, TValue>(this, []);
    }

    public IDeserializer<TKey> KeyDeserializer { get; }

    public IDeserializer<TValue> ValueDeserializer { get; }

    public ITimestampExtractor TimestampExtractor { get; }

    public override void AddChild(ProcessorNode child)
    {
        _context.AddChild(child, Name);
        Children.Add(child);
    }

    public override void Init(TaskContext task)
    {
        base.Init(task);
        _context.Task = task;
        MutableHeaders = ReachesUserCode(this, []);
    }

    /// <summary>
    /// Whether consumed records need their own mutable headers: only when user processors run downstream (the
    /// DSL never changes headers in place). Otherwise records without headers share the read-only empty list.
    /// </summary>
    public bool MutableHeaders { get; private set; } = true;

    private static bool ReachesUserCode(ProcessorNode node, HashSet<ProcessorNode> seen)
    {
        if (!seen.Add(node))
        {
            return false;
        }
        if (node.RunsUserCode)
        {
            return true;
        }
        foreach (var c in node.Children)
        {
            if (ReachesUserCode(c, seen))
            {
                return true;
            }
        }
        return false;
    }

    public void Process(Record<TKey, TValue> record) => _context.Forward(record);

    public override RecordQueue CreateQueue(TopicPartition partition, TaskContext task) => new RecordQueue<TKey, TValue>(partition, this, task);
}

/// <summary>Writes records to a topic through the task's record collector.</summary>
internal sealed class SinkNode<TKey, TValue> : ProcessorNode<TKey, TValue>
{
    private readonly string? _topic;
    private readonly ITopicNameExtractor<TKey, TValue>? _extractor;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IStreamPartitioner<TKey, TValue>? _partitioner;

    public SinkNode(string name, string? topic, ITopicNameExtractor<TKey, TValue>? extractor, ISerializer<TKey> keySerializer,
        ISerializer<TValue> valueSerializer, IStreamPartitioner<TKey, TValue>? partitioner) : base(name)
    {
        _topic = topic;
        _extractor = extractor;
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _partitioner = partitioner;
    }

    public string? Topic => _topic;

    public override void AddChild(ProcessorNode child) => throw new TopologyException("Sink " + Name + " cannot be used a parent.");

    public override void Process(Record<TKey, TValue> record)
    {
        var task = Task;
        var rc = task.RecordContext;
        var topic = _topic ?? _extractor!.Extract(record.Key, record.Value, new RecordContext(record.Timestamp, record.Headers, rc.Topic, rc.Partition, rc.Offset));
        task.Collector.Send(topic, record.Key, record.Value, record.RawHeaders, record.Timestamp, _keySerializer, _valueSerializer, _partitioner, Name, task, record.IsTombstone);
    }
}

/// <summary>Logs through the task's logger; one place for the hot-path-safe log calls.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping record due to null key or value. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}] processor=[{Processor}]")]
    public static partial void SkippingNullKeyOrValue(ILogger logger, string? topic, int partition, long offset, string processor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping record due to negative extracted timestamp. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}] extractedTimestamp=[{Timestamp}] extractor=[{Extractor}]")]
    public static partial void NegativeTimestamp(ILogger logger, string topic, int partition, long offset, long timestamp, string extractor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipping record for expired segment. store=[{Store}] windowStart=[{WindowStart}] streamTime=[{StreamTime}]")]
    public static partial void SkippingExpiredSegment(ILogger logger, string store, long windowStart, long streamTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipping record for expired window. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}] timestamp=[{Timestamp}] window=[{WindowStart},{WindowEnd}] expiration=[{Expiration}] streamTime=[{StreamTime}] processor=[{Processor}]")]
    public static partial void SkippingExpiredWindow(ILogger logger, string? topic, int partition, long offset, long timestamp, long windowStart, long windowEnd, long expiration, long streamTime, string processor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping record due to null key. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}] processor=[{Processor}]")]
    public static partial void SkippingNullKey(ILogger logger, string? topic, int partition, long offset, string processor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping record due to null foreign key. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}] processor=[{Processor}]")]
    public static partial void SkippingNullForeignKey(ILogger logger, string? topic, int partition, long offset, string processor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Detected out-of-order KTable update for {Store}, old timestamp=[{OldTimestamp}] new timestamp=[{NewTimestamp}]. topic=[{Topic}] partition=[{Partition}] offset=[{Offset}].")]
    public static partial void OutOfOrderTableUpdate(ILogger logger, string store, long oldTimestamp, long newTimestamp, string? topic, int partition, long offset);
}
