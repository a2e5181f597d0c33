namespace Eddy.Protocol.Records;

/// <summary>
/// What the timestamps of a record batch mean: bit 3 of the batch attributes (Kafka's <c>TimestampType</c>).
/// </summary>
/// <example>
/// <code>
/// if (batch.Header.TimestampType == TimestampType.LogAppendTime)
///     Console.WriteLine($"appended at {batch.Header.MaxTimestamp}");
/// </code>
/// </example>
public enum TimestampType
{
    /// <summary>The producer's timestamps (bit 3 clear).</summary>
    CreateTime = 0,

    /// <summary>The broker's append time, held in MaxTimestamp; record deltas are ignored (bit 3 set).</summary>
    LogAppendTime = 1,
}
