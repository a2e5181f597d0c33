using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Tests;

/// <summary>Up-conversion of hand-built legacy message sets (magic 0 and 1) to record batches v2.</summary>
public class LegacyMessageSetTests
{
    private static byte[] Message(byte magic, byte attributes, long? timestamp, string? key, byte[]? value, long offset = 0)
    {
        var body = new MemoryStream();
        body.WriteByte(magic);
        body.WriteByte(attributes);
        Span<byte> eight = stackalloc byte[8];
        if (magic == 1)
        {
            BinaryPrimitives.WriteInt64BigEndian(eight, timestamp ?? -1);
            body.Write(eight);
        }

        WriteBytes(body, key is null ? null : Encoding.UTF8.GetBytes(key));
        WriteBytes(body, value);
        var payload = body.ToArray();
        var message = new byte[12 + 4 + payload.Length];
        BinaryPrimitives.WriteInt64BigEndian(message, offset);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(8), 4 + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), LegacyMessageSets.Crc32(payload));
        payload.CopyTo(message, 16);
        return message;
    }

    private static void WriteBytes(Stream stream, byte[]? bytes)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, bytes?.Length ?? -1);
        stream.Write(four);
        if (bytes is not null)
        {
            stream.Write(bytes);
        }
    }

    private static List<(long Timestamp, string? Key, string? Value)> Records(byte[] batch)
    {
        var view = RecordBatchView.Read(batch);
        view.EnsureValidCrc();
        var list = new List<(long, string?, string?)>();
        foreach (var r in view.GetRecords())
        {
            list.Add((r.Timestamp, r.IsKeyNull ? null : Encoding.UTF8.GetString(r.Key), r.IsValueNull ? null : Encoding.UTF8.GetString(r.Value)));
        }

        return list;
    }

    [Fact]
    public void Magic_0_messages_become_records_without_timestamps()
    {
        var set = Message(0, 0, null, "a", "1"u8.ToArray()).Concat(Message(0, 0, null, null, null, 1)).ToArray();
        Assert.True(LegacyMessageSets.IsLegacy(set));
        var batch = LegacyMessageSets.ToRecordBatch(set, 1 << 20);
        Assert.Equal([(-1L, "a", "1"), (-1L, null, null)], Records(batch));
        Assert.Equal(2, ProduceValidator.Validate(batch, 3).RecordCount);
    }

    [Fact]
    public void Magic_1_gzip_wrapper_becomes_one_gzip_batch_with_the_inner_timestamps()
    {
        var inner = Message(1, 0, 1000, "k1", "v1"u8.ToArray(), 0).Concat(Message(1, 0, 1005, "k2", "v2"u8.ToArray(), 1)).ToArray();
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(inner);
        }

        var wrapper = Message(1, (byte)CompressionType.Gzip, 1005, null, compressed.ToArray(), 1);
        var batch = LegacyMessageSets.ToRecordBatch(wrapper, 1 << 20);
        Assert.Equal(CompressionType.Gzip, RecordBatchHeader.Read(batch).Compression);
        Assert.Equal([(1000L, "k1", "v1"), (1005L, "k2", "v2")], Records(batch));
    }

    [Fact]
    public void A_legacy_message_with_a_bad_crc_is_a_corrupt_message()
    {
        var set = Message(1, 0, 5, "k", "v"u8.ToArray());
        set[^1] ^= 1;
        var e = Assert.Throws<KafkaProtocolException>(() => LegacyMessageSets.ToRecordBatch(set, 1 << 20));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    [Fact]
    public void A_truncated_or_oversized_message_size_is_a_corrupt_message()
    {
        var set = Message(0, 0, null, "k", "v"u8.ToArray());
        BinaryPrimitives.WriteInt32BigEndian(set.AsSpan(8), int.MaxValue);
        Assert.Equal(ErrorCode.CorruptMessage, Assert.Throws<KafkaProtocolException>(() => LegacyMessageSets.ToRecordBatch(set, 1 << 20)).ErrorCode);
        Assert.Equal(ErrorCode.CorruptMessage, Assert.Throws<KafkaProtocolException>(() => LegacyMessageSets.ToRecordBatch(set.AsSpan(0, 20), 1 << 20)).ErrorCode);
    }
}
