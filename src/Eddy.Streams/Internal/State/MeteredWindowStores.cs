using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// Serializes keys for the typed store layers: into a reused buffer when the serde can write spans (no allocation),
/// otherwise to an array, reusing the last key's bytes for immutable key types.
/// </summary>
internal sealed class KeyBytesCache<TKey>
{
    private static readonly bool CacheKeys = typeof(TKey) == typeof(string) || typeof(TKey).IsValueType;
    private readonly EqualityComparer<TKey> _comparer = EqualityComparer<TKey>.Default;
    private readonly byte[] _scratch = new byte[256];
    private ISerde<TKey> _serde = null!;
    private ISpanSerializer<TKey>? _span;
    private SerializationContext _ctx;
    private bool _hasLast;
    private TKey _last = default!;
    private Bytes _lastBytes;
    private string _storeName = "";

    public void Init(ISerde<TKey> serde, SerializationContext ctx, string storeName)
    {
        _serde = serde;
        _span = serde as ISpanSerializer<TKey>;
        _ctx = ctx;
        _storeName = storeName;
    }

    public ISerde<TKey> Serde => _serde;

    public SerializationContext Context => _ctx;

    /// <summary>The key's bytes, valid until the next call.</summary>
    public ReadOnlySpan<byte> Span(TKey key)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key), "key cannot be null");
        }
        if (_span is not null && _span.TrySerialize(key, _scratch, out var n))
        {
            return _scratch.AsSpan(0, n);
        }
        return Bytes(key).Span;
    }

    /// <summary>The key's bytes as an owned array wrapper.</summary>
    public Bytes Bytes(TKey key)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key), "key cannot be null");
        }
        if (CacheKeys && _hasLast && _comparer.Equals(key, _last))
        {
            return _lastBytes;
        }
        var raw = _serde.Serialize(key, _ctx) ?? throw new StreamsException($"Key serde of store {_storeName} serialized a key to null.");
        _lastBytes = Eddy.Streams.State.Bytes.Wrap(raw);
        _last = key;
        _hasLast = true;
        return _lastBytes;
    }

    /// <summary>Bytes for an optional range bound: default (unbounded) for a null key.</summary>
    public Bytes Bound(TKey key) => key is null ? default : Eddy.Streams.State.Bytes.Wrap(_serde.Serialize(key, _ctx) ?? []);

    public TKey From(ReadOnlySpan<byte> raw) => _serde.Deserialize(raw, false, _ctx);

    public void Clear()
    {
        _hasLast = false;
        _last = default!;
    }
}

/// <summary>
/// The typed outermost layer of a window store (Kafka's MeteredWindowStore): serializes keys and values and
/// delegates to the bytes layers (cache, change-logging, the store).
/// </summary>
internal class MeteredWindowStore<TKey, TValue> : IWindowStore<TKey, TValue>, ICachedStore<Windowed<TKey>, TValue>, IWrappedStore
{
    private readonly IWindowStore<Bytes, byte[]> _inner;
    private readonly ISerde<TKey>? _keySerdeOverride;
    private readonly KeyBytesCache<TKey> _keys = new();
    private IWindowSpanLookup? _spanLookup;
    private IWindowSpanStore? _spanStore;
    private SerializationContext _valueCtx;

    public MeteredWindowStore(IWindowStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, long windowSize)
    {
        _inner = inner;
        _keySerdeOverride = keySerde;
        WindowSize = windowSize;
    }

    public long WindowSize { get; }

    protected ISerde<TValue> ValueSerde { get; set; } = null!;

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

    internal IWindowStore<Bytes, byte[]> Inner => _inner;

    /// <summary>The serialized key, valid until the next call (join hot path).</summary>
    internal ReadOnlySpan<byte> KeySpan(TKey key) => _keys.Span(key);

    /// <summary>Deserializes a stored value (join hot path).</summary>
    internal TValue ValueOf(byte[] raw) => ValueFrom(raw);

    public void Init(IStateStoreContext context, IStateStore root)
    {
        var topic = context is IInternalStoreContext ic ? ic.ChangelogTopic(Name) : Name;
        _keys.Init(SerdeResolver.Resolve(_keySerdeOverride, context.Config, true, "state store " + Name), new SerializationContext(MessageComponentType.Key, topic), Name);
        ValueSerde = ResolveValueSerde(context.Config);
        _valueCtx = new SerializationContext(MessageComponentType.Value, topic);
        _spanLookup = _inner as IWindowSpanLookup;
        _spanStore = _inner as IWindowSpanStore;
        _inner.Init(context, root);
    }

    protected virtual ISerde<TValue> ResolveValueSerde(StreamsConfig config) => throw new NotSupportedException();

    private TValue ValueFrom(byte[] raw) => ValueSerde.Deserialize(raw, false, _valueCtx);

    private byte[]? ValueBytes(TValue? value) => value is null ? null : ValueSerde.Serialize(value, _valueCtx);

    public bool TryFetch(TKey key, long windowStart, out TValue value)
    {
        byte[] raw;
        var found = _spanLookup is not null
            ? _spanLookup.TryFetch(_keys.Span(key), windowStart, out raw)
            : _inner.TryFetch(_keys.Bytes(key), windowStart, out raw);
        if (found)
        {
            value = ValueFrom(raw);
            return true;
        }
        value = default!;
        return false;
    }

    public void Put(TKey key, TValue? value, long windowStartTimestamp)
    {
        var raw = ValueBytes(value);
        if (raw is not null && _spanStore is not null)
        {
            _spanStore.Put(_keys.Span(key), raw, windowStartTimestamp);
        }
        else
        {
            _inner.Put(_keys.Bytes(key), raw, windowStartTimestamp);
        }
    }

    public IWindowStoreIterator<TValue> Fetch(TKey key, long timeFrom, long timeTo) => new TypedWindowIterator(_inner.Fetch(_keys.Bytes(key), timeFrom, timeTo), this);

    public IWindowStoreIterator<TValue> BackwardFetch(TKey key, long timeFrom, long timeTo) => new TypedWindowIterator(_inner.BackwardFetch(_keys.Bytes(key), timeFrom, timeTo), this);

    public IKeyValueIterator<Windowed<TKey>, TValue> Fetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo)
        => Typed(_inner.Fetch(_keys.Bound(keyFrom), _keys.Bound(keyTo), timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo)
        => Typed(_inner.BackwardFetch(_keys.Bound(keyFrom), _keys.Bound(keyTo), timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> FetchAll(long timeFrom, long timeTo) => Typed(_inner.FetchAll(timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetchAll(long timeFrom, long timeTo) => Typed(_inner.BackwardFetchAll(timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> All() => Typed(_inner.All());

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardAll() => Typed(_inner.BackwardAll());

    private TypedIterator<Windowed<Bytes>, Windowed<TKey>, TValue> Typed(IKeyValueIterator<Windowed<Bytes>, byte[]> inner)
        => new(inner, w => new Windowed<TKey>(_keys.From(w.Key.Span), w.Window), ValueFrom);

    public void Flush() => _inner.Flush();

    public void Close()
    {
        _keys.Clear();
        _inner.Close();
    }

    public bool SetFlushListener(Action<Windowed<TKey>, bool, TValue, bool, TValue, ProcessorRecordContext> listener, bool sendOldValues)
    {
        if (_inner is not ICachingBytesStore caching)
        {
            return false;
        }
        caching.SetFlushListener((k, newRaw, oldRaw, ctx) =>
        {
            var span = k.Span;
            var key = new Windowed<TKey>(_keys.From(WindowKeySchema.ExtractStoreKeyBytes(span)),
                WindowKeySchema.TimeWindowForSize(WindowKeySchema.ExtractStoreTimestamp(span), WindowSize));
            var hasNew = newRaw is not null;
            var hasOld = oldRaw is not null;
            listener(key, hasNew, hasNew ? ValueFrom(newRaw!) : default!, hasOld, hasOld ? ValueFrom(oldRaw!) : default!, ctx);
        }, sendOldValues);
        return true;
    }

    private sealed class TypedWindowIterator(IWindowStoreIterator<byte[]> inner, MeteredWindowStore<TKey, TValue> store)
        : KeyValueIteratorBase<long, TValue>, IWindowStoreIterator<TValue>
    {
        private KeyValue<long, TValue> _current;

        public override KeyValue<long, TValue> Current => _current;

        public override bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }
            _current = new KeyValue<long, TValue>(inner.Current.Key, store.ValueFrom(inner.Current.Value));
            return true;
        }

        public override bool TryPeekNextKey(out long key) => inner.TryPeekNextKey(out key);

        protected override void DisposeCore() => inner.Dispose();
    }
}

/// <summary>A plain typed window store.</summary>
internal sealed class MeteredPlainWindowStore<TKey, TValue>(IWindowStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, long windowSize)
    : MeteredWindowStore<TKey, TValue>(inner, keySerde, windowSize)
{
    protected override ISerde<TValue> ResolveValueSerde(StreamsConfig config) => SerdeResolver.Resolve(valueSerde, config, false, "state store " + Name);
}

/// <summary>A typed timestamped window store: values stored as [8-byte timestamp][value bytes].</summary>
internal sealed class MeteredTimestampedWindowStore<TKey, TValue>(IWindowStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, long windowSize)
    : MeteredWindowStore<TKey, ValueAndTimestamp<TValue>>(inner, keySerde, windowSize), ITimestampedWindowStore<TKey, TValue>, ITimestampedBytesStore
{
    protected override ISerde<ValueAndTimestamp<TValue>> ResolveValueSerde(StreamsConfig config)
        => new ValueAndTimestampSerde<TValue>(SerdeResolver.Resolve(valueSerde, config, false, "state store " + Name));
}

/// <summary>The typed outermost layer of a session store (Kafka's MeteredSessionStore).</summary>
internal sealed class MeteredSessionStore<TKey, TAgg> : ISessionStore<TKey, TAgg>, ICachedStore<Windowed<TKey>, TAgg>, IWrappedStore
{
    private readonly ISessionStore<Bytes, byte[]> _inner;
    private readonly ISerde<TKey>? _keySerdeOverride;
    private readonly ISerde<TAgg>? _valueSerdeOverride;
    private readonly KeyBytesCache<TKey> _keys = new();
    private ISerde<TAgg> _valueSerde = null!;
    private SerializationContext _valueCtx;

    public MeteredSessionStore(ISessionStore<Bytes, byte[]> inner, ISerde<TKey>? keySerde, ISerde<TAgg>? valueSerde)
    {
        _inner = inner;
        _keySerdeOverride = keySerde;
        _valueSerdeOverride = valueSerde;
    }

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        var topic = context is IInternalStoreContext ic ? ic.ChangelogTopic(Name) : Name;
        _keys.Init(SerdeResolver.Resolve(_keySerdeOverride, context.Config, true, "state store " + Name), new SerializationContext(MessageComponentType.Key, topic), Name);
        _valueSerde = SerdeResolver.Resolve(_valueSerdeOverride, context.Config, false, "state store " + Name);
        _valueCtx = new SerializationContext(MessageComponentType.Value, topic);
        _inner.Init(context, root);
    }

    private TAgg ValueFrom(byte[] raw) => _valueSerde.Deserialize(raw, false, _valueCtx);

    private byte[]? ValueBytes(TAgg? value) => value is null ? null : _valueSerde.Serialize(value, _valueCtx);

    private Windowed<Bytes> SessionKeyBytes(Windowed<TKey> sessionKey)
    {
        ArgumentNullException.ThrowIfNull(sessionKey);
        return new Windowed<Bytes>(_keys.Bytes(sessionKey.Key), sessionKey.Window);
    }

    public void Put(Windowed<TKey> sessionKey, TAgg? aggregate) => _inner.Put(SessionKeyBytes(sessionKey), ValueBytes(aggregate));

    public void Remove(Windowed<TKey> sessionKey) => _inner.Remove(SessionKeyBytes(sessionKey));

    public bool TryFetchSession(TKey key, long sessionStartTime, long sessionEndTime, out TAgg aggregate)
    {
        if (_inner.TryFetchSession(_keys.Bytes(key), sessionStartTime, sessionEndTime, out var raw))
        {
            aggregate = ValueFrom(raw);
            return true;
        }
        aggregate = default!;
        return false;
    }

    // Single-key results reuse the caller's key object instead of deserializing it per session.
    private TypedIterator<Windowed<Bytes>, Windowed<TKey>, TAgg> ForKey(TKey key, IKeyValueIterator<Windowed<Bytes>, byte[]> inner)
        => new(inner, w => new Windowed<TKey>(key, w.Window), ValueFrom);

    private TypedIterator<Windowed<Bytes>, Windowed<TKey>, TAgg> Typed(IKeyValueIterator<Windowed<Bytes>, byte[]> inner)
        => new(inner, w => new Windowed<TKey>(_keys.From(w.Key.Span), w.Window), ValueFrom);

    public IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime)
        => ForKey(key, _inner.FindSessions(_keys.Bytes(key), earliestSessionEndTime, latestSessionStartTime));

    public IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Typed(_inner.FindSessions(_keys.Bound(keyFrom), _keys.Bound(keyTo), earliestSessionEndTime, latestSessionStartTime));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime)
        => ForKey(key, _inner.BackwardFindSessions(_keys.Bytes(key), earliestSessionEndTime, latestSessionStartTime));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Typed(_inner.BackwardFindSessions(_keys.Bound(keyFrom), _keys.Bound(keyTo), earliestSessionEndTime, latestSessionStartTime));

    public IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(long earliestSessionEndTime, long latestSessionEndTime)
        => Typed(_inner.FindSessions(earliestSessionEndTime, latestSessionEndTime));

    public IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey key) => ForKey(key, _inner.Fetch(_keys.Bytes(key)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey key) => ForKey(key, _inner.BackwardFetch(_keys.Bytes(key)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey keyFrom, TKey keyTo) => Typed(_inner.Fetch(_keys.Bound(keyFrom), _keys.Bound(keyTo)));

    public IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey keyFrom, TKey keyTo) => Typed(_inner.BackwardFetch(_keys.Bound(keyFrom), _keys.Bound(keyTo)));

    public void Flush() => _inner.Flush();

    public void Close()
    {
        _keys.Clear();
        _inner.Close();
    }

    public bool SetFlushListener(Action<Windowed<TKey>, bool, TAgg, bool, TAgg, ProcessorRecordContext> listener, bool sendOldValues)
    {
        if (_inner is not ICachingBytesStore caching)
        {
            return false;
        }
        caching.SetFlushListener((k, newRaw, oldRaw, ctx) =>
        {
            var span = k.Span;
            var key = new Windowed<TKey>(_keys.From(SessionKeySchema.KeyBytes(span)), new SessionWindow(SessionKeySchema.Start(span), SessionKeySchema.End(span)));
            var hasNew = newRaw is not null;
            var hasOld = oldRaw is not null;
            listener(key, hasNew, hasNew ? ValueFrom(newRaw!) : default!, hasOld, hasOld ? ValueFrom(oldRaw!) : default!, ctx);
        }, sendOldValues);
        return true;
    }
}

/// <summary>Builds window stores: metered over (caching over) (change-logging over) the supplied store.</summary>
internal sealed class WindowStoreBuilderImpl<TKey, TValue>(IWindowBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : StoreBuilder<IWindowStore<TKey, TValue>>(supplier.Name)
{
    public override IWindowStore<TKey, TValue> Build()
    {
        var store = supplier.Get();
        if (LoggingEnabled)
        {
            store = new ChangeLoggingWindowBytesStore(store, supplier.RetainDuplicates);
        }
        // Kafka disables caching for stores that retain duplicates (join buffers): every put must be kept.
        if (CachingEnabled && !supplier.RetainDuplicates)
        {
            store = new CachingWindowStore(store, supplier.WindowSize);
        }
        return new MeteredPlainWindowStore<TKey, TValue>(store, keySerde, valueSerde, supplier.WindowSize);
    }
}

/// <summary>Builds timestamped window stores.</summary>
internal sealed class TimestampedWindowStoreBuilderImpl<TKey, TValue>(IWindowBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    : StoreBuilder<ITimestampedWindowStore<TKey, TValue>>(supplier.Name)
{
    public override ITimestampedWindowStore<TKey, TValue> Build()
    {
        var store = supplier.Get();
        if (LoggingEnabled)
        {
            store = new ChangeLoggingTimestampedWindowBytesStore(store, supplier.RetainDuplicates);
        }
        if (CachingEnabled && !supplier.RetainDuplicates)
        {
            store = new CachingWindowStore(store, supplier.WindowSize);
        }
        return new MeteredTimestampedWindowStore<TKey, TValue>(store, keySerde, valueSerde, supplier.WindowSize);
    }
}

/// <summary>Builds session stores.</summary>
internal sealed class SessionStoreBuilderImpl<TKey, TAgg>(ISessionBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TAgg>? valueSerde)
    : StoreBuilder<ISessionStore<TKey, TAgg>>(supplier.Name)
{
    public override ISessionStore<TKey, TAgg> Build()
    {
        var store = supplier.Get();
        if (LoggingEnabled)
        {
            store = new ChangeLoggingSessionBytesStore(store);
        }
        if (CachingEnabled)
        {
            store = new CachingSessionStore(store);
        }
        return new MeteredSessionStore<TKey, TAgg>(store, keySerde, valueSerde);
    }
}

/// <summary>A timestamped window store seen without timestamps (Kafka's WindowStoreFacade, used by the test driver).</summary>
internal sealed class WindowStoreFacade<TKey, TValue>(ITimestampedWindowStore<TKey, TValue> inner) : IWindowStore<TKey, TValue>
{
    public string Name => inner.Name;

    public bool Persistent => inner.Persistent;

    public bool IsOpen => inner.IsOpen;

    public void Init(IStateStoreContext context, IStateStore root) => inner.Init(context, root);

    public void Flush() => inner.Flush();

    public void Close() => inner.Close();

    public void Put(TKey key, TValue? value, long windowStartTimestamp)
        => inner.Put(key, value is null ? default : new ValueAndTimestamp<TValue>(value, -1), windowStartTimestamp);

    public bool TryFetch(TKey key, long windowStart, out TValue value)
    {
        if (inner.TryFetch(key, windowStart, out var vt))
        {
            value = vt.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public IWindowStoreIterator<TValue> Fetch(TKey key, long timeFrom, long timeTo) => Strip(inner.Fetch(key, timeFrom, timeTo));

    public IWindowStoreIterator<TValue> BackwardFetch(TKey key, long timeFrom, long timeTo) => Strip(inner.BackwardFetch(key, timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> Fetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo) => Strip(inner.Fetch(keyFrom, keyTo, timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo) => Strip(inner.BackwardFetch(keyFrom, keyTo, timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> FetchAll(long timeFrom, long timeTo) => Strip(inner.FetchAll(timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetchAll(long timeFrom, long timeTo) => Strip(inner.BackwardFetchAll(timeFrom, timeTo));

    public IKeyValueIterator<Windowed<TKey>, TValue> All() => Strip(inner.All());

    public IKeyValueIterator<Windowed<TKey>, TValue> BackwardAll() => Strip(inner.BackwardAll());

    private static WindowListIterator<TValue> Strip(IWindowStoreIterator<ValueAndTimestamp<TValue>> it)
    {
        var list = new List<KeyValue<long, TValue>>();
        using (it)
        {
            while (it.MoveNext())
            {
                list.Add(new KeyValue<long, TValue>(it.Current.Key, it.Current.Value.Value));
            }
        }
        return new WindowListIterator<TValue>(list);
    }

    private static ListIterator<Windowed<TKey>, TValue> Strip(IKeyValueIterator<Windowed<TKey>, ValueAndTimestamp<TValue>> it)
    {
        var list = new List<KeyValue<Windowed<TKey>, TValue>>();
        using (it)
        {
            while (it.MoveNext())
            {
                list.Add(new KeyValue<Windowed<TKey>, TValue>(it.Current.Key, it.Current.Value.Value));
            }
        }
        return new ListIterator<Windowed<TKey>, TValue>(list);
    }
}
