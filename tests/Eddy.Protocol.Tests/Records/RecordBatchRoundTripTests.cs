using System.Buffers;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    [CodecTheory]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Mixed_records_round_trip_with_every_field_and_byte(CompressionType compression)
    {
        var records = TestRecord.Mix(500, seed: 11);
        using var builder = new RecordBatchBuilder
        {
            Compression = compression,
            BaseOffset = 1_000,
            PartitionLeaderEpoch = 9,
            ProducerId = 77,
            ProducerEpoch = 3,
            BaseSequence = 500,
        };
        foreach (var record in records)
        {
            record.AppendTo(builder);
        }

        int uncompressed = builder.EstimatedSizeInBytes;
        var bytes = builder.ToArray();
        if (compression == CompressionType.None)
        {
            Assert.Equal(uncompressed, bytes.Length);
        }

        var batch = RecordBatchView.Read(bytes);
        batch.EnsureValidCrc();
        var header = batch.Header;
        Assert.Equal(1_000, header.BaseOffset);
        Assert.Equal(bytes.Length - 12, header.BatchLength);
        Assert.Equal(bytes.Length, header.SizeInBytes);
        Assert.Equal(9, header.PartitionLeaderEpoch);
        Assert.Equal(2, header.Magic);
        Assert.Equal(compression, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.False(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.HasDeleteHorizon);
        Assert.Equal(499, header.LastOffsetDelta);
        Assert.Equal(1_499, header.LastOffset);
        Assert.Equal(1_500, header.NextOffset);
        Assert.Equal(records[0].Timestamp, header.BaseTimestamp);
        Assert.Equal(records.Max(r => r.Timestamp), header.MaxTimestamp);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(500, header.BaseSequence);
        Assert.Equal(999, header.LastSequence);
        Assert.Equal(500, header.RecordCount);

        using var buffer = new DecompressionBuffer();
        int i = 0;
        foreach (RecordView record in batch.GetRecords(buffer))
        {
            Assert.Equal(1_000 + i, record.Offset);
            Assert.Equal(i, record.OffsetDelta);
            Assert.Equal(records[i].Timestamp, record.Timestamp);
            Assert.Equal(records[i].Timestamp - records[0].Timestamp, record.TimestampDelta);
            Assert.Equal(500 + i, record.Sequence);
            Assert.Equal(0, record.Attributes);
            records[i].AssertMatches(record);
            i++;
        }

        Assert.Equal(500, i);
    }

    [CodecTheory]
    [MemberData(nameof(Codecs.All), MemberType = typeof(Codecs))]
    public void Many_small_records_round_trip_through_a_kafka_writer(CompressionType compression)
    {
        using var builder = new RecordBatchBuilder { Compression = compression };
        for (int i = 0; i < 20_000; i++)
        {
            builder.Append(5_000 - i, BitConverter.GetBytes(i), i % 3 == 0 ? null : BitConverter.GetBytes(i * 7L));
        }

        using var writer = new KafkaWriter();
        writer.WriteInt32(12345); // something before the batch, as in a request
        int size = builder.WriteTo(writer);
        Assert.Equal(writer.Position - 4, size);

        var batch = RecordBatchView.Read(writer.WrittenSpan.Slice(4));
        Assert.True(batch.IsCrcValid);
        Assert.Equal(5_000, batch.Header.BaseTimestamp);
        Assert.Equal(5_000, batch.Header.MaxTimestamp);
        int n = 0;
        foreach (RecordView record in batch.GetRecords())
        {
            Assert.Equal(5_000 - n, record.Timestamp);
            Assert.Equal(-n, record.TimestampDelta);
            Assert.Equal(n, BitConverter.ToInt32(record.Key));
            Assert.Equal(n % 3 == 0, record.IsValueNull);
            if (n % 3 != 0)
            {
                Assert.Equal(n * 7L, BitConverter.ToInt64(record.Value));
            }

            n++;
        }

        Assert.Equal(20_000, n);
    }

    [Fact]
    public void Null_and_empty_keys_values_and_header_values_stay_distinct()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, NullableBytes.Null, NullableBytes.Null);
        builder.Append(2, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);
        builder.Append(3, (byte[]?)null, Array.Empty<byte>(), [new RecordHeader("n", (byte[]?)null), new RecordHeader("e", Array.Empty<byte>()), new RecordHeader(string.Empty, "v"u8.ToArray())]);
        builder.Append(4, default, "x"u8, [new RecordHeader("m", new ReadOnlyMemory<byte>([1, 2]))]);
        var batch = RecordBatchView.Read(builder.ToArray());
        var e = batch.GetRecords();
        Assert.True(e.MoveNext());
        Assert.True(e.Current.IsKeyNull);
        Assert.True(e.Current.IsValueNull);
        Assert.True(e.MoveNext());
        Assert.False(e.Current.IsKeyNull);
        Assert.False(e.Current.IsValueNull);
        Assert.True(e.Current.Key.IsEmpty);
        Assert.True(e.MoveNext());
        Assert.True(e.Current.IsKeyNull);
        Assert.False(e.Current.IsValueNull);
        new TestRecord(3, null, [], [("n", null), ("e", []), (string.Empty, "v"u8.ToArray())]).AssertMatches(e.Current);
        Assert.True(e.MoveNext());
        new TestRecord(4, null, "x"u8.ToArray(), [("m", [1, 2])]).AssertMatches(e.Current);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Log_append_time_batches_give_every_record_the_max_timestamp()
    {
        using var builder = new RecordBatchBuilder { TimestampType = TimestampType.LogAppendTime, LogAppendTime = 9_999 };
        builder.Append(100, "a"u8, "1"u8);
        builder.Append(50, "b"u8, "2"u8);
        var batch = RecordBatchView.Read(builder.ToArray());
        Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
        Assert.Equal(100, batch.Header.BaseTimestamp);
        Assert.Equal(9_999, batch.Header.MaxTimestamp);
        foreach (RecordView record in batch)
        {
            Assert.Equal(9_999, record.Timestamp);
        }
    }

    [Fact]
    public void Transactional_batches_carry_the_flag_and_producer_fields()
    {
        using var builder = new RecordBatchBuilder { IsTransactional = true, ProducerId = 5, ProducerEpoch = 2, BaseSequence = int.MaxValue - 1 };
        builder.Append(1, "k"u8, "v"u8);
        builder.Append(1, "k"u8, "v"u8);
        builder.Append(1, "k"u8, "v"u8);
        var header = RecordBatchView.Read(builder.ToArray()).Header;
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.Equal(0x10, header.Attributes.Value);
        Assert.True(header.HasProducerId);

        // Kafka wraps sequences past int.MaxValue to 0: MAX-1, MAX, 0.
        Assert.Equal(0, header.LastSequence);
        var sequences = new List<int>();
        foreach (RecordView record in RecordBatchView.Read(builder.ToArray()))
        {
            sequences.Add(record.Sequence);
        }

        Assert.Equal([int.MaxValue - 1, int.MaxValue, 0], sequences);
    }

    [Fact]
    public void Builder_is_reusable_after_reset_and_measures_records_exactly()
    {
        using var builder = new RecordBatchBuilder(initialCapacity: 64);
        for (int round = 0; round < 3; round++)
        {
            builder.Reset();
            Assert.Equal(0, builder.Count);
            Assert.Equal(61, builder.EstimatedSizeInBytes);
            Assert.Equal(-1, builder.BaseTimestamp);
            builder.BaseOffset = round * 10;
            for (int i = 0; i < 10 + round; i++)
            {
                var headers = new[] { new RecordHeader("h", new byte[i]) };
                int before = builder.EstimatedSizeInBytes;
                int measured = builder.MeasureRecord(1000 - (i * 1000), new byte[i * 30], new byte[300], headers);
                builder.Append(1000 - (i * 1000), new byte[i * 30], new byte[300], headers);
                Assert.Equal(before + measured, builder.EstimatedSizeInBytes);
            }

            var bytes = builder.ToArray();
            Assert.Equal(builder.EstimatedSizeInBytes, bytes.Length);
            var batch = RecordBatchView.Read(bytes);
            Assert.Equal(round * 10, batch.Header.BaseOffset);
            Assert.Equal(10 + round, batch.Header.RecordCount);
            int count = 0;
            foreach (RecordView record in batch)
            {
                Assert.Equal((round * 10) + count, record.Offset);
                Assert.Equal(1000 - (count * 1000), record.Timestamp);
                count++;
            }

            Assert.Equal(10 + round, count);
        }
    }

    [Fact]
    public void Writing_an_empty_builder_is_refused()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.WriteTo(new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Unsupported_codecs_refuse_to_compress_with_the_protocol_error_code()
    {
        foreach (CompressionType type in Enum.GetValues<CompressionType>())
        {
            if (CompressionCodecs.CanCompress(type))
            {
                continue;
            }

            using var builder = new RecordBatchBuilder { Compression = type };
            builder.Append(1, "k"u8, "v"u8);
            var e = Assert.Throws<KafkaProtocolException>(() => builder.ToArray());
            Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
        }
    }

    [Fact]
    public void Several_batches_in_a_blob_are_read_in_order_and_positions_allow_slicing()
    {
        var output = new ArrayBufferWriter<byte>();
        using var builder = new RecordBatchBuilder();
        var sizes = new List<int>();
        for (int b = 0; b < 5; b++)
        {
            builder.Reset();
            builder.BaseOffset = b * 100;
            for (int i = 0; i <= b; i++)
            {
                builder.Append(b, new[] { (byte)b }, new[] { (byte)i });
            }

            sizes.Add(builder.WriteTo(output));
        }

        ReadOnlyMemory<byte> blob = output.WrittenMemory;
        var reader = new RecordBatchReader(blob.Span);
        int index = 0;
        int expectedStart = 0;
        while (reader.TryReadNext(out var batch))
        {
            Assert.Equal(expectedStart, batch.BufferStart);
            Assert.Equal(sizes[index], batch.Bytes.Length);
            Assert.True(blob.Slice(batch.BufferStart, batch.Header.SizeInBytes).Span.SequenceEqual(batch.Bytes));
            Assert.Equal(index * 100, batch.Header.BaseOffset);
            Assert.Equal(index + 1, batch.Header.RecordCount);
            expectedStart += sizes[index];
            Assert.Equal(expectedStart, reader.Position);
            index++;
        }

        Assert.Equal(5, index);
        Assert.False(reader.IsTruncated);
        Assert.Equal(0, reader.TruncatedBytes);
    }

    [Fact]
    public void Large_values_of_megabytes_round_trip()
    {
        var random = new Random(3);
        var big = TestRecord.RandomBytes(random, 3 << 20);
        using var builder = new RecordBatchBuilder();
        builder.Append(1, big, big);
        var batch = RecordBatchView.Read(builder.ToArray());
        var e = batch.GetRecords();
        Assert.True(e.MoveNext());
        Assert.True(e.Current.Key.SequenceEqual(big));
        Assert.True(e.Current.Value.SequenceEqual(big));
        Assert.False(e.MoveNext());
    }
}
