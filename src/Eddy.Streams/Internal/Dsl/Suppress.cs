using System.Buffers.Binary;
using System.Text;
using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// The suppression buffer (Kafka's InMemoryTimeOrderedKeyValueChangeBuffer): the latest change per key, ordered by
/// the time it was first buffered (a key keeps its place when updated). It remembers each key's value from before it
/// was first buffered (the "prior value", what downstream last saw). Change-logged at commit in Kafka's version-3
/// layout: key bytes; value = serialized record context, prior, old and new values (4-byte length or -1, -2 when old
/// equals prior), then the 8-byte buffer time; header <c>v</c> = 3.
/// </summary>
internal sealed class InMemoryTimeOrderedKeyValueBuffer<TKey, TValue> : IStateStore
{
    private const int NullValueSentinel = -1;
    private const int OldPrevDuplicateValueSentinel = -2;
    private static readonly Headers ChangelogHeaders = CreateHeaders();

    internal readonly record struct BufferKey(long Time, Bytes Key);

    internal sealed class BufferValue(byte[]? prior, byte[]? old, byte[]? @new, ProcessorRecordContext context)
    {
        public byte[]? Prior { get; } = prior;

        public byte[]? Old { get; } = old;

        public byte[]? New { get; } = @new;

        public ProcessorRecordContext Context { get; } = context;

        public long Size => (Prior?.Length ?? 0) + (Old is not null && !ReferenceEquals(Old, Prior) ? Old.Length : 0) + (New?.Length ?? 0)
            + 8 + 8 + 4 + (Context.Topic?.Length ?? 0) + HeadersSize(Context.Headers);
    }

    private sealed class KeyComparer : IComparer<BufferKey>
    {
        public static KeyComparer Instance { get; } = new();

        public int Compare(BufferKey x, BufferKey y)
        {
            var c = x.Time.CompareTo(y.Time);
            return c != 0 ? c : x.Key.CompareTo(y.Key);
        }
    }

    private readonly Dictionary<Bytes, BufferKey> _index = new(BytesComparer.Instance);
    private readonly SortedDictionary<BufferKey, BufferValue> _sorted = new(KeyComparer.Instance);
    private readonly HashSet<Bytes> _dirtyKeys = new(BytesComparer.Instance);
    private readonly ISerde<TKey>? _keySerdeOverride;
    private readonly ISerde<TValue>? _valueSerdeOverride;
    private ISerde<TKey> _keySerde = null!;
    private ISerde<TValue> _valueSerde = null!;
    private IInternalStoreContext? _context;
    private string _changelogTopic = "";
    private SerializationContext _keyCtx;
    private SerializationContext _valueCtx;
    private bool _open;

    public InMemoryTimeOrderedKeyValueBuffer(string name, bool loggingEnabled, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    {
        Name = name;
        LoggingEnabled = loggingEnabled;
        _keySerdeOverride = keySerde;
        _valueSerdeOverride = valueSerde;
    }

    public string Name { get; }

    public bool LoggingEnabled { get; }

    public bool Persistent => false;

    public bool IsOpen => _open;

    public int NumRecords => _index.Count;

    public long BufferSize { get; private set; }

    public long MinTimestamp { get; private set; } = long.MaxValue;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext ?? throw new StreamsException("Suppression buffers need a task context.");
        _changelogTopic = _context.ChangelogTopic(Name);
        _keySerde = SerdeResolver.Resolve(_keySerdeOverride, context.Config, true, "suppression buffer " + Name);
        (_keySerde as IConfigurableSerde)?.Configure(context.Config, true);
        _valueSerde = SerdeResolver.Resolve(_valueSerdeOverride, context.Config, false, "suppression buffer " + Name);
        (_valueSerde as IConfigurableSerde)?.Configure(context.Config, false);
        _keyCtx = new SerializationContext(MessageComponentType.Key, _changelogTopic);
        _valueCtx = new SerializationContext(MessageComponentType.Value, _changelogTopic);
        context.Register(root, Restore);
        _open = true;
    }

    private static Headers CreateHeaders()
    {
        var h = new Headers().Add("v", [3]);
        h.SetReadOnly();
        return h;
    }

    private static long HeadersSize(Headers? headers)
    {
        long size = 0;
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                size += h.Key.Length + (h.Value?.Length ?? 0);
            }
        }
        return size;
    }

    public bool Put(long time, TKey key, Change<TValue> change, ProcessorRecordContext recordContext)
    {
        var serializedKey = Bytes.Wrap(_keySerde.Serialize(key, _keyCtx) ?? throw new StreamsException("Suppression buffer keys cannot serialize to null."));
        var buffered = _index.TryGetValue(serializedKey, out var bk) ? _sorted[bk] : null;
        var newValue = change.HasNew ? _valueSerde.Serialize(change.NewValue, _valueCtx) : null;
        var oldValue = change.HasOld ? _valueSerde.Serialize(change.OldValue, _valueCtx) : null;
        var prior = buffered is null ? oldValue : buffered.Prior;
        CleanPut(time, serializedKey, new BufferValue(prior, oldValue, newValue, recordContext));
        if (LoggingEnabled)
        {
            _dirtyKeys.Add(serializedKey);
        }
        return true;
    }

    /// <summary>Non-resetting: an updated key keeps its place (its first buffer time).</summary>
    private void CleanPut(long time, Bytes key, BufferValue value)
    {
        if (!_index.TryGetValue(key, out var previous))
        {
            var next = new BufferKey(time, key);
            _index.Add(key, next);
            _sorted.Add(next, value);
            MinTimestamp = Math.Min(MinTimestamp, time);
            BufferSize += RecordSize(key, value);
        }
        else
        {
            var removed = _sorted[previous];
            _sorted[previous] = value;
            BufferSize += RecordSize(key, value) - RecordSize(key, removed);
        }
    }

    private static long RecordSize(Bytes key, BufferValue value) => 8 + key.Length + value.Size;

    /// <summary>Evicts the oldest records while <paramref name="predicate"/> holds, handing each to <paramref name="callback"/> before removing it.</summary>
    public void EvictWhile(Func<bool> predicate, Action<TKey, Change<TValue>, ProcessorRecordContext> callback)
    {
        while (_sorted.Count > 0 && predicate())
        {
            var first = _sorted.First();
            if (first.Key.Time != MinTimestamp)
            {
                throw new InvalidOperationException($"minTimestamp [{MinTimestamp}] did not match the actual min timestamp [{first.Key.Time}]");
            }
            var v = first.Value;
            var key = _keySerde.Deserialize(first.Key.Key.Span, false, _keyCtx);
            var change = new Change<TValue>(v.New is not null, v.New is null ? default! : _valueSerde.Deserialize(v.New, false, _valueCtx),
                v.Old is not null, v.Old is null ? default! : _valueSerde.Deserialize(v.Old, false, _valueCtx));
            callback(key, change, v.Context);
            _sorted.Remove(first.Key);
            _index.Remove(first.Key.Key);
            if (LoggingEnabled)
            {
                _dirtyKeys.Add(first.Key.Key);
            }
            BufferSize -= RecordSize(first.Key.Key, v);
            MinTimestamp = _sorted.Count == 0 ? long.MaxValue : _sorted.First().Key.Time;
        }
    }

    /// <summary>The value downstream last saw for a buffered key (defined = the key is buffered).</summary>
    public bool TryGetPriorValue(TKey key, out bool hasValue, out TValue value)
    {
        var serializedKey = _keySerde.Serialize(key, _keyCtx);
        if (serializedKey is not null && _index.TryGetValue(Bytes.Wrap(serializedKey), out var bk))
        {
            var prior = _sorted[bk].Prior;
            hasValue = prior is not null;
            value = prior is null ? default! : _valueSerde.Deserialize(prior, false, _valueCtx);
            return true;
        }
        hasValue = false;
        value = default!;
        return false;
    }

    /// <summary>Writes the changed keys to the changelog (Kafka does it at commit, before the collector flushes).</summary>
    public void Flush()
    {
        if (!LoggingEnabled || _dirtyKeys.Count == 0)
        {
            return;
        }
        foreach (var key in _dirtyKeys)
        {
            if (_index.TryGetValue(key, out var bk))
            {
                var value = _sorted[bk];
                _context!.LogChange(_changelogTopic, Name, key, Serialize(value, bk.Time), value.Context.Timestamp, ChangelogHeaders);
            }
            else
            {
                _context!.LogChange(_changelogTopic, Name, key, null, _context.RecordContext.Timestamp, null);
            }
        }
        _dirtyKeys.Clear();
    }

    internal static byte[] Serialize(BufferValue value, long bufferTime)
    {
        var context = SerializeContext(value.Context);
        var oldSameAsPrior = value.Old is not null && value.Prior is not null && value.Old.AsSpan().SequenceEqual(value.Prior);
        var size = context.Length + 4 + (value.Prior?.Length ?? 0) + 4 + (value.Old is null || oldSameAsPrior ? 0 : value.Old.Length) + 4 + (value.New?.Length ?? 0) + 8;
        var buf = new byte[size];
        var pos = 0;
        context.CopyTo(buf, 0);
        pos += context.Length;
        pos = PutNullable(buf, pos, value.Prior);
        if (value.Old is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(pos), NullValueSentinel);
            pos += 4;
        }
        else if (oldSameAsPrior)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(pos), OldPrevDuplicateValueSentinel);
            pos += 4;
        }
        else
        {
            pos = PutNullable(buf, pos, value.Old);
        }
        pos = PutNullable(buf, pos, value.New);
        BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan(pos), bufferTime);
        return buf;
    }

    private static int PutNullable(byte[] buf, int pos, byte[]? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(pos), NullValueSentinel);
            return pos + 4;
        }
        BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(pos), value.Length);
        value.CopyTo(buf, pos + 4);
        return pos + 4 + value.Length;
    }

    /// <summary>Kafka's ProcessorRecordContext.serialize: timestamp, offset, topic, partition, headers.</summary>
    internal static byte[] SerializeContext(ProcessorRecordContext context)
    {
        var topic = Encoding.UTF8.GetBytes(context.Topic ?? "");
        var headers = context.Headers;
        var size = 8 + 8 + 4 + topic.Length + 4 + 4;
        var keys = new List<byte[]>();
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                var k = Encoding.UTF8.GetBytes(h.Key);
                keys.Add(k);
                size += 4 + k.Length + 4 + (h.Value?.Length ?? 0);
            }
        }
        var buf = new byte[size];
        var span = buf.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, context.Timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], context.Offset);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], topic.Length);
        topic.CopyTo(buf, 20);
        var pos = 20 + topic.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[pos..], context.Partition);
        BinaryPrimitives.WriteInt32BigEndian(span[(pos + 4)..], keys.Count);
        pos += 8;
        if (headers is not null)
        {
            var i = 0;
            foreach (var h in headers)
            {
                var k = keys[i++];
                BinaryPrimitives.WriteInt32BigEndian(span[pos..], k.Length);
                k.CopyTo(buf, pos + 4);
                pos += 4 + k.Length;
                if (h.Value is null)
                {
                    BinaryPrimitives.WriteInt32BigEndian(span[pos..], -1);
                    pos += 4;
                }
                else
                {
                    BinaryPrimitives.WriteInt32BigEndian(span[pos..], h.Value.Length);
                    h.Value.CopyTo(buf, pos + 4);
                    pos += 4 + h.Value.Length;
                }
            }
        }
        return buf;
    }

    private static byte[]? GetNullable(ReadOnlySpan<byte> data, ref int pos)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
        pos += 4;
        if (length < 0)
        {
            return null;
        }
        var value = data.Slice(pos, length).ToArray();
        pos += length;
        return value;
    }

    /// <summary>Restores a version-3 changelog record (the only version Eddy writes).</summary>
    private void Restore(byte[] key, byte[]? value)
    {
        var k = Bytes.Wrap(key);
        if (value is null)
        {
            if (_index.Remove(k, out var bk) && _sorted.Remove(bk, out var removed))
            {
                BufferSize -= RecordSize(k, removed);
                MinTimestamp = _sorted.Count == 0 ? long.MaxValue : _sorted.First().Key.Time;
            }
            return;
        }
        var data = value.AsSpan();
        var timestamp = BinaryPrimitives.ReadInt64BigEndian(data);
        var offset = BinaryPrimitives.ReadInt64BigEndian(data[8..]);
        var pos = 16;
        var topic = Encoding.UTF8.GetString(GetNullable(data, ref pos) ?? []);
        var partition = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
        var headerCount = BinaryPrimitives.ReadInt32BigEndian(data[(pos + 4)..]);
        pos += 8;
        Headers? headers = null;
        if (headerCount > 0)
        {
            headers = new Headers();
            for (var i = 0; i < headerCount; i++)
            {
                var hk = Encoding.UTF8.GetString(GetNullable(data, ref pos) ?? []);
                headers.Add(hk, GetNullable(data, ref pos));
            }
        }
        var prior = GetNullable(data, ref pos);
        var oldLength = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
        byte[]? old;
        if (oldLength == OldPrevDuplicateValueSentinel)
        {
            pos += 4;
            old = prior;
        }
        else
        {
            old = GetNullable(data, ref pos);
        }
        var @new = GetNullable(data, ref pos);
        var time = BinaryPrimitives.ReadInt64BigEndian(data[pos..]);
        CleanPut(time, k, new BufferValue(prior, old, @new, new ProcessorRecordContext(timestamp, offset, partition, topic, headers)));
    }

    public void Close()
    {
        _index.Clear();
        _sorted.Clear();
        _dirtyKeys.Clear();
        BufferSize = 0;
        MinTimestamp = long.MaxValue;
        _open = false;
    }
}

/// <summary>Builds suppression buffers (caching does not apply; logging is on unless the buffer config turns it off).</summary>
internal sealed class SuppressionBufferBuilder<TKey, TValue>(string name, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) : StoreBuilder<IStateStore>(name)
{
    public override IStateStore Build() => new InMemoryTimeOrderedKeyValueBuffer<TKey, TValue>(Name, LoggingEnabled, keySerde, valueSerde);
}

/// <summary>How the suppression processor reads time and when it emits.</summary>
internal sealed class SuppressSettings<TKey>
{
    public required string StoreName { get; init; }

    public required long SuppressDurationMillis { get; init; }

    public required bool UntilWindowCloses { get; init; }

    public required BufferConfigBase Buffer { get; init; }

    /// <summary>Window end of a windowed key (the buffer time of final results); null for time limits.</summary>
    public Func<TKey, long>? WindowEnd { get; init; }
}

/// <summary>
/// Holds back table updates (Kafka's KTableSuppressProcessor): each update is buffered under its key, with the
/// window end (final results) or the record time (time limit) as buffer time; as stream time advances, records whose
/// buffer time is at most stream time minus the suppression duration are emitted with their own record context.
/// A full buffer emits early or fails the task. Tombstones of final results are dropped when safe.
/// </summary>
internal sealed class KTableSuppressProcessor<TKey, TValue>(SuppressSettings<TKey> settings) : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    private InMemoryTimeOrderedKeyValueBuffer<TKey, TValue> _buffer = null!;
    private long _observedStreamTime = -1;
    private long _expiryTime;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        _buffer = context.GetStateStore<InMemoryTimeOrderedKeyValueBuffer<TKey, TValue>>(settings.StoreName);
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        _observedStreamTime = Math.Max(_observedStreamTime, record.Timestamp);
        var bufferTime = settings.WindowEnd is { } windowEnd ? windowEnd(record.Key) : record.Timestamp;
        var rc = Context.Task.RecordContext;
        // The stored context carries the record's own timestamp and headers, which the emitted record keeps.
        _buffer.Put(bufferTime, record.Key, record.Value, rc with { Timestamp = record.Timestamp, Headers = record.RawHeaders });
        EnforceConstraints();
    }

    private void EnforceConstraints()
    {
        _expiryTime = _observedStreamTime - settings.SuppressDurationMillis;
        _buffer.EvictWhile(ExpiredPredicate, Emit);
        if (OverCapacity())
        {
            if (settings.Buffer.FullStrategy == BufferFullStrategy.EmitEarly)
            {
                _buffer.EvictWhile(OverCapacity, Emit);
                return;
            }
            throw new StreamsException(
                $"{Context.Task.CurrentNode?.Name} buffer exceeded its max capacity. Currently [{_buffer.NumRecords}/{settings.Buffer.RecordLimit}] records and [{_buffer.BufferSize}/{settings.Buffer.ByteLimit}] bytes.");
        }
    }

    private bool ExpiredPredicate() => _buffer.MinTimestamp <= _expiryTime;

    private bool OverCapacity() => _buffer.NumRecords > settings.Buffer.RecordLimit || _buffer.BufferSize > settings.Buffer.ByteLimit;

    private void Emit(TKey key, Change<TValue> value, ProcessorRecordContext context)
    {
        // Final results never need a tombstone for a window that was never emitted.
        if (!value.HasNew && settings.UntilWindowCloses)
        {
            return;
        }
        Context.ForwardFromCacheFlush(Record<TKey, Change<TValue>>.Create(key, value, context.Timestamp, context.Headers), context);
    }
}

/// <summary>The suppressed view of a table: a buffered key shows what downstream last saw (its prior value).</summary>
internal sealed class SuppressGetterSupplier<TKey, TValue>(IKTableValueGetterSupplier<TKey, TValue> parent, string storeName) : IKTableValueGetterSupplier<TKey, TValue>
{
    public IKTableValueGetter<TKey, TValue> Get() => new Getter(parent.Get(), storeName);

    public IReadOnlyList<string> StoreNames => [storeName, .. parent.StoreNames];

    private sealed class Getter(IKTableValueGetter<TKey, TValue> parent, string name) : IKTableValueGetter<TKey, TValue>
    {
        private InMemoryTimeOrderedKeyValueBuffer<TKey, TValue> _buffer = null!;

        public void Init(IProcessingContext context)
        {
            parent.Init(context);
            _buffer = context.GetStateStore<InMemoryTimeOrderedKeyValueBuffer<TKey, TValue>>(name);
        }

        public bool TryGet(TKey key, out ValueAndTimestamp<TValue> value)
        {
            if (_buffer.TryGetPriorValue(key, out var has, out var prior))
            {
                // Kafka cannot know the prior value's timestamp either: it reports it as unknown (-1).
                value = has ? new ValueAndTimestamp<TValue>(prior, -1) : default;
                return has;
            }
            return parent.TryGet(key, out value);
        }

        public void Close() => parent.Close();
    }
}
