using System.Buffers.Binary;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// In-place edits a broker makes to a batch it stores: BaseOffset and PartitionLeaderEpoch lie outside
/// the CRC (so setting them keeps it valid), while the timestamp type and MaxTimestamp are covered
/// (so setting them recomputes it). See kafka-protocol.md §2 "CRC coverage".
/// </summary>
/// <example>
/// <code>
/// Span&lt;byte&gt; batch = segment.Append(produced);
/// RecordBatchEditor.SetBaseOffset(batch, nextOffset);
/// RecordBatchEditor.SetPartitionLeaderEpoch(batch, leaderEpoch);
/// if (topicUsesLogAppendTime) RecordBatchEditor.SetLogAppendTime(batch, now);
/// </code>
/// </example>
public static class RecordBatchEditor
{
    /// <summary>Sets BaseOffset (not covered by the CRC).</summary>
    /// <exception cref="KafkaProtocolException">Not a magic 2 batch header.</exception>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset)
    {
        _ = RecordBatchHeader.Read(batch);
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
    }

    /// <summary>Sets PartitionLeaderEpoch (not covered by the CRC).</summary>
    /// <exception cref="KafkaProtocolException">Not a magic 2 batch header.</exception>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int partitionLeaderEpoch)
    {
        _ = RecordBatchHeader.Read(batch);
        BinaryPrimitives.WriteInt32BigEndian(batch.Slice(BatchLayout.PartitionLeaderEpoch), partitionLeaderEpoch);
    }

    /// <summary>
    /// Marks the batch LogAppendTime with <paramref name="appendTime"/> as MaxTimestamp (what every record
    /// then reads as its timestamp) and recomputes the CRC. The batch span must hold the whole batch.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Not a whole magic 2 batch.</exception>
    public static void SetLogAppendTime(Span<byte> batch, long appendTime) =>
        SetMaxTimestamp(batch, TimestampType.LogAppendTime, appendTime);

    /// <summary>
    /// Sets the timestamp type and MaxTimestamp, recomputing the CRC only when either changes
    /// (<c>DefaultRecordBatch.setMaxTimestamp</c>). Returns whether the batch changed.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Not a whole magic 2 batch.</exception>
    public static bool SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        var header = WholeBatch(batch);
        if (header.TimestampType == timestampType && header.MaxTimestamp == maxTimestamp)
        {
            return false;
        }

        short attributes = header.Attributes.Value;
        attributes = timestampType == TimestampType.LogAppendTime
            ? (short)(attributes | RecordBatchAttributes.TimestampTypeFlag)
            : (short)(attributes & ~RecordBatchAttributes.TimestampTypeFlag);
        BinaryPrimitives.WriteInt16BigEndian(batch.Slice(BatchLayout.Attributes), attributes);
        BinaryPrimitives.WriteInt64BigEndian(batch.Slice(BatchLayout.MaxTimestamp), maxTimestamp);
        WriteCrc(batch, header.SizeInBytes);
        return true;
    }

    /// <summary>Recomputes and stores the CRC of a whole batch; returns it.</summary>
    /// <exception cref="KafkaProtocolException">Not a whole magic 2 batch.</exception>
    public static uint UpdateCrc(Span<byte> batch) => WriteCrc(batch, WholeBatch(batch).SizeInBytes);

    private static uint WriteCrc(Span<byte> batch, int size)
    {
        uint crc = Crc32C.Compute(batch.Slice(BatchLayout.Attributes, size - BatchLayout.Attributes));
        BinaryPrimitives.WriteUInt32BigEndian(batch.Slice(BatchLayout.Crc), crc);
        return crc;
    }

    private static RecordBatchHeader WholeBatch(ReadOnlySpan<byte> batch) => RecordBatchView.Read(batch).Header;
}
