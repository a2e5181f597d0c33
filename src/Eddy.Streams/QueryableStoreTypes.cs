using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.State;

namespace Eddy.Streams;

/// <summary>The store types interactive queries can read (Kafka's <c>QueryableStoreTypes</c>).</summary>
/// <example>
/// <code>
/// var store = streams.Store(StoreQueryParameters.FromNameAndType("counts", QueryableStoreTypes.KeyValueStore&lt;string, long&gt;()));
/// using var all = store.All();
/// </code>
/// </example>
public static class QueryableStoreTypes
{
    /// <summary>Key-value stores (timestamped ones are read without their timestamps).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <returns>The store type.</returns>
    public static QueryableStoreType<IReadOnlyKeyValueStore<TKey, TValue>> KeyValueStore<TKey, TValue>() => new KeyValueType<TKey, TValue>();

    /// <summary>Timestamped key-value stores, read with timestamps.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <returns>The store type.</returns>
    public static QueryableStoreType<IReadOnlyKeyValueStore<TKey, ValueAndTimestamp<TValue>>> TimestampedKeyValueStore<TKey, TValue>() => new TimestampedKeyValueType<TKey, TValue>();

    /// <summary>Window stores (timestamped ones are read without their timestamps).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <returns>The store type.</returns>
    public static QueryableStoreType<IReadOnlyWindowStore<TKey, TValue>> WindowStore<TKey, TValue>() => new WindowType<TKey, TValue>();

    /// <summary>Session stores.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <returns>The store type.</returns>
    public static QueryableStoreType<IReadOnlySessionStore<TKey, TAgg>> SessionStore<TKey, TAgg>() => new SessionType<TKey, TAgg>();

    private sealed class KeyValueType<TKey, TValue> : QueryableStoreType<IReadOnlyKeyValueStore<TKey, TValue>>
    {
        public override bool Accepts(IStateStore store) => store is IReadOnlyKeyValueStore<TKey, TValue> or ITimestampedKeyValueStore<TKey, TValue>;

        internal override IReadOnlyKeyValueStore<TKey, TValue> Create(IReadOnlyList<QueryableStoreHandle> stores, string storeName)
            => new CompositeReadOnlyKeyValueStore<TKey, TValue>(stores, s => s switch
            {
                ITimestampedKeyValueStore<TKey, TValue> ts => new KeyValueStoreFacade<TKey, TValue>(ts),
                IReadOnlyKeyValueStore<TKey, TValue> kv => kv,
                _ => throw new InvalidStateStoreException($"Store {storeName} is not a key-value store of <{typeof(TKey).Name}, {typeof(TValue).Name}>."),
            });
    }

    private sealed class TimestampedKeyValueType<TKey, TValue> : QueryableStoreType<IReadOnlyKeyValueStore<TKey, ValueAndTimestamp<TValue>>>
    {
        public override bool Accepts(IStateStore store) => store is ITimestampedKeyValueStore<TKey, TValue>;

        internal override IReadOnlyKeyValueStore<TKey, ValueAndTimestamp<TValue>> Create(IReadOnlyList<QueryableStoreHandle> stores, string storeName)
            => new CompositeReadOnlyKeyValueStore<TKey, ValueAndTimestamp<TValue>>(stores, s => (ITimestampedKeyValueStore<TKey, TValue>)s);
    }

    private sealed class WindowType<TKey, TValue> : QueryableStoreType<IReadOnlyWindowStore<TKey, TValue>>
    {
        public override bool Accepts(IStateStore store) => store is IReadOnlyWindowStore<TKey, TValue> or ITimestampedWindowStore<TKey, TValue>;

        internal override IReadOnlyWindowStore<TKey, TValue> Create(IReadOnlyList<QueryableStoreHandle> stores, string storeName)
            => new CompositeReadOnlyWindowStore<TKey, TValue>(stores, s => s switch
            {
                ITimestampedWindowStore<TKey, TValue> ts => new WindowStoreFacade<TKey, TValue>(ts),
                IReadOnlyWindowStore<TKey, TValue> ws => ws,
                _ => throw new InvalidStateStoreException($"Store {storeName} is not a window store of <{typeof(TKey).Name}, {typeof(TValue).Name}>."),
            });
    }

    private sealed class SessionType<TKey, TAgg> : QueryableStoreType<IReadOnlySessionStore<TKey, TAgg>>
    {
        public override bool Accepts(IStateStore store) => store is IReadOnlySessionStore<TKey, TAgg>;

        internal override IReadOnlySessionStore<TKey, TAgg> Create(IReadOnlyList<QueryableStoreHandle> stores, string storeName)
            => new CompositeReadOnlySessionStore<TKey, TAgg>(stores, s => (IReadOnlySessionStore<TKey, TAgg>)s);
    }
}
