using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Records;

/// <summary>Limits for <see cref="ProduceValidator.Validate"/>, from the topic's and broker's configuration.</summary>
/// <example>
/// <code>
/// var options = new ProduceValidationOptions { MaxBatchSizeBytes = topic.MaxMessageBytes, RequireKeys = topic.IsCompacted };
/// </code>
/// </example>
public sealed class ProduceValidationOptions
{
    /// <summary>The options with no limits beyond the format's.</summary>
    public static ProduceValidationOptions Default { get; } = new();

    /// <summary>The largest batch accepted (max.message.bytes); larger is <see cref="ErrorCode.MessageTooLarge"/>.</summary>
    public int MaxBatchSizeBytes { get; init; } = int.MaxValue;

    /// <summary>The most bytes a compressed batch may inflate to.</summary>
    public int MaxDecompressedBytes { get; init; } = DecompressionBuffer.DefaultMaxDecompressedBytes;

    /// <summary>Whether every record needs a key (compacted topics); a null key is <see cref="ErrorCode.InvalidRecord"/>.</summary>
    public bool RequireKeys { get; init; }

    /// <summary>
    /// The broker's clock in ms, to check CreateTime timestamps against <see cref="MaxTimestampBeforeMs"/>
    /// and <see cref="MaxTimestampAfterMs"/>; null skips the check.
    /// </summary>
    public long? NowMs { get; init; }

    /// <summary>How far before <see cref="NowMs"/> a record timestamp may be (message.timestamp.before.max.ms).</summary>
    public long MaxTimestampBeforeMs { get; init; } = long.MaxValue;

    /// <summary>How far after <see cref="NowMs"/> a record timestamp may be (message.timestamp.after.max.ms).</summary>
    public long MaxTimestampAfterMs { get; init; } = long.MaxValue;
}

/// <summary>What <see cref="ProduceValidator.Validate"/> learned about the one batch of a partition.</summary>
/// <example>
/// <code>
/// var summary = ProduceValidator.Validate(records.Span, version);
/// producerState.Check(summary.Header.ProducerId, summary.Header.ProducerEpoch, summary.Header.BaseSequence, summary.LastSequence);
/// </code>
/// </example>
public readonly record struct ProduceBatchSummary
{
    /// <summary>The batch header as sent.</summary>
    public RecordBatchHeader Header { get; init; }

    /// <summary>The number of records (equal to the header's RecordCount).</summary>
    public int RecordCount { get; init; }

    /// <summary>The first record's timestamp.</summary>
    public long FirstTimestamp { get; init; }

    /// <summary>The last record's timestamp.</summary>
    public long LastTimestamp { get; init; }

    /// <summary>The largest record timestamp (what a CreateTime batch's MaxTimestamp should say).</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>The offset delta of the first record with <see cref="MaxTimestamp"/> (for the time index).</summary>
    public int OffsetDeltaOfMaxTimestamp { get; init; }

    /// <summary>The size of the records before compression.</summary>
    public int UncompressedRecordsSize { get; init; }

    /// <summary>The batch's size on the wire (what the log stores).</summary>
    public int SizeInBytes => Header.SizeInBytes;

    /// <summary>The last record's sequence number, or -1 without one.</summary>
    public int LastSequence => Header.LastSequence;
}

/// <summary>
/// Checks the records of one partition of a Produce request as Kafka's broker does
/// (<c>ProduceRequest.validateRecords</c>, <c>LogValidator.validateBatch</c>/<c>validateRecord</c>), by
/// reading every record in place (decompressing once) without materializing any.
/// </summary>
/// <remarks>
/// Rules, in order, and the error each gives (all <see cref="KafkaProtocolException"/>):
/// no batch, magic other than 2, or more than one batch (Produce v3+): <see cref="ErrorCode.InvalidRecord"/>;
/// a partial batch: <see cref="ErrorCode.CorruptMessage"/>; zstd before Produce v7:
/// <see cref="ErrorCode.UnsupportedCompressionType"/>; larger than the limit: <see cref="ErrorCode.MessageTooLarge"/>;
/// CRC mismatch: <see cref="ErrorCode.CorruptMessage"/>; control batch from a client, RecordCount &lt;= 0,
/// LastOffsetDelta + 1 != RecordCount, a producer id without a base sequence, an offset delta that is not the
/// record's index, a null key when keys are required: <see cref="ErrorCode.InvalidRecord"/>; a timestamp out
/// of range: <see cref="ErrorCode.InvalidTimestamp"/>; a malformed record: <see cref="ErrorCode.CorruptMessage"/>.
/// Batches of Produce v0-v2 are not accepted (Eddy only stores magic 2).
/// </remarks>
/// <example>
/// <code>
/// try { var summary = ProduceValidator.Validate(partition.Records.Span, header.ApiVersion, options); }
/// catch (KafkaProtocolException e) { response.ErrorCode = (short)e.ErrorCode; response.ErrorMessage = e.Message; }
/// </code>
/// </example>
public static class ProduceValidator
{
    /// <summary>Validates a partition's records from a Produce request of <paramref name="produceVersion"/>.</summary>
    /// <exception cref="KafkaProtocolException">A rule is broken; the message names it, the error code classifies it.</exception>
    public static ProduceBatchSummary Validate(
        ReadOnlySpan<byte> records,
        short produceVersion,
        ProduceValidationOptions? options = null,
        DecompressionBuffer? buffer = null)
    {
        options ??= ProduceValidationOptions.Default;
        var reader = new RecordBatchReader(records);
        RecordBatchView batch;
        try
        {
            if (!reader.TryReadNext(out batch))
            {
                throw reader.IsTruncated
                    ? new KafkaProtocolException($"Produce v{produceVersion} records hold a partial record batch ({reader.TruncatedBytes} bytes)", ErrorCode.CorruptMessage)
                    : Invalid($"Produce requests with version {produceVersion} must have at least one record batch per partition");
            }
        }
        catch (KafkaProtocolException e) when (e.ErrorCode == ErrorCode.UnsupportedForMessageFormat)
        {
            throw Invalid($"Produce requests with version {produceVersion} are only allowed to contain record batches with magic version 2: {e.Message}");
        }

        var header = batch.Header;
        if (produceVersion < 7 && header.Compression == CompressionType.Zstd)
        {
            throw new KafkaProtocolException(
                $"Produce requests with version {produceVersion} are not allowed to use ZStandard compression (needs v7)", ErrorCode.UnsupportedCompressionType);
        }

        if (reader.Position != records.Length)
        {
            throw Invalid($"Produce requests with version {produceVersion} are only allowed to contain exactly one record batch per partition, but {records.Length - reader.Position} bytes follow the first");
        }

        if (header.SizeInBytes > options.MaxBatchSizeBytes)
        {
            throw new KafkaProtocolException(
                $"The record batch of {header.SizeInBytes} bytes exceeds the maximum of {options.MaxBatchSizeBytes} (max.message.bytes)", ErrorCode.MessageTooLarge);
        }

        batch.EnsureValidCrc();

        if (header.IsControl)
        {
            throw Invalid("Clients are not allowed to write control records");
        }

        if (header.RecordCount <= 0)
        {
            throw Invalid($"Invalid reported count for record batch: {header.RecordCount}");
        }

        if ((long)header.LastOffsetDelta + 1 != header.RecordCount)
        {
            throw Invalid(
                $"Inconsistent batch offset range [{header.BaseOffset}, {header.LastOffset}] and count of records {header.RecordCount}");
        }

        if (header.HasProducerId && header.BaseSequence < 0)
        {
            throw Invalid($"Invalid sequence number {header.BaseSequence} in record batch with producerId {header.ProducerId}");
        }

        bool checkTimestamps = options.NowMs.HasValue && header.TimestampType == TimestampType.CreateTime;
        long now = options.NowMs.GetValueOrDefault();
        long earliest = (long)Int128.Max((Int128)now - options.MaxTimestampBeforeMs, long.MinValue);
        long latest = (long)Int128.Min((Int128)now + options.MaxTimestampAfterMs, long.MaxValue);

        using var ownBuffer = buffer is null && header.Compression != CompressionType.None
            ? new DecompressionBuffer(options.MaxDecompressedBytes)
            : null;
        long first = 0;
        long last = 0;
        long max = long.MinValue;
        int maxDelta = 0;
        int index = 0;
        var enumerator = batch.GetRecords(buffer ?? ownBuffer);
        try
        {
            while (enumerator.MoveNext())
            {
                var record = enumerator.Current;
                if (record.OffsetDelta != index)
                {
                    throw Invalid($"Record {index} of the batch has offset delta {record.OffsetDelta}; a producer's record offsets must be 0..{header.RecordCount - 1} in order");
                }

                if (options.RequireKeys && record.IsKeyNull)
                {
                    throw Invalid($"Compacted topic cannot accept message without key (record {index})");
                }

                long timestamp = record.Timestamp;
                if (checkTimestamps && (timestamp < earliest || timestamp > latest))
                {
                    throw new KafkaProtocolException(
                        $"Timestamp {timestamp} of record {index} is out of range. The timestamp should be within [{earliest}, {latest}]", ErrorCode.InvalidTimestamp);
                }

                if (index == 0)
                {
                    first = timestamp;
                }

                if (timestamp > max)
                {
                    max = timestamp;
                    maxDelta = record.OffsetDelta;
                }

                last = timestamp;
                index++;
            }

            return new ProduceBatchSummary
            {
                Header = header,
                RecordCount = index,
                FirstTimestamp = first,
                LastTimestamp = last,
                MaxTimestamp = max,
                OffsetDeltaOfMaxTimestamp = maxDelta,
                UncompressedRecordsSize = enumerator.Data.Length,
            };
        }
        finally
        {
            enumerator.Dispose();
        }
    }

    private static KafkaProtocolException Invalid(string message) => new(message, ErrorCode.InvalidRecord);
}
