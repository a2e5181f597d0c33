using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>One cached value with the record context of the write that made it.</summary>
internal sealed class CacheEntry
{
    public byte[]? Value;
    public bool IsDirty;
    public ProcessorRecordContext Context;
    public Bytes Key;

    // LRU list (most recent at head) and dirty list (arrival order), both intrusive.
    public CacheEntry? LruPrev, LruNext, DirtyPrev, DirtyNext;
    public bool InDirtyList;
    public bool Removed;

    // Set by window and session caches that keep a per-key index of their entries.
    public bool Indexed;

    public long Size => Key.Length + (Value?.Length ?? 0) + 64;
}

/// <summary>A dirty entry handed to the flush listener.</summary>
internal readonly record struct DirtyEntry(Bytes Key, byte[]? Value, ProcessorRecordContext Context);

/// <summary>
/// The record cache of one store in one task (Kafka's NamedCache): LRU for eviction, plus the dirty keys in the
/// order they were last written. A flush hands every dirty entry to the listener in that order.
/// </summary>
internal sealed class NamedCache
{
    private readonly Dictionary<Bytes, CacheEntry> _map = new(BytesComparer.Instance);
    private readonly Dictionary<Bytes, CacheEntry>.AlternateLookup<ReadOnlySpan<byte>> _spanLookup;
    private CacheEntry? _lruHead, _lruTail, _dirtyHead, _dirtyTail;
    private int _dirtyCount;

    public NamedCache(string name)
    {
        Name = name;
        _spanLookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public CacheEntry? Get(ReadOnlySpan<byte> key)
    {
        if (_spanLookup.TryGetValue(key, out var e))
        {
            Hits++;
            MoveToHead(e);
            _last = e;
            return e;
        }
        Misses++;
        return null;
    }

    public string Name { get; }

    public long SizeBytes { get; private set; }

    public int Count => _map.Count;

    public Action<List<DirtyEntry>>? Listener { get; set; }

    /// <summary>Called when an entry leaves the cache (evicted, deleted or cleared), for stores that index entries.</summary>
    public Action<CacheEntry>? RemovedListener { get; set; }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Overwrites { get; private set; }

    public long Flushes { get; private set; }

    // The entry of the last read: aggregations read a key and then write it, so the write skips the lookup.
    private CacheEntry? _last;

    public CacheEntry? Get(Bytes key)
    {
        if (_map.TryGetValue(key, out var e))
        {
            Hits++;
            MoveToHead(e);
            _last = e;
            return e;
        }
        Misses++;
        return null;
    }

    private bool TryFind(Bytes key, out CacheEntry e)
    {
        var last = _last;
        if (last is not null && !last.Removed && key.SameArray(last.Key))
        {
            e = last;
            return true;
        }
        return _map.TryGetValue(key, out e!);
    }

    /// <summary>Every cached entry (unordered); range-querying stores build their own indexes from it.</summary>
    public IEnumerable<CacheEntry> Entries => _map.Values;

    public CacheEntry Put(Bytes key, byte[]? value, bool dirty, in ProcessorRecordContext context)
    {
        if (TryFind(key, out var e))
        {
            if (!dirty && e.IsDirty)
            {
                throw new InvalidOperationException($"Attempting to put a clean entry for key [{key}] into NamedCache [{Name}] when it already contains a dirty entry for the same key");
            }
            Overwrites++;
            SizeBytes -= e.Size;
            e.Value = value;
            e.IsDirty = dirty;
            e.Context = context;
            MoveToHead(e);
        }
        else
        {
            e = new CacheEntry { Key = key, Value = value, IsDirty = dirty, Context = context };
            _map.Add(key, e);
            AddHead(e);
        }
        if (dirty)
        {
            // Remove then add, so that flush order is the order of the last writes.
            if (e.InDirtyList)
            {
                UnlinkDirty(e);
            }
            LinkDirtyTail(e);
        }
        SizeBytes += e.Size;
        return e;
    }

    public CacheEntry? Delete(Bytes key)
    {
        if (!_map.Remove(key, out var e))
        {
            return null;
        }
        e.Removed = true;
        SizeBytes -= e.Size;
        UnlinkLru(e);
        if (e.InDirtyList)
        {
            UnlinkDirty(e);
        }
        RemovedListener?.Invoke(e);
        return e;
    }

    /// <summary>Evicts the least recently used entry; if it was dirty, flushes (every dirty entry, as Kafka does).</summary>
    public void Evict()
    {
        var eldest = _lruTail;
        if (eldest is null)
        {
            return;
        }
        SizeBytes -= eldest.Size;
        UnlinkLru(eldest);
        _map.Remove(eldest.Key);
        eldest.Removed = true;
        if (eldest.IsDirty)
        {
            Flush(eldest);
        }
        RemovedListener?.Invoke(eldest);
    }

    public void Flush() => Flush(null);

    private void Flush(CacheEntry? evicted)
    {
        Flushes++;
        if (_dirtyCount == 0)
        {
            return;
        }
        var entries = new List<DirtyEntry>(_dirtyCount + 1);
        if (evicted is not null)
        {
            entries.Add(new DirtyEntry(evicted.Key, evicted.Value, evicted.Context));
            UnlinkDirty(evicted);
        }
        List<Bytes>? deleted = null;
        for (var e = _dirtyHead; e is not null; e = e.DirtyNext)
        {
            entries.Add(new DirtyEntry(e.Key, e.Value, e.Context));
            e.IsDirty = false;
            if (e.Value is null)
            {
                (deleted ??= []).Add(e.Key);
            }
        }
        // Clear the dirty list before calling the listener: it may write to this cache again.
        for (var e = _dirtyHead; e is not null;)
        {
            var next = e.DirtyNext;
            e.DirtyPrev = e.DirtyNext = null;
            e.InDirtyList = false;
            e = next;
        }
        _dirtyHead = _dirtyTail = null;
        _dirtyCount = 0;
        Listener?.Invoke(entries);
        if (deleted is not null)
        {
            foreach (var k in deleted)
            {
                if (_map.TryGetValue(k, out var e) && !e.IsDirty && e.Value is null)
                {
                    Delete(k);
                }
            }
        }
    }

    /// <summary>Cached entries in [from, to] (nulls mean unbounded), sorted by key.</summary>
    public List<KeyValue<Bytes, byte[]?>> SortedRange(Bytes? from, Bytes? to, bool forward)
    {
        var list = new List<KeyValue<Bytes, byte[]?>>();
        foreach (var (k, e) in _map)
        {
            if ((from is null || k.CompareTo(from.Value) >= 0) && (to is null || k.CompareTo(to.Value) <= 0))
            {
                list.Add(new KeyValue<Bytes, byte[]?>(k, e.Value));
            }
        }
        list.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        if (!forward)
        {
            list.Reverse();
        }
        return list;
    }

    public void Clear()
    {
        foreach (var e in _map.Values)
        {
            e.Removed = true;
            RemovedListener?.Invoke(e);
        }
        _map.Clear();
        _last = null;
        _lruHead = _lruTail = _dirtyHead = _dirtyTail = null;
        _dirtyCount = 0;
        SizeBytes = 0;
    }

    private void AddHead(CacheEntry e)
    {
        e.LruPrev = null;
        e.LruNext = _lruHead;
        if (_lruHead is not null)
        {
            _lruHead.LruPrev = e;
        }
        _lruHead = e;
        _lruTail ??= e;
    }

    private void UnlinkLru(CacheEntry e)
    {
        if (e.LruPrev is not null)
        {
            e.LruPrev.LruNext = e.LruNext;
        }
        else
        {
            _lruHead = e.LruNext;
        }
        if (e.LruNext is not null)
        {
            e.LruNext.LruPrev = e.LruPrev;
        }
        else
        {
            _lruTail = e.LruPrev;
        }
        e.LruPrev = e.LruNext = null;
    }

    private void MoveToHead(CacheEntry e)
    {
        if (_lruHead == e)
        {
            return;
        }
        UnlinkLru(e);
        AddHead(e);
    }

    private void LinkDirtyTail(CacheEntry e)
    {
        e.DirtyNext = null;
        e.DirtyPrev = _dirtyTail;
        if (_dirtyTail is not null)
        {
            _dirtyTail.DirtyNext = e;
        }
        _dirtyTail = e;
        _dirtyHead ??= e;
        e.InDirtyList = true;
        _dirtyCount++;
    }

    private void UnlinkDirty(CacheEntry e)
    {
        if (!e.InDirtyList)
        {
            return;
        }
        if (e.DirtyPrev is not null)
        {
            e.DirtyPrev.DirtyNext = e.DirtyNext;
        }
        else
        {
            _dirtyHead = e.DirtyNext;
        }
        if (e.DirtyNext is not null)
        {
            e.DirtyNext.DirtyPrev = e.DirtyPrev;
        }
        else
        {
            _dirtyTail = e.DirtyPrev;
        }
        e.DirtyPrev = e.DirtyNext = null;
        e.InDirtyList = false;
        _dirtyCount--;
    }
}

/// <summary>
/// The record cache shared by the stores of a stream thread (Kafka's ThreadCache), bounded by
/// <c>statestore.cache.max.bytes</c>. Writing past the bound evicts least recently used entries of the store
/// being written; evicting a dirty entry flushes that store's dirty entries downstream.
/// </summary>
internal sealed class ThreadCache
{
    private readonly Dictionary<string, NamedCache> _caches = new(StringComparer.Ordinal);

    public ThreadCache(long maxBytes) => MaxBytes = maxBytes;

    public long MaxBytes { get; set; }

    public long SizeBytes { get; private set; }

    public long Evictions { get; private set; }

    public static string NameSpace(TaskId taskId, string storeName) => taskId + "-" + storeName;

    public NamedCache GetOrCreate(string ns)
    {
        if (!_caches.TryGetValue(ns, out var c))
        {
            c = new NamedCache(ns);
            _caches.Add(ns, c);
        }
        return c;
    }

    public void AddDirtyEntryFlushListener(string ns, Action<List<DirtyEntry>> listener) => GetOrCreate(ns).Listener = listener;

    public static CacheEntry? Get(NamedCache cache, Bytes key) => cache.Get(key);

    public CacheEntry Put(NamedCache cache, Bytes key, byte[]? value, bool dirty, in ProcessorRecordContext context)
    {
        var before = cache.SizeBytes;
        var e = cache.Put(key, value, dirty, context);
        SizeBytes += cache.SizeBytes - before;
        MaybeEvict(cache);
        return e;
    }

    public CacheEntry? Delete(NamedCache cache, Bytes key)
    {
        var before = cache.SizeBytes;
        var e = cache.Delete(key);
        SizeBytes += cache.SizeBytes - before;
        return e;
    }

    public void Flush(NamedCache cache)
    {
        var before = cache.SizeBytes;
        cache.Flush();
        SizeBytes += cache.SizeBytes - before;
    }

    public void Close(string ns)
    {
        if (_caches.Remove(ns, out var c))
        {
            SizeBytes -= c.SizeBytes;
            c.Clear();
        }
    }

    private void MaybeEvict(NamedCache cache)
    {
        while (SizeBytes > MaxBytes)
        {
            // The put may have flushed into another cache; stop when this one has nothing left to evict.
            if (cache.Count == 0)
            {
                return;
            }
            var before = cache.SizeBytes;
            cache.Evict();
            SizeBytes += cache.SizeBytes - before;
            Evictions++;
        }
    }
}
