using System.Buffers.Binary;
using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.Topology;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>MurmurHash3 x64 128-bit with Kafka's seed (104729), as Kafka's Murmur3.hash128 hashes FK-join values.</summary>
internal static class Murmur3
{
    private const ulong C1 = 0x87c37b91114253d5UL;
    private const ulong C2 = 0x4cf5ad432745937fUL;
    private const int R1 = 31;
    private const int R2 = 27;
    private const int R3 = 33;
    private const ulong M = 5;
    private const ulong N1 = 0x52dce729;
    private const ulong N2 = 0x38495ab5;
    private const int DefaultSeed = 104729;

    public static (long H1, long H2) Hash128(ReadOnlySpan<byte> data)
    {
        ulong h1 = DefaultSeed, h2 = DefaultSeed;
        var length = data.Length;
        var nblocks = length >> 4;
        for (var i = 0; i < nblocks; i++)
        {
            var k1 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i << 4)..]);
            var k2 = BinaryPrimitives.ReadUInt64LittleEndian(data[((i << 4) + 8)..]);
            k1 *= C1;
            k1 = ulong.RotateLeft(k1, R1);
            k1 *= C2;
            h1 ^= k1;
            h1 = ulong.RotateLeft(h1, R2);
            h1 += h2;
            h1 = (h1 * M) + N1;
            k2 *= C2;
            k2 = ulong.RotateLeft(k2, R3);
            k2 *= C1;
            h2 ^= k2;
            h2 = ulong.RotateLeft(h2, R1);
            h2 += h1;
            h2 = (h2 * M) + N2;
        }
        ulong t1 = 0, t2 = 0;
        var tail = data[(nblocks << 4)..];
        var rem = tail.Length;
        if (rem > 8)
        {
            for (var i = rem - 1; i >= 8; i--)
            {
                t2 ^= (ulong)tail[i] << ((i - 8) * 8);
            }
            t2 *= C2;
            t2 = ulong.RotateLeft(t2, R3);
            t2 *= C1;
            h2 ^= t2;
        }
        if (rem > 0)
        {
            for (var i = Math.Min(rem, 8) - 1; i >= 0; i--)
            {
                t1 ^= (ulong)tail[i] << (i * 8);
            }
            t1 *= C1;
            t1 = ulong.RotateLeft(t1, R1);
            t1 *= C2;
            h1 ^= t1;
        }
        h1 ^= (ulong)length;
        h2 ^= (ulong)length;
        h1 += h2;
        h2 += h1;
        h1 = Fmix64(h1);
        h2 = Fmix64(h2);
        h1 += h2;
        h2 += h1;
        return ((long)h1, (long)h2);
    }

    private static ulong Fmix64(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}

/// <summary>What the receiving side does with a subscription (Kafka's SubscriptionWrapper.Instruction, byte values as on the wire).</summary>
internal enum SubscriptionInstruction : byte
{
    /// <summary>Delete the subscription; send nothing.</summary>
    DeleteKeyNoPropagate = 0,

    /// <summary>Delete the subscription; send (key, null).</summary>
    DeleteKeyAndPropagate = 1,

    /// <summary>Subscribe; send (key, foreign value) or (key, null) when there is no foreign value.</summary>
    PropagateNullIfNoFkValAvailable = 2,

    /// <summary>Subscribe; send (key, foreign value) only if there is one.</summary>
    PropagateOnlyIfFkValAvailable = 3,
}

/// <summary>A subscription of a primary row to a foreign key (Kafka's SubscriptionWrapper, version 1).</summary>
internal sealed record SubscriptionWrapper<TKey>((long, long)? Hash, SubscriptionInstruction Instruction, TKey PrimaryKey, int PrimaryPartition)
{
    public const byte CurrentVersion = 1;

    public byte Version { get; init; } = CurrentVersion;
}

/// <summary>
/// Kafka's SubscriptionWrapperSerde, version 1:
/// <c>{1-bit isHashNull}{7-bit version}{1-byte instruction}{optional 16-byte hash}{primary key}{4-byte primary partition}</c>.
/// </summary>
internal sealed class SubscriptionWrapperSerde<TKey>(ISerde<TKey>? primaryKeySerde, Func<string> pkPseudoTopic) : Serde<SubscriptionWrapper<TKey>>, IConfigurableSerde
{
    private ISerde<TKey>? _pk = primaryKeySerde;

    public void Configure(StreamsConfig config, bool isKey) => _pk ??= SerdeResolver.Resolve<TKey>(null, config, true, "foreign-key join subscription");

    private ISerde<TKey> Pk => _pk ?? throw new StreamsException("The subscription serde was not configured.");

    public override byte[]? Serialize(SubscriptionWrapper<TKey> data, SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }
        var pk = Pk.Serialize(data.PrimaryKey, new SerializationContext(MessageComponentType.Key, pkPseudoTopic())) ?? [];
        var hashLength = data.Hash is null ? 0 : 16;
        var buf = new byte[2 + hashLength + pk.Length + (data.Version > 0 ? 4 : 0)];
        buf[0] = data.Hash is null ? (byte)(data.Version | 0x80) : data.Version;
        buf[1] = (byte)data.Instruction;
        if (data.Hash is { } h)
        {
            BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan(2), h.Item1);
            BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan(10), h.Item2);
        }
        pk.CopyTo(buf, 2 + hashLength);
        if (data.Version > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(2 + hashLength + pk.Length), data.PrimaryPartition);
        }
        return buf;
    }

    public override SubscriptionWrapper<TKey> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!;
        }
        var version = (byte)(data[0] & 0x7F);
        var isHashNull = (data[0] & 0x80) == 0x80;
        var instruction = (SubscriptionInstruction)data[1];
        var pos = 2;
        (long, long)? hash = null;
        if (!isHashNull)
        {
            hash = (BinaryPrimitives.ReadInt64BigEndian(data[2..]), BinaryPrimitives.ReadInt64BigEndian(data[10..]));
            pos += 16;
        }
        var pkLength = data.Length - pos - (version > 0 ? 4 : 0);
        var pk = Pk.Deserialize(data.Slice(pos, pkLength), false, new SerializationContext(MessageComponentType.Key, pkPseudoTopic()));
        var partition = version > 0 ? BinaryPrimitives.ReadInt32BigEndian(data[(pos + pkLength)..]) : -1;
        return new SubscriptionWrapper<TKey>(hash, instruction, pk, partition) { Version = version };
    }
}

/// <summary>A foreign row's value sent back to a primary row (Kafka's SubscriptionResponseWrapper, version 1).</summary>
internal sealed record SubscriptionResponseWrapper<TValue>((long, long)? OriginalValueHash, bool HasForeignValue, TValue ForeignValue, int PrimaryPartition)
{
    public const byte CurrentVersion = 1;

    public byte Version { get; init; } = CurrentVersion;
}

/// <summary>
/// Kafka's SubscriptionResponseWrapperSerde, version 1:
/// <c>{1-bit isHashNull}{7-bit version}{4-byte primary partition}{optional 16-byte hash}{foreign value bytes}</c>.
/// </summary>
internal sealed class SubscriptionResponseWrapperSerde<TValue>(ISerde<TValue>? valueSerde) : Serde<SubscriptionResponseWrapper<TValue>>, IConfigurableSerde
{
    private ISerde<TValue>? _value = valueSerde;

    public void Configure(StreamsConfig config, bool isKey) => _value ??= SerdeResolver.Resolve<TValue>(null, config, false, "foreign-key join response");

    private ISerde<TValue> Value => _value ?? throw new StreamsException("The subscription response serde was not configured.");

    public override byte[]? Serialize(SubscriptionResponseWrapper<TValue> data, SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }
        var value = data.HasForeignValue ? Value.Serialize(data.ForeignValue, context) : null;
        var hashLength = data.OriginalValueHash is null ? 0 : 16;
        var partitionLength = data.Version > 0 ? 4 : 0;
        var buf = new byte[1 + partitionLength + hashLength + (value?.Length ?? 0)];
        buf[0] = data.OriginalValueHash is null ? (byte)(data.Version | 0x80) : data.Version;
        var pos = 1;
        if (data.Version > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan(1), data.PrimaryPartition);
            pos += 4;
        }
        if (data.OriginalValueHash is { } h)
        {
            BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan(pos), h.Item1);
            BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan(pos + 8), h.Item2);
            pos += 16;
        }
        value?.CopyTo(buf, pos);
        return buf;
    }

    public override SubscriptionResponseWrapper<TValue> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!;
        }
        var version = (byte)(data[0] & 0x7F);
        var isHashNull = (data[0] & 0x80) == 0x80;
        var pos = 1;
        var partition = -1;
        if (version > 0)
        {
            partition = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
            pos += 4;
        }
        (long, long)? hash = null;
        if (!isHashNull)
        {
            hash = (BinaryPrimitives.ReadInt64BigEndian(data[pos..]), BinaryPrimitives.ReadInt64BigEndian(data[(pos + 8)..]));
            pos += 16;
        }
        var hasValue = data.Length - pos > 0;
        var value = hasValue ? Value.Deserialize(data[pos..], false, context) : default!;
        return new SubscriptionResponseWrapper<TValue>(hash, hasValue, value, partition) { Version = version };
    }
}

/// <summary>A subscription store key: Kafka's CombinedKeySchema <c>[4-byte foreign key length][foreign key][primary key]</c>.</summary>
internal static class CombinedKeySchema
{
    public static Bytes ToBytes(ReadOnlySpan<byte> foreignKey, ReadOnlySpan<byte> primaryKey)
    {
        var buf = new byte[4 + foreignKey.Length + primaryKey.Length];
        BinaryPrimitives.WriteInt32BigEndian(buf, foreignKey.Length);
        foreignKey.CopyTo(buf.AsSpan(4));
        primaryKey.CopyTo(buf.AsSpan(4 + foreignKey.Length));
        return Bytes.Wrap(buf);
    }

    public static byte[] Prefix(ReadOnlySpan<byte> foreignKey)
    {
        var buf = new byte[4 + foreignKey.Length];
        BinaryPrimitives.WriteInt32BigEndian(buf, foreignKey.Length);
        foreignKey.CopyTo(buf.AsSpan(4));
        return buf;
    }

    public static ReadOnlySpan<byte> PrimaryKey(ReadOnlySpan<byte> combined) => combined[(4 + BinaryPrimitives.ReadInt32BigEndian(combined))..];
}

/// <summary>Everything the processors of one foreign-key join share: serdes (resolved at first use) and pseudo topics.</summary>
internal sealed class ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue>
{
    public required ISerde<TKey>? KeySerde { get; init; }

    public required ISerde<TValue>? ValueSerde { get; init; }

    public required ISerde<TForeignKey>? ForeignKeySerde { get; init; }

    public required string SubscriptionTopic { get; init; }

    public required string SubscriptionStoreName { get; init; }

    public required bool LeftJoin { get; init; }

    public ISerde<TKey> ResolveKey(StreamsConfig config) => SerdeResolver.Resolve(KeySerde, config, true, "foreign-key join");

    public ISerde<TValue> ResolveValue(StreamsConfig config) => SerdeResolver.Resolve(ValueSerde, config, false, "foreign-key join");

    public ISerde<TForeignKey> ResolveForeignKey(StreamsConfig config) => SerdeResolver.Resolve(ForeignKeySerde, config, true, "foreign-key join");
}

/// <summary>
/// Sends subscriptions for primary-table updates (Kafka's SubscriptionSendProcessorSupplier): subscribe to the new
/// foreign key, unsubscribe from an old one that changed, with instructions that make the other side answer only
/// when a result may change. Each subscription carries a hash of the primary value, so stale answers are dropped.
/// </summary>
internal sealed class SubscriptionSendProcessor<TKey, TValue, TForeignKey, TForeignValue>(ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue> settings,
    Func<TKey, TValue, TForeignKey> foreignKeyExtractor) : DslProcessor<TKey, Change<TValue>, TForeignKey, SubscriptionWrapper<TKey>>
{
    private ISerde<TForeignKey> _fkSerde = null!;
    private ISerde<TValue> _valueSerde = null!;
    private SerializationContext _fkCtx;
    private SerializationContext _vhCtx;
    private (long, long)? _hash;
    private bool _hashComputed;

    public override void Init(IProcessorContext<TForeignKey, SubscriptionWrapper<TKey>> context)
    {
        base.Init(context);
        _fkSerde = settings.ResolveForeignKey(context.Config);
        _valueSerde = settings.ResolveValue(context.Config);
        _fkCtx = new SerializationContext(MessageComponentType.Key, context.ApplicationId + "-" + settings.SubscriptionTopic + "-fk");
        _vhCtx = new SerializationContext(MessageComponentType.Value, context.ApplicationId + "-" + settings.SubscriptionTopic + "-vh");
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        _hashComputed = false;
        var change = record.Value;
        if (settings.LeftJoin)
        {
            if (!change.HasNew && !change.HasOld)
            {
                return;
            }
            var oldFk = change.HasOld ? foreignKeyExtractor(record.Key, change.OldValue) : default;
            var newFk = change.HasNew ? foreignKeyExtractor(record.Key, change.NewValue) : default;
            if (oldFk is not null && !SameKey(newFk, oldFk))
            {
                Forward(record, oldFk, SubscriptionInstruction.DeleteKeyNoPropagate);
            }
            // Inserts, updates and deletes all subscribe (a null foreign key subscribes to nothing but still answers).
            Forward(record, newFk!, SubscriptionInstruction.PropagateNullIfNoFkValAvailable);
            return;
        }
        var oldForeignKey = change.HasOld ? foreignKeyExtractor(record.Key, change.OldValue) : default;
        var unsubscribe = oldForeignKey is not null;
        if (change.HasNew)
        {
            var newForeignKey = foreignKeyExtractor(record.Key, change.NewValue);
            if (newForeignKey is null)
            {
                var rc = Context.Task.RecordContext;
                RuntimeLog.SkippingNullForeignKey(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
                Dropped();
                if (unsubscribe)
                {
                    Forward(record, oldForeignKey!, SubscriptionInstruction.DeleteKeyAndPropagate);
                }
            }
            else if (unsubscribe)
            {
                if (!SameKey(newForeignKey, oldForeignKey!))
                {
                    Forward(record, oldForeignKey!, SubscriptionInstruction.DeleteKeyNoPropagate);
                    Forward(record, newForeignKey, SubscriptionInstruction.PropagateNullIfNoFkValAvailable);
                }
                else
                {
                    Forward(record, newForeignKey, SubscriptionInstruction.PropagateOnlyIfFkValAvailable);
                }
            }
            else
            {
                Forward(record, newForeignKey, SubscriptionInstruction.PropagateOnlyIfFkValAvailable);
            }
        }
        else if (unsubscribe)
        {
            Forward(record, oldForeignKey!, SubscriptionInstruction.DeleteKeyAndPropagate);
        }
    }

    private bool SameKey(TForeignKey? a, TForeignKey b)
        => a is not null && (_fkSerde.Serialize(a, _fkCtx) ?? []).AsSpan().SequenceEqual(_fkSerde.Serialize(b, _fkCtx) ?? []);

    private void Forward(in Record<TKey, Change<TValue>> record, TForeignKey foreignKey, SubscriptionInstruction instruction)
    {
        if (!_hashComputed)
        {
            _hash = record.Value.HasNew ? Murmur3.Hash128(_valueSerde.Serialize(record.Value.NewValue, _vhCtx) ?? []) : null;
            _hashComputed = true;
        }
        var partition = Context.Task.RecordContext.Partition >= 0 ? Context.Task.RecordContext.Partition : Context.TaskId.Partition;
        Context.Forward(record.WithKey(foreignKey).WithValue(new SubscriptionWrapper<TKey>(_hash, instruction, record.Key, partition)));
    }
}

/// <summary>
/// Stores subscriptions on the foreign side (Kafka's SubscriptionReceiveProcessorSupplier), keyed by
/// (foreign key, primary key), and forwards the change to the lookup.
/// </summary>
internal sealed class SubscriptionReceiveProcessor<TKey, TValue, TForeignKey, TForeignValue>(ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue> settings)
    : DslProcessor<TForeignKey, SubscriptionWrapper<TKey>, TForeignKey, SubscriptionWrapper<TKey>>
{
    private ITimestampedKeyValueStore<Bytes, SubscriptionWrapper<TKey>> _store = null!;
    private ISerde<TForeignKey> _fkSerde = null!;
    private ISerde<TKey> _pkSerde = null!;
    private SerializationContext _fkCtx;
    private SerializationContext _pkCtx;

    public override void Init(IProcessorContext<TForeignKey, SubscriptionWrapper<TKey>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<Bytes, SubscriptionWrapper<TKey>>>(settings.SubscriptionStoreName);
        _fkSerde = settings.ResolveForeignKey(context.Config);
        _pkSerde = settings.ResolveKey(context.Config);
        _fkCtx = new SerializationContext(MessageComponentType.Key, context.ApplicationId + "-" + settings.SubscriptionTopic + "-fk");
        _pkCtx = new SerializationContext(MessageComponentType.Key, context.ApplicationId + "-" + settings.SubscriptionTopic + "-pk");
    }

    public override void Process(Record<TForeignKey, SubscriptionWrapper<TKey>> record)
    {
        var subscription = record.Value;
        if (record.Key is null && subscription.Instruction != SubscriptionInstruction.PropagateNullIfNoFkValAvailable)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullForeignKey(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        if (subscription.Version > SubscriptionWrapper<TKey>.CurrentVersion)
        {
            throw new StreamsException("SubscriptionWrapper is of an incompatible version.");
        }
        if (record.Key is not null)
        {
            var key = CombinedKeySchema.ToBytes(_fkSerde.Serialize(record.Key, _fkCtx) ?? [], _pkSerde.Serialize(subscription.PrimaryKey, _pkCtx) ?? []);
            if (subscription.Instruction is SubscriptionInstruction.DeleteKeyAndPropagate or SubscriptionInstruction.DeleteKeyNoPropagate)
            {
                _store.Delete(key);
            }
            else
            {
                _store.Put(key, new ValueAndTimestamp<SubscriptionWrapper<TKey>>(subscription, record.Timestamp));
            }
        }
        Context.Forward(record);
    }
}

/// <summary>Answers a subscription with the foreign table's current value (Kafka's SubscriptionJoinProcessorSupplier).</summary>
internal sealed class SubscriptionJoinProcessor<TKey, TForeignKey, TForeignValue>(IKTableValueGetterSupplier<TForeignKey, TForeignValue> foreignGetter)
    : DslProcessor<TForeignKey, SubscriptionWrapper<TKey>, TKey, SubscriptionResponseWrapper<TForeignValue>>
{
    private IKTableValueGetter<TForeignKey, TForeignValue> _foreign = null!;

    public override void Init(IProcessorContext<TKey, SubscriptionResponseWrapper<TForeignValue>> context)
    {
        base.Init(context);
        _foreign = foreignGetter.Get();
        _foreign.Init(context);
    }

    public override void Process(Record<TForeignKey, SubscriptionWrapper<TKey>> record)
    {
        var value = record.Value;
        ValueAndTimestamp<TForeignValue> foreign = default;
        var hasForeign = record.Key is not null && _foreign.TryGet(record.Key, out foreign);
        var resultTimestamp = hasForeign ? Math.Max(record.Timestamp, foreign.Timestamp) : record.Timestamp;
        var primaryKey = value.PrimaryKey;
        switch (value.Instruction)
        {
            case SubscriptionInstruction.DeleteKeyAndPropagate:
                Forward(record, primaryKey, new SubscriptionResponseWrapper<TForeignValue>(value.Hash, false, default!, value.PrimaryPartition), resultTimestamp);
                break;
            case SubscriptionInstruction.PropagateNullIfNoFkValAvailable:
                // The foreign key changed or this is a left join: the result must be sent, joined or not.
                Forward(record, primaryKey, new SubscriptionResponseWrapper<TForeignValue>(value.Hash, hasForeign, hasForeign ? foreign.Value : default!, value.PrimaryPartition), resultTimestamp);
                break;
            case SubscriptionInstruction.PropagateOnlyIfFkValAvailable:
                if (hasForeign)
                {
                    Forward(record, primaryKey, new SubscriptionResponseWrapper<TForeignValue>(value.Hash, true, foreign.Value, value.PrimaryPartition), resultTimestamp);
                }
                break;
            case SubscriptionInstruction.DeleteKeyNoPropagate:
                break;
            default:
                throw new InvalidOperationException("Unhandled instruction: " + value.Instruction);
        }
    }

    private void Forward(in Record<TForeignKey, SubscriptionWrapper<TKey>> record, TKey key, SubscriptionResponseWrapper<TForeignValue> response, long timestamp)
        => Context.Forward(Record<TKey, SubscriptionResponseWrapper<TForeignValue>>.Create(key, response, timestamp, record.RawHeaders));

    public override void Close() => _foreign?.Close();
}

/// <summary>
/// Sends a foreign-table update to every primary row subscribed to its key, found by a prefix scan of the
/// subscription store (Kafka's ForeignTableJoinProcessorSupplier).
/// </summary>
internal sealed class ForeignTableJoinProcessor<TKey, TValue, TForeignKey, TForeignValue>(ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue> settings)
    : DslProcessor<TForeignKey, Change<TForeignValue>, TKey, SubscriptionResponseWrapper<TForeignValue>>
{
    private ITimestampedKeyValueStore<Bytes, SubscriptionWrapper<TKey>> _store = null!;
    private ISerde<TForeignKey> _fkSerde = null!;
    private SerializationContext _fkCtx;

    public override void Init(IProcessorContext<TKey, SubscriptionResponseWrapper<TForeignValue>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<Bytes, SubscriptionWrapper<TKey>>>(settings.SubscriptionStoreName);
        _fkSerde = settings.ResolveForeignKey(context.Config);
        _fkCtx = new SerializationContext(MessageComponentType.Key, context.ApplicationId + "-" + settings.SubscriptionTopic + "-fk");
    }

    public override void Process(Record<TForeignKey, Change<TForeignValue>> record)
    {
        if (record.Key is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKey(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        var prefix = CombinedKeySchema.Prefix(_fkSerde.Serialize(record.Key, _fkCtx) ?? []);
        var upper = Bytes.Increment(prefix);
        var change = record.Value;
        List<KeyValue<Bytes, ValueAndTimestamp<SubscriptionWrapper<TKey>>>> subscribers = [];
        using (var it = upper is null ? _store.All() : _store.Range(Bytes.Wrap(prefix), Bytes.Wrap(upper)))
        {
            foreach (var kv in it)
            {
                // The range end is inclusive: check the prefix.
                if (kv.Key.Span.StartsWith(prefix))
                {
                    subscribers.Add(kv);
                }
            }
        }
        foreach (var kv in subscribers)
        {
            var subscription = kv.Value.Value;
            Context.Forward(Record<TKey, SubscriptionResponseWrapper<TForeignValue>>.Create(subscription.PrimaryKey,
                new SubscriptionResponseWrapper<TForeignValue>(subscription.Hash, change.HasNew, change.NewValue, subscription.PrimaryPartition), record.Timestamp, record.RawHeaders));
        }
    }
}

/// <summary>
/// Applies the joiner to a response (Kafka's ResponseJoinProcessorSupplier): a response whose hash no longer matches
/// the primary row's current value is stale (the row changed after the subscription left) and is dropped, which
/// makes results correct under out-of-order responses. Inner joins emit a deletion when there is no foreign value.
/// </summary>
internal sealed class ResponseJoinProcessor<TKey, TValue, TForeignKey, TForeignValue, TResult>(ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue> settings,
    IKTableValueGetterSupplier<TKey, TValue> primaryGetter, Func<TValue, TForeignValue, TResult> joiner)
    : DslProcessor<TKey, SubscriptionResponseWrapper<TForeignValue>, TKey, Change<TResult>>
{
    private IKTableValueGetter<TKey, TValue> _primary = null!;
    private ISerde<TValue> _valueSerde = null!;
    private SerializationContext _vhCtx;

    public override void Init(IProcessorContext<TKey, Change<TResult>> context)
    {
        base.Init(context);
        _primary = primaryGetter.Get();
        _primary.Init(context);
        _valueSerde = settings.ResolveValue(context.Config);
        _vhCtx = new SerializationContext(MessageComponentType.Value, context.ApplicationId + "-" + settings.SubscriptionTopic + "-vh");
    }

    public override void Process(Record<TKey, SubscriptionResponseWrapper<TForeignValue>> record)
    {
        var response = record.Value;
        if (response.Version != SubscriptionResponseWrapper<TForeignValue>.CurrentVersion)
        {
            throw new StreamsException("SubscriptionResponseWrapper is of an incompatible version.");
        }
        var hasCurrent = _primary.TryGet(record.Key, out var current);
        (long, long)? currentHash = hasCurrent ? Murmur3.Hash128(_valueSerde.Serialize(current.Value, _vhCtx) ?? []) : null;
        if (currentHash != response.OriginalValueHash)
        {
            return;
        }
        Change<TResult> result;
        if (!response.HasForeignValue && (!settings.LeftJoin || !hasCurrent))
        {
            result = new Change<TResult>(false, default!, false, default!);
        }
        else
        {
            var joined = joiner(hasCurrent ? current.Value : default!, response.HasForeignValue ? response.ForeignValue : default!);
            result = new Change<TResult>(joined is not null, joined, false, default!);
        }
        Context.Forward(record.WithValue(result));
    }

    public override void Close() => _primary?.Close();
}

/// <summary>Routes responses back to the primary row's partition, carried in the response (Kafka's default response partitioner).</summary>
internal sealed class ResponsePartitioner<TKey, TForeignValue> : IStreamPartitioner<TKey, SubscriptionResponseWrapper<TForeignValue>>
{
    public int? Partition(string topic, TKey key, SubscriptionResponseWrapper<TForeignValue> value, int numPartitions)
        => value.PrimaryPartition >= 0 ? value.PrimaryPartition : null;
}

/// <summary>Adapts a TableJoined partitioner (which sees only the key) to a sink's partitioner.</summary>
internal sealed class KeyOnlyPartitioner<TKey, TValue>(IStreamPartitioner<TKey, object?> inner) : IStreamPartitioner<TKey, TValue>
{
    public int? Partition(string topic, TKey key, TValue value, int numPartitions) => inner.Partition(topic, key, null, numPartitions);
}

/// <summary>
/// Kafka's KTableImpl.doJoinOnForeignKey: the topology of a foreign-key join and its names. Node and topic names,
/// in counter order: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION- (the subscription topic, then its processor),
/// KTABLE-SINK-, KTABLE-SOURCE-, KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-, three KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-
/// (receive, join-foreign, foreign-join-subscription), KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE- (the response topic),
/// KTABLE-SINK-, KTABLE-SOURCE-, KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-, KTABLE-FK-JOIN-OUTPUT-, and
/// the output store. Topics are <c>&lt;application.id&gt;-&lt;name&gt;-topic</c>.
/// </summary>
internal static class ForeignKeyJoin
{
    public static KTableImpl<TKey, TResult> Build<TKey, TValue, TForeignKey, TForeignValue, TResult>(KTableImpl<TKey, TValue> left,
        KTableImpl<TForeignKey, TForeignValue> right, Func<TKey, TValue, TForeignKey> foreignKeyExtractor, Func<TValue, TForeignValue, TResult> joiner,
        TableJoined<TKey, TForeignKey>? tableJoined, Materialized<TKey, TResult>? materialized, bool leftJoin)
    {
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(foreignKeyExtractor);
        ArgumentNullException.ThrowIfNull(joiner);
        var builder = left.Builder;
        // Old values let the subscription side see changed foreign keys and skip unchanged foreign values.
        right.Settings.EnableSendingOldValues(true);
        left.Settings.EnableSendingOldValues(true);
        var name = tableJoined?.Name;
        string Suffixed(string suffix, string prefix)
        {
            var generated = builder.NewProcessorName(prefix);
            return name is not null ? name + suffix : generated;
        }

        var subscriptionTopic = Suffixed("-subscription-registration", "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-") + "-topic";
        var sendName = Suffixed("-subscription-registration-processor", "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-");
        var subscriptionSink = Suffixed("-subscription-registration-sink", "KTABLE-SINK-");
        var subscriptionSource = Suffixed("-subscription-registration-source", "KTABLE-SOURCE-");
        var copartitionForeign = new HashSet<string>(right.SourceNodes, StringComparer.Ordinal) { subscriptionSource }.ToArray();
        var storeName = Suffixed("-subscription-store", "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-");
        var settings = new ForeignKeyJoinSettings<TKey, TValue, TForeignKey, TForeignValue>
        {
            KeySerde = left.KeySerde,
            ValueSerde = left.ValueSerde,
            ForeignKeySerde = right.KeySerde,
            SubscriptionTopic = subscriptionTopic,
            SubscriptionStoreName = storeName,
            LeftJoin = leftJoin,
        };
        var receiveName = Suffixed("-subscription-receive", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
        var joinForeignName = Suffixed("-subscription-join-foreign", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
        var foreignJoinName = Suffixed("-foreign-join-subscription", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
        var responseTopic = Suffixed("-subscription-response", "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-") + "-topic";
        var responseSink = Suffixed("-subscription-response-sink", "KTABLE-SINK-");
        var responseSource = Suffixed("-subscription-response-source", "KTABLE-SOURCE-");
        var resultSources = new HashSet<string>(left.SourceNodes, StringComparer.Ordinal) { responseSource };
        var copartitionPrimary = resultSources.ToArray();
        var resolverName = Suffixed("-subscription-response-resolver", "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-");
        var resultName = Suffixed("-result", "KTABLE-FK-JOIN-OUTPUT-");
        var outputStore = materialized?.StoreName ?? builder.NewStoreName("KTABLE-FK-JOIN-OUTPUT-");

        var app = builder.Topology;
        var subscriptionSerde = new SubscriptionWrapperSerde<TKey>(left.KeySerde, () => (app.ApplicationId ?? "") + "-" + subscriptionTopic + "-pk");
        var responseSerde = new SubscriptionResponseWrapperSerde<TForeignValue>(right.ValueSerde);
        var foreignGetter = right.ValueGetterSupplier();
        var primaryGetter = left.ValueGetterSupplier();
        IStreamPartitioner<TForeignKey, SubscriptionWrapper<TKey>>? subscriptionPartitioner = tableJoined?.OtherPartitioner is { } op
            ? new KeyOnlyPartitioner<TForeignKey, SubscriptionWrapper<TKey>>(op) : null;
        IStreamPartitioner<TKey, SubscriptionResponseWrapper<TForeignValue>> responsePartitioner = tableJoined?.Partitioner is { } p
            ? new KeyOnlyPartitioner<TKey, SubscriptionResponseWrapper<TForeignValue>>(p) : new ResponsePartitioner<TKey, TForeignValue>();
        var resultSettings = new TableProcessorSettings { Kind = TableKind.Source, StoreName = outputStore, QueryableName = materialized?.StoreName };
        var ks = materialized?.KeySerde ?? left.KeySerde;
        var vs = materialized?.ValueSerde;
        var leftName = left.Name;
        var rightName = right.Name;
        builder.Add(t =>
        {
            t.AddInternalTopic(subscriptionTopic);
            t.AddProcessor(new ProcessorNodeFactory<TKey, Change<TValue>, TForeignKey, SubscriptionWrapper<TKey>>(sendName, [leftName],
                () => new SubscriptionSendProcessor<TKey, TValue, TForeignKey, TForeignValue>(settings, foreignKeyExtractor)));
            t.AddSink(new SinkNodeFactory<TForeignKey, SubscriptionWrapper<TKey>>(subscriptionSink, [sendName], subscriptionTopic, null, right.KeySerde, subscriptionSerde,
                subscriptionPartitioner));
            t.AddSource(new SourceNodeFactory<TForeignKey, SubscriptionWrapper<TKey>>(subscriptionSource, [subscriptionTopic], null, null, right.KeySerde, subscriptionSerde,
                new FailOnInvalidTimestamp()));
            t.CopartitionSources(copartitionForeign);
            t.AddProcessor(new ProcessorNodeFactory<TForeignKey, SubscriptionWrapper<TKey>, TForeignKey, SubscriptionWrapper<TKey>>(receiveName, [subscriptionSource],
                () => new SubscriptionReceiveProcessor<TKey, TValue, TForeignKey, TForeignValue>(settings)));
            t.AddStateStore(Stores.TimestampedKeyValueStoreBuilder(Stores.InMemoryKeyValueStore(storeName), Serdes.Bytes(), subscriptionSerde), false, receiveName);
            t.AddProcessor(new ProcessorNodeFactory<TForeignKey, SubscriptionWrapper<TKey>, TKey, SubscriptionResponseWrapper<TForeignValue>>(joinForeignName, [receiveName],
                () => new SubscriptionJoinProcessor<TKey, TForeignKey, TForeignValue>(foreignGetter)));
            foreach (var s in foreignGetter.StoreNames)
            {
                t.ConnectProcessorAndStateStore(joinForeignName, s);
            }
            t.AddProcessor(new ProcessorNodeFactory<TForeignKey, Change<TForeignValue>, TKey, SubscriptionResponseWrapper<TForeignValue>>(foreignJoinName, [rightName],
                () => new ForeignTableJoinProcessor<TKey, TValue, TForeignKey, TForeignValue>(settings)));
            t.ConnectProcessorAndStateStore(foreignJoinName, storeName);
            t.AddInternalTopic(responseTopic);
            t.AddSink(new SinkNodeFactory<TKey, SubscriptionResponseWrapper<TForeignValue>>(responseSink, [joinForeignName, foreignJoinName], responseTopic, null,
                left.KeySerde, responseSerde, responsePartitioner));
            t.AddSource(new SourceNodeFactory<TKey, SubscriptionResponseWrapper<TForeignValue>>(responseSource, [responseTopic], null, null, left.KeySerde, responseSerde,
                new FailOnInvalidTimestamp()));
            t.CopartitionSources(copartitionPrimary);
            t.AddProcessor(new ProcessorNodeFactory<TKey, SubscriptionResponseWrapper<TForeignValue>, TKey, Change<TResult>>(resolverName, [responseSource],
                () => new ResponseJoinProcessor<TKey, TValue, TForeignKey, TForeignValue, TResult>(settings, primaryGetter, joiner)));
            foreach (var s in primaryGetter.StoreNames)
            {
                t.ConnectProcessorAndStateStore(resolverName, s);
            }
            t.AddProcessor(new ProcessorNodeFactory<TKey, Change<TResult>, TKey, Change<TResult>>(resultName, [resolverName],
                () => new KTableChangeSource<TKey, TResult>(resultSettings)));
            if (resultSettings.QueryableName is not null)
            {
                t.AddStateStore(InternalStreamsBuilder.TimestampedStore(resultSettings.QueryableName, materialized, ks, vs), false, resultName);
            }
        });
        return new KTableImpl<TKey, TResult>(builder, resultName, ks, vs, resultSettings, materialized?.StoreName, resultSources,
            KTableImpl<TKey, TResult>.SourceGetter(resultSettings));
    }
}
