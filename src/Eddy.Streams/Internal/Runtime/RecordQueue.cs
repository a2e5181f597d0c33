using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>A record as fetched: bytes plus topic, partition, offset, timestamp and headers.</summary>
internal readonly record struct RawRecord(string Topic, int Partition, long Offset, long Timestamp, TimestampType TimestampType,
    Headers? Headers, byte[]? Key, byte[]? Value);

/// <summary>
/// The buffered records of one input partition of a task. The head is deserialized and stamped (timestamp
/// extractor) when it becomes the head, like Kafka's RecordQueue, so the task can pick across partitions by time.
/// </summary>
internal abstract class RecordQueue
{
    protected RecordQueue(TopicPartition partition) => Partition = partition;

    public TopicPartition Partition { get; }

    public long PartitionTime { get; protected set; } = -1;

    public abstract int Count { get; }

    /// <summary>Prepares the head (dropping records that fail to deserialize or stamp); false when empty.</summary>
    public abstract bool TryPrepareHead();

    public abstract long HeadTimestamp { get; }

    public abstract long HeadOffset { get; }

    public abstract void Add(in RawRecord record);

    /// <summary>Processes the prepared head through the source node and removes it.</summary>
    public abstract void ProcessHead(TaskContext task);
}

internal sealed class RecordQueue<TKey, TValue> : RecordQueue
{
    private readonly Queue<RawRecord> _raw = new();
    private readonly SourceNode<TKey, TValue> _source;
    private readonly TaskContext _task;
    private bool _headReady;
    private RawRecord _headRaw;
    private TKey _headKey = default!;
    private TValue _headValue = default!;
    private long _headTimestamp;

    private readonly bool _builtInExtractor;

    public RecordQueue(TopicPartition partition, SourceNode<TKey, TValue> source, TaskContext task) : base(partition)
    {
        _source = source;
        _task = task;
        _builtInExtractor = source.TimestampExtractor is FailOnInvalidTimestamp or LogAndSkipOnInvalidTimestamp or UsePartitionTimeOnInvalidTimestamp;
    }

    public override int Count => _raw.Count + (_headReady ? 1 : 0);

    public override long HeadTimestamp => _headTimestamp;

    public override long HeadOffset => _headRaw.Offset;

    public override void Add(in RawRecord record) => _raw.Enqueue(record);

    public override bool TryPrepareHead()
    {
        if (_headReady)
        {
            return true;
        }
        while (_raw.TryDequeue(out var raw))
        {
            var keyCtx = new SerializationContext(MessageComponentType.Key, raw.Topic, raw.Headers);
            var valueCtx = new SerializationContext(MessageComponentType.Value, raw.Topic, raw.Headers);
            TKey key;
            TValue value;
            try
            {
                key = _source.KeyDeserializer.Deserialize(raw.Key, raw.Key is null, keyCtx);
                value = _source.ValueDeserializer.Deserialize(raw.Value, raw.Value is null, valueCtx);
            }
            catch (Exception e)
            {
                var consumed = new ConsumeRecord<byte[]?, byte[]?>(raw.Topic, raw.Partition, raw.Offset, raw.Timestamp, raw.TimestampType, raw.Headers, raw.Key, raw.Value);
                var ctx = new ErrorHandlerContext(_task.TaskId, _source.Name, raw.Topic, raw.Partition, raw.Offset, raw.Timestamp, raw.Headers ?? Headers.Empty);
                HandlerResponse response;
                try
                {
                    response = _task.Config.DeserializationExceptionHandler.Handle(ctx, consumed, e, _task.Logger);
                }
                catch (Exception handlerError)
                {
                    throw new StreamsException("Fatal user code error in deserialization error callback", handlerError) { TaskId = _task.TaskId };
                }
                if (response == HandlerResponse.Fail)
                {
                    throw new StreamsException("Deserialization exception handler is set to fail upon a deserialization error. " +
                        "If you would rather have the streaming pipeline continue after a deserialization error, please set the " +
                        "deserialization.exception.handler appropriately.", e)
                    { TaskId = _task.TaskId };
                }
                _task.RecordDropped(_source.Name);
                continue;
            }
            long ts;
            if (_builtInExtractor && raw.Timestamp >= 0)
            {
                // The built-in extractors all return a valid record timestamp unchanged; skip the generic
                // virtual call on the hot path.
                ts = raw.Timestamp;
            }
            else
            {
                var stamped = new ConsumeRecord<TKey, TValue>(raw.Topic, raw.Partition, raw.Offset, raw.Timestamp, raw.TimestampType, raw.Headers, key, value);
                try
                {
                    ts = _source.TimestampExtractor.Extract(stamped, PartitionTime);
                }
                catch (StreamsException e)
                {
                    throw new StreamsException(e.Message, e) { TaskId = _task.TaskId };
                }
            }
            if (ts < 0)
            {
                RuntimeLog.NegativeTimestamp(_task.Logger, raw.Topic, raw.Partition, raw.Offset, ts, _source.TimestampExtractor.GetType().Name);
                _task.RecordDropped(_source.Name);
                continue;
            }
            _headRaw = raw;
            _headKey = key;
            _headValue = value;
            _headTimestamp = ts;
            _headReady = true;
            PartitionTime = Math.Max(PartitionTime, ts);
            return true;
        }
        return false;
    }

    public override void ProcessHead(TaskContext task)
    {
        var raw = _headRaw;
        var key = _headKey;
        var value = _headValue;
        var ts = _headTimestamp;
        _headReady = false;
        _headKey = default!;
        _headValue = default!;
        // Like Kafka, every consumed record has mutable headers, so processors may add to them.
        var headers = raw.Headers ?? (_source.MutableHeaders ? new Headers() : null);
        task.ProcessSourceRecord(_source, raw.Topic, raw.Partition, raw.Offset, Record<TKey, TValue>.Create(key, value, ts, headers));
    }
}

/// <summary>Picks the next record across a task's partitions: the head with the smallest timestamp.</summary>
internal sealed class PartitionGroup
{
    private readonly List<RecordQueue> _queues = [];

    public IReadOnlyList<RecordQueue> Queues => _queues;

    public void Add(RecordQueue queue) => _queues.Add(queue);

    public RecordQueue? Find(TopicPartition tp)
    {
        foreach (var q in _queues)
        {
            if (q.Partition == tp)
            {
                return q;
            }
        }
        return null;
    }

    public int BufferedCount
    {
        get
        {
            var n = 0;
            foreach (var q in _queues)
            {
                n += q.Count;
            }
            return n;
        }
    }

    public RecordQueue? Next()
    {
        RecordQueue? best = null;
        foreach (var q in _queues)
        {
            if (q.TryPrepareHead() && (best is null || q.HeadTimestamp < best.HeadTimestamp))
            {
                best = q;
            }
        }
        return best;
    }
}

/// <summary>One scheduled punctuation.</summary>
internal sealed class PunctuationSchedule(ProcessorNode node, long interval, Action<long> punctuator, long nextTime) : Processors.ICancellable
{
    public ProcessorNode Node => node;

    public long Interval => interval;

    public Action<long> Punctuator => punctuator;

    public long NextTime { get; set; } = nextTime;

    public bool Cancelled { get; private set; }

    public void Cancel() => Cancelled = true;

    /// <summary>The next time after firing at <paramref name="now"/>, skipping missed intervals (Kafka's PunctuationSchedule.next).</summary>
    public void Advance(long now)
    {
        var next = NextTime + Interval;
        if (now >= next)
        {
            var missed = (now - NextTime) / Interval;
            next = NextTime + ((missed + 1) * Interval);
        }
        NextTime = next;
    }
}

/// <summary>Punctuations of one type, ordered by next firing time.</summary>
internal sealed class PunctuationQueue
{
    private readonly PriorityQueue<PunctuationSchedule, (long, long)> _pq = new();
    private long _seq;

    public int Count => _pq.Count;

    public void Add(PunctuationSchedule s) => _pq.Enqueue(s, (s.NextTime, _seq++));

    public bool MaybePunctuate(long now, Action<PunctuationSchedule, long> punctuate)
    {
        var fired = false;
        while (_pq.TryPeek(out var top, out var prio) && prio.Item1 <= now)
        {
            _pq.Dequeue();
            if (top.Cancelled)
            {
                continue;
            }
            punctuate(top, now);
            if (!top.Cancelled)
            {
                top.Advance(now);
                Add(top);
            }
            fired = true;
        }
        return fired;
    }
}
