using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

/// <summary>
/// A batch assembled by hand from the spec layout (kafka-protocol.md §2), so the format is checked
/// independently of our writer. Its CRC, 0x30840486, was computed by kafka-python's calc_crc32c, and
/// kafka-python's DefaultRecordBatch reads it as the records below.
/// </summary>
public class RecordBatchKnownBytesTests
{
    // Record 0: length 15, attrs 0, ts delta 0, offset delta 0, key "k", value "hello", 1 header ("h", null).
    // Record 1: length 6, attrs 0, ts delta -1, offset delta 1, key null, value "", 0 headers.
    private static readonly byte[] RecordsSection = Convert.FromHexString("1E000000026B0A68656C6C6F020268010C000102010000");

    internal static byte[] HandAssembled()
    {
        var batch = new byte[61 + RecordsSection.Length];
        var s = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(s, 100);                    // BaseOffset
        BinaryPrimitives.WriteInt32BigEndian(s[8..], 49 + RecordsSection.Length); // Length: bytes after this field
        BinaryPrimitives.WriteInt32BigEndian(s[12..], 7);                // PartitionLeaderEpoch
        s[16] = 2;                                                       // Magic
        BinaryPrimitives.WriteUInt32BigEndian(s[17..], 0x30840486);      // CRC-32C over attributes..end
        BinaryPrimitives.WriteInt16BigEndian(s[21..], 0);                // Attributes
        BinaryPrimitives.WriteInt32BigEndian(s[23..], 1);                // LastOffsetDelta
        BinaryPrimitives.WriteInt64BigEndian(s[27..], 1000);             // BaseTimestamp
        BinaryPrimitives.WriteInt64BigEndian(s[35..], 1000);             // MaxTimestamp
        BinaryPrimitives.WriteInt64BigEndian(s[43..], -1);               // ProducerId
        BinaryPrimitives.WriteInt16BigEndian(s[51..], -1);               // ProducerEpoch
        BinaryPrimitives.WriteInt32BigEndian(s[53..], -1);               // BaseSequence
        BinaryPrimitives.WriteInt32BigEndian(s[57..], 2);                // RecordCount
        RecordsSection.CopyTo(s[61..]);
        return batch;
    }

    [Fact]
    public void Hand_assembled_batch_reads_field_by_field()
    {
        var bytes = HandAssembled();
        var batch = RecordBatchView.Read(bytes);
        batch.EnsureValidCrc();
        var h = batch.Header;
        Assert.Equal(
            new RecordBatchHeader
            {
                BaseOffset = 100,
                BatchLength = 72,
                PartitionLeaderEpoch = 7,
                Magic = 2,
                Crc = 0x30840486,
                Attributes = new RecordBatchAttributes(0),
                LastOffsetDelta = 1,
                BaseTimestamp = 1000,
                MaxTimestamp = 1000,
                ProducerId = -1,
                ProducerEpoch = -1,
                BaseSequence = -1,
                RecordCount = 2,
            },
            h);
        Assert.Equal(84, h.SizeInBytes);
        Assert.Equal(-1, h.LastSequence);
        Assert.False(h.HasProducerId);

        var e = batch.GetRecords();
        Assert.True(e.MoveNext());
        Assert.Equal(100, e.Current.Offset);
        Assert.Equal(1000, e.Current.Timestamp);
        Assert.Equal(16, e.Current.SizeInBytes);
        new TestRecord(1000, "k"u8.ToArray(), "hello"u8.ToArray(), [("h", null)]).AssertMatches(e.Current);
        Assert.True(e.MoveNext());
        Assert.Equal(101, e.Current.Offset);
        Assert.Equal(999, e.Current.Timestamp);
        Assert.Equal(-1, e.Current.TimestampDelta);
        new TestRecord(999, null, [], []).AssertMatches(e.Current);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Builder_writes_the_hand_assembled_bytes_exactly()
    {
        using var builder = new RecordBatchBuilder { BaseOffset = 100, PartitionLeaderEpoch = 7 };
        builder.Append(1000, "k"u8, "hello"u8, [new RecordHeader("h", (byte[]?)null)]);
        builder.Append(999, NullableBytes.Null, ReadOnlySpan<byte>.Empty);
        Assert.Equal(Convert.ToHexString(HandAssembled()), Convert.ToHexString(builder.ToArray()));
    }

    [Fact]
    public void Attribute_bits_follow_the_spec()
    {
        Assert.Equal(0x01, new RecordBatchAttributes(CompressionType.Gzip).Value);
        Assert.Equal(0x04, new RecordBatchAttributes(CompressionType.Zstd).Value);
        Assert.Equal(0x08, new RecordBatchAttributes(CompressionType.None, TimestampType.LogAppendTime).Value);
        Assert.Equal(0x10, new RecordBatchAttributes(CompressionType.None, isTransactional: true).Value);
        Assert.Equal(0x20, new RecordBatchAttributes(CompressionType.None, isControl: true).Value);
        Assert.Equal(0x40, new RecordBatchAttributes(CompressionType.None, hasDeleteHorizon: true).Value);
        var all = new RecordBatchAttributes(0x7B);
        Assert.Equal(CompressionType.Lz4, all.Compression);
        Assert.Equal(TimestampType.LogAppendTime, all.TimestampType);
        Assert.True(all.IsTransactional);
        Assert.True(all.IsControl);
        Assert.True(all.HasDeleteHorizon);
    }

    [Fact]
    public void Delete_horizon_is_the_base_timestamp_when_its_bit_is_set()
    {
        var bytes = HandAssembled();
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(21), 0x40);
        var header = RecordBatchHeader.Read(bytes);
        Assert.True(header.HasDeleteHorizon);
        Assert.Equal(1000, header.DeleteHorizonMs);
        Assert.Equal(-1, RecordBatchHeader.Read(HandAssembled()).DeleteHorizonMs);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(10, 5, 15)]
    [InlineData(int.MaxValue, 1, 0)]
    [InlineData(int.MaxValue - 2, 5, 2)]
    [InlineData(int.MaxValue, 0, int.MaxValue)]
    public void Sequence_numbers_wrap_like_kafka(int sequence, int increment, int expected) =>
        Assert.Equal(expected, RecordBatchHeader.IncrementSequence(sequence, increment));
}
