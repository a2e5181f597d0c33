using System.Collections;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>Base for store iterators: enumerable once, disposable, with peek.</summary>
internal abstract class KeyValueIteratorBase<TKey, TValue> : IKeyValueIterator<TKey, TValue>
{
    private bool _enumerated;

    public abstract KeyValue<TKey, TValue> Current { get; }

    object IEnumerator.Current => Current;

    public abstract bool MoveNext();

    public abstract bool TryPeekNextKey(out TKey key);

    public void Dispose()
    {
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeCore() { }

    public void Reset() => throw new NotSupportedException("Store iterators cannot be reset.");

    public IEnumerator<KeyValue<TKey, TValue>> GetEnumerator()
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("A store iterator can be enumerated only once.");
        }
        _enumerated = true;
        return this;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An iterator over a materialized list of entries.</summary>
internal sealed class ListIterator<TKey, TValue> : KeyValueIteratorBase<TKey, TValue>
{
    private readonly IReadOnlyList<KeyValue<TKey, TValue>> _items;
    private int _index = -1;

    public ListIterator(IReadOnlyList<KeyValue<TKey, TValue>> items) => _items = items;

    public override KeyValue<TKey, TValue> Current => _items[_index];

    public override bool MoveNext() => ++_index < _items.Count;

    public override bool TryPeekNextKey(out TKey key)
    {
        if (_index + 1 < _items.Count)
        {
            key = _items[_index + 1].Key;
            return true;
        }
        key = default!;
        return false;
    }
}

/// <summary>Deserializes a bytes iterator into typed entries.</summary>
internal sealed class TypedIterator<TKey, TValue> : KeyValueIteratorBase<TKey, TValue>
{
    private readonly IKeyValueIterator<Bytes, byte[]> _inner;
    private readonly Func<Bytes, TKey> _key;
    private readonly Func<byte[], TValue> _value;
    private KeyValue<TKey, TValue> _current;

    public TypedIterator(IKeyValueIterator<Bytes, byte[]> inner, Func<Bytes, TKey> key, Func<byte[], TValue> value)
    {
        _inner = inner;
        _key = key;
        _value = value;
    }

    public override KeyValue<TKey, TValue> Current => _current;

    public override bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            return false;
        }
        var kv = _inner.Current;
        _current = new KeyValue<TKey, TValue>(_key(kv.Key), _value(kv.Value));
        return true;
    }

    public override bool TryPeekNextKey(out TKey key)
    {
        if (_inner.TryPeekNextKey(out var raw))
        {
            key = _key(raw);
            return true;
        }
        key = default!;
        return false;
    }

    protected override void DisposeCore() => _inner.Dispose();
}

/// <summary>
/// Merges a sorted snapshot of cache entries with the underlying store's iterator: the cache wins on equal keys and
/// its tombstones hide store entries (Kafka's MergedSortedCacheKeyValueBytesStoreIterator).
/// </summary>
internal sealed class MergedCacheIterator : KeyValueIteratorBase<Bytes, byte[]>
{
    private readonly List<KeyValue<Bytes, byte[]?>> _cache;
    private readonly IKeyValueIterator<Bytes, byte[]> _store;
    private readonly bool _forward;
    private int _ci;
    private bool _storeHasNext;
    private KeyValue<Bytes, byte[]> _storeNext;
    private bool _hasLookahead;
    private KeyValue<Bytes, byte[]> _lookahead;
    private KeyValue<Bytes, byte[]> _current;

    public MergedCacheIterator(List<KeyValue<Bytes, byte[]?>> cacheSorted, IKeyValueIterator<Bytes, byte[]> store, bool forward)
    {
        _cache = cacheSorted;
        _store = store;
        _forward = forward;
        AdvanceStore();
        _hasLookahead = Fetch(out _lookahead);
    }

    public override KeyValue<Bytes, byte[]> Current => _current;

    private void AdvanceStore()
    {
        _storeHasNext = _store.MoveNext();
        if (_storeHasNext)
        {
            _storeNext = _store.Current;
        }
    }

    private int Cmp(Bytes a, Bytes b) => _forward ? a.CompareTo(b) : b.CompareTo(a);

    private bool Fetch(out KeyValue<Bytes, byte[]> next)
    {
        while (true)
        {
            var cacheHas = _ci < _cache.Count;
            if (!cacheHas && !_storeHasNext)
            {
                next = default;
                return false;
            }
            if (cacheHas && (!_storeHasNext || Cmp(_cache[_ci].Key, _storeNext.Key) <= 0))
            {
                var c = _cache[_ci++];
                if (_storeHasNext && c.Key == _storeNext.Key)
                {
                    AdvanceStore();
                }
                if (c.Value is null)
                {
                    continue;
                }
                next = new KeyValue<Bytes, byte[]>(c.Key, c.Value);
                return true;
            }
            next = _storeNext;
            AdvanceStore();
            return true;
        }
    }

    public override bool MoveNext()
    {
        if (!_hasLookahead)
        {
            return false;
        }
        _current = _lookahead;
        _hasLookahead = Fetch(out _lookahead);
        return true;
    }

    public override bool TryPeekNextKey(out Bytes key)
    {
        key = _hasLookahead ? _lookahead.Key : default;
        return _hasLookahead;
    }

    protected override void DisposeCore() => _store.Dispose();
}

/// <summary>Maps a raw iterator's keys and values to typed ones.</summary>
internal sealed class TypedIterator<TRawKey, TKey, TValue> : KeyValueIteratorBase<TKey, TValue>
{
    private readonly IKeyValueIterator<TRawKey, byte[]> _inner;
    private readonly Func<TRawKey, TKey> _key;
    private readonly Func<byte[], TValue> _value;
    private KeyValue<TKey, TValue> _current;

    public TypedIterator(IKeyValueIterator<TRawKey, byte[]> inner, Func<TRawKey, TKey> key, Func<byte[], TValue> value)
    {
        _inner = inner;
        _key = key;
        _value = value;
    }

    public override KeyValue<TKey, TValue> Current => _current;

    public override bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            return false;
        }
        var kv = _inner.Current;
        _current = new KeyValue<TKey, TValue>(_key(kv.Key), _value(kv.Value));
        return true;
    }

    public override bool TryPeekNextKey(out TKey key)
    {
        if (_inner.TryPeekNextKey(out var raw))
        {
            key = _key(raw);
            return true;
        }
        key = default!;
        return false;
    }

    protected override void DisposeCore() => _inner.Dispose();
}
