using System.Buffers.Binary;
using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// Zstd known answers: inputs compressed by Debian's zstd CLI (1.5.4, installed by
/// scripts/bootstrap.sh test) at several levels and options, decoded by our decoder; and our
/// frames decoded by the CLI.
/// </summary>
public sealed class ZstdTests : IClassFixture<ZstdTests.Inputs>
{
    private readonly Inputs _inputs;

    public ZstdTests(Inputs inputs) => _inputs = inputs;

    /// <summary>The standard inputs plus a multi-MB one, written once to a temp directory.</summary>
    public sealed class Inputs : IDisposable
    {
        public Inputs()
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("eddy-zstd-").FullName;
            foreach ((string name, byte[] data) in TestData.Standard())
            {
                Files[name] = data;
            }

            Files["text-4m"] = TestData.Text(4 << 20, 100);
            Files["mixed-3m"] = TestData.Mixed(3 << 20, 101);
            foreach ((string name, byte[] data) in Files)
            {
                File.WriteAllBytes(Path.Combine(Directory, name), data);
            }
        }

        public string Directory { get; }

        public Dictionary<string, byte[]> Files { get; } = [];

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    public static TheoryData<string> Options() =>
    [
        "-1",
        "-3",
        "-9",
        "-19",
        "--ultra -22",
        "-1 --no-check",
        "-19 --no-check",
        "-3 --no-content-size",
        "-5 --long=24",
        "--fast=5",
        "-12 -B65536",
    ];

    [Theory]
    [MemberData(nameof(Options))]
    public void Decodes_every_input_the_zstd_cli_compressed(string options)
    {
        string output = Path.Combine(_inputs.Directory, "out-" + options.Replace(' ', '_').Replace("-", "", StringComparison.Ordinal));
        Directory.CreateDirectory(output);
        string files = string.Join(' ', _inputs.Files.Keys);
        RunIn(_inputs.Directory, "zstd", $"-q -f -k {options} --output-dir-flat {output} {files}");
        foreach ((string name, byte[] data) in _inputs.Files)
        {
            byte[] compressed = File.ReadAllBytes(Path.Combine(output, name + ".zst"));
            Codec.Equal(data, Codec.Decompress(CompressionType.Zstd, compressed, Math.Max(data.Length, 1)), $"zstd {options} {name}");
        }
    }

    [Theory]
    [InlineData("-3")]
    [InlineData("-19")]
    public void Decodes_streamed_frames_without_content_size(string options)
    {
        foreach (string name in new[] { "empty", "one-byte", "json-records", "mixed-1m", "period-70000" })
        {
            byte[] data = _inputs.Files[name];
            byte[] compressed = ExternalTools.Run("zstd", $"-q -c {options}", data);

            // Frame header descriptor: no content size flag, not single-segment (the CLI writes an
            // empty input as a single-segment frame of declared size 0).
            if (data.Length > 0)
            {
                Assert.Equal(0, compressed[4] & 0xE0);
            }
            Codec.Equal(data, Codec.Decompress(CompressionType.Zstd, compressed, Math.Max(data.Length, 1)), $"zstd stdin {options} {name}");
        }
    }

    [Fact]
    public void The_zstd_cli_decodes_our_frames()
    {
        foreach ((string name, byte[] data) in _inputs.Files)
        {
            byte[] ours = Codec.Compress(CompressionType.Zstd, data);
            Codec.Equal(data, ExternalTools.Run("zstd", "-q -d -c", ours), $"zstd -d of our {name}");
        }
    }

    [Fact]
    public void Inputs_over_8MiB_get_a_windowed_frame_the_cli_decodes()
    {
        byte[] data = TestData.Mixed(9 << 20, 102);
        byte[] ours = Codec.Compress(CompressionType.Zstd, data);
        Assert.Equal(0x84, ours[4]); // content size (4 bytes) + checksum, not single-segment
        Assert.Equal(13 << 3, ours[5]); // 8 MiB window
        Codec.Equal(data, ExternalTools.Run("zstd", "-q -d -c", ours), "zstd -d of a 9 MiB frame");
        Codec.Equal(data, Codec.Decompress(CompressionType.Zstd, ours), "our decoder on a 9 MiB frame");
    }

    [Fact]
    public void Our_frames_compress_record_payloads_within_40_percent_of_zstd_level_1_and_better_than_lz4()
    {
        byte[] data = _inputs.Files["json-records"];
        int ours = Codec.Compress(CompressionType.Zstd, data).Length;
        int reference = ExternalTools.Run("zstd", "-q -c -1", data).Length;
        int lz4 = Codec.Compress(CompressionType.Lz4, data).Length;
        Assert.True(ours < reference * 1.4, $"ours {ours} bytes, zstd -1 {reference}");
        Assert.True(ours < lz4, $"ours {ours} bytes, lz4 {lz4}");
    }

    [Fact]
    public void Decodes_concatenated_and_skippable_frames()
    {
        byte[] a = _inputs.Files["json-records"];
        byte[] b = _inputs.Files["short-text"];
        byte[] frameA = ExternalTools.Run("zstd", "-q -c -3", a);
        byte[] frameB = ExternalTools.Run("zstd", "-q -c -19 --no-check", b);
        byte[] skippable = [0x5A, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
        byte[] all = [.. skippable, .. frameA, .. skippable, .. frameB, .. skippable];
        Codec.Equal([.. a, .. b], Codec.Decompress(CompressionType.Zstd, all), "concatenated");
    }

    [Fact]
    public void A_corrupted_content_checksum_is_detected()
    {
        byte[] compressed = ExternalTools.Run("zstd", "-q -c -3", _inputs.Files["text-1.5m"]);
        compressed[^1] ^= 0x40;
        var e = Codec.DecompressFails(CompressionType.Zstd, compressed);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    [Fact]
    public void A_frame_that_needs_a_dictionary_is_unsupported()
    {
        // Frame header: single segment, 1-byte dictionary id 7, 1-byte content size 3; one raw last block "abc".
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x21, 7, 3, 0x19, 0, 0, (byte)'a', (byte)'b', (byte)'c'];
        var e = Codec.DecompressFails(CompressionType.Zstd, frame);
        Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
        Assert.Contains("dictionary 7", e.Message, StringComparison.Ordinal);

        frame[5] = 0; // dictionary id 0 means none
        Assert.Equal("abc"u8.ToArray(), Codec.Decompress(CompressionType.Zstd, frame));
    }

    [Fact]
    public void Decoded_size_must_match_the_declared_content_size()
    {
        // Declares 4 bytes, holds a raw block of 3.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 4, 0x19, 0, 0, (byte)'a', (byte)'b', (byte)'c'];
        var e = Codec.DecompressFails(CompressionType.Zstd, frame);
        Assert.Contains("declared", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_beyond_the_bound_fails_with_the_bound_error()
    {
        byte[] data = _inputs.Files["text-1.5m"];
        foreach (string options in new[] { "-q -c -3", "-q -c -3 --no-content-size" })
        {
            byte[] compressed = ExternalTools.Run("zstd", options, data);
            var e = Codec.DecompressFails(CompressionType.Zstd, compressed, data.Length - 1);
            Assert.Contains("more than the", e.Message, StringComparison.Ordinal);
            Assert.Equal(data, Codec.Decompress(CompressionType.Zstd, compressed, data.Length));
        }
    }

    [Fact]
    public void Content_checksum_is_the_low_32_bits_of_xxhash64()
    {
        byte[] data = _inputs.Files["json-records"];
        byte[] compressed = ExternalTools.Run("zstd", "-q -c -3", data);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4));
        Assert.Equal(stored, (uint)Eddy.Protocol.Compression.Internal.XxHash64.Hash(data));
    }

    private static void RunIn(string directory, string file, string arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments}: {errors}");
    }
}
