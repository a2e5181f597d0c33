using Eddy.Streams.Internal.State;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.State;

/// <summary>Builds a state store with its layers (cache, change-logging) for each task. Kafka's <c>StoreBuilder</c>.</summary>
/// <example><code>topology.AddStateStore(Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Int64()), "counter");</code></example>
public interface IStoreBuilder
{
    /// <summary>The store name.</summary>
    string Name { get; }

    /// <summary>True when writes go to a changelog topic (the default).</summary>
    bool LoggingEnabled { get; }

    /// <summary>Topic configs for the changelog topic.</summary>
    IReadOnlyDictionary<string, string> LogConfig { get; }

    /// <summary>True when a record cache sits in front of the store.</summary>
    bool CachingEnabled { get; }

    /// <summary>Builds a new store instance.</summary>
    /// <returns>The store.</returns>
    IStateStore Build();

    /// <summary>Turns the record cache on.</summary>
    /// <returns>This builder.</returns>
    IStoreBuilder WithCachingEnabled();

    /// <summary>Turns the record cache off.</summary>
    /// <returns>This builder.</returns>
    IStoreBuilder WithCachingDisabled();

    /// <summary>Turns change-logging on with changelog topic configs.</summary>
    /// <param name="config">Topic configs such as <c>min.insync.replicas</c>.</param>
    /// <returns>This builder.</returns>
    IStoreBuilder WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null);

    /// <summary>Turns change-logging off: the store is not restored after a failure.</summary>
    /// <returns>This builder.</returns>
    IStoreBuilder WithLoggingDisabled();
}

/// <summary>Supplies the bytes-level key-value store at the bottom of a store's layers (Kafka's <c>KeyValueBytesStoreSupplier</c>).</summary>
/// <example><code>IKeyValueBytesStoreSupplier supplier = Stores.InMemoryKeyValueStore("counts");</code></example>
public interface IKeyValueBytesStoreSupplier
{
    /// <summary>The store name.</summary>
    string Name { get; }

    /// <summary>A new bytes-level store.</summary>
    /// <returns>The store.</returns>
    IKeyValueStore<Bytes, byte[]> Get();

    /// <summary>The metrics scope, such as <c>in-memory</c>.</summary>
    string MetricsScope { get; }
}

/// <summary>Factories for stores and store builders, as Kafka's <c>Stores</c>.</summary>
/// <example>
/// <code>
/// var builder = Stores.TimestampedKeyValueStoreBuilder(Stores.InMemoryKeyValueStore("latest"), Serdes.String(), Serdes.Json&lt;Order&gt;())
///     .WithCachingEnabled();
/// </code>
/// </example>
public static class Stores
{
    /// <summary>An in-memory key-value store, ordered by serialized key bytes.</summary>
    /// <param name="name">The store name.</param>
    /// <returns>The supplier.</returns>
    public static IKeyValueBytesStoreSupplier InMemoryKeyValueStore(string name) => new InMemoryKeyValueBytesStoreSupplier(name);

    /// <summary>An in-memory store that keeps at most <paramref name="maxCacheSize"/> entries, evicting the least recently used.</summary>
    /// <param name="name">The store name.</param>
    /// <param name="maxCacheSize">The maximum number of entries.</param>
    /// <returns>The supplier.</returns>
    public static IKeyValueBytesStoreSupplier LruMap(string name, int maxCacheSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCacheSize);
        return new LruMapSupplier(name, maxCacheSize);
    }

    /// <summary>
    /// An in-memory window store that keeps windows for <paramref name="retentionPeriod"/> of stream time. With
    /// <paramref name="retainDuplicates"/> every put is kept (stream-stream join buffers); otherwise a put replaces
    /// the window's value.
    /// </summary>
    /// <param name="name">The store name.</param>
    /// <param name="retentionPeriod">How long windows are kept: at least the window size (plus the grace period for aggregations).</param>
    /// <param name="windowSize">The window size.</param>
    /// <param name="retainDuplicates">Whether to keep every put.</param>
    /// <returns>The supplier.</returns>
    public static IWindowBytesStoreSupplier InMemoryWindowStore(string name, TimeSpan retentionPeriod, TimeSpan windowSize, bool retainDuplicates)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var retention = (long)retentionPeriod.TotalMilliseconds;
        var size = (long)windowSize.TotalMilliseconds;
        if (retention < 0)
        {
            throw new ArgumentException("retentionPeriod cannot be negative", nameof(retentionPeriod));
        }
        if (size < 0)
        {
            throw new ArgumentException("windowSize cannot be negative", nameof(windowSize));
        }
        if (size > retention)
        {
            throw new ArgumentException($"The retention period of the window store {name} must be no smaller than its window size. Got size=[{size}], retention=[{retention}]", nameof(retentionPeriod));
        }
        return new InMemoryWindowBytesStoreSupplier(name, retention, size, retainDuplicates);
    }

    /// <summary>An in-memory session store that keeps sessions for <paramref name="retentionPeriod"/> of stream time after they end.</summary>
    /// <param name="name">The store name.</param>
    /// <param name="retentionPeriod">How long sessions are kept: at least the inactivity gap plus the grace period.</param>
    /// <returns>The supplier.</returns>
    public static ISessionBytesStoreSupplier InMemorySessionStore(string name, TimeSpan retentionPeriod)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var retention = (long)retentionPeriod.TotalMilliseconds;
        if (retention < 0)
        {
            throw new ArgumentException("retentionPeriod cannot be negative", nameof(retentionPeriod));
        }
        return new InMemorySessionBytesStoreSupplier(name, retention);
    }

    /// <summary>A builder for a typed window store over <paramref name="supplier"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="supplier">The bytes-level store.</param>
    /// <param name="keySerde">The key serde or null.</param>
    /// <param name="valueSerde">The value serde or null.</param>
    /// <returns>The builder (logging on, caching off).</returns>
    public static StoreBuilder<IWindowStore<TKey, TValue>> WindowStoreBuilder<TKey, TValue>(
        IWindowBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new WindowStoreBuilderImpl<TKey, TValue>(supplier, keySerde, valueSerde);
    }

    /// <summary>A builder for a typed timestamped window store over <paramref name="supplier"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="supplier">The bytes-level store.</param>
    /// <param name="keySerde">The key serde or null.</param>
    /// <param name="valueSerde">The value serde or null.</param>
    /// <returns>The builder (logging on, caching off).</returns>
    public static StoreBuilder<ITimestampedWindowStore<TKey, TValue>> TimestampedWindowStoreBuilder<TKey, TValue>(
        IWindowBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new TimestampedWindowStoreBuilderImpl<TKey, TValue>(supplier, keySerde, valueSerde);
    }

    /// <summary>A builder for a typed session store over <paramref name="supplier"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAgg">The aggregate type.</typeparam>
    /// <param name="supplier">The bytes-level store.</param>
    /// <param name="keySerde">The key serde or null.</param>
    /// <param name="valueSerde">The aggregate serde or null.</param>
    /// <returns>The builder (logging on, caching off).</returns>
    public static StoreBuilder<ISessionStore<TKey, TAgg>> SessionStoreBuilder<TKey, TAgg>(
        ISessionBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TAgg>? valueSerde)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new SessionStoreBuilderImpl<TKey, TAgg>(supplier, keySerde, valueSerde);
    }

    /// <summary>A builder for a typed key-value store over <paramref name="supplier"/>. Null serdes mean the configured defaults.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="supplier">The bytes-level store.</param>
    /// <param name="keySerde">The key serde or null.</param>
    /// <param name="valueSerde">The value serde or null.</param>
    /// <returns>The builder (logging on, caching off).</returns>
    public static StoreBuilder<IKeyValueStore<TKey, TValue>> KeyValueStoreBuilder<TKey, TValue>(
        IKeyValueBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
        => new KeyValueStoreBuilderImpl<TKey, TValue>(supplier, keySerde, valueSerde);

    /// <summary>A builder for a timestamped key-value store over <paramref name="supplier"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="supplier">The bytes-level store.</param>
    /// <param name="keySerde">The key serde or null.</param>
    /// <param name="valueSerde">The value serde or null.</param>
    /// <returns>The builder (logging on, caching off).</returns>
    public static StoreBuilder<ITimestampedKeyValueStore<TKey, TValue>> TimestampedKeyValueStoreBuilder<TKey, TValue>(
        IKeyValueBytesStoreSupplier supplier, ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde)
        => new TimestampedKeyValueStoreBuilderImpl<TKey, TValue>(supplier, keySerde, valueSerde);
}

/// <summary>Base of the typed store builders: name, logging and caching switches.</summary>
/// <typeparam name="TStore">The store type it builds.</typeparam>
/// <example><code>var b = Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("s"), Serdes.String(), Serdes.String()).WithLoggingDisabled();</code></example>
public abstract class StoreBuilder<TStore> : IStoreBuilder
    where TStore : IStateStore
{
    private Dictionary<string, string> _logConfig = [];

    /// <summary>Creates the builder.</summary>
    /// <param name="name">The store name.</param>
    protected StoreBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public bool LoggingEnabled { get; private set; } = true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> LogConfig => _logConfig;

    /// <inheritdoc/>
    public bool CachingEnabled { get; private set; }

    /// <summary>Builds a new store instance.</summary>
    /// <returns>The store.</returns>
    public abstract TStore Build();

    IStateStore IStoreBuilder.Build() => Build();

    /// <summary>Turns the record cache on.</summary>
    /// <returns>This builder.</returns>
    public StoreBuilder<TStore> WithCachingEnabled()
    {
        CachingEnabled = true;
        return this;
    }

    /// <summary>Turns the record cache off.</summary>
    /// <returns>This builder.</returns>
    public StoreBuilder<TStore> WithCachingDisabled()
    {
        CachingEnabled = false;
        return this;
    }

    /// <summary>Turns change-logging on.</summary>
    /// <param name="config">Changelog topic configs.</param>
    /// <returns>This builder.</returns>
    public StoreBuilder<TStore> WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null)
    {
        LoggingEnabled = true;
        _logConfig = config is null ? [] : new Dictionary<string, string>(config);
        return this;
    }

    /// <summary>Turns change-logging off.</summary>
    /// <returns>This builder.</returns>
    public StoreBuilder<TStore> WithLoggingDisabled()
    {
        LoggingEnabled = false;
        _logConfig = [];
        return this;
    }

    IStoreBuilder IStoreBuilder.WithCachingEnabled() => WithCachingEnabled();

    IStoreBuilder IStoreBuilder.WithCachingDisabled() => WithCachingDisabled();

    IStoreBuilder IStoreBuilder.WithLoggingEnabled(IReadOnlyDictionary<string, string>? config) => WithLoggingEnabled(config);

    IStoreBuilder IStoreBuilder.WithLoggingDisabled() => WithLoggingDisabled();
}
