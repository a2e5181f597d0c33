using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// The 61-byte header of a record batch v2 (magic 2), parsed. Layout: BaseOffset int64, Length int32,
/// PartitionLeaderEpoch int32, Magic int8, CRC uint32, Attributes int16, LastOffsetDelta int32,
/// BaseTimestamp int64, MaxTimestamp int64, ProducerId int64, ProducerEpoch int16, BaseSequence int32,
/// RecordCount int32 (<c>DefaultRecordBatch.java</c>; docs/reference kafka-protocol.md §2).
/// </summary>
/// <example>
/// <code>
/// var header = RecordBatchHeader.Read(batchBytes);
/// Console.WriteLine($"{header.BaseOffset}..{header.LastOffset}: {header.RecordCount} records, {header.Compression}");
/// </code>
/// </example>
public readonly record struct RecordBatchHeader
{
    /// <summary>The size of the header: records (or the compressed records) start here.</summary>
    public const int Size = BatchLayout.Records;

    /// <summary>The only magic (format version) Eddy reads and writes.</summary>
    public const sbyte CurrentMagic = 2;

    /// <summary>ProducerId of a batch written without idempotence.</summary>
    public const long NoProducerId = -1;

    /// <summary>ProducerEpoch of a batch written without idempotence.</summary>
    public const short NoProducerEpoch = -1;

    /// <summary>BaseSequence of a batch written without idempotence, and of control batches.</summary>
    public const int NoSequence = -1;

    /// <summary>PartitionLeaderEpoch as a producer sends it, before the broker assigns one.</summary>
    public const int NoPartitionLeaderEpoch = -1;

    /// <summary>Kafka's "no timestamp" (<c>RecordBatch.NO_TIMESTAMP</c>).</summary>
    public const long NoTimestamp = -1;

    /// <summary>Offset of the first record.</summary>
    public long BaseOffset { get; init; }

    /// <summary>The Length field: bytes after it, so the batch takes <see cref="SizeInBytes"/> = Length + 12.</summary>
    public int BatchLength { get; init; }

    /// <summary>The leader epoch the broker stamped on the batch (not covered by the CRC).</summary>
    public int PartitionLeaderEpoch { get; init; }

    /// <summary>The format version; always 2 for a header Eddy parsed.</summary>
    public sbyte Magic { get; init; }

    /// <summary>The CRC-32C stored in the batch (over Attributes to the end of the batch).</summary>
    public uint Crc { get; init; }

    /// <summary>The attributes; see also the shortcuts <see cref="Compression"/>, <see cref="IsControl"/>, ...</summary>
    public RecordBatchAttributes Attributes { get; init; }

    /// <summary>Offset of the last record minus <see cref="BaseOffset"/>; also the last sequence delta.</summary>
    public int LastOffsetDelta { get; init; }

    /// <summary>Timestamp of the first record (or the delete horizon when <see cref="HasDeleteHorizon"/>); record timestamps are deltas from it.</summary>
    public long BaseTimestamp { get; init; }

    /// <summary>The largest record timestamp, or the broker's append time for <see cref="TimestampType.LogAppendTime"/>.</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>The idempotent/transactional producer id, or <see cref="NoProducerId"/>.</summary>
    public long ProducerId { get; init; }

    /// <summary>The producer epoch, or <see cref="NoProducerEpoch"/>.</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>Sequence number of the first record, or <see cref="NoSequence"/>.</summary>
    public int BaseSequence { get; init; }

    /// <summary>The number of records the batch says it holds.</summary>
    public int RecordCount { get; init; }

    /// <summary>The compression codec of the records (attributes bits 0-2).</summary>
    public CompressionType Compression => Attributes.Compression;

    /// <summary>CreateTime or LogAppendTime (attributes bit 3).</summary>
    public TimestampType TimestampType => Attributes.TimestampType;

    /// <summary>Whether the batch belongs to a transaction (attributes bit 4).</summary>
    public bool IsTransactional => Attributes.IsTransactional;

    /// <summary>Whether the batch holds a control record (attributes bit 5).</summary>
    public bool IsControl => Attributes.IsControl;

    /// <summary>Whether <see cref="BaseTimestamp"/> is the log cleaner's delete horizon (attributes bit 6).</summary>
    public bool HasDeleteHorizon => Attributes.HasDeleteHorizon;

    /// <summary>The delete horizon in ms, or <see cref="NoTimestamp"/> when the batch has none.</summary>
    public long DeleteHorizonMs => HasDeleteHorizon ? BaseTimestamp : NoTimestamp;

    /// <summary>Whether the batch was written by an idempotent or transactional producer.</summary>
    public bool HasProducerId => ProducerId > NoProducerId;

    /// <summary>Offset of the last record: BaseOffset + LastOffsetDelta.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The offset after the batch: LastOffset + 1.</summary>
    public long NextOffset => LastOffset + 1;

    /// <summary>Bytes the whole batch takes: Length + 12.</summary>
    public int SizeInBytes => BatchLength + BatchLayout.LogOverhead;

    /// <summary>Sequence of the last record, wrapping at int.MaxValue like Kafka; <see cref="NoSequence"/> when there is none.</summary>
    public int LastSequence => BaseSequence == NoSequence ? NoSequence : IncrementSequence(BaseSequence, LastOffsetDelta);

    /// <summary>
    /// Adds <paramref name="increment"/> to a sequence number, wrapping past int.MaxValue to 0
    /// (<c>DefaultRecordBatch.incrementSequence</c>).
    /// </summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    /// <summary>
    /// Parses the header at the start of <paramref name="batch"/>. Checks that 61 bytes are there,
    /// that the magic is 2 and that the Length field is at least a header's; not the CRC.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The bytes are not a record batch v2 header.</exception>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch)
    {
        if (batch.Length > BatchLayout.Magic)
        {
            CheckMagic((sbyte)batch[BatchLayout.Magic], BinaryPrimitives.ReadInt64BigEndian(batch), 0);
        }

        if (batch.Length < Size)
        {
            throw new KafkaProtocolException($"record batch header needs {Size} bytes but only {batch.Length} are there");
        }

        var header = ReadUnchecked(batch);
        if (header.BatchLength < BatchLayout.MinLength)
        {
            throw new KafkaProtocolException(
                $"record batch at base offset {header.BaseOffset} has Length {header.BatchLength}, less than the {BatchLayout.MinLength} bytes of a header");
        }

        return header;
    }

    internal static RecordBatchHeader ReadUnchecked(ReadOnlySpan<byte> b) => new()
    {
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(b),
        BatchLength = BinaryPrimitives.ReadInt32BigEndian(b.Slice(BatchLayout.Length)),
        PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(b.Slice(BatchLayout.PartitionLeaderEpoch)),
        Magic = (sbyte)b[BatchLayout.Magic],
        Crc = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(BatchLayout.Crc)),
        Attributes = new RecordBatchAttributes(BinaryPrimitives.ReadInt16BigEndian(b.Slice(BatchLayout.Attributes))),
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(b.Slice(BatchLayout.LastOffsetDelta)),
        BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(b.Slice(BatchLayout.BaseTimestamp)),
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(b.Slice(BatchLayout.MaxTimestamp)),
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(b.Slice(BatchLayout.ProducerId)),
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(b.Slice(BatchLayout.ProducerEpoch)),
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(b.Slice(BatchLayout.BaseSequence)),
        RecordCount = BinaryPrimitives.ReadInt32BigEndian(b.Slice(BatchLayout.RecordCount)),
    };

    internal static void CheckMagic(sbyte magic, long baseOffset, int position)
    {
        if (magic != CurrentMagic)
        {
            throw new KafkaProtocolException(
                $"record batch at byte {position} (base offset {baseOffset}) has magic {magic}; only magic {CurrentMagic} (record batch v2) is supported",
                ErrorCode.UnsupportedForMessageFormat);
        }
    }

    /// <summary>Writes the 61 header bytes, CRC as stored in <see cref="Crc"/>.</summary>
    internal void WriteTo(Span<byte> b)
    {
        BinaryPrimitives.WriteInt64BigEndian(b, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(BatchLayout.Length), BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(BatchLayout.PartitionLeaderEpoch), PartitionLeaderEpoch);
        b[BatchLayout.Magic] = (byte)Magic;
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(BatchLayout.Crc), Crc);
        BinaryPrimitives.WriteInt16BigEndian(b.Slice(BatchLayout.Attributes), Attributes.Value);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(BatchLayout.LastOffsetDelta), LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(b.Slice(BatchLayout.BaseTimestamp), BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(b.Slice(BatchLayout.MaxTimestamp), MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(b.Slice(BatchLayout.ProducerId), ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(b.Slice(BatchLayout.ProducerEpoch), ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(BatchLayout.BaseSequence), BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(BatchLayout.RecordCount), RecordCount);
    }
}
