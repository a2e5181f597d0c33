using Eddy.Protocol.Records;

namespace Eddy.Client;

/// <summary>One consumed record.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// foreach (var record in await consumer.ConsumeAsync(ct))
///     Console.WriteLine($"{record.TopicPartition}@{record.Offset}: {record.Key} = {record.Value}");
/// </code>
/// </example>
public sealed class ConsumeResult<TKey, TValue>
{
    /// <summary>The partition the record came from.</summary>
    public required TopicPartition TopicPartition { get; init; }

    /// <summary>The record's offset.</summary>
    public required long Offset { get; init; }

    /// <summary>The key.</summary>
    public required TKey Key { get; init; }

    /// <summary>The value.</summary>
    public required TValue Value { get; init; }

    /// <summary>The timestamp in Unix milliseconds.</summary>
    public required long TimestampMs { get; init; }

    /// <summary>CreateTime or LogAppendTime.</summary>
    public TimestampType TimestampType { get; init; }

    /// <summary>The record's headers, or null when it has none.</summary>
    public Headers? Headers { get; init; }

    /// <summary>The leader epoch of the batch, or -1.</summary>
    public int LeaderEpoch { get; init; } = -1;

    /// <summary>The topic.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>The partition index.</summary>
    public int Partition => TopicPartition.Partition;

    /// <summary>The timestamp as a date.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);

    /// <summary>The offset to commit after processing this record (Offset + 1).</summary>
    public TopicPartitionOffset NextOffset => new(TopicPartition, Offset + 1, null, LeaderEpoch);
}

/// <summary>Called around rebalances, from inside ConsumeAsync (or Close), on the consuming flow.</summary>
/// <example>
/// <code>
/// consumer.Subscribe(["orders"], new RebalanceListener
/// {
///     Revoked = async (partitions, ct) =&gt; await consumer.CommitAsync(ct),
/// });
/// </code>
/// </example>
public interface IConsumerRebalanceListener
{
    /// <summary>Partitions newly assigned (eager: the whole assignment; cooperative: only the added ones).</summary>
    ValueTask OnPartitionsAssignedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Partitions taken away in an orderly rebalance; commit their offsets here.</summary>
    ValueTask OnPartitionsRevokedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Partitions lost without a rebalance (the member was fenced or expired): others may own them already; do not commit.</summary>
    ValueTask OnPartitionsLostAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        OnPartitionsRevokedAsync(partitions, cancellationToken);
}

/// <summary>A rebalance listener built from delegates.</summary>
/// <example>
/// <code>
/// var listener = new RebalanceListener { Assigned = (p, ct) =&gt; { Console.WriteLine(string.Join(",", p)); return ValueTask.CompletedTask; } };
/// </code>
/// </example>
public sealed class RebalanceListener : IConsumerRebalanceListener
{
    /// <summary>Called with newly assigned partitions.</summary>
    public Func<IReadOnlyCollection<TopicPartition>, CancellationToken, ValueTask>? Assigned { get; init; }

    /// <summary>Called with revoked partitions.</summary>
    public Func<IReadOnlyCollection<TopicPartition>, CancellationToken, ValueTask>? Revoked { get; init; }

    /// <summary>Called with lost partitions; null calls <see cref="Revoked"/>.</summary>
    public Func<IReadOnlyCollection<TopicPartition>, CancellationToken, ValueTask>? Lost { get; init; }

    /// <inheritdoc />
    public ValueTask OnPartitionsAssignedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Assigned?.Invoke(partitions, cancellationToken) ?? ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask OnPartitionsRevokedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Revoked?.Invoke(partitions, cancellationToken) ?? ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask OnPartitionsLostAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        (Lost ?? Revoked)?.Invoke(partitions, cancellationToken) ?? ValueTask.CompletedTask;
}

/// <summary>A consumer error (offset out of range with auto.offset.reset=none, a fatal group error, a corrupt record...).</summary>
/// <example>
/// <code>
/// catch (ConsumeException e) when (e.Error == ErrorCode.OffsetOutOfRange) { consumer.Seek(e.TopicPartition!.Value, Offsets.Beginning); }
/// </code>
/// </example>
public sealed class ConsumeException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public ConsumeException(Eddy.Protocol.ErrorCode error, string message, TopicPartition? partition = null, Exception? innerException = null)
        : base(error, message, innerException)
    {
        TopicPartition = partition;
    }

    /// <summary>Creates the exception.</summary>
    public ConsumeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConsumeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConsumeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The partition concerned, when there is one.</summary>
    public TopicPartition? TopicPartition { get; }
}

/// <summary>A commit failed because the group rebalanced and the partitions may belong to another member now (Java's CommitFailedException).</summary>
/// <example>
/// <code>
/// catch (CommitFailedException) { /* the records will be redelivered to the new owner */ }
/// </code>
/// </example>
public sealed class CommitFailedException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public CommitFailedException(Eddy.Protocol.ErrorCode error, string message)
        : base(error, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CommitFailedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CommitFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CommitFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetriable => false;
}
