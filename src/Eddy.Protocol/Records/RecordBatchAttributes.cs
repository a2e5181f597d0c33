using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Records;

/// <summary>
/// The INT16 attributes of a record batch v2: compression (bits 0-2), timestamp type (bit 3),
/// transactional (bit 4), control (bit 5) and delete horizon (bit 6), as in <c>DefaultRecordBatch.java</c>.
/// </summary>
/// <example>
/// <code>
/// var attributes = new RecordBatchAttributes(CompressionType.Gzip, TimestampType.CreateTime, isTransactional: true);
/// short wire = attributes.Value; // 0x11
/// </code>
/// </example>
public readonly record struct RecordBatchAttributes
{
    /// <summary>Bits 0-2: the compression codec.</summary>
    public const short CompressionMask = 0x07;

    /// <summary>Bit 3: set for <see cref="TimestampType.LogAppendTime"/>.</summary>
    public const short TimestampTypeFlag = 0x08;

    /// <summary>Bit 4: the batch belongs to a transaction.</summary>
    public const short TransactionalFlag = 0x10;

    /// <summary>Bit 5: the batch holds a control record (a transaction marker).</summary>
    public const short ControlFlag = 0x20;

    /// <summary>Bit 6: BaseTimestamp holds the delete horizon set by the log cleaner (KIP-534).</summary>
    public const short DeleteHorizonFlag = 0x40;

    /// <summary>Wraps the raw attributes as read from the wire.</summary>
    public RecordBatchAttributes(short value) => Value = value;

    /// <summary>Builds attributes from their parts.</summary>
    public RecordBatchAttributes(
        CompressionType compression,
        TimestampType timestampType = TimestampType.CreateTime,
        bool isTransactional = false,
        bool isControl = false,
        bool hasDeleteHorizon = false)
    {
        int value = (int)compression & CompressionMask;
        value |= timestampType == TimestampType.LogAppendTime ? TimestampTypeFlag : 0;
        value |= isTransactional ? TransactionalFlag : 0;
        value |= isControl ? ControlFlag : 0;
        value |= hasDeleteHorizon ? DeleteHorizonFlag : 0;
        Value = (short)value;
    }

    /// <summary>The raw INT16.</summary>
    public short Value { get; }

    /// <summary>The compression codec (bits 0-2). Values 5-7 are not defined by Kafka.</summary>
    public CompressionType Compression => (CompressionType)(Value & CompressionMask);

    /// <summary>CreateTime or LogAppendTime (bit 3).</summary>
    public TimestampType TimestampType => (Value & TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>Whether the batch is part of a transaction (bit 4).</summary>
    public bool IsTransactional => (Value & TransactionalFlag) != 0;

    /// <summary>Whether the batch is a control batch (bit 5).</summary>
    public bool IsControl => (Value & ControlFlag) != 0;

    /// <summary>Whether BaseTimestamp is the delete horizon (bit 6).</summary>
    public bool HasDeleteHorizon => (Value & DeleteHorizonFlag) != 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Compression}, {TimestampType}{(IsTransactional ? ", transactional" : string.Empty)}{(IsControl ? ", control" : string.Empty)}{(HasDeleteHorizon ? ", delete horizon" : string.Empty)}";
}
