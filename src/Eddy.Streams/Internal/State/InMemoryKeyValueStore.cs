using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// The in-memory bytes store: a hash map for point reads and writes plus a sorted key set (RocksDB's byte order)
/// for range scans. Updating an existing key touches only the hash map. Iterators work on a snapshot of the keys
/// in range and read values lazily, like Kafka's InMemoryKeyValueStore.
/// </summary>
internal sealed class InMemoryKeyValueStore : IKeyValueStore<Bytes, byte[]>, ISpanKeyLookup
{
    private readonly Dictionary<Bytes, byte[]> _map = new(BytesComparer.Instance);
    private readonly SortedSet<Bytes> _keys = [];
    private bool _open;

    public InMemoryKeyValueStore(string name) => Name = name;

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value, out Bytes storedKey)
    {
        var lookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(key, out var actualKey, out var v))
        {
            value = v;
            storedKey = actualKey;
            return true;
        }
        value = null!;
        storedKey = default;
        return false;
    }

    public string Name { get; }

    public bool Persistent => false;

    public bool IsOpen => _open;

    public long ApproximateNumEntries => _map.Count;

    public void Init(IStateStoreContext context, IStateStore root)
    {
        context.Register(root, (k, v) =>
        {
            var key = Bytes.Wrap(k);
            if (v is null)
            {
                DeleteInternal(key);
            }
            else
            {
                PutInternal(key, v);
            }
        });
        _open = true;
    }

    public void Flush() { }

    public void Close()
    {
        _map.Clear();
        _keys.Clear();
        _open = false;
    }

    public byte[]? Get(Bytes key) => _map.TryGetValue(key, out var v) ? v : null;

    public bool TryGet(Bytes key, out byte[] value) => _map.TryGetValue(key, out value!);

    public void Put(Bytes key, byte[]? value)
    {
        if (value is null)
        {
            DeleteInternal(key);
        }
        else
        {
            PutInternal(key, value);
        }
    }

    public byte[]? PutIfAbsent(Bytes key, byte[] value)
    {
        if (_map.TryGetValue(key, out var existing))
        {
            return existing;
        }
        PutInternal(key, value);
        return null;
    }

    public void PutAll(IEnumerable<KeyValue<Bytes, byte[]?>> entries)
    {
        foreach (var e in entries)
        {
            Put(e.Key, e.Value);
        }
    }

    public byte[]? Delete(Bytes key) => DeleteInternal(key);

    private void PutInternal(Bytes key, byte[] value)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_map, key, out var exists);
        slot = value;
        if (!exists)
        {
            _keys.Add(key);
        }
    }

    private byte[]? DeleteInternal(Bytes key)
    {
        if (_map.Remove(key, out var old))
        {
            _keys.Remove(key);
            return old;
        }
        return null;
    }

    public IKeyValueIterator<Bytes, byte[]> Range(Bytes from, Bytes to) => RangeIterator(from, to, true);

    public IKeyValueIterator<Bytes, byte[]> ReverseRange(Bytes from, Bytes to) => RangeIterator(from, to, false);

    public IKeyValueIterator<Bytes, byte[]> All() => Snapshot(_keys, true);

    public IKeyValueIterator<Bytes, byte[]> ReverseAll() => Snapshot(_keys, false);

    public IKeyValueIterator<Bytes, byte[]> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer)
    {
        var raw = prefixSerializer.Serialize(prefix, new SerializationContext(MessageComponentType.Key, Name)) ?? [];
        return PrefixRange(this, _keys, raw);
    }

    internal static IKeyValueIterator<Bytes, byte[]> PrefixRange(IReadOnlyKeyValueStore<Bytes, byte[]> store, SortedSet<Bytes> keys, byte[] prefix)
    {
        var list = new List<Bytes>();
        if (keys.Count > 0)
        {
            var from = Bytes.Wrap(prefix);
            var upperRaw = Bytes.Increment(prefix);
            if (upperRaw is null)
            {
                if (from <= keys.Max)
                {
                    list.AddRange(keys.GetViewBetween(from, keys.Max));
                }
            }
            else
            {
                var upper = Bytes.Wrap(upperRaw);
                foreach (var k in keys.GetViewBetween(from, upper))
                {
                    if (k != upper)
                    {
                        list.Add(k);
                    }
                }
            }
        }
        return new SnapshotIterator(store, list, true);
    }

    private SnapshotIterator RangeIterator(Bytes from, Bytes to, bool forward)
    {
        // Both bounds are inclusive; a reversed range is empty, as in Kafka.
        if (from.CompareTo(to) > 0 || _keys.Count == 0)
        {
            return new SnapshotIterator(this, [], forward);
        }
        return Snapshot(_keys.GetViewBetween(from, to), forward);
    }

    private SnapshotIterator Snapshot(SortedSet<Bytes> keys, bool forward) => new(this, [.. keys], forward);

    private void ThrowIfClosed()
    {
        if (!_open)
        {
            throw new InvalidStateStoreException($"Store {Name} is currently closed.");
        }
    }

    internal void EnsureOpen() => ThrowIfClosed();
}

/// <summary>Iterates a snapshot of keys, reading current values and skipping keys deleted since.</summary>
internal sealed class SnapshotIterator : KeyValueIteratorBase<Bytes, byte[]>
{
    private readonly IReadOnlyKeyValueStore<Bytes, byte[]> _store;
    private readonly List<Bytes> _keys;
    private readonly bool _forward;
    private int _pos;
    private KeyValue<Bytes, byte[]> _current;

    public SnapshotIterator(IReadOnlyKeyValueStore<Bytes, byte[]> store, List<Bytes> keys, bool forward)
    {
        _store = store;
        _keys = keys;
        _forward = forward;
        _pos = forward ? 0 : keys.Count - 1;
    }

    public override KeyValue<Bytes, byte[]> Current => _current;

    public override bool MoveNext()
    {
        while (_forward ? _pos < _keys.Count : _pos >= 0)
        {
            var k = _keys[_pos];
            _pos += _forward ? 1 : -1;
            if (_store.TryGet(k, out var v))
            {
                _current = new KeyValue<Bytes, byte[]>(k, v);
                return true;
            }
        }
        return false;
    }

    public override bool TryPeekNextKey(out Bytes key)
    {
        var p = _pos;
        while (_forward ? p < _keys.Count : p >= 0)
        {
            var k = _keys[p];
            if (_store.TryGet(k, out _))
            {
                key = k;
                return true;
            }
            p += _forward ? 1 : -1;
        }
        key = default;
        return false;
    }
}

/// <summary>
/// A bounded in-memory store that evicts the least recently used entry (Kafka's <c>Stores.lruMap</c>). Evictions
/// are reported to listeners so the change-logging layer can write a tombstone.
/// </summary>
internal sealed class LruMemoryStore : IKeyValueStore<Bytes, byte[]>
{
    private readonly int _maxEntries;
    private readonly Dictionary<Bytes, LinkedListNode<KeyValue<Bytes, byte[]>>> _map = [];
    private readonly LinkedList<KeyValue<Bytes, byte[]>> _lru = new();
    private readonly SortedSet<Bytes> _keys = [];
    private bool _open;

    public LruMemoryStore(string name, int maxEntries)
    {
        Name = name;
        _maxEntries = maxEntries;
    }

    public string Name { get; }

    public bool Persistent => false;

    public bool IsOpen => _open;

    public long ApproximateNumEntries => _map.Count;

    /// <summary>Called with each evicted key (not with explicit deletes).</summary>
    public Action<Bytes, byte[]>? EvictionListener { get; set; }

    public void Init(IStateStoreContext context, IStateStore root)
    {
        context.Register(root, (k, v) => Put(Bytes.Wrap(k), v));
        _open = true;
    }

    public void Flush() { }

    public void Close()
    {
        _map.Clear();
        _lru.Clear();
        _keys.Clear();
        _open = false;
    }

    public byte[]? Get(Bytes key) => TryGet(key, out var v) ? v : null;

    public bool TryGet(Bytes key, out byte[] value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
        value = null!;
        return false;
    }

    public void Put(Bytes key, byte[]? value)
    {
        if (value is null)
        {
            Delete(key);
            return;
        }
        if (_map.TryGetValue(key, out var node))
        {
            node.Value = new KeyValue<Bytes, byte[]>(key, value);
            _lru.Remove(node);
            _lru.AddFirst(node);
            return;
        }
        node = _lru.AddFirst(new KeyValue<Bytes, byte[]>(key, value));
        _map[key] = node;
        _keys.Add(key);
        while (_map.Count > _maxEntries && _lru.Last is { } eldest)
        {
            _lru.RemoveLast();
            _map.Remove(eldest.Value.Key);
            _keys.Remove(eldest.Value.Key);
            EvictionListener?.Invoke(eldest.Value.Key, eldest.Value.Value);
        }
    }

    public byte[]? PutIfAbsent(Bytes key, byte[] value)
    {
        if (TryGet(key, out var existing))
        {
            return existing;
        }
        Put(key, value);
        return null;
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
        if (_map.Remove(key, out var node))
        {
            _lru.Remove(node);
            _keys.Remove(key);
            return node.Value.Value;
        }
        return null;
    }

    private bool Peek(Bytes key, out byte[] value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            value = node.Value.Value;
            return true;
        }
        value = null!;
        return false;
    }

    public IKeyValueIterator<Bytes, byte[]> Range(Bytes from, Bytes to) => RangeOf(from, to, true);

    public IKeyValueIterator<Bytes, byte[]> ReverseRange(Bytes from, Bytes to) => RangeOf(from, to, false);

    public IKeyValueIterator<Bytes, byte[]> All() => new SnapshotIterator(new PeekView(this), [.. _keys], true);

    public IKeyValueIterator<Bytes, byte[]> ReverseAll() => new SnapshotIterator(new PeekView(this), [.. _keys], false);

    public IKeyValueIterator<Bytes, byte[]> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer)
        => InMemoryKeyValueStore.PrefixRange(new PeekView(this), _keys,
            prefixSerializer.Serialize(prefix, new SerializationContext(MessageComponentType.Key, Name)) ?? []);

    private SnapshotIterator RangeOf(Bytes from, Bytes to, bool forward)
        => from.CompareTo(to) > 0 || _keys.Count == 0
            ? new SnapshotIterator(new PeekView(this), [], forward)
            : new SnapshotIterator(new PeekView(this), [.. _keys.GetViewBetween(from, to)], forward);

    /// <summary>Reads without touching recency, so range scans do not reorder the LRU list.</summary>
    private sealed class PeekView(LruMemoryStore store) : IReadOnlyKeyValueStore<Bytes, byte[]>
    {
        public long ApproximateNumEntries => store.ApproximateNumEntries;

        public byte[]? Get(Bytes key) => store.Peek(key, out var v) ? v : null;

        public bool TryGet(Bytes key, out byte[] value) => store.Peek(key, out value);

        public IKeyValueIterator<Bytes, byte[]> Range(Bytes from, Bytes to) => store.Range(from, to);

        public IKeyValueIterator<Bytes, byte[]> ReverseRange(Bytes from, Bytes to) => store.ReverseRange(from, to);

        public IKeyValueIterator<Bytes, byte[]> All() => store.All();

        public IKeyValueIterator<Bytes, byte[]> ReverseAll() => store.ReverseAll();

        public IKeyValueIterator<Bytes, byte[]> PrefixScan<TPrefix>(TPrefix prefix, ISerializer<TPrefix> prefixSerializer) => store.PrefixScan(prefix, prefixSerializer);
    }
}

internal sealed class InMemoryKeyValueBytesStoreSupplier(string name) : IKeyValueBytesStoreSupplier
{
    public string Name { get; } = name;

    public string MetricsScope => "in-memory";

    public IKeyValueStore<Bytes, byte[]> Get() => new InMemoryKeyValueStore(Name);
}

internal sealed class LruMapSupplier(string name, int maxEntries) : IKeyValueBytesStoreSupplier
{
    public string Name { get; } = name;

    public string MetricsScope => "in-memory-lru";

    public IKeyValueStore<Bytes, byte[]> Get() => new LruMemoryStore(Name, maxEntries);
}
