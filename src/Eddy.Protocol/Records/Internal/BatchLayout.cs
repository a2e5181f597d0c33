namespace Eddy.Protocol.Records.Internal;

/// <summary>Byte offsets of the record batch v2 header fields (<c>DefaultRecordBatch.java</c> lines 44-128).</summary>
internal static class BatchLayout
{
    public const int BaseOffset = 0;
    public const int Length = 8;
    public const int PartitionLeaderEpoch = 12;
    public const int Magic = 16;
    public const int Crc = 17;
    public const int Attributes = 21;
    public const int LastOffsetDelta = 23;
    public const int BaseTimestamp = 27;
    public const int MaxTimestamp = 35;
    public const int ProducerId = 43;
    public const int ProducerEpoch = 51;
    public const int BaseSequence = 53;
    public const int RecordCount = 57;
    public const int Records = 61;

    /// <summary>BaseOffset and Length: the bytes not counted by Length.</summary>
    public const int LogOverhead = 12;

    /// <summary>The smallest valid Length: a header with no records.</summary>
    public const int MinLength = Records - LogOverhead;

    /// <summary>The smallest encoded record: a one-byte length and six one-byte fields.</summary>
    public const int MinRecordSize = 7;
}
