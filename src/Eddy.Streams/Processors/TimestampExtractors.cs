using Eddy.Streams.Errors;

namespace Eddy.Streams.Processors;

/// <summary>How the broker stamped a record's timestamp.</summary>
/// <example><code>if (record.TimestampType == TimestampType.LogAppendTime) { }</code></example>
public enum TimestampType
{
    /// <summary>No timestamp (very old message formats).</summary>
    NotAvailable = -1,

    /// <summary>The producer's creation time.</summary>
    CreateTime = 0,

    /// <summary>The broker's append time.</summary>
    LogAppendTime = 1,
}

/// <summary>
/// A consumed record as a timestamp extractor sees it: deserialized key and value plus topic, partition,
/// offset, timestamp and headers. Kafka's <c>ConsumerRecord</c>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset.</param>
/// <param name="Timestamp">The record timestamp in ms.</param>
/// <param name="TimestampType">Create time or log-append time.</param>
/// <param name="Headers">The headers.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <example><code>long ts = record.Value is Order o ? o.PlacedAt.ToUnixTimeMilliseconds() : record.Timestamp;</code></example>
public readonly record struct ConsumeRecord<TKey, TValue>(
    string Topic, int Partition, long Offset, long Timestamp, TimestampType TimestampType, Headers? Headers, TKey Key, TValue Value);

/// <summary>
/// Chooses a record's event time. Kafka Streams' <c>TimestampExtractor</c>; a negative result drops the record
/// (counted as dropped).
/// </summary>
/// <example>
/// <code>
/// sealed class OrderTime : ITimestampExtractor
/// {
///     public long Extract&lt;TKey, TValue&gt;(in ConsumeRecord&lt;TKey, TValue&gt; record, long partitionTime)
///         =&gt; record.Value is Order o ? o.PlacedAtMs : record.Timestamp;
/// }
/// </code>
/// </example>
public interface ITimestampExtractor
{
    /// <summary>Returns the record's timestamp in ms, or a negative value to drop it.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="record">The consumed record.</param>
    /// <param name="partitionTime">The largest timestamp seen so far on this partition, or -1.</param>
    /// <returns>The timestamp.</returns>
    long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime);
}

/// <summary>The record's own timestamp (create time or log-append time); fails on a negative one. The default.</summary>
/// <example><code>config.DefaultTimestampExtractor = new FailOnInvalidTimestamp();</code></example>
public sealed class FailOnInvalidTimestamp : ITimestampExtractor
{
    /// <inheritdoc/>
    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime)
    {
        if (record.Timestamp < 0)
        {
            throw new StreamsException(
                $"Input record {record.Topic}-{record.Partition}@{record.Offset} has invalid (negative) timestamp {record.Timestamp}. " +
                "Possibly because a pre-0.10 producer client was used to write this record to Kafka without embedding a timestamp, " +
                "or because the input topic was created before upgrading the Kafka cluster to 0.10+. Use a different TimestampExtractor to process this data.");
        }
        return record.Timestamp;
    }
}

/// <summary>The record's own timestamp; a negative one drops the record with a warning.</summary>
/// <example><code>config.DefaultTimestampExtractor = new LogAndSkipOnInvalidTimestamp();</code></example>
public sealed class LogAndSkipOnInvalidTimestamp : ITimestampExtractor
{
    /// <inheritdoc/>
    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime) => record.Timestamp;
}

/// <summary>The record's own timestamp; a negative one is replaced by the partition's time.</summary>
/// <example><code>config.DefaultTimestampExtractor = new UsePartitionTimeOnInvalidTimestamp();</code></example>
public sealed class UsePartitionTimeOnInvalidTimestamp : ITimestampExtractor
{
    /// <inheritdoc/>
    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime)
    {
        if (record.Timestamp >= 0)
        {
            return record.Timestamp;
        }
        if (partitionTime < 0)
        {
            throw new StreamsException($"Could not infer new timestamp for input record {record.Topic}-{record.Partition}@{record.Offset} because partition time is unknown.");
        }
        return partitionTime;
    }
}

/// <summary>The broker's log-append time; fails for a record stamped with create time (the topic is not configured for it).</summary>
/// <example><code>Consumed.With(Serdes.String(), Serdes.String()).WithTimestampExtractor(new LogAppendTimeExtractor());</code></example>
public sealed class LogAppendTimeExtractor : ITimestampExtractor
{
    /// <inheritdoc/>
    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime)
    {
        if (record.TimestampType != TimestampType.LogAppendTime)
        {
            throw new StreamsException($"Input record {record.Topic}-{record.Partition}@{record.Offset} has timestamp type {record.TimestampType}; LogAppendTimeExtractor needs topics with message.timestamp.type=LogAppendTime.");
        }
        return record.Timestamp;
    }
}

/// <summary>The processing time: the wall clock when the record is read (Kafka's <c>WallclockTimestampExtractor</c>).</summary>
/// <example><code>config.DefaultTimestampExtractor = new WallclockTimestampExtractor();</code></example>
public sealed class WallclockTimestampExtractor : ITimestampExtractor
{
    private readonly TimeProvider _time;

    /// <summary>Uses the system clock.</summary>
    public WallclockTimestampExtractor() : this(TimeProvider.System) { }

    /// <summary>Uses <paramref name="time"/>.</summary>
    /// <param name="time">The clock.</param>
    public WallclockTimestampExtractor(TimeProvider time) => _time = time;

    /// <inheritdoc/>
    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime) => _time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>Chooses the topic of each record written by a dynamic sink (Kafka's <c>TopicNameExtractor</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>stream.To(new TopicNameExtractor&lt;string, Order&gt;((k, v, ctx) =&gt; "orders-" + v.Region));</code></example>
public interface ITopicNameExtractor<TKey, TValue>
{
    /// <summary>The topic for one record.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="context">Timestamp, headers and source of the record.</param>
    /// <returns>The topic name.</returns>
    string Extract(TKey key, TValue value, RecordContext context);
}

/// <summary>A topic name extractor from a delegate.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="extract">The delegate.</param>
/// <example><code>var extractor = new TopicNameExtractor&lt;string, string&gt;((k, v, ctx) =&gt; "out-" + k);</code></example>
public sealed class TopicNameExtractor<TKey, TValue>(Func<TKey, TValue, RecordContext, string> extract) : ITopicNameExtractor<TKey, TValue>
{
    /// <inheritdoc/>
    public string Extract(TKey key, TValue value, RecordContext context) => extract(key, value, context);
}

/// <summary>The timestamp, headers and origin of a record, given to topic name extractors.</summary>
/// <param name="Timestamp">The record timestamp.</param>
/// <param name="Headers">The headers.</param>
/// <param name="Topic">The source topic, or null.</param>
/// <param name="Partition">The source partition, or -1.</param>
/// <param name="Offset">The source offset, or -1.</param>
/// <example><code>string topic = ctx.Topic ?? "unknown";</code></example>
public readonly record struct RecordContext(long Timestamp, Headers Headers, string? Topic, int Partition, long Offset);

/// <summary>
/// Chooses the partition a sink writes a record to (Kafka's <c>StreamPartitioner</c>). Return null to use the
/// default partitioner (murmur2 of the serialized key, like Java's).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>var p = new StreamPartitioner&lt;string, Order&gt;((topic, k, v, n) =&gt; v.Region.GetHashCode() &amp; int.MaxValue % n);</code></example>
public interface IStreamPartitioner<TKey, TValue>
{
    /// <summary>The partition for one record.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="numPartitions">The topic's partition count.</param>
    /// <returns>A partition in [0, numPartitions), or null for the default.</returns>
    int? Partition(string topic, TKey key, TValue value, int numPartitions);
}

/// <summary>A stream partitioner from a delegate.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="partition">The delegate.</param>
/// <example><code>var p = new StreamPartitioner&lt;string, string&gt;((t, k, v, n) =&gt; 0);</code></example>
public sealed class StreamPartitioner<TKey, TValue>(Func<string, TKey, TValue, int, int?> partition) : IStreamPartitioner<TKey, TValue>
{
    /// <inheritdoc/>
    public int? Partition(string topic, TKey key, TValue value, int numPartitions) => partition(topic, key, value, numPartitions);
}
