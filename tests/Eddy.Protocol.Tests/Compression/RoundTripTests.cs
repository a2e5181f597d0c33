using System.Buffers.Binary;
using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Tests.Compression;

public class RoundTripTests
{
    public static TheoryData<CompressionType, string> Cases()
    {
        var data = new TheoryData<CompressionType, string>();
        foreach (CompressionType type in Enum.GetValues<CompressionType>())
        {
            foreach ((string name, _) in TestData.Standard())
            {
                data.Add(type, name);
            }
        }

        return data;
    }

    private static byte[] Input(string name)
    {
        foreach ((string n, byte[] d) in TestData.Standard())
        {
            if (n == name)
            {
                return d;
            }
        }

        throw new ArgumentException(name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compress_then_decompress_returns_the_input(CompressionType type, string input)
    {
        byte[] data = Input(input);
        byte[] compressed = Codec.Compress(type, data);
        byte[] restored = Codec.Decompress(type, compressed, Math.Max(data.Length, 1));
        Codec.Equal(data, restored, $"{type} {input}");
    }

    [Theory]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Repetitive_input_compresses_well_and_random_input_barely_grows(CompressionType type)
    {
        byte[] json = TestData.JsonRecords(1000, 100, 1);
        Assert.True(Codec.Compress(type, json).Length < json.Length / 3, "JSON records should shrink at least 3x");
        byte[] zeros = new byte[1 << 20];
        // A Snappy copy element yields at most 64 bytes from 3, so ~21x is its ceiling; LZ4's is ~250x.
        int ratio = type == CompressionType.Snappy ? 20 : 200;
        Assert.True(Codec.Compress(type, zeros).Length < zeros.Length / ratio, $"zeros should shrink at least {ratio}x");
        byte[] random = TestData.Random(100_000, 2);
        Assert.True(Codec.Compress(type, random).Length < random.Length + 200, "random input should grow by at most a small overhead");
    }

    [Fact]
    public void Every_codec_is_compressible_and_decompressible()
    {
        foreach (CompressionType type in Enum.GetValues<CompressionType>())
        {
            Assert.True(CompressionCodecs.CanDecompress(type), type.ToString());
            Assert.True(CompressionCodecs.CanCompress(type), type.ToString());
        }

        Assert.False(CompressionCodecs.CanCompress((CompressionType)5));
        Assert.False(CompressionCodecs.CanDecompress((CompressionType)5));
    }

    [Fact]
    public void An_unknown_codec_is_refused_as_unsupported()
    {
        var e = Assert.Throws<KafkaProtocolException>(() => Codec.Compress((CompressionType)5, "abc"u8));
        Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
        e = Codec.DecompressFails((CompressionType)5, "abc"u8);
        Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
    }

    [Fact]
    public void Lz4_output_has_the_frame_header_Kafka_producers_write()
    {
        byte[] compressed = Codec.Compress(CompressionType.Lz4, TestData.Text(200_000, 3));

        // Magic, FLG 0x60 (v1, independent blocks), BD 0x40 (64 KiB), HC 0x82 = (xxh32(60 40) >> 8) & 0xFF.
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82 }, compressed[..7]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4)));

        // 200,000 bytes make four blocks of at most 64 KiB each.
        int position = 7;
        int blocks = 0;
        while (true)
        {
            uint header = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(position));
            position += 4;
            if (header == 0)
            {
                break;
            }

            Assert.True((header & 0x7FFFFFFF) <= 65536);
            position += (int)(header & 0x7FFFFFFF);
            blocks++;
        }

        Assert.Equal(4, blocks);
        Assert.Equal(compressed.Length, position);
    }

    [Fact]
    public void Lz4_stores_incompressible_blocks_uncompressed()
    {
        byte[] random = TestData.Random(1000, 4);
        byte[] compressed = Codec.Compress(CompressionType.Lz4, random);
        uint header = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(7));
        Assert.Equal(0x80000000u | 1000u, header);
        Assert.Equal(random, compressed.AsSpan(11, 1000).ToArray());
    }

    [Fact]
    public void Snappy_output_is_xerial_framed_in_32KiB_chunks_like_snappy_java()
    {
        byte[] data = TestData.Text(100_000, 5);
        byte[] compressed = Codec.Compress(CompressionType.Snappy, data);
        Assert.Equal(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1 }, compressed[..16]);
        int position = 16;
        int chunks = 0;
        while (position < compressed.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position));
            position += 4 + length;
            chunks++;
        }

        Assert.Equal(4, chunks); // 3 x 32 KiB + 1,696 bytes
        Assert.Equal(compressed.Length, position);
    }

    [Fact]
    public void Snappy_decompresses_a_raw_block_without_framing_like_librdkafka_sends()
    {
        byte[] data = TestData.JsonRecords(100, 100, 6);
        byte[] block = new byte[Eddy.Protocol.Compression.Internal.SnappyCodec.MaxBlockLength(data.Length)];
        int length = Eddy.Protocol.Compression.Internal.SnappyCodec.CompressBlock(data, block);
        Codec.Equal(data, Codec.Decompress(CompressionType.Snappy, block.AsSpan(0, length)), "raw snappy");
    }

    [Fact]
    public void Empty_input_decompresses_to_nothing()
    {
        foreach (CompressionType type in Enum.GetValues<CompressionType>())
        {
            Assert.Empty(Codec.Decompress(type, []));
        }
    }
}
