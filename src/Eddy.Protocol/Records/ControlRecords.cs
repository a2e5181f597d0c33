using System.Buffers;
using System.Buffers.Binary;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// The type in a control record's key (Kafka's <c>ControlRecordType</c>). Types Eddy does not know
/// read as <see cref="Unknown"/>, as Kafka tolerates them.
/// </summary>
/// <example>
/// <code>
/// var key = ControlRecordKey.Read(record.Key);
/// if (key.Type == ControlRecordType.Abort) DropTransaction(batch.Header.ProducerId);
/// </code>
/// </example>
public enum ControlRecordType : short
{
    /// <summary>A type id this version does not know (the raw id is in <see cref="ControlRecordKey.TypeId"/>).</summary>
    Unknown = -1,

    /// <summary>End of an aborted transaction.</summary>
    Abort = 0,

    /// <summary>End of a committed transaction.</summary>
    Commit = 1,

    /// <summary>KRaft: a leader change message.</summary>
    LeaderChange = 2,

    /// <summary>KRaft: a snapshot header.</summary>
    SnapshotHeader = 3,

    /// <summary>KRaft: a snapshot footer.</summary>
    SnapshotFooter = 4,

    /// <summary>KRaft: the kraft.version record.</summary>
    KRaftVersion = 5,

    /// <summary>KRaft: the voters record.</summary>
    KRaftVoters = 6,
}

/// <summary>
/// The key of a control record: version int16 and type int16 (<c>ControlRecordType.parse</c>). A version
/// above 0 is read as version 0; a negative version or a key shorter than 4 bytes is corrupt.
/// </summary>
/// <example>
/// <code>
/// foreach (RecordView record in controlBatch.GetRecords())
///     Console.WriteLine(ControlRecordKey.Read(record.Key).Type);
/// </code>
/// </example>
/// <param name="Version">The key version (0; newer versions are read as 0).</param>
/// <param name="TypeId">The raw type id: 0 abort, 1 commit, 2-6 KRaft types.</param>
public readonly record struct ControlRecordKey(short Version, short TypeId)
{
    /// <summary>The size of a version 0 key.</summary>
    public const int Size = 4;

    /// <summary>The type, or <see cref="ControlRecordType.Unknown"/> for an id this version does not know.</summary>
    public ControlRecordType Type => TypeId is >= 0 and <= 6 ? (ControlRecordType)TypeId : ControlRecordType.Unknown;

    /// <summary>Parses a control record key.</summary>
    /// <exception cref="KafkaProtocolException">Shorter than 4 bytes, or a negative version (<see cref="ErrorCode.InvalidRecord"/>).</exception>
    public static ControlRecordKey Read(ReadOnlySpan<byte> key)
    {
        if (key.Length < Size)
        {
            throw new KafkaProtocolException($"control record key has {key.Length} bytes; it needs at least {Size}", ErrorCode.InvalidRecord);
        }

        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version < 0)
        {
            throw new KafkaProtocolException($"control record key has invalid version {version}", ErrorCode.InvalidRecord);
        }

        return new ControlRecordKey(version, BinaryPrimitives.ReadInt16BigEndian(key.Slice(2)));
    }

    /// <summary>Writes a version 0 key into 4 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, Version);
        BinaryPrimitives.WriteInt16BigEndian(destination.Slice(2), TypeId);
    }
}

/// <summary>
/// A transaction marker: a COMMIT or ABORT control record whose value is version int16 and coordinator
/// epoch int32 (<c>EndTransactionMarker.java</c>). <see cref="WriteControlBatch"/> writes the whole control
/// batch a transaction coordinator appends (isControl + isTransactional, BaseSequence -1, one record).
/// </summary>
/// <example>
/// <code>
/// var marker = new EndTransactionMarker(ControlRecordType.Commit, coordinatorEpoch: 3);
/// marker.WriteControlBatch(log, baseOffset: 120, producerId: 42, producerEpoch: 1, timestamp: now);
/// // reading: var parsed = EndTransactionMarker.Read(ControlRecordKey.Read(record.Key), record.Value);
/// </code>
/// </example>
public readonly record struct EndTransactionMarker
{
    /// <summary>The size of a version 0 value.</summary>
    public const int ValueSize = 6;

    /// <summary>Creates a marker.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is neither Commit nor Abort.</exception>
    public EndTransactionMarker(ControlRecordType type, int coordinatorEpoch, short version = 0)
    {
        if (type is not (ControlRecordType.Commit or ControlRecordType.Abort))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "An end transaction marker is a Commit or an Abort.");
        }

        Type = type;
        CoordinatorEpoch = coordinatorEpoch;
        Version = version;
    }

    /// <summary>Commit or Abort.</summary>
    public ControlRecordType Type { get; }

    /// <summary>The epoch of the transaction coordinator that wrote it.</summary>
    public int CoordinatorEpoch { get; }

    /// <summary>The value version (0; newer versions are read as 0).</summary>
    public short Version { get; }

    /// <summary>Whether the transaction committed.</summary>
    public bool IsCommit => Type == ControlRecordType.Commit;

    /// <summary>The size of a whole control batch holding one marker.</summary>
    public static int ControlBatchSize => RecordBatchHeader.Size + 17;

    /// <summary>Parses a marker from a control record's key (already read) and value.</summary>
    /// <exception cref="KafkaProtocolException">
    /// The key is not Commit/Abort, the value is shorter than 6 bytes or has a negative version (<see cref="ErrorCode.InvalidRecord"/>).
    /// </exception>
    public static EndTransactionMarker Read(ControlRecordKey key, ReadOnlySpan<byte> value)
    {
        if (key.Type is not (ControlRecordType.Commit or ControlRecordType.Abort))
        {
            throw new KafkaProtocolException($"control record type {key.TypeId} is not an end transaction marker", ErrorCode.InvalidRecord);
        }

        if (value.Length < 2)
        {
            throw new KafkaProtocolException($"end transaction marker value has {value.Length} bytes; it needs at least {ValueSize}", ErrorCode.InvalidRecord);
        }

        short version = BinaryPrimitives.ReadInt16BigEndian(value);
        if (version < 0)
        {
            throw new KafkaProtocolException($"end transaction marker has invalid version {version}", ErrorCode.InvalidRecord);
        }

        if (value.Length < ValueSize)
        {
            throw new KafkaProtocolException($"end transaction marker value has {value.Length} bytes; it needs at least {ValueSize}", ErrorCode.InvalidRecord);
        }

        return new EndTransactionMarker(key.Type, BinaryPrimitives.ReadInt32BigEndian(value.Slice(2)), version);
    }

    /// <summary>
    /// Writes the control batch for this marker: one record at <paramref name="baseOffset"/>, key
    /// (0, type), value (0, coordinator epoch), attributes isControl + isTransactional, uncompressed,
    /// BaseSequence -1, CRC filled in. Returns its size (<see cref="ControlBatchSize"/>).
    /// </summary>
    public int WriteControlBatch(
        IBufferWriter<byte> destination,
        long baseOffset,
        long producerId,
        short producerEpoch,
        long timestamp,
        int partitionLeaderEpoch = RecordBatchHeader.NoPartitionLeaderEpoch)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int size = ControlBatchSize;
        var span = destination.GetSpan(size).Slice(0, size);
        var header = new RecordBatchHeader
        {
            BaseOffset = baseOffset,
            BatchLength = size - BatchLayout.LogOverhead,
            PartitionLeaderEpoch = partitionLeaderEpoch,
            Magic = RecordBatchHeader.CurrentMagic,
            Attributes = new RecordBatchAttributes(Compression.CompressionType.None, TimestampType.CreateTime, isTransactional: true, isControl: true),
            LastOffsetDelta = 0,
            BaseTimestamp = timestamp,
            MaxTimestamp = timestamp,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = RecordBatchHeader.NoSequence,
            RecordCount = 1,
        };
        header.WriteTo(span);

        // The record: length 16, attributes, timestamp delta 0, offset delta 0, key (4), value (6), no headers.
        var record = span.Slice(RecordBatchHeader.Size);
        int pos = 0;
        Varint.Write(record, ref pos, 16);
        record[pos++] = 0;
        Varint.Write(record, ref pos, 0L);
        Varint.Write(record, ref pos, 0);
        Varint.Write(record, ref pos, ControlRecordKey.Size);
        new ControlRecordKey(0, (short)Type).WriteTo(record.Slice(pos));
        pos += ControlRecordKey.Size;
        Varint.Write(record, ref pos, ValueSize);
        BinaryPrimitives.WriteInt16BigEndian(record.Slice(pos), Version);
        BinaryPrimitives.WriteInt32BigEndian(record.Slice(pos + 2), CoordinatorEpoch);
        pos += ValueSize;
        Varint.Write(record, ref pos, 0);

        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(BatchLayout.Crc), Crc32C.Compute(span.Slice(BatchLayout.Attributes)));
        destination.Advance(size);
        return size;
    }
}
