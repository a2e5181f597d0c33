using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>Window stores that look a key up by a span (no key allocation for reads and updates of existing windows).</summary>
internal interface IWindowSpanLookup
{
    bool TryFetch(ReadOnlySpan<byte> key, long windowStart, out byte[] value);
}

/// <summary>
/// The in-memory bytes-level window store. Kafka's InMemoryWindowStore keeps one map per window start; we keep one
/// sorted list of windows per key instead, so that the per-key time-range fetches of stream-stream joins and sliding
/// windows cost a binary search rather than a lookup per window start in the range. Semantics follow Kafka's store:
/// stream time is the largest window start put; windows starting at or before stream time minus the retention are
/// expired (not stored, not returned); stores that retain duplicates keep every put in arrival order and ignore null
/// puts. Time-ordered scans (FetchAll, key ranges) return windows by start, then key bytes, then arrival.
/// </summary>
internal sealed class InMemoryWindowStore : IWindowStore<Bytes, byte[]>, IWindowSpanLookup
{
    internal struct Entry
    {
        public long Start;
        public byte[] Value;
    }

    internal sealed class KeyWindows(Bytes key)
    {
        public Bytes Key { get; } = key;

        public List<Entry> Items { get; } = new(2);

        /// <summary>Index of the first item with Start &gt;= time.</summary>
        public int LowerBound(long time)
        {
            var items = Items;
            int lo = 0, hi = items.Count;
            // Most lookups are for recent windows: check the tail first.
            if (hi > 0 && items[hi - 1].Start < time)
            {
                return hi;
            }
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (items[mid].Start < time)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }

        /// <summary>Index of the first item with Start &gt; time.</summary>
        public int UpperBound(long time)
        {
            var items = Items;
            int lo = 0, hi = items.Count;
            if (hi > 0 && items[hi - 1].Start <= time)
            {
                return hi;
            }
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (items[mid].Start <= time)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    private readonly Dictionary<Bytes, KeyWindows> _keys = new(BytesComparer.Instance);
    private readonly Dictionary<Bytes, KeyWindows>.AlternateLookup<ReadOnlySpan<byte>> _spanLookup;
    // Windows in arrival order, to expire them as stream time advances (windows arrive mostly in time order; reads
    // filter by the live time too, so an expired window behind a later one is never seen).
    private readonly Queue<(long Start, KeyWindows Key)> _expiry = new();
    private long _observedStreamTime = -1;
    private bool _open;
    private IInternalStoreContext? _context;

    public InMemoryWindowStore(string name, long retentionPeriod, long windowSize, bool retainDuplicates)
    {
        Name = name;
        RetentionPeriod = retentionPeriod;
        WindowSize = windowSize;
        RetainDuplicates = retainDuplicates;
        _spanLookup = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public string Name { get; }

    public long RetentionPeriod { get; }

    public long WindowSize { get; }

    public bool RetainDuplicates { get; }

    public bool Persistent => false;

    public bool IsOpen => _open;

    /// <summary>The largest window start put so far (-1 before any).</summary>
    public long ObservedStreamTime => _observedStreamTime;

    /// <summary>Windows starting before this are expired.</summary>
    private long MinLiveTime => Math.Max(0L, _observedStreamTime - RetentionPeriod + 1);

    public long ExpiredRecords { get; private set; }

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext;
        context.Register(root, (k, v) =>
        {
            // Changelog key: [key][8-byte start][4-byte seqnum] (Kafka's WindowKeySchema.toStoreKeyBinary).
            var start = WindowKeySchema.ExtractStoreTimestamp(k);
            var key = Bytes.Wrap(WindowKeySchema.ExtractStoreKeyBytes(k).ToArray());
            Put(key, v, start);
        });
        _open = true;
    }

    public void Flush() { }

    public void Close()
    {
        _keys.Clear();
        _expiry.Clear();
        _open = false;
    }

    public void Put(Bytes key, byte[]? value, long windowStartTimestamp)
    {
        if (!Admit(windowStartTimestamp))
        {
            return;
        }
        if (value is null)
        {
            if (!RetainDuplicates)
            {
                Remove(key, windowStartTimestamp);
            }
            return;
        }
        if (!_keys.TryGetValue(key, out var kw))
        {
            kw = new KeyWindows(key);
            _keys.Add(key, kw);
        }
        Insert(kw, windowStartTimestamp, value);
    }

    /// <summary>Puts by span: the key is copied only when it is new to the store.</summary>
    public void Put(ReadOnlySpan<byte> key, byte[] value, long windowStartTimestamp)
    {
        if (!Admit(windowStartTimestamp))
        {
            return;
        }
        if (!_spanLookup.TryGetValue(key, out var kw))
        {
            var k = Bytes.Wrap(key.ToArray());
            kw = new KeyWindows(k);
            _keys.Add(k, kw);
        }
        Insert(kw, windowStartTimestamp, value);
    }

    /// <summary>Advances stream time; false (logged and counted) when the window is already expired.</summary>
    private bool Admit(long windowStartTimestamp)
    {
        RemoveExpired();
        if (windowStartTimestamp > _observedStreamTime)
        {
            _observedStreamTime = windowStartTimestamp;
        }
        if (windowStartTimestamp <= _observedStreamTime - RetentionPeriod)
        {
            ExpiredRecords++;
            if (_context is not null)
            {
                Runtime.RuntimeLog.SkippingExpiredSegment(_context.Logger, Name, windowStartTimestamp, _observedStreamTime);
            }
            return false;
        }
        return true;
    }

    private void Insert(KeyWindows kw, long start, byte[] value)
    {
        var items = kw.Items;
        if (RetainDuplicates)
        {
            var at = kw.UpperBound(start);
            items.Insert(at, new Entry { Start = start, Value = value });
            _expiry.Enqueue((start, kw));
            return;
        }
        var i = kw.LowerBound(start);
        if (i < items.Count && items[i].Start == start)
        {
            var e = items[i];
            e.Value = value;
            items[i] = e;
            return;
        }
        items.Insert(i, new Entry { Start = start, Value = value });
        _expiry.Enqueue((start, kw));
    }

    private void Remove(Bytes key, long start)
    {
        if (!_keys.TryGetValue(key, out var kw))
        {
            return;
        }
        var i = kw.LowerBound(start);
        if (i < kw.Items.Count && kw.Items[i].Start == start)
        {
            kw.Items.RemoveAt(i);
            if (kw.Items.Count == 0)
            {
                _keys.Remove(key);
            }
        }
    }

    private void RemoveExpired()
    {
        var minLive = MinLiveTime;
        while (_expiry.Count > 0 && _expiry.Peek().Start < minLive)
        {
            var (_, kw) = _expiry.Dequeue();
            var items = kw.Items;
            var n = kw.LowerBound(minLive);
            if (n > 0)
            {
                items.RemoveRange(0, n);
            }
            if (items.Count == 0 && _keys.TryGetValue(kw.Key, out var current) && ReferenceEquals(current, kw))
            {
                _keys.Remove(kw.Key);
            }
        }
    }

    public bool TryFetch(ReadOnlySpan<byte> key, long windowStart, out byte[] value)
    {
        if (_spanLookup.TryGetValue(key, out var kw))
        {
            return Find(kw, windowStart, out value);
        }
        value = null!;
        return false;
    }

    public bool TryFetch(Bytes key, long windowStart, out byte[] value)
    {
        if (_keys.TryGetValue(key, out var kw))
        {
            return Find(kw, windowStart, out value);
        }
        value = null!;
        return false;
    }

    private bool Find(KeyWindows kw, long windowStart, out byte[] value)
    {
        if (windowStart >= MinLiveTime)
        {
            var i = kw.LowerBound(windowStart);
            if (i < kw.Items.Count && kw.Items[i].Start == windowStart)
            {
                value = kw.Items[i].Value;
                return true;
            }
        }
        value = null!;
        return false;
    }

    public IWindowStoreIterator<byte[]> Fetch(Bytes key, long timeFrom, long timeTo) => FetchKey(key, timeFrom, timeTo, true);

    public IWindowStoreIterator<byte[]> BackwardFetch(Bytes key, long timeFrom, long timeTo) => FetchKey(key, timeFrom, timeTo, false);

    private WindowListIterator<byte[]> FetchKey(Bytes key, long timeFrom, long timeTo, bool forward)
    {
        RemoveExpired();
        var list = new List<KeyValue<long, byte[]>>();
        var from = Math.Max(timeFrom, MinLiveTime);
        if (timeTo >= from && _keys.TryGetValue(key, out var kw))
        {
            var items = kw.Items;
            for (var i = kw.LowerBound(from); i < items.Count && items[i].Start <= timeTo; i++)
            {
                list.Add(new KeyValue<long, byte[]>(items[i].Start, items[i].Value));
            }
        }
        if (!forward)
        {
            list.Reverse();
        }
        return new WindowListIterator<byte[]>(list);
    }

    /// <summary>Windows of one key in a time range, without allocating an iterator (join hot path).</summary>
    internal KeyWindows? WindowsOf(ReadOnlySpan<byte> key) => _spanLookup.TryGetValue(key, out var kw) ? kw : null;

    internal long LiveFrom => MinLiveTime;

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => Scan(keyFrom, keyTo, timeFrom, timeTo, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo) => Scan(keyFrom, keyTo, timeFrom, timeTo, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FetchAll(long timeFrom, long timeTo) => Scan(default, default, timeFrom, timeTo, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetchAll(long timeFrom, long timeTo) => Scan(default, default, timeFrom, timeTo, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> All() => Scan(default, default, long.MinValue, long.MaxValue, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardAll() => Scan(default, default, long.MinValue, long.MaxValue, false);

    /// <summary>Every live window in [timeFrom, timeTo] of keys in [keyFrom, keyTo] (default bounds: unbounded), by start, key, arrival.</summary>
    private ListIterator<Windowed<Bytes>, byte[]> Scan(Bytes keyFrom, Bytes keyTo, long timeFrom, long timeTo, bool forward)
    {
        RemoveExpired();
        if (!keyFrom.IsNull && !keyTo.IsNull && keyFrom.CompareTo(keyTo) > 0)
        {
            return new ListIterator<Windowed<Bytes>, byte[]>([]);
        }
        var from = Math.Max(timeFrom, MinLiveTime);
        var found = new List<(long Start, Bytes Key, int Arrival, byte[] Value)>();
        if (timeTo >= from)
        {
            foreach (var (k, kw) in _keys)
            {
                if ((!keyFrom.IsNull && k.CompareTo(keyFrom) < 0) || (!keyTo.IsNull && k.CompareTo(keyTo) > 0))
                {
                    continue;
                }
                var items = kw.Items;
                for (var i = kw.LowerBound(from); i < items.Count && items[i].Start <= timeTo; i++)
                {
                    found.Add((items[i].Start, k, i, items[i].Value));
                }
            }
        }
        found.Sort(static (a, b) =>
        {
            var c = a.Start.CompareTo(b.Start);
            if (c != 0)
            {
                return c;
            }
            c = a.Key.CompareTo(b.Key);
            return c != 0 ? c : a.Arrival.CompareTo(b.Arrival);
        });
        var result = new List<KeyValue<Windowed<Bytes>, byte[]>>(found.Count);
        foreach (var f in found)
        {
            result.Add(new KeyValue<Windowed<Bytes>, byte[]>(new Windowed<Bytes>(f.Key, WindowKeySchema.TimeWindowForSize(f.Start, WindowSize)), f.Value));
        }
        if (!forward)
        {
            result.Reverse();
        }
        return new ListIterator<Windowed<Bytes>, byte[]>(result);
    }

    public long ApproximateNumEntries
    {
        get
        {
            long n = 0;
            foreach (var kw in _keys.Values)
            {
                n += kw.Items.Count;
            }
            return n;
        }
    }

    internal void EnsureOpen()
    {
        if (!_open)
        {
            throw new InvalidStateStoreException($"Store {Name} is currently closed.");
        }
    }
}

/// <summary>A window iterator over a materialized list of (window start, value).</summary>
internal sealed class WindowListIterator<TValue>(List<KeyValue<long, TValue>> items) : KeyValueIteratorBase<long, TValue>, IWindowStoreIterator<TValue>
{
    private int _index = -1;

    public override KeyValue<long, TValue> Current => items[_index];

    public override bool MoveNext() => ++_index < items.Count;

    public override bool TryPeekNextKey(out long key)
    {
        if (_index + 1 < items.Count)
        {
            key = items[_index + 1].Key;
            return true;
        }
        key = default;
        return false;
    }
}

internal sealed class InMemoryWindowBytesStoreSupplier(string name, long retentionPeriod, long windowSize, bool retainDuplicates) : IWindowBytesStoreSupplier
{
    public string Name { get; } = name;

    public string MetricsScope => "in-memory-window";

    public long RetentionPeriod { get; } = retentionPeriod;

    public long WindowSize { get; } = windowSize;

    public bool RetainDuplicates { get; } = retainDuplicates;

    public IWindowStore<Bytes, byte[]> Get() => new InMemoryWindowStore(Name, RetentionPeriod, WindowSize, RetainDuplicates);

    public override string ToString() => $"InMemoryWindowBytesStoreSupplier{{name='{Name}', retentionPeriod={RetentionPeriod}, windowSize={WindowSize}, retainDuplicates={RetainDuplicates}}}";
}
