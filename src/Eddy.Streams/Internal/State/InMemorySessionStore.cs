using Eddy.Streams.Dsl;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// The in-memory bytes-level session store. Kafka's InMemorySessionStore keeps a map per session end time; we keep
/// the sessions of each key in a small list sorted by (end, start), so that finding the sessions a record may merge
/// with costs a dictionary lookup instead of a walk over every end time in the gap. Semantics follow Kafka's store:
/// stream time is the largest session end put; sessions ending at or before stream time minus the retention are
/// expired; results are ordered by end, then key bytes, then start.
/// </summary>
internal sealed class InMemorySessionStore : ISessionStore<Bytes, byte[]>
{
    internal struct Session
    {
        public long Start;
        public long End;
        public byte[] Value;
    }

    internal sealed class KeySessions(Bytes key)
    {
        public Bytes Key { get; } = key;

        public List<Session> Items { get; } = new(2);

        public int IndexOf(long start, long end)
        {
            var items = Items;
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].Start == start && items[i].End == end)
                {
                    return i;
                }
            }
            return -1;
        }

        public void Insert(Session s)
        {
            var items = Items;
            var i = items.Count;
            while (i > 0 && (items[i - 1].End > s.End || (items[i - 1].End == s.End && items[i - 1].Start > s.Start)))
            {
                i--;
            }
            items.Insert(i, s);
        }
    }

    private readonly Dictionary<Bytes, KeySessions> _keys = new(BytesComparer.Instance);
    private readonly Dictionary<Bytes, KeySessions>.AlternateLookup<ReadOnlySpan<byte>> _spanLookup;
    private readonly Queue<(long End, KeySessions Key)> _expiry = new();
    private long _observedStreamTime = -1;
    private bool _open;
    private IInternalStoreContext? _context;

    public InMemorySessionStore(string name, long retentionPeriod)
    {
        Name = name;
        RetentionPeriod = retentionPeriod;
        _spanLookup = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public string Name { get; }

    public long RetentionPeriod { get; }

    public bool Persistent => false;

    public bool IsOpen => _open;

    public long ExpiredRecords { get; private set; }

    private long MinLiveTime => Math.Max(0L, _observedStreamTime - RetentionPeriod + 1);

    public void Init(IStateStoreContext context, IStateStore root)
    {
        _context = context as IInternalStoreContext;
        context.Register(root, (k, v) =>
        {
            // Changelog key: [key][8-byte end][8-byte start] (Kafka's SessionKeySchema).
            var key = Bytes.Wrap(SessionKeySchema.KeyBytes(k).ToArray());
            Put(key, SessionKeySchema.Start(k), SessionKeySchema.End(k), v);
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

    public void Put(Windowed<Bytes> sessionKey, byte[]? aggregate)
    {
        ArgumentNullException.ThrowIfNull(sessionKey);
        Put(sessionKey.Key, sessionKey.Window.Start, sessionKey.Window.End, aggregate);
    }

    public void Put(Bytes key, long start, long end, byte[]? aggregate)
    {
        RemoveExpired();
        if (end > _observedStreamTime)
        {
            _observedStreamTime = end;
        }
        if (end <= _observedStreamTime - RetentionPeriod)
        {
            ExpiredRecords++;
            if (_context is not null)
            {
                Runtime.RuntimeLog.SkippingExpiredSegment(_context.Logger, Name, end, _observedStreamTime);
            }
            return;
        }
        if (aggregate is null)
        {
            Remove(key, start, end);
            return;
        }
        if (!_keys.TryGetValue(key, out var ks))
        {
            ks = new KeySessions(key);
            _keys.Add(key, ks);
        }
        var i = ks.IndexOf(start, end);
        if (i >= 0)
        {
            var s = ks.Items[i];
            s.Value = aggregate;
            ks.Items[i] = s;
            return;
        }
        ks.Insert(new Session { Start = start, End = end, Value = aggregate });
        _expiry.Enqueue((end, ks));
    }

    public void Remove(Windowed<Bytes> sessionKey)
    {
        ArgumentNullException.ThrowIfNull(sessionKey);
        Remove(sessionKey.Key, sessionKey.Window.Start, sessionKey.Window.End);
    }

    private void Remove(Bytes key, long start, long end)
    {
        if (_keys.TryGetValue(key, out var ks))
        {
            var i = ks.IndexOf(start, end);
            if (i >= 0)
            {
                ks.Items.RemoveAt(i);
                if (ks.Items.Count == 0)
                {
                    _keys.Remove(key);
                }
            }
        }
    }

    private void RemoveExpired()
    {
        var minLive = MinLiveTime;
        while (_expiry.Count > 0 && _expiry.Peek().End < minLive)
        {
            var (_, ks) = _expiry.Dequeue();
            ks.Items.RemoveAll(s => s.End < minLive);
            if (ks.Items.Count == 0 && _keys.TryGetValue(ks.Key, out var current) && ReferenceEquals(current, ks))
            {
                _keys.Remove(ks.Key);
            }
        }
    }

    /// <summary>The live sessions of one key, or null (the session aggregate's hot path reads this directly).</summary>
    internal KeySessions? SessionsOf(ReadOnlySpan<byte> key) => _spanLookup.TryGetValue(key, out var ks) ? ks : null;

    internal long LiveFrom => MinLiveTime;

    public bool TryFetchSession(Bytes key, long sessionStartTime, long sessionEndTime, out byte[] aggregate)
    {
        if (sessionEndTime >= MinLiveTime && _keys.TryGetValue(key, out var ks))
        {
            var i = ks.IndexOf(sessionStartTime, sessionEndTime);
            if (i >= 0)
            {
                aggregate = ks.Items[i].Value;
                return true;
            }
        }
        aggregate = null!;
        return false;
    }

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime)
        => Scan(key, key, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Scan(keyFrom, keyTo, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes key, long earliestSessionEndTime, long latestSessionStartTime)
        => Scan(key, key, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFindSessions(Bytes keyFrom, Bytes keyTo, long earliestSessionEndTime, long latestSessionStartTime)
        => Scan(keyFrom, keyTo, earliestSessionEndTime, long.MaxValue, latestSessionStartTime, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> FindSessions(long earliestSessionEndTime, long latestSessionEndTime)
        => Scan(default, default, earliestSessionEndTime, latestSessionEndTime, long.MaxValue, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes key) => Scan(key, key, 0, long.MaxValue, long.MaxValue, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes key) => Scan(key, key, 0, long.MaxValue, long.MaxValue, false);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> Fetch(Bytes keyFrom, Bytes keyTo) => Scan(keyFrom, keyTo, 0, long.MaxValue, long.MaxValue, true);

    public IKeyValueIterator<Windowed<Bytes>, byte[]> BackwardFetch(Bytes keyFrom, Bytes keyTo) => Scan(keyFrom, keyTo, 0, long.MaxValue, long.MaxValue, false);

    /// <summary>Live sessions of keys in [keyFrom, keyTo] with end in [endFrom, endTo] and start &lt;= startTo, by end, key, start.</summary>
    private ListIterator<Windowed<Bytes>, byte[]> Scan(Bytes keyFrom, Bytes keyTo, long endFrom, long endTo, long startTo, bool forward)
    {
        RemoveExpired();
        var found = new List<(long End, Bytes Key, long Start, byte[] Value)>();
        var from = Math.Max(endFrom, MinLiveTime);
        if (!keyFrom.IsNull && keyFrom.Equals(keyTo))
        {
            if (_keys.TryGetValue(keyFrom, out var ks))
            {
                Collect(ks, from, endTo, startTo, found);
            }
        }
        else if (keyFrom.IsNull || keyTo.IsNull || keyFrom.CompareTo(keyTo) <= 0)
        {
            foreach (var (k, ks) in _keys)
            {
                if ((!keyFrom.IsNull && k.CompareTo(keyFrom) < 0) || (!keyTo.IsNull && k.CompareTo(keyTo) > 0))
                {
                    continue;
                }
                Collect(ks, from, endTo, startTo, found);
            }
            found.Sort(static (a, b) =>
            {
                var c = a.End.CompareTo(b.End);
                if (c != 0)
                {
                    return c;
                }
                c = a.Key.CompareTo(b.Key);
                return c != 0 ? c : a.Start.CompareTo(b.Start);
            });
        }
        var result = new List<KeyValue<Windowed<Bytes>, byte[]>>(found.Count);
        foreach (var f in found)
        {
            result.Add(new KeyValue<Windowed<Bytes>, byte[]>(new Windowed<Bytes>(f.Key, new SessionWindow(f.Start, f.End)), f.Value));
        }
        if (!forward)
        {
            result.Reverse();
        }
        return new ListIterator<Windowed<Bytes>, byte[]>(result);
    }

    private static void Collect(KeySessions ks, long endFrom, long endTo, long startTo, List<(long, Bytes, long, byte[])> found)
    {
        foreach (var s in ks.Items)
        {
            if (s.End >= endFrom && s.End <= endTo && s.Start <= startTo)
            {
                found.Add((s.End, ks.Key, s.Start, s.Value));
            }
        }
    }
}

internal sealed class InMemorySessionBytesStoreSupplier(string name, long retentionPeriod) : ISessionBytesStoreSupplier
{
    public string Name { get; } = name;

    public string MetricsScope => "in-memory-session";

    public long RetentionPeriod { get; } = retentionPeriod;

    public ISessionStore<Bytes, byte[]> Get() => new InMemorySessionStore(Name, RetentionPeriod);
}
