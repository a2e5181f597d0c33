using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// The typed outermost layer of a key-value store (Kafka's MeteredKeyValueStore): serializes keys and values and
/// delegates to the bytes layers below (cache, change-logging, the store itself).
/// </summary>
internal class MeteredKeyValueStore<TKey, TValue> : IKeyValueStore<TKey, TValue>, ICachedStore<TKey, TValue>, IReadOnlyWrappable, IWrappedStore
{
    private readonly IKeyValueStore<Bytes, byte[]> _inner;
    private readonly ISerde<TKey>? _keySerdeOverride;
    private SerializationContext _keyCtx;
    private SerializationContext _valueCtx;
    private bool _hasLastKey;
    private TKey _lastKey = default!;
    private Bytes _lastKeyBytes;
    private readonly EqualityComparer<TKey> _keyComparer = EqualityComparer<TKey>.Default;

    // Reusing the last key's bytes is safe only for keys that cannot change behind our back.
    private static readonly bool CacheKeys = typeof(TKey) == typeof(string) || typeof(TKey).IsValueType;
    private readonly byte[] _scratch = new byte[256];
    private ISpanSerializer<TKey>? _spanSerializer;
    private ISpanKeyLookup? _spanLookup;

    public MeteredKeyValueStore(IKeyValueStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde)
    {
        _inner = inner;
        _keySerdeOverride = keySerde;
    }

    protected ISerde<TKey> KeySerde { get; private set; } = null!;

    protected ISerde<TValue> ValueSerde { get; set; } = null!;

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

    public long ApproximateNumEntries => _inner.ApproximateNumEntries;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        var topic = context is IInternalStoreContext ic ? ic.ChangelogTopic(Name) : Name;
        KeySerde = SerdeResolver.Resolve(_keySerdeOverride, context.Config, true, "state store " + Name);
        _spanSerializer = KeySerde as ISpanSerializer<TKey>;
        _spanLookup = _spanSerializer is null ? null : _inner as ISpanKeyLookup;
        ValueSerde = ResolveValueSerde(context.Config);
        _keyCtx = new SerializationContext(MessageComponentType.Key, topic);
        _valueCtx = new SerializationContext(MessageComponentType.Value, topic);
        _inner.Init(context, root);
    }

    protected virtual ISerde<TValue> ResolveValueSerde(StreamsConfig config) => throw new NotSupportedException();

    protected Bytes KeyBytes(TKey key)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key), "key cannot be null");
        }
        // Aggregations read a key and then write it: reuse the bytes of the last key.
        if (CacheKeys && _hasLastKey && _keyComparer.Equals(key, _lastKey))
        {
            return _lastKeyBytes;
        }
        var raw = KeySerde.Serialize(key, _keyCtx) ?? throw new StreamsException($"Key serde of store {Name} serialized a key to null.");
        _lastKeyBytes = Bytes.Wrap(raw);
        _lastKey = key;
        _hasLastKey = true;
        return _lastKeyBytes;
    }

    protected TKey KeyFrom(Bytes raw) => KeySerde.Deserialize(raw.Span, false, _keyCtx);

    protected TValue ValueFrom(byte[] raw) => ValueSerde.Deserialize(raw, false, _valueCtx);

    protected byte[]? ValueBytes(TValue? value) => value is null ? null : ValueSerde.Serialize(value, _valueCtx);

    public TValue? Get(TKey key) => TryGet(key, out var v) ? v : default;

    public bool TryGet(TKey key, out TValue value)
    {
        byte[]? raw;
        if (_spanLookup is not null && key is not null && !(CacheKeys && _hasLastKey && _keyComparer.Equals(key, _lastKey))
            && _spanSerializer!.TrySerialize(key, _scratch, out var written))
        {
            // Serialize into a reused buffer and look up by span; remember the stored key for the Put that
            // usually follows (aggregations), so neither allocates for an existing key.
            _spanLookup.TryGet(_scratch.AsSpan(0, written), out raw, out var storedKey);
            _lastKey = key;
            _lastKeyBytes = storedKey;
            _hasLastKey = !storedKey.IsNull;
        }
        else if (!_inner.TryGet(KeyBytes(key), out raw))
        {
            raw = null;
        }
        if (raw is not null)
        {
            value = ValueFrom(raw);
            return true;
        }
        value = default!;
        return false;
    }

    public void Put(TKey key, TValue? value) => _inner.Put(KeyBytes(key), ValueBytes(value));

    public TValue? PutIfAbsent(TKey key, TValue value)
    {
        var raw = ValueBytes(value) ?? throw new ArgumentNullException(nameof(value));
        var prev = _inner.PutIfAbsent(KeyBytes(key), raw);
        return prev is null ? default : ValueFrom(prev);
    }

    public void PutAll(IEnumerable<KeyValue<TKey, TValue?>> entries)
    {
        foreach (var e in entries)
        {
            Put(e.Key, e.Value);
        }
    }

    public TValue? Delete(TKey key)
    {
        var old = _inner.Delete(KeyBytes(key));
        return old is null ? default : ValueFrom(old);
    }

    public IKeyValueIterator<TKey, TValue> Range(TKey from, TKey to) => Typed(_inner.Range(KeyBytes(from), KeyBytes(to)));

    public IKeyValueIterator<TKey, TValue> ReverseRange(TKey from, TKey to) => Typed(_inner.ReverseRange(KeyBytes(from), KeyBytes(to)));

    public IKeyValueIterator<TKey, TValue> All() => Typed(_inner.All());

    public IKeyValueIterator<TKey, TValue> ReverseAll() => Typed(_inner.ReverseAll());

    public IKeyValueIterator<TKey, TValue> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer) => Typed(_inner.PrefixScan(prefix, prefixSerializer));

    private TypedIterator<TKey, TValue> Typed(IKeyValueIterator<Bytes, byte[]> inner) => new(inner, KeyFrom, ValueFrom);

    public void Flush() => _inner.Flush();

    public void Close()
    {
        _hasLastKey = false;
        _lastKey = default!;
        _inner.Close();
    }

    public bool SetFlushListener(Action<TKey, bool, TValue, bool, TValue, ProcessorRecordContext> listener, bool sendOldValues)
    {
        if (_inner is not ICachingBytesStore caching)
        {
            return false;
        }
        caching.SetFlushListener((k, newRaw, oldRaw, ctx) =>
        {
            var key = KeyFrom(k);
            var hasNew = newRaw is not null;
            var hasOld = oldRaw is not null;
            listener(key, hasNew, hasNew ? ValueFrom(newRaw!) : default!, hasOld, hasOld ? ValueFrom(oldRaw!) : default!, ctx);
        }, sendOldValues);
        return true;
    }

    public virtual IStateStore AsReadOnly() => new ReadOnlyKeyValueStoreWrapper<TKey, TValue>(this);
}

/// <summary>A plain typed key-value store.</summary>
internal sealed class MeteredPlainKeyValueStore<TKey, TValue>(IKeyValueStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : MeteredKeyValueStore<TKey, TValue>(inner, keySerde)
{
    protected override ISerde<TValue> ResolveValueSerde(StreamsConfig config) => SerdeResolver.Resolve(valueSerde, config, false, "state store " + Name);
}

/// <summary>Marks stores whose bytes values carry an 8-byte timestamp prefix (so restore can convert changelog records).</summary>
internal interface ITimestampedBytesStore
{
}

/// <summary>A typed timestamped key-value store: values are stored as [8-byte big-endian timestamp][value bytes].</summary>
internal sealed class MeteredTimestampedKeyValueStore<TKey, TValue>(IKeyValueStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : MeteredKeyValueStore<TKey, ValueAndTimestamp<TValue>>(inner, keySerde), ITimestampedKeyValueStore<TKey, TValue>, ITimestampedBytesStore
{
    internal ISerde<TValue> PlainValueSerde { get; private set; } = null!;

    protected override ISerde<ValueAndTimestamp<TValue>> ResolveValueSerde(StreamsConfig config)
    {
        PlainValueSerde = SerdeResolver.Resolve(valueSerde, config, false, "state store " + Name);
        return new ValueAndTimestampSerde<TValue>(PlainValueSerde);
    }

    public override IStateStore AsReadOnly() => new ReadOnlyTimestampedKeyValueStoreWrapper<TKey, TValue>(this);
}

/// <summary>Serializes <see cref="ValueAndTimestamp{TValue}"/> as Kafka does: 8-byte big-endian timestamp, then the value bytes.</summary>
internal sealed class ValueAndTimestampSerde<TValue>(ISerde<TValue> inner) : Serde<ValueAndTimestamp<TValue>>
{
    private readonly IFixedSizeWriter<TValue>? _fixedSize = inner as IFixedSizeWriter<TValue>;

    public ISerde<TValue> Inner => inner;

    public override byte[]? Serialize(ValueAndTimestamp<TValue> data, SerializationContext context)
    {
        if (data.Value is null)
        {
            return null;
        }
        if (_fixedSize is { } fixedSize)
        {
            // One allocation for numbers: timestamp and value written straight into the result.
            var buffer = new byte[8 + fixedSize.EncodedSize];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer, data.Timestamp);
            fixedSize.WriteTo(data.Value, buffer.AsSpan(8));
            return buffer;
        }
        var raw = inner.Serialize(data.Value, context);
        if (raw is null)
        {
            return null;
        }
        var bytes = new byte[8 + raw.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, data.Timestamp);
        raw.CopyTo(bytes, 8);
        return bytes;
    }

    public override ValueAndTimestamp<TValue> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }
        var ts = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(data);
        return new ValueAndTimestamp<TValue>(inner.Deserialize(data[8..], false, context), ts);
    }
}

/// <summary>Helpers on the timestamped value layout.</summary>
internal static class ValueAndTimestampSerde
{
    public static long Timestamp(ReadOnlySpan<byte> rawValueAndTimestamp) => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(rawValueAndTimestamp);

    public static byte[] RawValue(byte[] rawValueAndTimestamp) => rawValueAndTimestamp.AsSpan(8).ToArray();

    public static byte[] Combine(byte[] rawValue, long timestamp)
    {
        var bytes = new byte[8 + rawValue.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        rawValue.CopyTo(bytes, 8);
        return bytes;
    }
}

/// <summary>Exposes a key-value store without its write operations (global stores to processors, interactive queries).</summary>
internal class ReadOnlyKeyValueStoreWrapper<TKey, TValue>(IKeyValueStore<TKey, TValue> inner) : IKeyValueStore<TKey, TValue>
{
    public string Name => inner.Name;

    public bool Persistent => inner.Persistent;

    public bool IsOpen => inner.IsOpen;

    public long ApproximateNumEntries => inner.ApproximateNumEntries;

    public void Init(IStateStoreContext context, IStateStore root) => throw ReadOnly("Init");

    public void Flush() => throw ReadOnly("Flush");

    public void Close() => throw ReadOnly("Close");

    public TValue? Get(TKey key) => inner.Get(key);

    public bool TryGet(TKey key, out TValue value) => inner.TryGet(key, out value);

    public void Put(TKey key, TValue? value) => throw ReadOnly("Put");

    public TValue? PutIfAbsent(TKey key, TValue value) => throw ReadOnly("PutIfAbsent");

    public void PutAll(IEnumerable<KeyValue<TKey, TValue?>> entries) => throw ReadOnly("PutAll");

    public TValue? Delete(TKey key) => throw ReadOnly("Delete");

    public IKeyValueIterator<TKey, TValue> Range(TKey from, TKey to) => inner.Range(from, to);

    public IKeyValueIterator<TKey, TValue> ReverseRange(TKey from, TKey to) => inner.ReverseRange(from, to);

    public IKeyValueIterator<TKey, TValue> All() => inner.All();

    public IKeyValueIterator<TKey, TValue> ReverseAll() => inner.ReverseAll();

    public IKeyValueIterator<TKey, TValue> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer) => inner.PrefixScan(prefix, prefixSerializer);

    private InvalidOperationException ReadOnly(string op) => new($"{op} is not supported on the read-only store {Name}: global stores are written only by their global source.");
}

internal sealed class ReadOnlyTimestampedKeyValueStoreWrapper<TKey, TValue>(ITimestampedKeyValueStore<TKey, TValue> inner)
    : ReadOnlyKeyValueStoreWrapper<TKey, ValueAndTimestamp<TValue>>(inner), ITimestampedKeyValueStore<TKey, TValue>
{
}

/// <summary>A timestamped store seen as a plain key-value store (values without timestamps), as Kafka's KeyValueStoreFacade.</summary>
internal sealed class KeyValueStoreFacade<TKey, TValue>(ITimestampedKeyValueStore<TKey, TValue> inner) : IKeyValueStore<TKey, TValue>
{
    public string Name => inner.Name;

    public bool Persistent => inner.Persistent;

    public bool IsOpen => inner.IsOpen;

    public long ApproximateNumEntries => inner.ApproximateNumEntries;

    public void Init(IStateStoreContext context, IStateStore root) => inner.Init(context, root);

    public void Flush() => inner.Flush();

    public void Close() => inner.Close();

    public TValue? Get(TKey key) => inner.TryGet(key, out var vt) ? vt.Value : default;

    public bool TryGet(TKey key, out TValue value)
    {
        if (inner.TryGet(key, out var vt))
        {
            value = vt.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Put(TKey key, TValue? value)
    {
        if (value is null)
        {
            inner.Delete(key);
        }
        else
        {
            inner.Put(key, new ValueAndTimestamp<TValue>(value, -1));
        }
    }

    public TValue? PutIfAbsent(TKey key, TValue value)
    {
        var prev = inner.PutIfAbsent(key, new ValueAndTimestamp<TValue>(value, -1));
        return prev.Value;
    }

    public void PutAll(IEnumerable<KeyValue<TKey, TValue?>> entries)
    {
        foreach (var e in entries)
        {
            Put(e.Key, e.Value);
        }
    }

    public TValue? Delete(TKey key) => inner.Delete(key).Value;

    public IKeyValueIterator<TKey, TValue> Range(TKey from, TKey to) => Strip(inner.Range(from, to));

    public IKeyValueIterator<TKey, TValue> ReverseRange(TKey from, TKey to) => Strip(inner.ReverseRange(from, to));

    public IKeyValueIterator<TKey, TValue> All() => Strip(inner.All());

    public IKeyValueIterator<TKey, TValue> ReverseAll() => Strip(inner.ReverseAll());

    public IKeyValueIterator<TKey, TValue> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer) => Strip(inner.PrefixScan(prefix, prefixSerializer));

    private static StrippingIterator Strip(IKeyValueIterator<TKey, ValueAndTimestamp<TValue>> it) => new(it);

    private sealed class StrippingIterator(IKeyValueIterator<TKey, ValueAndTimestamp<TValue>> inner) : KeyValueIteratorBase<TKey, TValue>
    {
        public override KeyValue<TKey, TValue> Current => new(inner.Current.Key, inner.Current.Value.Value);

        public override bool MoveNext() => inner.MoveNext();

        public override bool TryPeekNextKey(out TKey key) => inner.TryPeekNextKey(out key);

        protected override void DisposeCore() => inner.Dispose();
    }
}

/// <summary>Builds plain key-value stores: metered over (caching over) (change-logging over) the supplied store.</summary>
internal sealed class KeyValueStoreBuilderImpl<TKey, TValue>(IKeyValueBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : StoreBuilder<IKeyValueStore<TKey, TValue>>(supplier.Name)
{
    public override IKeyValueStore<TKey, TValue> Build()
    {
        IKeyValueStore<Bytes, byte[]> store = supplier.Get();
        if (LoggingEnabled)
        {
            store = new ChangeLoggingKeyValueBytesStore(store);
        }
        if (CachingEnabled)
        {
            store = new CachingKeyValueStore(store);
        }
        return new MeteredPlainKeyValueStore<TKey, TValue>(store, keySerde, valueSerde);
    }
}

/// <summary>Builds timestamped key-value stores.</summary>
internal sealed class TimestampedKeyValueStoreBuilderImpl<TKey, TValue>(IKeyValueBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : StoreBuilder<ITimestampedKeyValueStore<TKey, TValue>>(supplier.Name)
{
    public override ITimestampedKeyValueStore<TKey, TValue> Build()
    {
        IKeyValueStore<Bytes, byte[]> store = supplier.Get();
        if (LoggingEnabled)
        {
            store = new ChangeLoggingTimestampedKeyValueBytesStore(store);
        }
        if (CachingEnabled)
        {
            store = new CachingKeyValueStore(store);
        }
        return new MeteredTimestampedKeyValueStore<TKey, TValue>(store, keySerde, valueSerde);
    }
}
