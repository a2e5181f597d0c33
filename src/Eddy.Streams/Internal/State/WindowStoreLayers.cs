using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>Window stores that also accept puts by span (no key allocation for updates of existing windows).</summary>
internal interface IWindowSpanStore : IWindowSpanLookup
{
    void Put(ReadOnlySpan<byte> key, byte[] value, long windowStartTimestamp);
}

/// <summary>Store layers that keep the settings of the window store below them.</summary>
internal interface IWindowStoreSettings
{
    long WindowSize { get; }

    bool RetainDuplicates { get; }
}

/// <summary>
/// Hands every write of a window store to the changelog (Kafka's ChangeLoggingWindowBytesStore). The changelog key
/// is Kafka's <c>[key][8-byte start][4-byte seqnum]</c>; the sequence number counts puts when duplicates are retained.
/// </summary>
internal class ChangeLoggingWindowBytesStore(IWindowStore<Bytes, byte[]> inner, bool retainDuplicates)
    : IWindowStore<Bytes, byte[]>, IWrappedStore, IWindowSpanStore
{
    private IInternalStoreContext? _context;
    private string _topic = "";
    private int _seqnum;

    public string Name => inner.Name;

    public bool Persistent => inner.Persistent;

    public bool IsOpen => inner.IsOpen;

    public IStateStore Wrapped => inner;

    protected IInternalStoreContext Context => _context!;

    protected string Topic => _topic;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext ?? throw new StreamsException("Change-logging stores need a task context.");
        _topic = _context.ChangelogTopic(Name);
        inner.Init(context, root);
    }

    private int NextSeqnum()
    {
        if (retainDuplicates)
        {
            _seqnum = (_seqnum + 1) & 0x7FFFFFFF;
        }
        return _seqnum;
    }

    protected virtual void Log(byte[] storeKey, byte[]? value) => _context!.LogChange(Name, _topic, Bytes.Wrap(storeKey), value, _context.RecordContext.Timestamp);

    public void Put(Bytes key, byte[]? value, long windowStartTimestamp)
    {
        inner.Put(key, value, windowStartTimestamp);
        Log(WindowKeySchema.ToStoreKeyBinary(key.Span, windowStartTimestamp, NextSeqnum()), value);
    }

    public void Put(ReadOnlySpan<byte> key, byte[] value, long windowStartTimestamp)
    {
        if (inner is IWindowSpanStore span)
        {
            span.Put(key, value, windowStartTimestamp);
        }
        else
        {
            inner.Put(Bytes.Wrap(key.ToArray()), value, windowStartTimestamp);
        }
        Log(WindowKeySchema.ToStoreKeyBinary(key, windowStartTimestamp, NextSeqnum()), value);
    }

    public bool TryFetch(ReadOnlySpan<byte> key, long windowStart, out byte[] value)
        => inner is IWindowSpanLookup span ? span.TryFetch(key, windowStart, out value) : inner.TryFetch(Bytes.Wrap(key.ToArray()), windowStart, out value);

    public bool TryFetch(Bytes key, long windowStart, out byte[] value) => inner.TryFetch(key, windowStart, out value);

    public IWindowStoreIterator<byte[]> Fetch(Bytes key, long timeFrom, long timeTo) => inner.Fetch(key, timeFrom, timeTo);

    public IWindowStoreIterator<byte[]> BackwardFetch(Bytes key, long timeFrom, long timeTo) => inner.BackwardFetch(key, timeFrom, timeTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => inner.Fetch(keyFrom, keyTo, timeFrom, timeTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => inner.BackwardFetch(keyFrom, keyTo, timeFrom, timeTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FetchAll(long timeFrom, long timeTo) => inner.FetchAll(timeFrom, timeTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetchAll(long timeFrom, long timeTo) => inner.BackwardFetchAll(timeFrom, timeTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> All() => inner.All();

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardAll() => inner.BackwardAll();

    public void Flush() => inner.Flush();

    public void Close() => inner.Close();
}

/// <summary>Change-logging for timestamped window stores: the plain value, with the stored timestamp as the record timestamp.</summary>
internal sealed class ChangeLoggingTimestampedWindowBytesStore(IWindowStore<Bytes, byte[]> inner, bool retainDuplicates)
    : ChangeLoggingWindowBytesStore(inner, retainDuplicates)
{
    protected override void Log(byte[] storeKey, byte[]? value)
    {
        if (value is null)
        {
            base.Log(storeKey, null);
            return;
        }
        Context.LogChange(Name, Topic, Bytes.Wrap(storeKey), ValueAndTimestampSerde.RawValue(value), ValueAndTimestampSerde.Timestamp(value));
    }
}

/// <summary>
/// The record cache in front of a window store (Kafka's CachingWindowStore). Cache keys are Kafka's store keys
/// <c>[key][start][seqnum 0]</c>; a commit or an eviction writes dirty windows to the store below and hands them
/// to the flush listener. Range reads merge cached windows (which win, and whose tombstones hide stored windows)
/// with the store's, through a per-key index of cache entries built on the first range read.
/// </summary>
internal sealed class CachingWindowStore : IWindowStore<Bytes, byte[]>, ICachingBytesStore, IWrappedStore, IWindowSpanStore
{
    private readonly IWindowStore<Bytes, byte[]> _inner;
    private readonly long _windowSize;
    private IInternalStoreContext? _context;
    private ThreadCache? _cache;
    private NamedCache? _named;
    private string _ns = "";
    private Action<Bytes, byte[]?, byte[]?, ProcessorRecordContext>? _listener;
    private bool _sendOldValues;
    private byte[] _scratch = new byte[256];
    private CacheEntry? _lastEntry;
    private Dictionary<Bytes, List<CacheEntry>>? _index;

    public CachingWindowStore(IWindowStore<Bytes, byte[]> inner, long windowSize)
    {
        _inner = inner;
        _windowSize = windowSize;
    }

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

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
        _named.RemovedListener = OnRemoved;
    }

    private void OnRemoved(CacheEntry entry)
    {
        if (_index is not null && entry.Indexed
            && _index.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(WindowKeySchema.ExtractStoreKeyBytes(entry.Key.Span), out var list))
        {
            list.Remove(entry);
        }
    }

    private void OnFlush(List<DirtyEntry> entries)
    {
        var ctx = _context!;
        foreach (var e in entries)
        {
            var storeKey = e.Key.Span;
            var start = WindowKeySchema.ExtractStoreTimestamp(storeKey);
            var key = Bytes.Wrap(WindowKeySchema.ExtractStoreKeyBytes(storeKey).ToArray());
            var current = ctx.RecordContext;
            try
            {
                ctx.RecordContext = e.Context;
                if (_listener is not null)
                {
                    var rawNew = e.Value;
                    var rawOld = (rawNew is null || _sendOldValues) && _inner.TryFetch(key, start, out var o) ? o : null;
                    // Neither stored nor cached: nothing to write or forward (Kafka's optimization).
                    if (rawNew is null && rawOld is null)
                    {
                        continue;
                    }
                    _inner.Put(key, rawNew, start);
                    _listener(e.Key, rawNew, _sendOldValues ? rawOld : null, e.Context);
                }
                else
                {
                    _inner.Put(key, e.Value, start);
                }
            }
            finally
            {
                ctx.RecordContext = current;
            }
        }
    }

    private Span<byte> Compose(ReadOnlySpan<byte> key, long windowStart)
    {
        var n = key.Length + WindowKeySchema.Suffix;
        if (_scratch.Length < n)
        {
            _scratch = new byte[Math.Max(n, _scratch.Length * 2)];
        }
        var span = _scratch.AsSpan(0, n);
        WindowKeySchema.WriteStoreKey(span, key, windowStart, 0);
        return span;
    }

    public bool TryFetch(ReadOnlySpan<byte> key, long windowStart, out byte[] value)
    {
        var e = _named!.Get(Compose(key, windowStart));
        if (e is not null)
        {
            _lastEntry = e;
            value = e.Value!;
            return e.Value is not null;
        }
        return _inner is IWindowSpanLookup span ? span.TryFetch(key, windowStart, out value) : _inner.TryFetch(Bytes.Wrap(key.ToArray()), windowStart, out value);
    }

    public bool TryFetch(Bytes key, long windowStart, out byte[] value) => TryFetch(key.Span, windowStart, out value);

    public void Put(ReadOnlySpan<byte> key, byte[] value, long windowStartTimestamp) => PutInternal(key, value, windowStartTimestamp);

    public void Put(Bytes key, byte[]? value, long windowStartTimestamp) => PutInternal(key.Span, value, windowStartTimestamp);

    private void PutInternal(ReadOnlySpan<byte> key, byte[]? value, long windowStartTimestamp)
    {
        var composite = Compose(key, windowStartTimestamp);
        Bytes cacheKey;
        var last = _lastEntry;
        if (last is not null && !last.Removed && last.Key.Span.SequenceEqual(composite))
        {
            // The read before this write found the entry: reuse its key (no allocation).
            cacheKey = last.Key;
        }
        else
        {
            cacheKey = Bytes.Wrap(composite.ToArray());
        }
        var entry = _cache!.Put(_named!, cacheKey, value, true, _context!.RecordContext);
        _lastEntry = entry;
        if (_index is not null && !entry.Indexed)
        {
            AddToIndex(entry);
        }
    }

    private void AddToIndex(CacheEntry entry)
    {
        var recordKey = Bytes.Wrap(WindowKeySchema.ExtractStoreKeyBytes(entry.Key.Span).ToArray());
        if (!_index!.TryGetValue(recordKey, out var list))
        {
            list = [];
            _index.Add(recordKey, list);
        }
        list.Add(entry);
        entry.Indexed = true;
    }

    private Dictionary<Bytes, List<CacheEntry>> Index()
    {
        if (_index is null)
        {
            _index = new Dictionary<Bytes, List<CacheEntry>>(BytesComparer.Instance);
            foreach (var e in _named!.Entries)
            {
                AddToIndex(e);
            }
        }
        return _index;
    }

    /// <summary>Live cache entries of one record key with a window start in the range, pruning evicted ones.</summary>
    private void CachedWindows(Bytes recordKey, long timeFrom, long timeTo, Dictionary<long, byte[]?> into)
    {
        if (!Index().TryGetValue(recordKey, out var list))
        {
            return;
        }
        list.RemoveAll(static e => e.Removed);
        foreach (var e in list)
        {
            var start = WindowKeySchema.ExtractStoreTimestamp(e.Key.Span);
            if (start >= timeFrom && start <= timeTo)
            {
                into[start] = e.Value;
            }
        }
    }

    public IWindowStoreIterator<byte[]> Fetch(Bytes key, long timeFrom, long timeTo) => FetchKey(key, timeFrom, timeTo, true);

    public IWindowStoreIterator<byte[]> BackwardFetch(Bytes key, long timeFrom, long timeTo) => FetchKey(key, timeFrom, timeTo, false);

    private WindowListIterator<byte[]> FetchKey(Bytes key, long timeFrom, long timeTo, bool forward)
    {
        var merged = new Dictionary<long, byte[]?>();
        using (var it = _inner.Fetch(key, timeFrom, timeTo))
        {
            while (it.MoveNext())
            {
                merged[it.Current.Key] = it.Current.Value;
            }
        }
        CachedWindows(key, timeFrom, timeTo, merged);
        var list = new List<KeyValue<long, byte[]>>(merged.Count);
        foreach (var (start, v) in merged)
        {
            if (v is not null)
            {
                list.Add(new KeyValue<long, byte[]>(start, v));
            }
        }
        list.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        if (!forward)
        {
            list.Reverse();
        }
        return new WindowListIterator<byte[]>(list);
    }

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => Scan(keyFrom, keyTo, timeFrom, timeTo, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => Scan(keyFrom, keyTo, timeFrom, timeTo, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FetchAll(long timeFrom, long timeTo) => Scan(default, default, timeFrom, timeTo, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetchAll(long timeFrom, long timeTo) => Scan(default, default, timeFrom, timeTo, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> All() => Scan(default, default, long.MinValue, long.MaxValue, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardAll() => Scan(default, default, long.MinValue, long.MaxValue, false);

    private ListIterator<Windowed<Bytes>, byte[]> Scan(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo, bool forward)
    {
        var merged = new Dictionary<(long Start, Bytes Key), byte[]?>();
        using (var it = keyFrom.IsNull && keyTo.IsNull ? _inner.FetchAll(timeFrom, timeTo) : _inner.Fetch(keyFrom, keyTo, timeFrom, timeTo))
        {
            while (it.MoveNext())
            {
                merged[(it.Current.Key.Window.Start, it.Current.Key.Key)] = it.Current.Value;
            }
        }
        foreach (var e in _named!.Entries)
        {
            var span = e.Key.Span;
            var start = WindowKeySchema.ExtractStoreTimestamp(span);
            if (start < timeFrom || start > timeTo)
            {
                continue;
            }
            var k = Bytes.Wrap(WindowKeySchema.ExtractStoreKeyBytes(span).ToArray());
            if ((!keyFrom.IsNull && k.CompareTo(keyFrom) < 0) || (!keyTo.IsNull && k.CompareTo(keyTo) > 0))
            {
                continue;
            }
            merged[(start, k)] = e.Value;
        }
        var list = new List<KeyValue<Windowed<Bytes>, byte[]>>(merged.Count);
        foreach (var (k, v) in merged)
        {
            if (v is not null)
            {
                list.Add(new KeyValue<Windowed<Bytes>, byte[]>(new Windowed<Bytes>(k.Key, WindowKeySchema.TimeWindowForSize(k.Start, _windowSize)), v));
            }
        }
        list.Sort(static (a, b) =>
        {
            var c = a.Key.Window.Start.CompareTo(b.Key.Window.Start);
            return c != 0 ? c : a.Key.Key.CompareTo(b.Key.Key);
        });
        if (!forward)
        {
            list.Reverse();
        }
        return new ListIterator<Windowed<Bytes>, byte[]>(list);
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
            _index = null;
            _lastEntry = null;
        }
        finally
        {
            _inner.Close();
        }
    }
}

/// <summary>Hands every write of a session store to the changelog, keyed by Kafka's SessionKeySchema <c>[key][end][start]</c>.</summary>
internal sealed class ChangeLoggingSessionBytesStore(ISessionStore<Bytes, byte[]> inner) : ISessionStore<Bytes, byte[]>, IWrappedStore
{
    private IInternalStoreContext? _context;
    private string _topic = "";

    public string Name => inner.Name;

    public bool Persistent => inner.Persistent;

    public bool IsOpen => inner.IsOpen;

    public IStateStore Wrapped => inner;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext ?? throw new StreamsException("Change-logging stores need a task context.");
        _topic = _context.ChangelogTopic(Name);
        inner.Init(context, root);
    }

    private void Log(Windowed<Bytes> sessionKey, byte[]? value)
        => _context!.LogChange(Name, _topic, Bytes.Wrap(SessionKeySchema.ToBinary(sessionKey.Key.Span, sessionKey.Window.Start, sessionKey.Window.End)), value, _context.RecordContext.Timestamp);

    public void Put(Windowed<Bytes> sessionKey, byte[]? aggregate)
    {
        inner.Put(sessionKey, aggregate);
        Log(sessionKey, aggregate);
    }

    public void Remove(Windowed<Bytes> sessionKey)
    {
        inner.Remove(sessionKey);
        Log(sessionKey, null);
    }

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(long earliestSessionEndTime, long latestSessionEndTime) => inner.FindSessions(earliestSessionEndTime, latestSessionEndTime);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime) => inner.FindSessions(key, earliestSessionEndTime, latestSessionStartTime);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime) => inner.FindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime) => inner.BackwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime) => inner.BackwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);

    public bool TryFetchSession(Bytes key, long sessionStartTime, long sessionEndTime, out byte[] aggregate) => inner.TryFetchSession(key, sessionStartTime, sessionEndTime, out aggregate);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes key) => inner.Fetch(key);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes key) => inner.BackwardFetch(key);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo) => inner.Fetch(keyFrom, keyTo);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo) => inner.BackwardFetch(keyFrom, keyTo);

    public void Flush() => inner.Flush();

    public void Close() => inner.Close();
}

/// <summary>
/// The record cache in front of a session store (Kafka's CachingSessionStore). Cache keys are SessionKeySchema keys
/// <c>[key][end][start]</c>; a per-key index of cache entries lets session lookups merge cached sessions (which win,
/// and whose tombstones hide stored sessions) with the store's.
/// </summary>
internal sealed class CachingSessionStore : ISessionStore<Bytes, byte[]>, ICachingBytesStore, IWrappedStore
{
    private readonly ISessionStore<Bytes, byte[]> _inner;
    private IInternalStoreContext? _context;
    private ThreadCache? _cache;
    private NamedCache? _named;
    private string _ns = "";
    private Action<Bytes, byte[]?, byte[]?, ProcessorRecordContext>? _listener;
    private bool _sendOldValues;
    private readonly Dictionary<Bytes, List<CacheEntry>> _index = new(BytesComparer.Instance);

    public CachingSessionStore(ISessionStore<Bytes, byte[]> inner) => _inner = inner;

    public string Name => _inner.Name;

    public bool Persistent => _inner.Persistent;

    public bool IsOpen => _inner.IsOpen;

    public IStateStore Wrapped => _inner;

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
        _named.RemovedListener = OnRemoved;
    }

    private void OnRemoved(CacheEntry entry)
    {
        var lookup = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (entry.Indexed && lookup.TryGetValue(SessionKeySchema.KeyBytes(entry.Key.Span), out var key, out var list))
        {
            list.Remove(entry);
            if (list.Count == 0)
            {
                _index.Remove(key);
            }
        }
    }

    private void OnFlush(List<DirtyEntry> entries)
    {
        var ctx = _context!;
        foreach (var e in entries)
        {
            var sessionKey = SessionKeySchema.From(e.Key.Span);
            var current = ctx.RecordContext;
            try
            {
                ctx.RecordContext = e.Context;
                if (_listener is not null)
                {
                    var rawNew = e.Value;
                    var rawOld = (rawNew is null || _sendOldValues)
                        && _inner.TryFetchSession(sessionKey.Key, sessionKey.Window.Start, sessionKey.Window.End, out var o) ? o : null;
                    if (rawNew is null && rawOld is null)
                    {
                        continue;
                    }
                    _inner.Put(sessionKey, rawNew);
                    _listener(e.Key, rawNew, _sendOldValues ? rawOld : null, e.Context);
                }
                else
                {
                    _inner.Put(sessionKey, e.Value);
                }
            }
            finally
            {
                ctx.RecordContext = current;
            }
        }
    }

    public void Put(Windowed<Bytes> sessionKey, byte[]? aggregate)
    {
        ArgumentNullException.ThrowIfNull(sessionKey);
        var cacheKey = Bytes.Wrap(SessionKeySchema.ToBinary(sessionKey.Key.Span, sessionKey.Window.Start, sessionKey.Window.End));
        var entry = _cache!.Put(_named!, cacheKey, aggregate, true, _context!.RecordContext);
        if (!entry.Indexed)
        {
            if (!_index.TryGetValue(sessionKey.Key, out var list))
            {
                list = [];
                _index.Add(sessionKey.Key, list);
            }
            list.Add(entry);
            entry.Indexed = true;
        }
    }

    public void Remove(Windowed<Bytes> sessionKey) => Put(sessionKey, null);

    private void Cached(Bytes key, long endFrom, long endTo, long startTo, Dictionary<(long End, Bytes Key, long Start), byte[]?> into)
    {
        if (!_index.TryGetValue(key, out var list))
        {
            return;
        }
        list.RemoveAll(static e => e.Removed);
        if (list.Count == 0)
        {
            _index.Remove(key);
            return;
        }
        foreach (var e in list)
        {
            var span = e.Key.Span;
            var end = SessionKeySchema.End(span);
            var start = SessionKeySchema.Start(span);
            if (end >= endFrom && end <= endTo && start <= startTo)
            {
                into[(end, key, start)] = e.Value;
            }
        }
    }

    private ListIterator<Windowed<Bytes>, byte[]> Merge(IKeyValueIterator<Windowed<Bytes>, byte[]> stored, Bytes keyFrom, Bytes keyTo, long endFrom, long endTo, long startTo, bool forward)
    {
        var merged = new Dictionary<(long End, Bytes Key, long Start), byte[]?>();
        using (stored)
        {
            while (stored.MoveNext())
            {
                var w = stored.Current.Key;
                merged[(w.Window.End, w.Key, w.Window.Start)] = stored.Current.Value;
            }
        }
        if (!keyFrom.IsNull && keyFrom.Equals(keyTo))
        {
            Cached(keyFrom, endFrom, endTo, startTo, merged);
        }
        else
        {
            List<Bytes>? keys = null;
            foreach (var k in _index.Keys)
            {
                if ((keyFrom.IsNull || k.CompareTo(keyFrom) >= 0) && (keyTo.IsNull || k.CompareTo(keyTo) <= 0))
                {
                    (keys ??= []).Add(k);
                }
            }
            if (keys is not null)
            {
                foreach (var k in keys)
                {
                    Cached(k, endFrom, endTo, startTo, merged);
                }
            }
        }
        var list = new List<KeyValue<Windowed<Bytes>, byte[]>>(merged.Count);
        foreach (var (k, v) in merged)
        {
            if (v is not null)
            {
                list.Add(new KeyValue<Windowed<Bytes>, byte[]>(new Windowed<Bytes>(k.Key, new SessionWindow(k.Start, k.End)), v));
            }
        }
        list.Sort(static (a, b) =>
        {
            var c = a.Key.Window.End.CompareTo(b.Key.Window.End);
            if (c != 0)
            {
                return c;
            }
            c = a.Key.Key.CompareTo(b.Key.Key);
            return c != 0 ? c : a.Key.Window.Start.CompareTo(b.Key.Window.Start);
        });
        if (!forward)
        {
            list.Reverse();
        }
        return new ListIterator<Windowed<Bytes>, byte[]>(list);
    }

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime)
        => Merge(_inner.FindSessions(key, earliestSessionEndTime, latestSessionStartTime), key, key, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Merge(_inner.FindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime), keyFrom, keyTo, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime)
        => Merge(_inner.FindSessions(key, earliestSessionEndTime, latestSessionStartTime), key, key, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Merge(_inner.FindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime), keyFrom, keyTo, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(long earliestSessionEndTime, long latestSessionEndTime)
        => Merge(_inner.FindSessions(earliestSessionEndTime, latestSessionEndTime), default, default, earliestSessionEndTime, latestSessionEndTime, long.MaxValue, true);

    public bool TryFetchSession(Bytes key, long sessionStartTime, long sessionEndTime, out byte[] aggregate)
    {
        var e = _named!.Get(SessionKeySchema.ToBinary(key.Span, sessionStartTime, sessionEndTime));
        if (e is not null)
        {
            aggregate = e.Value!;
            return e.Value is not null;
        }
        return _inner.TryFetchSession(key, sessionStartTime, sessionEndTime, out aggregate);
    }

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes key) => FindSessions(key, 0, long.MaxValue);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes key) => BackwardFindSessions(key, 0, long.MaxValue);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo) => FindSessions(keyFrom, keyTo, 0, long.MaxValue);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo) => BackwardFindSessions(keyFrom, keyTo, 0, long.MaxValue);

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
            _index.Clear();
        }
        finally
        {
            _inner.Close();
        }
    }
}
