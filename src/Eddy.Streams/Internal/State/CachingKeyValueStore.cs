using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// The record cache in front of a bytes store (Kafka's CachingKeyValueStore). Writes stay in the cache, one entry
/// per key, until a commit or an eviction flushes them: then each dirty entry is written to the store below
/// (and so to the changelog) and handed to the flush listener, which forwards it downstream.
/// </summary>
internal sealed class CachingKeyValueStore : IKeyValueStore<Bytes, byte[]>, ICachingBytesStore, IWrappedStore, ISpanKeyLookup
{
    private readonly IKeyValueStore<Bytes, byte[]> _inner;
    private IInternalStoreContext? _context;
    private ThreadCache? _cache;
    private NamedCache? _named;
    private string _ns = "";
    private Action<Bytes, byte[]?, byte[]?, ProcessorRecordContext>? _listener;
    private bool _sendOldValues;

    public CachingKeyValueStore(IKeyValueStore<Bytes, byte[]> inner) => _inner = inner;

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

    public long ApproximateNumEntries => _inner.ApproximateNumEntries;

    public void SetFlushListener(Action<Bytes, byte[]?, byte[]?, ProcessorRecordContext> listener, bool sendOldValues)
    {
        _listener = listener;
        _sendOldValues = sendOldValues;
    }

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext ?? throw new StreamsException("Caching stores need a task context.");
        _inner.Init(context, root);
        _cache = _context.Cache ?? throw new StreamsException($"Store {Name} has caching enabled but the task has no record cache.");
        _ns = ThreadCache.NameSpace(context.TaskId, Name);
        _named = _cache.GetOrCreate(_ns);
        _named.Listener = OnFlush;
    }

    private void OnFlush(List<DirtyEntry> entries)
    {
        foreach (var e in entries)
        {
            PutAndMaybeForward(e);
        }
    }

    private void PutAndMaybeForward(DirtyEntry entry)
    {
        var ctx = _context!;
        if (_listener is not null)
        {
            var rawNew = entry.Value;
            var rawOld = rawNew is null || _sendOldValues ? _inner.Get(entry.Key) : null;
            // Neither in the store nor in the cache: nothing to write or forward.
            if (rawNew is null && rawOld is null)
            {
                return;
            }
            var current = ctx.RecordContext;
            try
            {
                ctx.RecordContext = entry.Context;
                _inner.Put(entry.Key, rawNew);
                _listener(entry.Key, rawNew, _sendOldValues ? rawOld : null, entry.Context);
            }
            finally
            {
                ctx.RecordContext = current;
            }
        }
        else
        {
            var current = ctx.RecordContext;
            try
            {
                ctx.RecordContext = entry.Context;
                _inner.Put(entry.Key, entry.Value);
            }
            finally
            {
                ctx.RecordContext = current;
            }
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value, out Bytes storedKey)
    {
        var e = _named!.Get(key);
        if (e is not null)
        {
            value = e.Value!;
            storedKey = e.Key;
            return e.Value is not null;
        }
        // A miss reads through with an allocated key, which the cache then keeps.
        storedKey = Bytes.Wrap(key.ToArray());
        return TryGet(storedKey, out value);
    }

    public byte[]? Get(Bytes key) => TryGet(key, out var v) ? v : null;

    public bool TryGet(Bytes key, out byte[] value)
    {
        var e = ThreadCache.Get(_named!, key);
        if (e is not null)
        {
            value = e.Value!;
            return e.Value is not null;
        }
        if (!_inner.TryGet(key, out value))
        {
            return false;
        }
        // Read-through: keep a clean copy so the next read of this key hits the cache.
        _cache!.Put(_named!, key, value, false, ProcessorRecordContext.None);
        return true;
    }

    public void Put(Bytes key, byte[]? value)
    {
        _cache!.Put(_named!, key, value, true, _context!.RecordContext);
    }

    public byte[]? PutIfAbsent(Bytes key, byte[] value)
    {
        var v = Get(key);
        if (v is null)
        {
            Put(key, value);
        }
        return v;
    }

    public void PutAll(IEnumerable<KeyValue<Bytes, byte[]?>> entries)
    {
        foreach (var e in entries)
        {
            Put(e.Key, e.Value);
        }
    }

    public byte[]? Delete(Bytes key)
    {
        var v = Get(key);
        Put(key, null);
        return v;
    }

    public IKeyValueIterator<Bytes, byte[]> Range(Bytes from, Bytes to)
        => from.CompareTo(to) > 0 ? new ListIterator<Bytes, byte[]>([]) : new MergedCacheIterator(_named!.SortedRange(from, to, true), _inner.Range(from, to), true);

    public IKeyValueIterator<Bytes, byte[]> ReverseRange(Bytes from, Bytes to)
        => from.CompareTo(to) > 0 ? new ListIterator<Bytes, byte[]>([]) : new MergedCacheIterator(_named!.SortedRange(from, to, false), _inner.ReverseRange(from, to), false);

    public IKeyValueIterator<Bytes, byte[]> All() => new MergedCacheIterator(_named!.SortedRange(null, null, true), _inner.All(), true);

    public IKeyValueIterator<Bytes, byte[]> ReverseAll() => new MergedCacheIterator(_named!.SortedRange(null, null, false), _inner.ReverseAll(), false);

    public IKeyValueIterator<Bytes, byte[]> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer)
    {
        var raw = prefixSerializer.Serialize(prefix, new SerializationContext(MessageComponentType.Key, Name)) ?? [];
        var from = Bytes.Wrap(raw);
        var upper = Bytes.Increment(raw);
        var cached = _named!.SortedRange(from, null, true);
        if (upper is not null)
        {
            var u = Bytes.Wrap(upper);
            cached.RemoveAll(kv => kv.Key.CompareTo(u) >= 0);
        }
        return new MergedCacheIterator(cached, _inner.PrefixScan(prefix, prefixSerializer), true);
    }

    public void Flush()
    {
        _cache!.Flush(_named!);
        _inner.Flush();
    }

    public void Close()
    {
        try
        {
            if (_cache is not null && _named is not null)
            {
                if (_context?.ClosingDirty != true)
                {
                    _cache.Flush(_named);
                }
                _cache.Close(_ns);
            }
        }
        finally
        {
            _inner.Close();
        }
    }
}

/// <summary>
/// Hands every write of the store below to the task's record collector as a changelog record
/// (Kafka's ChangeLoggingKeyValueBytesStore). The runtime creates the changelog topic.
/// </summary>
internal class ChangeLoggingKeyValueBytesStore : IKeyValueStore<Bytes, byte[]>, IWrappedStore, ISpanKeyLookup
{
    private readonly IKeyValueStore<Bytes, byte[]> _inner;
    private IInternalStoreContext? _context;
    private string _topic = "";

    public ChangeLoggingKeyValueBytesStore(IKeyValueStore<Bytes, byte[]> inner) => _inner = inner;

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

    protected IInternalStoreContext? StoreContext => _context;

    public long ApproximateNumEntries => _inner.ApproximateNumEntries;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext ?? throw new StreamsException("Change-logging stores need a task context.");
        _topic = _context.ChangelogTopic(Name);
        _inner.Init(context, root);
        if (_inner is LruMemoryStore lru)
        {
            // An evicted entry is gone from the store, so it must be gone from the changelog too.
            lru.EvictionListener = (k, _) => Log(k, null);
        }
    }

    protected string Topic => _topic;

    protected virtual void Log(Bytes key, byte[]? value) => _context!.LogChange(Name, _topic, key, value, _context.RecordContext.Timestamp);

    public byte[]? Get(Bytes key) => _inner.Get(key);

    public bool TryGet(Bytes key, out byte[] value) => _inner.TryGet(key, out value);

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value, out Bytes storedKey)
    {
        if (_inner is ISpanKeyLookup span)
        {
            return span.TryGet(key, out value, out storedKey);
        }
        storedKey = Bytes.Wrap(key.ToArray());
        return _inner.TryGet(storedKey, out value);
    }

    public void Put(Bytes key, byte[]? value)
    {
        _inner.Put(key, value);
        Log(key, value);
    }

    public byte[]? PutIfAbsent(Bytes key, byte[] value)
    {
        var prev = _inner.PutIfAbsent(key, value);
        if (prev is null)
        {
            Log(key, value);
        }
        return prev;
    }

    public void PutAll(IEnumerable<KeyValue<Bytes, byte[]?>> entries)
    {
        foreach (var e in entries)
        {
            Put(e.Key, e.Value);
        }
    }

    public byte[]? Delete(Bytes key)
    {
        var old = _inner.Delete(key);
        Log(key, null);
        return old;
    }

    public IKeyValueIterator<Bytes, byte[]> Range(Bytes from, Bytes to) => _inner.Range(from, to);

    public IKeyValueIterator<Bytes, byte[]> ReverseRange(Bytes from, Bytes to) => _inner.ReverseRange(from, to);

    public IKeyValueIterator<Bytes, byte[]> All() => _inner.All();

    public IKeyValueIterator<Bytes, byte[]> ReverseAll() => _inner.ReverseAll();

    public IKeyValueIterator<Bytes, byte[]> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer) => _inner.PrefixScan(prefix, prefixSerializer);

    public void Flush() => _inner.Flush();

    public void Close() => _inner.Close();
}

/// <summary>
/// Change-logging for timestamped stores: the changelog record carries the plain value and the stored timestamp
/// as its record timestamp, the layout Kafka's timestamped changelogs use.
/// </summary>
internal sealed class ChangeLoggingTimestampedKeyValueBytesStore(IKeyValueStore<Bytes, byte[]> inner) : ChangeLoggingKeyValueBytesStore(inner)
{
    protected override void Log(Bytes key, byte[]? value)
    {
        if (value is null)
        {
            base.Log(key, null);
            return;
        }
        var ctx = StoreContext!;
        ctx.LogChange(Name, Topic, key, ValueAndTimestampSerde.RawValue(value), ValueAndTimestampSerde.Timestamp(value));
    }
}
