using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Compression.Internal;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// LZ4 known answers from Debian's lz4 CLI (1.9.4) and python3-lz4 (4.0.2), both installed by
/// scripts/bootstrap.sh test, in both directions. The CLI's defaults (content checksum, 4 MiB blocks)
/// and options (linked blocks, block checksums, content size) cover frame features Kafka's producer
/// never uses.
/// </summary>
public class Lz4Tests
{
    private static readonly string[] Names = ["empty", "one-byte", "three-bytes", "short-text", "random-300k", "zeros-1m", "period-1", "period-7", "period-70000", "text-1.5m", "json-records", "mixed-1m"];

    private static Dictionary<string, byte[]> Inputs()
    {
        var inputs = new Dictionary<string, byte[]>();
        foreach ((string name, byte[] data) in TestData.Standard())
        {
            if (Array.IndexOf(Names, name) >= 0)
            {
                inputs[name] = data;
            }
        }

        return inputs;
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-9")]
    [InlineData("-12")]
    [InlineData("-BD")]
    [InlineData("-BD -B4")]
    [InlineData("-B4")]
    [InlineData("-B5")]
    [InlineData("-B6 -BX")]
    [InlineData("--no-frame-crc")]
    [InlineData("--content-size")]
    [InlineData("-BD -BX --content-size -9")]
    public void Decodes_frames_the_lz4_cli_wrote(string options)
    {
        string directory = Directory.CreateTempSubdirectory("eddy-lz4-").FullName;
        try
        {
            foreach ((string name, byte[] data) in Inputs())
            {
                string path = Path.Combine(directory, name);
                File.WriteAllBytes(path, data);
                byte[] compressed = ExternalTools.Run("lz4", $"-q -c {options} {path}", []);
                Codec.Equal(data, Codec.Decompress(CompressionType.Lz4, compressed, Math.Max(data.Length, 1)), $"lz4 {options} {name}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_lz4_cli_decodes_our_frames()
    {
        foreach ((string name, byte[] data) in Inputs())
        {
            byte[] ours = Codec.Compress(CompressionType.Lz4, data);
            Codec.Equal(data, ExternalTools.Run("lz4", "-q -d -c", ours), $"lz4 -d of {name}");
        }
    }

    [Fact]
    public void Python_lz4_frames_with_every_option_decode_and_python_decodes_ours()
    {
        const string Script = """
            import lz4.frame, lz4.block
            def run(op, data):
                if op == 'linked':
                    return lz4.frame.compress(data, block_linked=True, content_checksum=True, block_checksum=True, store_size=True, block_size=lz4.frame.BLOCKSIZE_MAX64KB)
                if op == 'independent-1m':
                    return lz4.frame.compress(data, block_linked=False, store_size=False, block_size=lz4.frame.BLOCKSIZE_MAX1MB, compression_level=9)
                if op == 'block':
                    return lz4.block.compress(data, store_size=False)
                if op == 'decompress-frame':
                    return lz4.frame.decompress(data)
                raise ValueError(op)
            """;
        var inputs = Inputs();
        var calls = new List<(string, byte[])>();
        foreach (byte[] data in inputs.Values)
        {
            calls.Add(("linked", data));
            calls.Add(("independent-1m", data));
            calls.Add(("block", data));
            calls.Add(("decompress-frame", Codec.Compress(CompressionType.Lz4, data)));
        }

        List<byte[]> results = ExternalTools.Python3(Script, calls);
        int i = 0;
        foreach ((string name, byte[] data) in inputs)
        {
            Codec.Equal(data, Codec.Decompress(CompressionType.Lz4, results[i++]), $"python linked frame {name}");
            Codec.Equal(data, Codec.Decompress(CompressionType.Lz4, results[i++]), $"python 1 MiB frame {name}");
            byte[] block = results[i++];
            var output = new byte[data.Length];
            Assert.Equal(data.Length, Lz4Codec.DecodeBlock(block, output, 0));
            Codec.Equal(data, output, $"python raw block {name}");
            Codec.Equal(data, results[i++], $"python decoding our frame of {name}");
        }
    }

    [Fact]
    public void The_legacy_frame_format_is_unsupported()
    {
        byte[] legacy = ExternalTools.Run("lz4", "-q -c -l", TestData.Text(1000, 1));
        Assert.Equal(ErrorCode.UnsupportedCompressionType, Codec.DecompressFails(CompressionType.Lz4, legacy).ErrorCode);
    }

    [Fact]
    public void Concatenated_and_skippable_frames_decode_in_order()
    {
        byte[] a = TestData.JsonRecords(100, 100, 2);
        byte[] b = TestData.Text(5000, 3);
        byte[] skippable = [0x53, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9];
        byte[] all = [.. Codec.Compress(CompressionType.Lz4, a), .. skippable, .. ExternalTools.Run("lz4", "-q -c -BD", b), .. skippable];
        Codec.Equal([.. a, .. b], Codec.Decompress(CompressionType.Lz4, all), "concatenated");
    }

    [Fact]
    public void The_header_checksum_old_Kafka_clients_computed_over_the_magic_is_accepted_and_a_wrong_one_is_not()
    {
        byte[] data = TestData.Text(3000, 4);
        byte[] frame = Codec.Compress(CompressionType.Lz4, data);
        frame[6] = (byte)(XxHash32.Hash(frame.AsSpan(0, 6)) >> 8); // KIP-57: magic v0 hashed the magic too
        Codec.Equal(data, Codec.Decompress(CompressionType.Lz4, frame), "broken HC");
        frame[6] ^= 0x01;
        Assert.Contains("descriptor checksum", Codec.DecompressFails(CompressionType.Lz4, frame).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksums_are_verified()
    {
        byte[] data = TestData.Text(100_000, 5);
        byte[] contentChecked = ExternalTools.Run("lz4", "-q -c", data);
        contentChecked[^2] ^= 0x10;
        Assert.Contains("content checksum", Codec.DecompressFails(CompressionType.Lz4, contentChecked).Message, StringComparison.Ordinal);

        byte[] blockChecked = ExternalTools.Run("lz4", "-q -c -BX --no-frame-crc", data);
        blockChecked[^6] ^= 0x10; // inside the last block's checksum
        Assert.Contains("block checksum", Codec.DecompressFails(CompressionType.Lz4, blockChecked).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_larger_than_the_frame_maximum_is_rejected_with_both_sizes()
    {
        byte[] frame = Codec.Compress(CompressionType.Lz4, TestData.Text(1000, 6));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(7), 917504);
        var e = Codec.DecompressFails(CompressionType.Lz4, frame);
        Assert.Equal("corrupt Lz4 data: block size 917504 exceeds the frame's maximum 65536", e.Message);
    }

    [Fact]
    public void Our_raw_blocks_follow_the_end_of_block_rules()
    {
        // The last 5 bytes are literals and the last match starts at least 12 bytes before the end
        // (lz4_Block_format.md, "End of block conditions"); checked by walking the sequences, and the
        // blocks are decoded by liblz4 through python's lz4.block.
        const string Script = """
            import lz4.block
            def run(op, data):
                n = int.from_bytes(data[:4], 'big')
                return lz4.block.decompress(data[4:], uncompressed_size=n)
            """;
        var calls = new List<(string, byte[])>();
        var inputs = new List<byte[]>();
        for (int length = 0; length < 40; length++)
        {
            inputs.Add(TestData.Repeating(length, 2, length));
        }

        inputs.Add(TestData.JsonRecords(700, 100, 7).AsSpan(0, 65536).ToArray());
        inputs.Add(new byte[65536]);
        foreach (byte[] input in inputs)
        {
            var block = new byte[Lz4Codec.MaxBlockLength(input.Length) + 4];
            int length = Lz4Codec.CompressBlock(input, block.AsSpan(4));
            BinaryPrimitives.WriteInt32BigEndian(block, input.Length);
            calls.Add(("d", block.AsSpan(0, length + 4).ToArray()));
            AssertEndOfBlockRules(block.AsSpan(4, length), input.Length);
        }

        List<byte[]> results = ExternalTools.Python3(Script, calls);
        for (int i = 0; i < inputs.Count; i++)
        {
            Codec.Equal(inputs[i], results[i], $"python lz4.block of input {i}");
        }
    }

    private static void AssertEndOfBlockRules(ReadOnlySpan<byte> block, int decodedLength)
    {
        int position = 0;
        int output = 0;
        int lastMatchStart = -1;
        while (true)
        {
            int token = block[position++];
            int literals = token >> 4;
            if (literals == 15)
            {
                int b;
                do
                {
                    b = block[position++];
                    literals += b;
                }
                while (b == 255);
            }

            position += literals;
            output += literals;
            if (position == block.Length)
            {
                Assert.True(decodedLength < 13 || literals >= 5, $"last sequence has {literals} literals");
                break;
            }

            position += 2;
            int match = token & 15;
            if (match == 15)
            {
                int b;
                do
                {
                    b = block[position++];
                    match += b;
                }
                while (b == 255);
            }

            lastMatchStart = output;
            output += match + 4;
        }

        Assert.Equal(decodedLength, output);
        Assert.True(lastMatchStart < 0 || lastMatchStart <= decodedLength - 12, $"last match starts at {lastMatchStart} of {decodedLength}");
    }
}
