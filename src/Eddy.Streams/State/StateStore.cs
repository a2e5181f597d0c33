namespace Eddy.Streams.State;

/// <summary>
/// A state store: opened (<see cref="Init"/>) and closed with its task, flushed on commit.
/// Kafka Streams' <c>StateStore</c>.
/// </summary>
/// <example><code>var store = context.GetStateStore&lt;IKeyValueStore&lt;string, long&gt;&gt;("counts");</code></example>
public interface IStateStore
{
    /// <summary>The store name, unique in the topology.</summary>
    string Name { get; }

    /// <summary>True when the store keeps its data on disk.</summary>
    bool Persistent { get; }

    /// <summary>True between <see cref="Init"/> and <see cref="Close"/>.</summary>
    bool IsOpen { get; }

    /// <summary>Opens the store and registers it with its task.</summary>
    /// <param name="context">The task's store context.</param>
    /// <param name="root">The outermost store of the wrapper chain, which is what gets registered.</param>
    void Init(IStateStoreContext context, IStateStore root);

    /// <summary>Makes buffered writes durable (and, for caches, forwards them).</summary>
    void Flush();

    /// <summary>Closes the store.</summary>
    void Close();
}

/// <summary>What a store sees of its task while it opens.</summary>
/// <example><code>public void Init(IStateStoreContext context, IStateStore root) =&gt; context.Register(root, null);</code></example>
public interface IStateStoreContext
{
    /// <summary>The application id.</summary>
    string ApplicationId { get; }

    /// <summary>The task that owns the store.</summary>
    TaskId TaskId { get; }

    /// <summary>The application configuration.</summary>
    StreamsConfig Config { get; }

    /// <summary>Registers a store with the task, with a callback that restores it from its changelog.</summary>
    /// <param name="store">The store (the root of its wrapper chain).</param>
    /// <param name="restoreCallback">Called with each changelog record (key, value bytes) on restore; may be null.</param>
    void Register(IStateStore store, Action<byte[], byte[]?>? restoreCallback);
}

/// <summary>
/// An iterator over key-value pairs that holds resources until disposed, as Kafka's <c>KeyValueIterator</c>.
/// It is also enumerable once, so it works with <c>foreach</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// using var it = store.Range("a", "m");
/// foreach (var kv in it) Console.WriteLine($"{kv.Key}={kv.Value}");
/// </code>
/// </example>
public interface IKeyValueIterator<TKey, TValue> : IEnumerator<KeyValue<TKey, TValue>>, IEnumerable<KeyValue<TKey, TValue>>
{
    /// <summary>The key the next <c>MoveNext</c> would reach, without moving.</summary>
    /// <param name="key">The next key.</param>
    /// <returns>False when there is no next entry.</returns>
    bool TryPeekNextKey(out TKey key);
}

/// <summary>Read-only access to a key-value store, for interactive queries and for processors that only read.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>long count = store.TryGet("alice", out var c) ? c : 0;</code></example>
public interface IReadOnlyKeyValueStore<TKey, TValue>
{
    /// <summary>The value for <paramref name="key"/>, or the default (null for reference and nullable types) when absent.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value or default.</returns>
    TValue? Get(TKey key);

    /// <summary>The value for <paramref name="key"/>; use this for value types, whose default cannot mean "absent".</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when found.</returns>
    bool TryGet(TKey key, out TValue value);

    /// <summary>Entries with keys from <paramref name="from"/> to <paramref name="to"/>, both inclusive, in serialized-key byte order.</summary>
    /// <param name="from">The first key.</param>
    /// <param name="to">The last key.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<TKey, TValue> Range(TKey from, TKey to);

    /// <summary>Like <see cref="Range"/> in descending order.</summary>
    /// <param name="from">The first key (smallest).</param>
    /// <param name="to">The last key (largest).</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<TKey, TValue> ReverseRange(TKey from, TKey to);

    /// <summary>Every entry in serialized-key byte order.</summary>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<TKey, TValue> All();

    /// <summary>Every entry in descending order.</summary>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<TKey, TValue> ReverseAll();

    /// <summary>Entries whose serialized key starts with the serialized <paramref name="prefix"/>.</summary>
    /// <typeparam name="TPrefix">The prefix type.</typeparam>
    /// <param name="prefix">The prefix.</param>
    /// <param name="prefixSerializer">Serializes the prefix.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<TKey, TValue> PrefixScan<TPrefix>(TPrefix prefix, SerDes.ISerializer<TPrefix> prefixSerializer);

    /// <summary>An estimate of the number of entries.</summary>
    long ApproximateNumEntries { get; }
}

/// <summary>A key-value store: Kafka Streams' <c>KeyValueStore</c>. Putting a null value deletes the key.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>store.Put("alice", store.TryGet("alice", out var n) ? n + 1 : 1);</code></example>
public interface IKeyValueStore<TKey, TValue> : IStateStore, IReadOnlyKeyValueStore<TKey, TValue>
{
    /// <summary>Sets the value for <paramref name="key"/>; a null value deletes it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value or null.</param>
    void Put(TKey key, TValue? value);

    /// <summary>Sets the value only when the key is absent.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The previous value, or default when the put happened.</returns>
    TValue? PutIfAbsent(TKey key, TValue value);

    /// <summary>Puts every entry in order.</summary>
    /// <param name="entries">The entries.</param>
    void PutAll(IEnumerable<KeyValue<TKey, TValue?>> entries);

    /// <summary>Deletes a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The old value, or default when absent.</returns>
    TValue? Delete(TKey key);
}

/// <summary>A value with the timestamp of the record that last updated it, as Kafka's <c>ValueAndTimestamp</c>.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Value">The value.</param>
/// <param name="Timestamp">The timestamp in milliseconds since the epoch.</param>
/// <example><code>var vt = ValueAndTimestamp.Make(42L, 1_700_000_000_000);</code></example>
public readonly record struct ValueAndTimestamp<TValue>(TValue Value, long Timestamp)
{
    /// <inheritdoc/>
    public override string ToString() => $"<{Value},{Timestamp}>";
}

/// <summary>Factory for <see cref="ValueAndTimestamp{TValue}"/>.</summary>
/// <example><code>var vt = ValueAndTimestamp.Make("v", 10);</code></example>
public static class ValueAndTimestamp
{
    /// <summary>Pairs a value with a timestamp.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp.</param>
    /// <returns>The pair.</returns>
    public static ValueAndTimestamp<TValue> Make<TValue>(TValue value, long timestamp) => new(value, timestamp);
}

/// <summary>A key-value store whose values carry timestamps: Kafka Streams' <c>TimestampedKeyValueStore</c>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>store.Put("k", ValueAndTimestamp.Make(1L, record.Timestamp));</code></example>
public interface ITimestampedKeyValueStore<TKey, TValue> : IKeyValueStore<TKey, ValueAndTimestamp<TValue>>
{
}
