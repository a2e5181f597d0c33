using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Dsl;

#pragma warning disable CA1000

/// <summary>
/// Options of a stream-stream join (Kafka's <c>StreamJoined</c>): serdes of the key and both values (for the join
/// buffers and their changelogs), the processor name, a base name for the stores, store suppliers, logging.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">This stream's value type.</typeparam>
/// <typeparam name="TOther">The other stream's value type.</typeparam>
/// <example><code>left.Join(right, (l, r) =&gt; l + r, JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromSeconds(5)), StreamJoined.With(Serdes.String(), Serdes.String(), Serdes.String()).WithName("orders-payments"));</code></example>
public sealed record StreamJoined<TKey, TValue, TOther>
{
    /// <summary>The key serde (null: default).</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>This stream's value serde (null: the stream's or the default).</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>The other stream's value serde (null: the stream's or the default).</summary>
    public ISerde<TOther>? OtherValueSerde { get; init; }

    /// <summary>The name of the join processors (suffixed <c>-this-join</c>, <c>-other-join</c>, ...) and repartition topics.</summary>
    public string? Name { get; init; }

    /// <summary>A base name for the join stores (suffixed <c>-this-join-store</c>, ...), instead of generated ones.</summary>
    public string? StoreName { get; init; }

    /// <summary>The store supplier of this side's buffer (must retain duplicates).</summary>
    public IWindowBytesStoreSupplier? ThisStoreSupplier { get; init; }

    /// <summary>The store supplier of the other side's buffer (must retain duplicates).</summary>
    public IWindowBytesStoreSupplier? OtherStoreSupplier { get; init; }

    /// <summary>Whether the join buffers are change-logged (default true).</summary>
    public bool LoggingEnabled { get; init; } = true;

    /// <summary>Changelog topic configs.</summary>
    public IReadOnlyDictionary<string, string> TopicConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Serdes for the key and both values.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">This stream's value serde.</param>
    /// <param name="otherValueSerde">The other stream's value serde.</param>
    /// <returns>The option.</returns>
    public static StreamJoined<TKey, TValue, TOther> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, ISerde<TOther>? otherValueSerde)
        => new() { KeySerde = keySerde, ValueSerde = valueSerde, OtherValueSerde = otherValueSerde };

    /// <summary>A base store name.</summary>
    /// <param name="storeName">The name.</param>
    /// <returns>The option.</returns>
    public static StreamJoined<TKey, TValue, TOther> As(string storeName)
    {
        Named.Validate(storeName);
        return new() { StoreName = storeName };
    }

    /// <summary>Store suppliers for both buffers.</summary>
    /// <param name="thisStoreSupplier">This side's store.</param>
    /// <param name="otherStoreSupplier">The other side's store.</param>
    /// <returns>The option.</returns>
    public static StreamJoined<TKey, TValue, TOther> With(IWindowBytesStoreSupplier thisStoreSupplier, IWindowBytesStoreSupplier otherStoreSupplier)
        => new() { ThisStoreSupplier = thisStoreSupplier, OtherStoreSupplier = otherStoreSupplier };

    /// <summary>With a processor name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithName(string name)
    {
        Named.Validate(name);
        return this with { Name = name };
    }

    /// <summary>With a base store name.</summary>
    /// <param name="storeName">The name.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithStoreName(string storeName)
    {
        Named.Validate(storeName);
        return this with { StoreName = storeName };
    }

    /// <summary>With a key serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithKeySerde(ISerde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>With this stream's value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithValueSerde(ISerde<TValue> serde) => this with { ValueSerde = serde };

    /// <summary>With the other stream's value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithOtherValueSerde(ISerde<TOther> serde) => this with { OtherValueSerde = serde };

    /// <summary>With this side's store supplier.</summary>
    /// <param name="supplier">The supplier.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithThisStoreSupplier(IWindowBytesStoreSupplier supplier) => this with { ThisStoreSupplier = supplier };

    /// <summary>With the other side's store supplier.</summary>
    /// <param name="supplier">The supplier.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithOtherStoreSupplier(IWindowBytesStoreSupplier supplier) => this with { OtherStoreSupplier = supplier };

    /// <summary>With change-logging on.</summary>
    /// <param name="config">Changelog topic configs.</param>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null)
        => this with { LoggingEnabled = true, TopicConfig = config ?? new Dictionary<string, string>() };

    /// <summary>With change-logging off.</summary>
    /// <returns>A changed copy.</returns>
    public StreamJoined<TKey, TValue, TOther> WithLoggingDisabled() => this with { LoggingEnabled = false };
}

/// <summary>Type-inferring factories for <see cref="StreamJoined{TKey, TValue, TOther}"/>.</summary>
/// <example><code>StreamJoined.With(Serdes.String(), Serdes.Int64(), Serdes.String());</code></example>
public static class StreamJoined
{
    /// <summary>Serdes for the key and both values.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">This stream's value type.</typeparam>
    /// <typeparam name="TOther">The other stream's value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">This stream's value serde.</param>
    /// <param name="otherValueSerde">The other stream's value serde.</param>
    /// <returns>The option.</returns>
    public static StreamJoined<TKey, TValue, TOther> With<TKey, TValue, TOther>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, ISerde<TOther>? otherValueSerde)
        => StreamJoined<TKey, TValue, TOther>.With(keySerde, valueSerde, otherValueSerde);
}

/// <summary>Options of a stream-table join (Kafka's <c>Joined</c>): serdes used if the stream must be repartitioned, and the processor name.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The stream's value type.</typeparam>
/// <typeparam name="TOther">The table's value type.</typeparam>
/// <example><code>orders.Join(customers, (o, c) =&gt; o with { Customer = c }, Joined&lt;string, Order, Customer&gt;.As("enrich"));</code></example>
public sealed record Joined<TKey, TValue, TOther>
{
    /// <summary>The key serde.</summary>
    public ISerde<TKey>? KeySerde { get; init; }

    /// <summary>The stream's value serde.</summary>
    public ISerde<TValue>? ValueSerde { get; init; }

    /// <summary>The table's value serde.</summary>
    public ISerde<TOther>? OtherValueSerde { get; init; }

    /// <summary>The processor name (and repartition topic name).</summary>
    public string? Name { get; init; }

    /// <summary>Serdes.</summary>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The stream's value serde.</param>
    /// <param name="otherValueSerde">The table's value serde.</param>
    /// <returns>The option.</returns>
    public static Joined<TKey, TValue, TOther> With(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, ISerde<TOther>? otherValueSerde)
        => new() { KeySerde = keySerde, ValueSerde = valueSerde, OtherValueSerde = otherValueSerde };

    /// <summary>A processor name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The option.</returns>
    public static Joined<TKey, TValue, TOther> As(string name)
    {
        Named.Validate(name);
        return new() { Name = name };
    }

    /// <summary>With a processor name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public Joined<TKey, TValue, TOther> WithName(string name)
    {
        Named.Validate(name);
        return this with { Name = name };
    }

    /// <summary>With a key serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Joined<TKey, TValue, TOther> WithKeySerde(ISerde<TKey> serde) => this with { KeySerde = serde };

    /// <summary>With the stream's value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Joined<TKey, TValue, TOther> WithValueSerde(ISerde<TValue> serde) => this with { ValueSerde = serde };

    /// <summary>With the table's value serde.</summary>
    /// <param name="serde">The serde.</param>
    /// <returns>A changed copy.</returns>
    public Joined<TKey, TValue, TOther> WithOtherValueSerde(ISerde<TOther> serde) => this with { OtherValueSerde = serde };
}

/// <summary>Type-inferring factories for <see cref="Joined{TKey, TValue, TOther}"/>.</summary>
/// <example><code>Joined.With(Serdes.String(), Serdes.Int64(), Serdes.String());</code></example>
public static class Joined
{
    /// <summary>Serdes.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The stream's value type.</typeparam>
    /// <typeparam name="TOther">The table's value type.</typeparam>
    /// <param name="keySerde">The key serde.</param>
    /// <param name="valueSerde">The stream's value serde.</param>
    /// <param name="otherValueSerde">The table's value serde.</param>
    /// <returns>The option.</returns>
    public static Joined<TKey, TValue, TOther> With<TKey, TValue, TOther>(ISerde<TKey>? keySerde, ISerde<TValue>? valueSerde, ISerde<TOther>? otherValueSerde)
        => Joined<TKey, TValue, TOther>.With(keySerde, valueSerde, otherValueSerde);
}

/// <summary>
/// Options of a table-table foreign-key join (Kafka's <c>TableJoined</c>): the name that replaces the generated
/// processor, store and internal topic names, and custom partitioners of the two tables' topics.
/// </summary>
/// <typeparam name="TKey">The primary table's key type.</typeparam>
/// <typeparam name="TForeignKey">The foreign table's key type.</typeparam>
/// <example><code>orders.Join(customers, o =&gt; o.CustomerId, (o, c) =&gt; new Enriched(o, c), TableJoined&lt;string, string&gt;.As("order-customer"));</code></example>
public sealed record TableJoined<TKey, TForeignKey>
{
    /// <summary>The name of the join (prefix of its processors, store and topics).</summary>
    public string? Name { get; init; }

    /// <summary>The partitioner of the primary table's topic (responses go back to the partition it chooses).</summary>
    public IStreamPartitioner<TKey, object?>? Partitioner { get; init; }

    /// <summary>The partitioner of the foreign table's topic (subscriptions go to the partition it chooses).</summary>
    public IStreamPartitioner<TForeignKey, object?>? OtherPartitioner { get; init; }

    /// <summary>A name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The option.</returns>
    public static TableJoined<TKey, TForeignKey> As(string name)
    {
        Named.Validate(name);
        return new() { Name = name };
    }

    /// <summary>Custom partitioners.</summary>
    /// <param name="partitioner">The primary table's partitioner.</param>
    /// <param name="otherPartitioner">The foreign table's partitioner.</param>
    /// <returns>The option.</returns>
    public static TableJoined<TKey, TForeignKey> With(IStreamPartitioner<TKey, object?>? partitioner, IStreamPartitioner<TForeignKey, object?>? otherPartitioner)
        => new() { Partitioner = partitioner, OtherPartitioner = otherPartitioner };

    /// <summary>With a name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public TableJoined<TKey, TForeignKey> WithName(string name)
    {
        Named.Validate(name);
        return this with { Name = name };
    }
}
