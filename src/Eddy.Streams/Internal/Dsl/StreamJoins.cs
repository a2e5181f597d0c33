using System.Buffers.Binary;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// Puts each record of one side of a stream-stream join into that side's window store, after forwarding it to the
/// join processor (Kafka's KStreamJoinWindow). Records with a null key are forwarded but never stored.
/// </summary>
internal sealed class KStreamJoinWindow<TKey, TValue>(string storeName) : DslProcessor<TKey, TValue, TKey, TValue>
{
    private IWindowStore<TKey, TValue> _window = null!;

    public override void Init(IProcessorContext<TKey, TValue> context)
    {
        base.Init(context);
        _window = context.GetStateStore<IWindowStore<TKey, TValue>>(storeName);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        Context.Forward(record);
        if (record.Key is not null)
        {
            // Every record starts its own window; the store is used for its retention.
            _window.Put(record.Key, record.Value, record.Timestamp);
        }
    }
}

/// <summary>The stream time and pending-outer bookkeeping shared by the two sides of a join in one task.</summary>
internal sealed class SharedTimeTrackers
{
    private readonly Dictionary<TaskId, TimeTracker> _trackers = [];

    public TimeTracker Get(TaskId taskId)
    {
        lock (_trackers)
        {
            if (!_trackers.TryGetValue(taskId, out var t))
            {
                t = new TimeTracker();
                _trackers.Add(taskId, t);
            }
            return t;
        }
    }

    public void Remove(TaskId taskId)
    {
        lock (_trackers)
        {
            _trackers.Remove(taskId);
        }
    }
}

/// <summary>Settings of one side of a stream-stream join.</summary>
internal sealed class StreamJoinSideSettings
{
    public required string OtherStoreName { get; init; }

    public string? OuterStoreName { get; init; }

    public required bool IsLeftSide { get; init; }

    public required bool Outer { get; init; }

    /// <summary>How far back (ms) this side looks in the other side's store.</summary>
    public required long JoinBeforeMs { get; init; }

    /// <summary>How far forward (ms) this side looks.</summary>
    public required long JoinAfterMs { get; init; }

    /// <summary>The window's before-difference (left-side unmatched records wait for the after-difference, right-side ones for this).</summary>
    public required long WindowsBeforeMs { get; init; }

    public required long WindowsAfterMs { get; init; }

    public required long GraceMs { get; init; }

    public required SharedTimeTrackers Trackers { get; init; }
}

/// <summary>
/// Serializes the keys and values of the shared outer-join store as Kafka does: the key is
/// <c>[8-byte timestamp][1-byte side: 1 left, 0 right][key bytes]</c> (TimestampedKeyAndJoinSideSerializer), so the
/// store iterates in time order; the value is a list (ListSerde, variable size: <c>[1][4-byte count]</c>, then
/// <c>[4-byte length][1-byte side][value bytes]</c> per element, LeftOrRightValueSerializer).
/// </summary>
internal static class OuterJoinStoreFormat
{
    public static byte[] Key(ReadOnlySpan<byte> key, long timestamp, bool leftSide)
    {
        var bytes = new byte[9 + key.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        bytes[8] = leftSide ? (byte)1 : (byte)0;
        key.CopyTo(bytes.AsSpan(9));
        return bytes;
    }

    public static long Timestamp(ReadOnlySpan<byte> storeKey) => BinaryPrimitives.ReadInt64BigEndian(storeKey);

    public static bool IsLeft(ReadOnlySpan<byte> storeKey) => storeKey[8] == 1;

    public static ReadOnlySpan<byte> KeyBytes(ReadOnlySpan<byte> storeKey) => storeKey[9..];

    public static byte[] Append(byte[]? list, bool leftSide, ReadOnlySpan<byte> value)
    {
        var element = 1 + value.Length;
        if (list is null)
        {
            var fresh = new byte[1 + 4 + 4 + element];
            fresh[0] = 1;
            BinaryPrimitives.WriteInt32BigEndian(fresh.AsSpan(1), 1);
            WriteElement(fresh.AsSpan(5), leftSide, value);
            return fresh;
        }
        var result = new byte[list.Length + 4 + element];
        list.CopyTo(result, 0);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(1), BinaryPrimitives.ReadInt32BigEndian(list.AsSpan(1)) + 1);
        WriteElement(result.AsSpan(list.Length), leftSide, value);
        return result;
    }

    private static void WriteElement(Span<byte> destination, bool leftSide, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 1 + value.Length);
        destination[4] = leftSide ? (byte)1 : (byte)0;
        value.CopyTo(destination[5..]);
    }

    /// <summary>The elements of a list: (left side?, value bytes).</summary>
    public static List<(bool Left, byte[] Value)> Elements(byte[] list)
    {
        var count = BinaryPrimitives.ReadInt32BigEndian(list.AsSpan(1));
        var result = new List<(bool, byte[])>(count);
        var pos = 5;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(list.AsSpan(pos));
            pos += 4;
            result.Add((list[pos] == 1, list.AsSpan(pos + 1, length - 1).ToArray()));
            pos += length;
        }
        return result;
    }
}

/// <summary>
/// One side of a stream-stream join (Kafka's KStreamKStreamJoin, with the KIP-633 fix for left and outer joins):
/// each record is joined with the other side's records of the same key within the window. An unmatched record of an
/// outer side waits in the shared outer-join store and is emitted with a null other value only when its window
/// (plus grace) has closed in stream time and no match came, so there are no spurious null results.
/// </summary>
internal sealed class KStreamKStreamJoinProcessor<TKey, TThis, TOther, TResult, TLeft, TRight>(StreamJoinSideSettings settings,
    Func<TKey, TThis, TOther, TResult> joiner, ISerde<TKey>? keySerde, ISerde<TLeft>? leftSerde, ISerde<TRight>? rightSerde)
    : DslProcessor<TKey, TThis, TKey, TResult>
{
    private readonly List<(long Timestamp, TOther Value)> _matches = [];
    private IWindowStore<TKey, TOther> _otherStore = null!;
    private MeteredWindowStore<TKey, TOther>? _otherTyped;
    private InMemoryWindowStore? _otherMemory;
    private IKeyValueStore<Bytes, byte[]>? _outerStore;
    private TimeTracker _tracker = null!;
    private ISerde<TKey> _keySerde = null!;
    private ISerializer<TThis> _thisSerde = null!;
    private ISerde<TLeft> _leftSerde = null!;
    private ISerde<TRight> _rightSerde = null!;

    public override void Init(IProcessorContext<TKey, TResult> context)
    {
        base.Init(context);
        _otherStore = context.GetStateStore<IWindowStore<TKey, TOther>>(settings.OtherStoreName);
        _otherTyped = _otherStore as MeteredWindowStore<TKey, TOther>;
        _otherMemory = _otherTyped is null ? null : Unwrap(_otherTyped.Inner);
        _tracker = settings.Trackers.Get(context.TaskId);
        if (settings.OuterStoreName is not null)
        {
            _outerStore = context.GetStateStore<IKeyValueStore<Bytes, byte[]>>(settings.OuterStoreName);
            _tracker.EmitIntervalMs = InternalConfig.GetLong(context.Config, InternalConfig.EmitIntervalOuterJoin, 1000);
            var where = "outer join store " + settings.OuterStoreName;
            _keySerde = SerdeResolver.Resolve(keySerde, context.Config, true, where);
            _leftSerde = SerdeResolver.Resolve(leftSerde, context.Config, false, where);
            _rightSerde = SerdeResolver.Resolve(rightSerde, context.Config, false, where);
            _thisSerde = settings.IsLeftSide ? (ISerializer<TThis>)(object)_leftSerde : (ISerializer<TThis>)(object)_rightSerde;
        }
    }

    /// <summary>The in-memory store under the change-logging layer, for iterating a key's windows without allocating.</summary>
    private static InMemoryWindowStore? Unwrap(IStateStore store)
    {
        while (true)
        {
            switch (store)
            {
                case InMemoryWindowStore m:
                    return m;
                case ChangeLoggingWindowBytesStore w:
                    store = w.Wrapped;
                    break;
                default:
                    return null;
            }
        }
    }

    public override void Process(Record<TKey, TThis> record)
    {
        var ts = record.Timestamp;
        _tracker.AdvanceStreamTime(ts);
        if (settings.Outer && record.Key is null && record.Value is not null)
        {
            // KIP-962: left and outer joins emit records with null keys right away.
            Context.Forward(record.WithValue(joiner(record.Key!, record.Value, default!)));
            return;
        }
        if (record.Key is null || record.Value is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        if (_outerStore is not null && ts == _tracker.StreamTime)
        {
            EmitNonJoinedOuterRecords(record);
        }
        var timeFrom = Math.Max(0L, ts - settings.JoinBeforeMs);
        var timeTo = Math.Max(0L, ts + settings.JoinAfterMs);
        var matches = _matches;
        matches.Clear();
        CollectMatches(record.Key, timeFrom, timeTo, matches);
        foreach (var (otherTs, otherValue) in matches)
        {
            EmitInnerJoin(record, otherTs, otherValue);
        }
        if (settings.Outer && matches.Count == 0)
        {
            // A record too old to be matched by anything still to come is emitted at once.
            if (_outerStore is null || timeTo < _tracker.StreamTime)
            {
                Context.Forward(record.WithValue(joiner(record.Key, record.Value, default!)));
            }
            else
            {
                _tracker.UpdatedMinTime(ts);
                PutInOuterJoinStore(record);
            }
        }
    }

    private void CollectMatches(TKey key, long timeFrom, long timeTo, List<(long, TOther)> into)
    {
        if (_otherMemory is { } memory)
        {
            var kw = memory.WindowsOf(_otherTyped!.KeySpan(key));
            if (kw is null)
            {
                return;
            }
            var items = kw.Items;
            var from = Math.Max(timeFrom, memory.LiveFrom);
            for (var i = kw.LowerBound(from); i < items.Count && items[i].Start <= timeTo; i++)
            {
                into.Add((items[i].Start, _otherTyped.ValueOf(items[i].Value)));
            }
            return;
        }
        using var it = _otherStore.Fetch(key, timeFrom, timeTo);
        while (it.MoveNext())
        {
            into.Add((it.Current.Key, it.Current.Value));
        }
    }

    private void EmitInnerJoin(in Record<TKey, TThis> record, long otherTimestamp, TOther otherValue)
    {
        if (_outerStore is not null)
        {
            // The other record found a match: it must not be emitted as unmatched (Kafka's putIfAbsent(key, null) deletes it).
            var otherKey = Bytes.Wrap(OuterJoinStoreFormat.Key(KeyBytes(record.Key), otherTimestamp, !settings.IsLeftSide));
            if (_outerStore.TryGet(otherKey, out _))
            {
                _outerStore.Put(otherKey, null);
            }
        }
        Context.Forward(record.WithValue(joiner(record.Key, record.Value, otherValue)).WithTimestamp(Math.Max(record.Timestamp, otherTimestamp)));
    }

    private byte[] KeyBytes(TKey key) => _keySerde.Serialize(key, new SerializationContext(MessageComponentType.Key, settings.OuterStoreName!)) ?? [];

    private void PutInOuterJoinStore(in Record<TKey, TThis> record)
    {
        var key = Bytes.Wrap(OuterJoinStoreFormat.Key(KeyBytes(record.Key), record.Timestamp, settings.IsLeftSide));
        var value = _thisSerde.Serialize(record.Value, new SerializationContext(MessageComponentType.Value, settings.OuterStoreName!)) ?? [];
        var existing = _outerStore!.TryGet(key, out var list) ? list : null;
        _outerStore.Put(key, OuterJoinStoreFormat.Append(existing, settings.IsLeftSide, value));
    }

    /// <summary>
    /// Emits every waiting unmatched record whose window has closed, in time order, and deletes it (Kafka's
    /// emitNonJoinedOuterRecords): skipped while nothing can be due, and throttled to once per emit interval.
    /// </summary>
    private void EmitNonJoinedOuterRecords(in Record<TKey, TThis> record)
    {
        var tracker = _tracker;
        if (tracker.MinTime + settings.JoinAfterMs + settings.GraceMs >= tracker.StreamTime)
        {
            return;
        }
        var now = Context.CurrentSystemTimeMs;
        if (now < tracker.NextTimeToEmit)
        {
            return;
        }
        tracker.NextTimeToEmit = now;
        tracker.AdvanceNextTimeToEmit();
        tracker.MinTime = long.MaxValue;
        var store = _outerStore!;
        var ctx = new SerializationContext(MessageComponentType.Value, settings.OuterStoreName!);
        var keyCtx = new SerializationContext(MessageComponentType.Key, settings.OuterStoreName!);
        Bytes prevKey = default;
        var leftWindowOpen = false;
        var rightWindowOpen = false;
        using (var it = store.All())
        {
            while (it.MoveNext())
            {
                var storeKey = it.Current.Key;
                var span = storeKey.Span;
                var timestamp = OuterJoinStoreFormat.Timestamp(span);
                var isLeft = OuterJoinStoreFormat.IsLeft(span);
                tracker.MinTime = timestamp;
                if (leftWindowOpen && rightWindowOpen)
                {
                    break;
                }
                // Left-side records wait for the after-difference, right-side ones for the before-difference.
                var lookBack = isLeft ? settings.WindowsAfterMs : settings.WindowsBeforeMs;
                if (tracker.MinTime + lookBack + settings.GraceMs >= tracker.StreamTime)
                {
                    if (isLeft)
                    {
                        leftWindowOpen = true;
                    }
                    else
                    {
                        rightWindowOpen = true;
                    }
                    continue;
                }
                var key = _keySerde.Deserialize(OuterJoinStoreFormat.KeyBytes(span), false, keyCtx);
                foreach (var (left, raw) in OuterJoinStoreFormat.Elements(it.Current.Value))
                {
                    TResult result;
                    if (left)
                    {
                        var v = _leftSerde.Deserialize(raw, false, ctx);
                        result = settings.IsLeftSide ? joiner(key, (TThis)(object)v!, default!) : joiner(key, default!, (TOther)(object)v!);
                    }
                    else
                    {
                        var v = _rightSerde.Deserialize(raw, false, ctx);
                        result = settings.IsLeftSide ? joiner(key, default!, (TOther)(object)v!) : joiner(key, (TThis)(object)v!, default!);
                    }
                    Context.Forward(Record<TKey, TResult>.Create(key, result, timestamp, record.RawHeaders));
                }
                if (!prevKey.IsNull && !prevKey.Equals(storeKey))
                {
                    store.Put(prevKey, null);
                }
                prevKey = storeKey;
            }
        }
        if (!prevKey.IsNull)
        {
            store.Put(prevKey, null);
        }
    }

    public override void Close() => settings.Trackers.Remove(Context.TaskId);
}

/// <summary>
/// Joins each stream record with a table's current value (Kafka's KStreamKTableJoinProcessor); for a global table
/// the lookup key is computed by a key selector. Inner joins drop records without a table value.
/// </summary>
internal sealed class KStreamKTableJoinProcessor<TKey, TValue, TTableKey, TTableValue, TResult>(IKTableValueGetterSupplier<TTableKey, TTableValue> getterSupplier,
    Func<TKey, TValue, TTableKey> keyMapper, Func<TKey, TValue, TTableValue, TResult> joiner, bool leftJoin) : DslProcessor<TKey, TValue, TKey, TResult>
{
    private IKTableValueGetter<TTableKey, TTableValue> _getter = null!;

    public override void Init(IProcessorContext<TKey, TResult> context)
    {
        base.Init(context);
        _getter = getterSupplier.Get();
        _getter.Init(context);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Value is null)
        {
            Skip();
            return;
        }
        var mappedKey = record.Key is null ? default : keyMapper(record.Key, record.Value);
        if (mappedKey is null)
        {
            if (leftJoin)
            {
                // KIP-962: a left join emits records whose (mapped) key is null with a null table value.
                Context.Forward(record.WithValue(joiner(record.Key, record.Value, default!)));
            }
            else
            {
                Skip();
            }
            return;
        }
        if (_getter.TryGet(mappedKey, out var tableValue))
        {
            Context.Forward(record.WithValue(joiner(record.Key, record.Value, tableValue.Value)));
        }
        else if (leftJoin)
        {
            Context.Forward(record.WithValue(joiner(record.Key, record.Value, default!)));
        }
    }

    private void Skip()
    {
        var rc = Context.Task.RecordContext;
        RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
        Dropped();
    }

    public override void Close() => _getter?.Close();
}
