namespace Eddy.Client;

/// <summary>A partition of a topic.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
/// <example>
/// <code>
/// consumer.Assign([new TopicPartition("orders", 0)]);
/// </code>
/// </example>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <inheritdoc />
    public int CompareTo(TopicPartition other)
    {
        int c = string.CompareOrdinal(Topic, other.Topic);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    /// <summary>Orders by topic, then partition.</summary>
    public static bool operator <(TopicPartition left, TopicPartition right) => left.CompareTo(right) < 0;

    /// <summary>Orders by topic, then partition.</summary>
    public static bool operator >(TopicPartition left, TopicPartition right) => left.CompareTo(right) > 0;

    /// <summary>Orders by topic, then partition.</summary>
    public static bool operator <=(TopicPartition left, TopicPartition right) => left.CompareTo(right) <= 0;

    /// <summary>Orders by topic, then partition.</summary>
    public static bool operator >=(TopicPartition left, TopicPartition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>An offset in a partition, with optional commit metadata and leader epoch.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Offset">The offset (for a commit: the next offset to read).</param>
/// <param name="Metadata">Commit metadata, or null.</param>
/// <param name="LeaderEpoch">The leader epoch of the record before the offset, or -1.</param>
/// <example>
/// <code>
/// await consumer.CommitAsync([new TopicPartitionOffset(new TopicPartition("orders", 0), 42)]);
/// </code>
/// </example>
public readonly record struct TopicPartitionOffset(TopicPartition TopicPartition, long Offset, string? Metadata = null, int LeaderEpoch = -1)
{
    /// <summary>The topic.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>The partition index.</summary>
    public int Partition => TopicPartition.Partition;

    /// <inheritdoc />
    public override string ToString() => $"{TopicPartition}@{Offset}";
}

/// <summary>Special offsets understood by Seek, Assign and ListOffsets.</summary>
/// <example>
/// <code>
/// consumer.Seek(new TopicPartition("orders", 0), Offsets.Beginning);
/// </code>
/// </example>
public static class Offsets
{
    /// <summary>The start of the partition (ListOffsets timestamp -2).</summary>
    public const long Beginning = -2;

    /// <summary>The end of the partition (ListOffsets timestamp -1).</summary>
    public const long End = -1;

    /// <summary>The committed offset, or auto.offset.reset without one.</summary>
    public const long Stored = -1000;

    /// <summary>No offset.</summary>
    public const long Unset = -1001;
}
