using System.Buffers;
using System.Buffers.Binary;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Internal.Storage;

/// <summary>
/// Up-converts a legacy message set (magic 0 or 1, sent with Produce v0-v2) to one record batch v2, as
/// Kafka's LogValidator does on append: each message (inner messages of a compressed wrapper) becomes a
/// record with the same key, value and timestamp (-1 for magic 0), compressed again with the wrapper's
/// codec. CRC-32 (IEEE) of every message is checked. Eddy stores and serves only record batches v2.
/// </summary>
internal static class LegacyMessageSets
{
    private const int MaxDepth = 2;
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Whether <paramref name="records"/> starts with a legacy message (magic 0 or 1).</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> records) => records.Length > 16 && records[16] is 0 or 1;

    /// <summary>Converts; throws <see cref="KafkaProtocolException"/> (CORRUPT_MESSAGE / INVALID_RECORD) on bad input.</summary>
    public static byte[] ToRecordBatch(ReadOnlySpan<byte> records, int maxDecompressedBytes)
    {
        using var builder = new RecordBatchBuilder(Math.Max(1024, records.Length));
        var codec = CompressionType.None;
        Parse(records, builder, ref codec, depth: 0, wrapperTimestamp: null, maxDecompressedBytes);
        if (builder.Count == 0)
        {
            throw new KafkaProtocolException("the legacy message set holds no message", ErrorCode.InvalidRecord);
        }

        builder.Compression = codec;
        return builder.ToArray();
    }

    private static void Parse(ReadOnlySpan<byte> set, RecordBatchBuilder builder, ref CompressionType codec, int depth, long? wrapperTimestamp, int maxDecompressedBytes)
    {
        int position = 0;
        while (position < set.Length)
        {
            if (set.Length - position < 12)
            {
                throw Corrupt($"a partial message header of {set.Length - position} bytes ends the message set");
            }

            int size = BinaryPrimitives.ReadInt32BigEndian(set.Slice(position + 8));
            if (size < 14 || size > set.Length - position - 12)
            {
                throw Corrupt($"message size {size} at byte {position} does not fit the message set");
            }

            var message = set.Slice(position + 12, size);
            position += 12 + size;
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(message);
            if (Crc32(message.Slice(4)) != crc)
            {
                throw Corrupt("a legacy message failed its CRC-32 check");
            }

            sbyte magic = (sbyte)message[4];
            byte attributes = message[5];
            int at = 6;
            long timestamp = RecordBatchHeader.NoTimestamp;
            if (magic == 1)
            {
                if (message.Length < 22)
                {
                    throw Corrupt("a magic 1 message is too short");
                }

                timestamp = BinaryPrimitives.ReadInt64BigEndian(message.Slice(at));
                at += 8;
                if ((attributes & 0x08) != 0)
                {
                    // LogAppendTime on a wrapper applies to its inner messages.
                    wrapperTimestamp ??= timestamp;
                }
            }
            else if (magic != 0)
            {
                throw new KafkaProtocolException($"legacy message with magic {magic}", ErrorCode.InvalidRecord);
            }

            var key = ReadBytes(message, ref at, out bool keyNull);
            var value = ReadBytes(message, ref at, out bool valueNull);
            var messageCodec = (CompressionType)(attributes & 0x07);
            if (messageCodec != CompressionType.None)
            {
                if (depth >= MaxDepth - 1 || valueNull)
                {
                    throw Corrupt("a compressed legacy message must wrap uncompressed messages");
                }

                codec = messageCodec;
                var inner = new ArrayBufferWriter<byte>(Math.Max(256, value.Length * 4));
                CompressionCodecs.Decompress(messageCodec, value, inner, maxDecompressedBytes);
                Parse(inner.WrittenSpan, builder, ref codec, depth + 1, magic == 1 ? wrapperTimestamp : null, maxDecompressedBytes);
                continue;
            }

            builder.Append(
                wrapperTimestamp ?? timestamp,
                keyNull ? NullableBytes.Null : NullableBytes.FromReadOnlySpan(key),
                valueNull ? NullableBytes.Null : NullableBytes.FromReadOnlySpan(value));
        }
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> message, ref int at, out bool isNull)
    {
        if (message.Length - at < 4)
        {
            throw Corrupt("a legacy message ends inside a length");
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(message.Slice(at));
        at += 4;
        isNull = length < 0;
        if (length < 0)
        {
            return default;
        }

        if (length > message.Length - at)
        {
            throw Corrupt($"a legacy message field of {length} bytes overruns the message");
        }

        var bytes = message.Slice(at, length);
        at += length;
        return bytes;
    }

    private static KafkaProtocolException Corrupt(string message) => new(message, ErrorCode.CorruptMessage);

    /// <summary>CRC-32 (IEEE 802.3, as java.util.zip.CRC32), used by legacy messages.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
