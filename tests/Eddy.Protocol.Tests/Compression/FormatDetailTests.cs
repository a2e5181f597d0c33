using Eddy.Protocol.Compression;
using Eddy.Protocol.Compression.Internal;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>Format corners the reference tools rarely produce, built by hand from the specifications.</summary>
public class FormatDetailTests
{
    [Theory]
    [InlineData("", 0x02CC5D05u, 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0x550D7456u, 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x32D153FFu, 0x44BC2CF5AD770999UL)]
    public void XxHash_matches_the_published_test_vectors(string text, uint expected32, ulong expected64)
    {
        byte[] data = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected32, XxHash32.Hash(data));
        Assert.Equal(expected64, XxHash64.Hash(data));
    }

    [Fact]
    public void XxHash32_gives_the_same_hash_however_the_input_is_split()
    {
        byte[] data = TestData.Random(1000, 1);
        uint whole = XxHash32.Hash(data);
        var random = new Random(2);
        for (int trial = 0; trial < 50; trial++)
        {
            var hash = new XxHash32(0);
            int position = 0;
            while (position < data.Length)
            {
                int take = Math.Min(random.Next(0, 40), data.Length - position);
                hash.Append(data.AsSpan(position, take));
                position += take;
            }

            Assert.Equal(whole, hash.Finish());
        }
    }

    [Fact]
    public void Snappy_decodes_four_byte_offset_copies_and_every_literal_length_form()
    {
        // Literal of 3 (short form), then 60 (1-byte length), 300 (2-byte), 70,000 (3-byte) and 5 (4-byte form),
        // then a copy with a 4-byte offset (tag 11) reaching back over 70,000 bytes.
        byte[] a = TestData.Random(3, 1), b = TestData.Random(60, 2), c = TestData.Random(300, 3), d = TestData.Random(70_000, 4), e = TestData.Random(5, 5);
        int total = 3 + 60 + 300 + 70_000 + 5 + 10;
        var block = new List<byte>();
        uint length = (uint)total;
        while (length >= 0x80)
        {
            block.Add((byte)(length | 0x80));
            length >>= 7;
        }

        block.Add((byte)length);
        block.Add((3 - 1) << 2);
        block.AddRange(a);
        block.AddRange([60 << 2, 60 - 1]);
        block.AddRange(b);
        block.AddRange([61 << 2, (300 - 1) & 0xFF, (300 - 1) >> 8]);
        block.AddRange(c);
        block.AddRange([62 << 2, (70_000 - 1) & 0xFF, ((70_000 - 1) >> 8) & 0xFF, (70_000 - 1) >> 16]);
        block.AddRange(d);
        block.AddRange([63 << 2, 4, 0, 0, 0]);
        block.AddRange(e);
        int offset = 70_000 + 5 + 300; // back to the start of c
        block.Add(3 | ((10 - 1) << 2));
        block.AddRange(BitConverter.GetBytes(offset));
        byte[] expected = [.. a, .. b, .. c, .. d, .. e, .. c.AsSpan(0, 10).ToArray()];
        Codec.Equal(expected, Codec.Decompress(CompressionType.Snappy, block.ToArray()), "hand-made snappy block");
    }

    [Fact]
    public void Lz4_linked_blocks_reach_into_the_previous_block_and_respect_the_bound()
    {
        // Two 64 KiB linked blocks; the second is one match copying the first (offset 65535).
        byte[] first = TestData.Random(65536, 7);
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18, 0x40, 0x40 };
        frame.Add((byte)(XxHash32.Hash([0x40, 0x40]) >> 8));
        frame.AddRange(BitConverter.GetBytes(0x80000000u | 65536u));
        frame.AddRange(first);
        // token: 0 literals, match length 15+; offset 65535; length extension for 65531 - 4 - 15... then 5 literals.
        var second = new List<byte> { 0x0F, 0xFF, 0xFF };
        int extra = 65531 - 4 - 15;
        while (extra >= 255)
        {
            second.Add(255);
            extra -= 255;
        }

        second.Add((byte)extra);
        second.Add(0x50);
        second.AddRange(first.AsSpan(1, 5).ToArray());
        frame.AddRange(BitConverter.GetBytes(second.Count));
        frame.AddRange(second);
        frame.AddRange(new byte[4]);

        byte[] expected = new byte[65536 + 65536];
        first.CopyTo(expected, 0);
        for (int i = 0; i < 65531; i++)
        {
            expected[65536 + i] = expected[65536 + i - 65535];
        }

        first.AsSpan(1, 5).CopyTo(expected.AsSpan(65536 + 65531));
        Codec.Equal(expected, Codec.Decompress(CompressionType.Lz4, frame.ToArray()), "linked blocks");

        var e = Codec.DecompressFails(CompressionType.Lz4, frame.ToArray(), 100_000);
        Assert.Equal("Lz4 payload decompresses to more than the 100000 bytes allowed", e.Message);

        // The same second block in an independent-blocks frame reaches before its block: corrupt.
        frame[4] = 0x60;
        frame[6] = (byte)(XxHash32.Hash([0x60, 0x40]) >> 8);
        Assert.Contains("offset", Codec.DecompressFails(CompressionType.Lz4, frame.ToArray()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lz4_content_size_must_match_the_output()
    {
        byte[] data = TestData.Text(1000, 8);
        byte[] inner = Codec.Compress(CompressionType.Lz4, data);
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18, 0x68, 0x40 };
        frame.AddRange(BitConverter.GetBytes((ulong)(data.Length + 1)));
        frame.Add((byte)(XxHash32.Hash(frame.ToArray().AsSpan(4)) >> 8));
        frame.AddRange(inner.AsSpan(7).ToArray());
        Assert.Contains("declared content size 1001", Codec.DecompressFails(CompressionType.Lz4, frame.ToArray()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zstd_RLE_and_raw_blocks_and_a_window_descriptor_decode()
    {
        // Not single-segment, window descriptor 0x00 (1 KiB window), no content size: a raw block "hello"
        // then an RLE last block of 1,000 'x' (within the 1 KiB block maximum).
        var frame = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00 };
        AddBlockHeader(frame, last: false, type: 0, size: 5);
        frame.AddRange("hello"u8.ToArray());
        AddBlockHeader(frame, last: true, type: 1, size: 1000);
        frame.Add((byte)'x');
        byte[] expected = [.. "hello"u8.ToArray(), .. Enumerable.Repeat((byte)'x', 1000)];
        Codec.Equal(expected, Codec.Decompress(CompressionType.Zstd, frame.ToArray()), "raw + RLE blocks");

        // A block larger than the 1 KiB window is corrupt.
        var big = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00 };
        AddBlockHeader(big, last: true, type: 1, size: 1025);
        big.Add(1);
        Assert.Equal("corrupt Zstd data: block size 1025 exceeds the frame's maximum 1024", Codec.DecompressFails(CompressionType.Zstd, big.ToArray()).Message);
    }

    private static void AddBlockHeader(List<byte> frame, bool last, int type, int size)
    {
        int header = (size << 3) | (type << 1) | (last ? 1 : 0);
        frame.AddRange([(byte)header, (byte)(header >> 8), (byte)(header >> 16)]);
    }
}
