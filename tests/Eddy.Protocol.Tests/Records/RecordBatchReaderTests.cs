using System.Buffers;
using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

public class RecordBatchReaderTests
{
    private static byte[] Batch(int records = 3, CompressionType compression = CompressionType.None, long baseOffset = 0)
    {
        using var builder = new RecordBatchBuilder { Compression = compression, BaseOffset = baseOffset };
        for (int i = 0; i < records; i++)
        {
            builder.Append(i, "key"u8, "value"u8);
        }

        return builder.ToArray();
    }

    private static string ReadAll(byte[] batchBytes)
    {
        var batch = RecordBatchView.Read(batchBytes);
        int n = 0;
        foreach (RecordView record in batch)
        {
            n++;
        }

        return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static KafkaProtocolException Corrupt(byte[] batchBytes)
    {
        var e = Assert.Throws<KafkaProtocolException>(() => ReadAll(batchBytes));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        return e;
    }

    [Fact]
    public void Truncated_last_batch_is_reported_apart_from_corruption()
    {
        var first = Batch(3);
        var second = Batch(4, baseOffset: 3);
        for (int cut = 1; cut < second.Length; cut++)
        {
            var blob = first.Concat(second.Take(cut)).ToArray();
            var reader = new RecordBatchReader(blob);
            Assert.True(reader.TryReadNext(out var batch));
            Assert.Equal(3, batch.Header.RecordCount);
            Assert.False(reader.TryReadNext(out _));
            Assert.True(reader.IsTruncated);
            Assert.Equal(cut, reader.TruncatedBytes);
            Assert.Equal(first.Length, reader.Position);
        }
    }

    [Fact]
    public void Empty_blob_has_no_batches_and_is_not_truncated()
    {
        var reader = new RecordBatchReader([]);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.IsTruncated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Magic_other_than_2_is_a_clear_error(sbyte magic)
    {
        var blob = Batch();
        blob[16] = (byte)magic;
        var e = Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new RecordBatchReader(blob);
            reader.TryReadNext(out _);
        });
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, e.ErrorCode);
        Assert.Contains($"magic {magic}", e.Message, StringComparison.Ordinal);
        Assert.Contains("only magic 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<KafkaProtocolException>(() => RecordBatchView.Read(blob));
    }

    [Fact]
    public void Length_below_a_header_is_corruption()
    {
        var blob = Batch();
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(8), 48);
        var e = Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new RecordBatchReader(blob);
            reader.TryReadNext(out _);
        });
        Assert.Contains("Length 48", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc_mismatch_names_stored_and_computed_crc()
    {
        var blob = Batch();
        uint good = RecordBatchView.Read(blob).Header.Crc;
        blob[^1] ^= 0x01;
        var batch = RecordBatchView.Read(blob);
        Assert.False(batch.IsCrcValid);
        try
        {
            batch.EnsureValidCrc();
            Assert.Fail("expected a CRC error");
        }
        catch (KafkaProtocolException e)
        {
            Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
            Assert.Contains($"stored CRC 0x{good:X8}", e.Message, StringComparison.Ordinal);
            Assert.Contains($"computed CRC 0x{batch.ComputeCrc():X8}", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Base_offset_and_leader_epoch_are_outside_the_crc_but_attributes_are_inside()
    {
        var blob = Batch();
        BinaryPrimitives.WriteInt64BigEndian(blob, 123456);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(12), 99);
        Assert.True(RecordBatchView.Read(blob).IsCrcValid);
        blob[22] ^= 0x08;
        Assert.False(RecordBatchView.Read(blob).IsCrcValid);
    }

    [Fact]
    public void Record_count_larger_than_the_records_is_premature_end()
    {
        var blob = Batch(3);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(57), 4);
        var e = Corrupt(blob);
        Assert.Contains("declares 4 records but its data ends after 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("base offset 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_count_smaller_than_the_records_is_trailing_bytes()
    {
        var blob = Batch(3);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(57), 2);
        var e = Corrupt(blob);
        Assert.Contains("remain after the 2 records", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_record_count_is_an_error()
    {
        var blob = Batch(3);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(57), -1);
        var e = Corrupt(blob);
        Assert.Contains("RecordCount -1 is negative", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_length_past_the_batch_is_an_error()
    {
        var blob = Batch(1);
        blob[61] = 0x7E; // length varint 63
        var e = Corrupt(blob);
        Assert.Contains("record length 63 exceeds", e.Message, StringComparison.Ordinal);
        Assert.Contains("record 0 of 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_length_longer_than_its_fields_is_an_error()
    {
        // Grow record 0's length by one and swallow the next record's first byte: the fields end early.
        var blob = Batch(2);
        blob[61] += 2;
        var e = Corrupt(blob);
        Assert.Contains("its fields end at byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_length_past_the_record_is_an_error()
    {
        var blob = Batch(1);
        blob[61 + 4] = 0x40; // key length 32 in a 16-byte record
        var e = Corrupt(blob);
        Assert.Contains("key length 32 exceeds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_length_below_minus_one_is_an_error()
    {
        var blob = Batch(1);
        blob[61 + 4] = 0x03; // -2
        Assert.Contains("key length -2 is invalid", Corrupt(blob).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_varint_is_an_error()
    {
        var blob = Batch(1);
        blob[61 + 4] = 0xFF; // key length varint: 0xFF then 'k','e','y' never terminate within 5 bytes? make sure
        blob[61 + 5] = 0xFF;
        blob[61 + 6] = 0xFF;
        blob[61 + 7] = 0xFF;
        blob[61 + 8] = 0xFF;
        var e = Corrupt(blob);
        Assert.Contains("key length: varint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offset_deltas_must_increase_and_stay_within_last_offset_delta()
    {
        var blob = Batch(2);
        // Record 1 starts at 61 + 15; its offset delta byte is after length, attributes and timestamp delta.
        blob[61 + 15 + 3] = 0x00; // offset delta 0 again
        Assert.Contains("does not follow the previous record's 0", Corrupt(blob).Message, StringComparison.Ordinal);

        blob = Batch(2);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(23), 0); // LastOffsetDelta 0 but record 1 has delta 1
        Assert.Contains("beyond the batch's LastOffsetDelta 0", Corrupt(blob).Message, StringComparison.Ordinal);

        blob = Batch(1);
        blob[61 + 3] = 0x01; // offset delta -1
        Assert.Contains("offset delta -1 is negative", Corrupt(blob).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gaps_in_offset_deltas_are_allowed_as_the_log_cleaner_leaves_them()
    {
        var blob = Batch(2);
        blob[61 + 15 + 3] = 0x04; // record 1: offset delta 2
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(23), 2);
        var offsets = new List<long>();
        foreach (RecordView record in RecordBatchView.Read(blob))
        {
            offsets.Add(record.Offset);
        }

        Assert.Equal([0L, 2L], offsets);
    }

    [Fact]
    public void Negative_header_count_and_header_key_length_are_errors()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(0, "k"u8, "v"u8, [new RecordHeader("h", "x"u8.ToArray())]);
        var good = builder.ToArray();

        // Record: len, attrs, ts, off, keylen, 'k', vallen, 'v', hcount @ 61+8, hkeylen @ 61+9.
        var blob = (byte[])good.Clone();
        blob[61 + 8] = 0x01;
        Assert.Contains("header count -1 is invalid", Corrupt(blob).Message, StringComparison.Ordinal);

        blob = (byte[])good.Clone();
        blob[61 + 9] = 0x01;
        Assert.Contains("header 0 key length -1 is invalid", Corrupt(blob).Message, StringComparison.Ordinal);

        blob = (byte[])good.Clone();
        blob[61 + 11] = 0x05;
        Assert.Contains("header 0 value length -3 is invalid", Corrupt(blob).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compressed_garbage_is_a_protocol_error_naming_the_batch()
    {
        var blob = Batch(3, CompressionType.Gzip, baseOffset: 42);
        for (int i = 61; i < blob.Length; i++)
        {
            blob[i] = 0x5A;
        }

        var e = Assert.Throws<KafkaProtocolException>(() => ReadAll(blob));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        Assert.Contains("base offset 42", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decompression_beyond_the_buffer_limit_is_refused()
    {
        using var builder = new RecordBatchBuilder { Compression = CompressionType.Gzip };
        builder.Append(0, NullableBytes.Null, new byte[1 << 20]);
        var batch = RecordBatchView.Read(builder.ToArray());
        Assert.True(batch.Bytes.Length < 100_000);
        using var small = new DecompressionBuffer(maxDecompressedBytes: 64 * 1024);
        try
        {
            batch.GetRecords(small);
            Assert.Fail("expected the limit to be enforced");
        }
        catch (KafkaProtocolException e)
        {
            Assert.Contains("65536", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unknown_codec_in_attributes_is_unsupported_compression()
    {
        var blob = Batch(1);
        blob[22] = 0x06;
        RecordBatchEditor.UpdateCrc(blob);
        var e = Assert.Throws<KafkaProtocolException>(() => ReadAll(blob));
        Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
    }

    [Fact]
    public void Empty_batches_left_by_the_cleaner_have_no_records()
    {
        var blob = Batch(1, CompressionType.Gzip);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(57), 0);
        Assert.Equal("0", ReadAll(blob));
    }

    [Fact]
    public void Single_batch_read_refuses_a_short_buffer()
    {
        var blob = Batch(2);
        var e = Assert.Throws<KafkaProtocolException>(() => RecordBatchView.Read(blob.AsSpan(0, blob.Length - 1)));
        Assert.Contains($"declares {blob.Length} bytes but only {blob.Length - 1}", e.Message, StringComparison.Ordinal);
        Assert.Throws<KafkaProtocolException>(() => RecordBatchHeader.Read(blob.AsSpan(0, 60)));
    }

    [Fact]
    public void Thread_buffer_is_reused_across_compressed_batches_and_nested_use_is_safe()
    {
        var a = Batch(3, CompressionType.Gzip);
        var b = Batch(5, CompressionType.Gzip);
        int outer = 0;
        foreach (RecordView x in RecordBatchView.Read(a))
        {
            int inner = 0;
            foreach (RecordView y in RecordBatchView.Read(b))
            {
                Assert.True(y.Key.SequenceEqual("key"u8));
                inner++;
            }

            Assert.Equal(5, inner);
            Assert.True(x.Value.SequenceEqual("value"u8));
            outer++;
        }

        Assert.Equal(3, outer);
    }

    [Fact]
    public void Fetch_style_blob_from_a_kafka_writer_records_field()
    {
        using var writer = new KafkaWriter();
        var output = new ArrayBufferWriter<byte>();
        output.Write(Batch(2));
        output.Write(Batch(3, baseOffset: 2));
        writer.WriteRecords(output.WrittenMemory, compact: false);
        var reader = new KafkaReader(writer.WrittenMemory);
        var records = reader.ReadRecords(compact: false);
        Assert.NotNull(records);
        var batches = new RecordBatchReader(records.Value.Span);
        int total = 0;
        while (batches.TryReadNext(out var batch))
        {
            foreach (RecordView record in batch)
            {
                Assert.Equal(total, record.Offset);
                total++;
            }
        }

        Assert.Equal(5, total);
    }
}
