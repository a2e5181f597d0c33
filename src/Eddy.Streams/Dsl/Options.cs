using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Dsl;

// Kafka's option-object idiom is a static factory on the generic type (Materialized<K, V>.As("store")); the
// non-generic classes below add type inference (Consumed.With(Serdes.String(), Serdes.Int64())).
#pragma warning disable CA1000

/// <summary>Names an operator's processor instead of the generated <c>KSTREAM-...-0000000001</c> name.</summary>
/// <example><code>stream.Filter((k, v) =&gt; v != null, Named.As("drop-empty"));</code></example>
public sealed class Named
{
    private Named(string name) => Name = name;

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>A name for an operator.</summary>
    /// <param name="name">The name (letters, digits, '.', '_' and '-').</param>
    /// <returns>The option.</returns>
    public static Named As(string name)
    {
        Validate(name);
        return new Named(name);
    }

    internal static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 249)
        {
            throw new ArgumentException("Name is illegal, it can't be longer than 249 characters, name: " + name, nameof(name));
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException("Name \"" + name + "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", nameof(name));
            }
        }
    }
}

/// <summary>How a source reads a topic: serdes, timestamp extractor, offset reset, processor name (Kafka's <c>Consumed</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>builder.Stream("orders", Consumed&lt;string, Order&gt;.With(Serdes.String(), orderSerde).WithTimestampExtractor(new OrderTime()));</code></example>
public sealed record Consumed<TKey, TValue>
{
    /// <summary>The key serde (null: default).</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The value serde (null: default).</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>The timestamp extractor (null: default).</summary>
    public ITimestampExtractor? TimestampExtractor { get; init; }

    /// <summary>Where to start without a committed offset (null: the consumer's setting).</summary>
    public AutoOffsetReset? OffsetReset { get; init; }

    /// <summary>The source processor name (null: generated).</summary>
    public string? ProcessorName { get; init; }

    /// <summary>Serdes for key and value.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Consumed<TKey, TValue> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };

    /// <summary>A processor name.</summary>
    /// <param name="processorName">The name.</param>
    /// <returns>The option.</returns>
    public static Consumed<TKey, TValue> As(string processorName) => new() { ProcessorName = processorName };

    /// <summary>With a timestamp extractor.</summary>
    /// <param name="extractor">The extractor.</param>
    /// <returns>A changed copy.</returns>
    public Consumed<TKey, TValue> WithTimestampExtractor(ITimestampExtractor extractor) => this with { TimestampExtractor = extractor };

    /// <summary>With an offset reset policy.</summary>
    /// <param name="reset">The policy.</param>
    /// <returns>A changed copy.</returns>
    public Consumed<TKey, TValue> WithOffsetResetPolicy(AutoOffsetReset reset) => this with { OffsetReset = reset };

    /// <summary>With a processor name.</summary>
    /// <param name="processorName">The name.</param>
    /// <returns>A changed copy.</returns>
    public Consumed<TKey, TValue> WithName(string processorName) => this with { ProcessorName = processorName };

    /// <summary>With a key serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Consumed<TKey, TValue> WithKeySerde(ISerde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>With a value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Consumed<TKey, TValue> WithValueSerde(ISerde<TValue> serde) => this with { ValueSerde = serde };
}

/// <summary>How a sink writes a topic: serdes, partitioner, processor name (Kafka's <c>Produced</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>counts.ToStream().To("word-counts", Produced&lt;string, long&gt;.With(Serdes.String(), Serdes.Int64()));</code></example>
public sealed record Produced<TKey, TValue>
{
    /// <summary>The key serde (null: the stream's or the default).</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The value serde (null: the stream's or the default).</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>The partitioner (null: murmur2 of the key).</summary>
    public IStreamPartitioner<TKey, TValue>? Partitioner { get; init; }

    /// <summary>The sink processor name (null: generated).</summary>
    public string? ProcessorName { get; init; }

    /// <summary>Serdes for key and value.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Produced<TKey, TValue> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };

    /// <summary>A processor name.</summary>
    /// <param name="processorName">The name.</param>
    /// <returns>The option.</returns>
    public static Produced<TKey, TValue> As(string processorName) => new() { ProcessorName = processorName };

    /// <summary>With a partitioner.</summary>
    /// <param name="partitioner">The partitioner.</param>
    /// <returns>A changed copy.</returns>
    public Produced<TKey, TValue> WithStreamPartitioner(IStreamPartitioner<TKey, TValue> partitioner) => this with { Partitioner = partitioner };

    /// <summary>With a processor name.</summary>
    /// <param name="processorName">The name.</param>
    /// <returns>A changed copy.</returns>
    public Produced<TKey, TValue> WithName(string processorName) => this with { ProcessorName = processorName };
}

/// <summary>How records are grouped: serdes for the repartition topic and its name (Kafka's <c>Grouped</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>stream.GroupBy((k, v) =&gt; v.Region, Grouped&lt;string, Order&gt;.As("by-region").WithKeySerde(Serdes.String()));</code></example>
public sealed record Grouped<TKey, TValue>
{
    /// <summary>The name of the repartition topic (and of the key-selecting processor), or null.</summary>
    public string? Name { get; init; }

    /// <summary>The key serde, or null.</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The value serde, or null.</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>A name: the repartition topic becomes <c>&lt;application.id&gt;-&lt;name&gt;-repartition</c>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The option.</returns>
    public static Grouped<TKey, TValue> As(string name)
    {
        Named.Validate(name);
        return new() { Name = name };
    }

    /// <summary>Serdes for key and value.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Grouped<TKey, TValue> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };

    /// <summary>With a key serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Grouped<TKey, TValue> WithKeySerde(ISerde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>With a value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Grouped<TKey, TValue> WithValueSerde(ISerde<TValue> serde) => this with { ValueSerde = serde };

    /// <summary>With a name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public Grouped<TKey, TValue> WithName(string name) => this with { Name = name };
}

/// <summary>How an explicit repartition happens: topic name, partition count, serdes, partitioner (Kafka's <c>Repartitioned</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>stream.Repartition(Repartitioned&lt;string, Order&gt;.As("orders-by-customer").WithNumberOfPartitions(12));</code></example>
public sealed record Repartitioned<TKey, TValue>
{
    /// <summary>The topic name prefix, or null for a generated one.</summary>
    public string? Name { get; init; }

    /// <summary>The partition count of the repartition topic, or null to match the upstream topics.</summary>
    public int? NumberOfPartitions { get; init; }

    /// <summary>The key serde, or null.</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The value serde, or null.</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>The partitioner, or null.</summary>
    public IStreamPartitioner<TKey, TValue>? Partitioner { get; init; }

    /// <summary>A name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The option.</returns>
    public static Repartitioned<TKey, TValue> As(string name)
    {
        Named.Validate(name);
        return new() { Name = name };
    }

    /// <summary>Serdes for key and value.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Repartitioned<TKey, TValue> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };

    /// <summary>With a partition count.</summary>
    /// <param name="partitions">The count.</param>
    /// <returns>A changed copy.</returns>
    public Repartitioned<TKey, TValue> WithNumberOfPartitions(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return this with { NumberOfPartitions = partitions };
    }

    /// <summary>With a partitioner.</summary>
    /// <param name="partitioner">The partitioner.</param>
    /// <returns>A changed copy.</returns>
    public Repartitioned<TKey, TValue> WithStreamPartitioner(IStreamPartitioner<TKey, TValue> partitioner) => this with { Partitioner = partitioner };

    /// <summary>With a name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public Repartitioned<TKey, TValue> WithName(string name) => this with { Name = name };
}

/// <summary>
/// How a table or aggregation result is stored: store name (which makes it queryable), store supplier, serdes,
/// caching, change-logging and retention (Kafka's <c>Materialized</c>). Caching and logging are on by default.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>grouped.Count(Materialized&lt;string, long&gt;.As("counts-store").WithCachingDisabled());</code></example>
public sealed record Materialized<TKey, TValue>
{
    /// <summary>The store name, or null for a generated one (not queryable).</summary>
    public string? StoreName { get; init; }

    /// <summary>The bytes store to use, or null for an in-memory store.</summary>
    public IKeyValueBytesStoreSupplier? StoreSupplier { get; init; }

    /// <summary>The bytes window store to use (windowed aggregations), or null for an in-memory store.</summary>
    public IWindowBytesStoreSupplier? WindowStoreSupplier { get; init; }

    /// <summary>The bytes session store to use (session aggregations), or null for an in-memory store.</summary>
    public ISessionBytesStoreSupplier? SessionStoreSupplier { get; init; }

    /// <summary>The key serde, or null.</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The value serde, or null.</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>Whether a record cache sits in front (default true).</summary>
    public bool CachingEnabled { get; init; } = true;

    /// <summary>Whether writes go to a changelog topic (default true).</summary>
    public bool LoggingEnabled { get; init; } = true;

    /// <summary>Configs for the changelog topic.</summary>
    public IReadOnlyDictionary<string, string> TopicConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Retention for window and session stores, or null for the default.</summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>A store name: the result becomes queryable under it.</summary>
    /// <param name="storeName">The name.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> As(string storeName)
    {
        Named.Validate(storeName);
        return new() { StoreName = storeName };
    }

    /// <summary>A store supplier (its name becomes the store name).</summary>
    /// <param name="supplier">The supplier.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> As(IKeyValueBytesStoreSupplier supplier)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new() { StoreSupplier = supplier, StoreName = supplier.Name };
    }

    /// <summary>A window store supplier for a windowed aggregation (its name becomes the store name).</summary>
    /// <param name="supplier">The supplier.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> As(IWindowBytesStoreSupplier supplier)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new() { WindowStoreSupplier = supplier, StoreName = supplier.Name };
    }

    /// <summary>A session store supplier for a session aggregation (its name becomes the store name).</summary>
    /// <param name="supplier">The supplier.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> As(ISessionBytesStoreSupplier supplier)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        return new() { SessionStoreSupplier = supplier, StoreName = supplier.Name };
    }

    /// <summary>Serdes for key and value.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => new() { KeySerde = keySerde, ValueSerde = valueSerde };

    /// <summary>With a key serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithKeySerde(ISerde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>With a value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithValueSerde(ISerde<TValue> serde) => this with { ValueSerde = serde };

    /// <summary>With the record cache on.</summary>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithCachingEnabled() => this with { CachingEnabled = true };

    /// <summary>With the record cache off: every update is forwarded.</summary>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithCachingDisabled() => this with { CachingEnabled = false };

    /// <summary>With change-logging on and changelog topic configs.</summary>
    /// <param name="config">The configs.</param>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null)
        => this with { LoggingEnabled = true, TopicConfig = config ?? new Dictionary<string, string>() };

    /// <summary>With change-logging off.</summary>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithLoggingDisabled() => this with { LoggingEnabled = false };

    /// <summary>With a retention period (window and session stores).</summary>
    /// <param name="retention">The retention.</param>
    /// <returns>A changed copy.</returns>
    public Materialized<TKey, TValue> WithRetention(TimeSpan retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        return this with { Retention = retention };
    }
}

/// <summary>One branch of <see cref="IKStream{TKey, TValue}.Split"/>: its name and what to do with it (Kafka's <c>Branched</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>stream.Split().Branch((k, v) =&gt; v &gt; 100, Branched&lt;string, int&gt;.WithConsumer(s =&gt; s.To("big"), "big"));</code></example>
public sealed record Branched<TKey, TValue>
{
    /// <summary>The branch name suffix, or null for its index.</summary>
    public string? Name { get; init; }

    /// <summary>A function applied to the branch; its result is what the map holds (null: nothing).</summary>
    public Func<IKStream<TKey, TValue>, IKStream<TKey, TValue>?>? ChainFunction { get; init; }

    /// <summary>A consumer of the branch; the map holds nothing for it.</summary>
    public Action<IKStream<TKey, TValue>>? ChainConsumer { get; init; }

    /// <summary>A named branch.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The option.</returns>
    public static Branched<TKey, TValue> As(string name) => new() { Name = name };

    /// <summary>A branch transformed by a function.</summary>
    /// <param name="chain">The function.</param>
    /// <param name="name">An optional name.</param>
    /// <returns>The option.</returns>
    public static Branched<TKey, TValue> WithFunction(Func<IKStream<TKey, TValue>, IKStream<TKey, TValue>?> chain, string? name = null) => new() { ChainFunction = chain, Name = name };

    /// <summary>A branch handed to a consumer.</summary>
    /// <param name="chain">The consumer.</param>
    /// <param name="name">An optional name.</param>
    /// <returns>The option.</returns>
    public static Branched<TKey, TValue> WithConsumer(Action<IKStream<TKey, TValue>> chain, string? name = null) => new() { ChainConsumer = chain, Name = name };
}

/// <summary>Type-inferring factories for <see cref="Consumed{TKey, TValue}"/>.</summary>
/// <example><code>builder.Stream("orders", Consumed.With(Serdes.String(), Serdes.Int64()));</code></example>
public static class Consumed
{
    /// <summary>Serdes for key and value.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Consumed<TKey, TValue> With<TKey, TValue>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => Consumed<TKey, TValue>.With(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Produced{TKey, TValue}"/>.</summary>
/// <example><code>stream.To("out", Produced.With(Serdes.String(), Serdes.Int64()));</code></example>
public static class Produced
{
    /// <summary>Serdes for key and value.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Produced<TKey, TValue> With<TKey, TValue>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => Produced<TKey, TValue>.With(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Grouped{TKey, TValue}"/>.</summary>
/// <example><code>stream.GroupByKey(Grouped.With(Serdes.String(), Serdes.Int64()));</code></example>
public static class Grouped
{
    /// <summary>Serdes for key and value.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Grouped<TKey, TValue> With<TKey, TValue>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => Grouped<TKey, TValue>.With(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Materialized{TKey, TValue}"/>.</summary>
/// <example><code>grouped.Count(Materialized.With(Serdes.String(), Serdes.Int64()));</code></example>
public static class Materialized
{
    /// <summary>Serdes for key and value.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Materialized<TKey, TValue> With<TKey, TValue>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => Materialized<TKey, TValue>.With(keySerde, valueSerde);
}

/// <summary>Type-inferring factories for <see cref="Repartitioned{TKey, TValue}"/>.</summary>
/// <example><code>stream.Repartition(Repartitioned.With(Serdes.String(), Serdes.String()));</code></example>
public static class Repartitioned
{
    /// <summary>Serdes for key and value.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The value serde.</param>
    /// <returns>The option.</returns>
    public static Repartitioned<TKey, TValue> With<TKey, TValue>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde) => Repartitioned<TKey, TValue>.With(keySerde, valueSerde);
}
