using Eddy.Streams.Dsl;
using Eddy.Streams.Processors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// Reads the current value of a table for a key (Kafka's KTableValueGetter): from the table's store when it is
/// materialized, otherwise by applying the table's operator to its parent's value. Joins and lookups use it.
/// </summary>
internal interface IKTableValueGetter<TKey, TValue>
{
    void Init(IProcessingContext context);

    bool TryGet(TKey key, out ValueAndTimestamp<TValue> value);

    void Close() { }
}

/// <summary>Creates value getters per task and names the stores a processor using them must be connected to.</summary>
internal interface IKTableValueGetterSupplier<TKey, TValue>
{
    IKTableValueGetter<TKey, TValue> Get();

    /// <summary>Read when the topology is built, after every materialization decision.</summary>
    IReadOnlyList<string> StoreNames { get; }
}

internal sealed class TimestampedStoreGetterSupplier<TKey, TValue>(Func<string> storeName) : IKTableValueGetterSupplier<TKey, TValue>
{
    public IKTableValueGetter<TKey, TValue> Get() => new Getter(storeName());

    public IReadOnlyList<string> StoreNames => [storeName()];

    private sealed class Getter(string name) : IKTableValueGetter<TKey, TValue>
    {
        private ITimestampedKeyValueStore<TKey, TValue> _store = null!;

        public void Init(IProcessingContext context) => _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(name);

        public bool TryGet(TKey key, out ValueAndTimestamp<TValue> value) => _store.TryGet(key, out value);
    }
}

internal sealed class FilterGetterSupplier<TKey, TValue>(IKTableValueGetterSupplier<TKey, TValue> parent, Func<TKey, TValue, bool> predicate, bool filterNot)
    : IKTableValueGetterSupplier<TKey, TValue>
{
    public IKTableValueGetter<TKey, TValue> Get() => new Getter(parent.Get(), predicate, filterNot);

    public IReadOnlyList<string> StoreNames => parent.StoreNames;

    private sealed class Getter(IKTableValueGetter<TKey, TValue> parent, Func<TKey, TValue, bool> predicate, bool filterNot) : IKTableValueGetter<TKey, TValue>
    {
        public void Init(IProcessingContext context) => parent.Init(context);

        public bool TryGet(TKey key, out ValueAndTimestamp<TValue> value)
            => parent.TryGet(key, out value) && (filterNot ^ predicate(key, value.Value));

        public void Close() => parent.Close();
    }
}

internal sealed class MapValuesGetterSupplier<TKey, TValue, TValueOut>(IKTableValueGetterSupplier<TKey, TValue> parent, Func<TKey, TValue, TValueOut> mapper)
    : IKTableValueGetterSupplier<TKey, TValueOut>
{
    public IKTableValueGetter<TKey, TValueOut> Get() => new Getter(parent.Get(), mapper);

    public IReadOnlyList<string> StoreNames => parent.StoreNames;

    private sealed class Getter(IKTableValueGetter<TKey, TValue> parent, Func<TKey, TValue, TValueOut> mapper) : IKTableValueGetter<TKey, TValueOut>
    {
        public void Init(IProcessingContext context) => parent.Init(context);

        public bool TryGet(TKey key, out ValueAndTimestamp<TValueOut> value)
        {
            if (parent.TryGet(key, out var v))
            {
                var mapped = mapper(key, v.Value);
                if (mapped is not null)
                {
                    value = new ValueAndTimestamp<TValueOut>(mapped, v.Timestamp);
                    return true;
                }
            }
            value = default;
            return false;
        }

        public void Close() => parent.Close();
    }
}

/// <summary>Values of a windowed aggregation, looked up by window start.</summary>
internal sealed class WindowStoreGetterSupplier<TKey, TValue>(string storeName) : IKTableValueGetterSupplier<Windowed<TKey>, TValue>
{
    public IKTableValueGetter<Windowed<TKey>, TValue> Get() => new Getter(storeName);

    public IReadOnlyList<string> StoreNames => [storeName];

    private sealed class Getter(string name) : IKTableValueGetter<Windowed<TKey>, TValue>
    {
        private ITimestampedWindowStore<TKey, TValue> _store = null!;

        public void Init(IProcessingContext context) => _store = context.GetStateStore<ITimestampedWindowStore<TKey, TValue>>(name);

        public bool TryGet(Windowed<TKey> key, out ValueAndTimestamp<TValue> value) => _store.TryFetch(key.Key, key.Window.Start, out value);
    }
}

/// <summary>Values of a session aggregation: the timestamp of a session's value is its end.</summary>
internal sealed class SessionStoreGetterSupplier<TKey, TValue>(string storeName) : IKTableValueGetterSupplier<Windowed<TKey>, TValue>
{
    public IKTableValueGetter<Windowed<TKey>, TValue> Get() => new Getter(storeName);

    public IReadOnlyList<string> StoreNames => [storeName];

    private sealed class Getter(string name) : IKTableValueGetter<Windowed<TKey>, TValue>
    {
        private ISessionStore<TKey, TValue> _store = null!;

        public void Init(IProcessingContext context) => _store = context.GetStateStore<ISessionStore<TKey, TValue>>(name);

        public bool TryGet(Windowed<TKey> key, out ValueAndTimestamp<TValue> value)
        {
            if (_store.TryFetchSession(key.Key, key.Window.Start, key.Window.End, out var v))
            {
                value = new ValueAndTimestamp<TValue>(v, key.Window.End);
                return true;
            }
            value = default;
            return false;
        }
    }
}

/// <summary>Reads a global table's store (global stores are visible to every processor without connecting them).</summary>
internal sealed class GlobalStoreGetterSupplier<TKey, TValue>(string storeName) : IKTableValueGetterSupplier<TKey, TValue>
{
    public IKTableValueGetter<TKey, TValue> Get() => new Getter(storeName);

    public IReadOnlyList<string> StoreNames => [];

    private sealed class Getter(string name) : IKTableValueGetter<TKey, TValue>
    {
        private ITimestampedKeyValueStore<TKey, TValue> _store = null!;

        public void Init(IProcessingContext context) => _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(name);

        public bool TryGet(TKey key, out ValueAndTimestamp<TValue> value) => _store.TryGet(key, out value);
    }
}
