using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

public class ProduceValidatorTests
{
    private static byte[] Batch(Action<RecordBatchBuilder>? configure = null, int records = 3, long[]? timestamps = null)
    {
        using var builder = new RecordBatchBuilder { ProducerId = 9, ProducerEpoch = 1, BaseSequence = 10 };
        configure?.Invoke(builder);
        for (int i = 0; i < records; i++)
        {
            builder.Append(timestamps?[i] ?? (1_000 + i), "k"u8, "v"u8);
        }

        return builder.ToArray();
    }

    private static KafkaProtocolException Fails(byte[] records, ErrorCode code, string text, short version = 9, ProduceValidationOptions? options = null)
    {
        var e = Assert.Throws<KafkaProtocolException>(() => ProduceValidator.Validate(records, version, options));
        Assert.Equal(code, e.ErrorCode);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        return e;
    }

    [CodecTheory]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Valid_batch_gives_a_summary_without_materializing_records(CompressionType compression)
    {
        var bytes = Batch(b => b.Compression = compression, records: 4, timestamps: [500, 900, 100, 700]);
        var summary = ProduceValidator.Validate(bytes, 9);
        Assert.Equal(4, summary.RecordCount);
        Assert.Equal(500, summary.FirstTimestamp);
        Assert.Equal(700, summary.LastTimestamp);
        Assert.Equal(900, summary.MaxTimestamp);
        Assert.Equal(1, summary.OffsetDeltaOfMaxTimestamp);
        Assert.Equal(9, summary.Header.ProducerId);
        Assert.Equal(1, summary.Header.ProducerEpoch);
        Assert.Equal(10, summary.Header.BaseSequence);
        Assert.Equal(13, summary.LastSequence);
        Assert.Equal(bytes.Length, summary.SizeInBytes);
        Assert.Equal(compression, summary.Header.Compression);
        Assert.Equal(9 + 10 + 10 + 10, summary.UncompressedRecordsSize);
    }

    [Fact]
    public void No_batch_is_invalid() =>
        Fails([], ErrorCode.InvalidRecord, "must have at least one record batch per partition");

    [Fact]
    public void Two_batches_are_invalid()
    {
        var one = Batch();
        Fails([.. one, .. one], ErrorCode.InvalidRecord, "exactly one record batch per partition");
    }

    [Fact]
    public void Partial_batch_is_corrupt() =>
        Fails(Batch()[..70], ErrorCode.CorruptMessage, "partial record batch");

    [Fact]
    public void Magic_1_is_invalid()
    {
        var bytes = Batch();
        bytes[16] = 1;
        Fails(bytes, ErrorCode.InvalidRecord, "only allowed to contain record batches with magic version 2");
    }

    [Fact]
    public void Zstd_needs_produce_v7()
    {
        var bytes = Batch();
        bytes[22] = (byte)CompressionType.Zstd;
        RecordBatchEditor.UpdateCrc(bytes);
        Fails(bytes, ErrorCode.UnsupportedCompressionType, "ZStandard", version: 6);
    }

    [Fact]
    public void Oversized_batch_is_message_too_large() =>
        Fails(Batch(), ErrorCode.MessageTooLarge, "max.message.bytes", options: new ProduceValidationOptions { MaxBatchSizeBytes = 50 });

    [Fact]
    public void Bad_crc_is_corrupt()
    {
        var bytes = Batch();
        bytes[^2] ^= 0x40;
        Fails(bytes, ErrorCode.CorruptMessage, "computed CRC");
    }

    [Fact]
    public void Control_batches_from_clients_are_invalid()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        new EndTransactionMarker(ControlRecordType.Commit, 1).WriteControlBatch(output, 0, 9, 1, 5);
        Fails(output.WrittenSpan.ToArray(), ErrorCode.InvalidRecord, "Clients are not allowed to write control records");
    }

    [Fact]
    public void Count_and_offset_range_must_agree()
    {
        var bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(23), 5);
        RecordBatchEditor.UpdateCrc(bytes);
        Fails(bytes, ErrorCode.InvalidRecord, "Inconsistent batch offset range [0, 5] and count of records 3");

        bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(57), 0);
        RecordBatchEditor.UpdateCrc(bytes);
        Fails(bytes, ErrorCode.InvalidRecord, "Invalid reported count for record batch: 0");
    }

    [Fact]
    public void Producer_id_without_sequence_is_invalid() =>
        Fails(Batch(b => b.BaseSequence = -1), ErrorCode.InvalidRecord, "Invalid sequence number -1 in record batch with producerId 9");

    [Fact]
    public void Offset_deltas_must_be_the_record_index()
    {
        // Record 1's offset delta becomes 2 (a gap the reader allows) with LastOffsetDelta 2 and count 3.
        var bytes = Batch(records: 3);
        int record1 = 61 + 9;
        Assert.Equal(0x02, bytes[record1 + 3]);
        bytes[record1 + 3] = 0x04;
        bytes[record1 + 9 + 3] = 0x06;
        RecordBatchEditor.UpdateCrc(bytes);
        Fails(bytes, ErrorCode.InvalidRecord, "Record 1 of the batch has offset delta 2");
    }

    [Fact]
    public void Malformed_records_are_corrupt()
    {
        var bytes = Batch();
        bytes[61 + 4] = 0x7E;
        RecordBatchEditor.UpdateCrc(bytes);
        Fails(bytes, ErrorCode.CorruptMessage, "key length 63 exceeds");
    }

    [Fact]
    public void Compacted_topics_require_keys()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "k"u8, "v"u8);
        builder.Append(1, NullableBytes.Null, "v"u8);
        Fails(builder.ToArray(), ErrorCode.InvalidRecord, "without key (record 1)", options: new ProduceValidationOptions { RequireKeys = true });
    }

    [Fact]
    public void Timestamps_out_of_range_are_invalid_timestamps_for_create_time_only()
    {
        var options = new ProduceValidationOptions { NowMs = 10_000, MaxTimestampBeforeMs = 1_000, MaxTimestampAfterMs = 100 };
        Fails(Batch(timestamps: [9_500, 8_000, 9_000]), ErrorCode.InvalidTimestamp, "Timestamp 8000 of record 1 is out of range", options: options);
        Fails(Batch(timestamps: [9_500, 10_101, 9_000]), ErrorCode.InvalidTimestamp, "within [9000, 10100]", options: options);
        Assert.Equal(3, ProduceValidator.Validate(Batch(timestamps: [9_000, 10_100, 9_999]), 9, options).RecordCount);
        var logAppend = Batch(b => b.TimestampType = TimestampType.LogAppendTime, timestamps: [1, 2, 3]);
        Assert.Equal(3, ProduceValidator.Validate(logAppend, 9, options).RecordCount);
    }
}
