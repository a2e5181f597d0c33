using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// Hostile input: for every decompressor, 100,000 deterministic random and mutated inputs (bit flips,
/// byte overwrites, truncations, insertions, deletions, splices, length fields set to extremes) built
/// from valid compressed data. Only <see cref="KafkaProtocolException"/> may escape and the output
/// never exceeds the bound.
/// </summary>
public class RobustnessTests
{
    private const int Iterations = 100_000;

    [Theory]
    [InlineData(CompressionType.Snappy, 1)]
    [InlineData(CompressionType.Lz4, 2)]
    [InlineData(CompressionType.Zstd, 3)]
    [InlineData(CompressionType.Gzip, 4)]
    public void Mutated_and_random_inputs_fail_only_with_KafkaProtocolException_and_stay_in_bounds(CompressionType type, int seed)
    {
        List<byte[]> corpus = Corpus(type);
        var random = new Random(seed);
        var writer = new ArrayBufferWriter<byte>(1 << 16);
        int failures = 0;
        int successes = 0;
        var clock = Stopwatch.StartNew();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] sample = corpus[random.Next(corpus.Count)];
            byte[] input = Mutate(sample, corpus[random.Next(corpus.Count)], random);
            int max = random.Next(4) == 0 ? random.Next(0, 4096) : 1 << 20;
            writer.ResetWrittenCount();
            try
            {
                CompressionCodecs.Decompress(type, input, writer, max);
                successes++;
            }
            catch (KafkaProtocolException)
            {
                failures++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{type} iteration {iteration}: {e.GetType().Name} escaped for input {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 256)))}: {e}");
            }

            Assert.True(writer.WrittenCount <= max, $"{type} iteration {iteration}: wrote {writer.WrittenCount} bytes, bound {max}");
        }

        // The mutations must actually reach the decoders' error paths, and some inputs survive.
        Assert.True(failures > Iterations / 2, $"only {failures} of {Iterations} inputs were rejected");
        Assert.True(successes > 0, "no input decoded");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{Iterations} inputs took {clock.Elapsed}");
    }

    /// <summary>Valid compressed samples: ours, plus the reference CLIs' for the frame options Kafka's producer never uses.</summary>
    private static List<byte[]> Corpus(CompressionType type)
    {
        byte[][] inputs =
        [
            [],
            [0x42],
            TestData.Text(2000, 1),
            TestData.JsonRecords(30, 100, 2),
            TestData.Repeating(3000, 3, 3),
            TestData.Repeating(5000, 1, 4),
            TestData.Random(700, 5),
            TestData.SmallAlphabet(1500, 6),
            TestData.Mixed(6000, 7),
        ];
        var corpus = new List<byte[]>();
        foreach (byte[] input in inputs)
        {
            switch (type)
            {
                case CompressionType.Zstd:
                    corpus.Add(Codec.Compress(type, input));
                    corpus.Add(ExternalTools.Run("zstd", "-q -c -3", input));
                    corpus.Add(ExternalTools.Run("zstd", "-q -c -19 --no-check", input));
                    corpus.Add(ExternalTools.Run("zstd", "-q -c -1 --no-content-size", input));
                    break;
                case CompressionType.Lz4:
                    corpus.Add(Codec.Compress(type, input));
                    corpus.Add(ExternalTools.Run("lz4", "-q -c -BD -BX --content-size -9", input));
                    corpus.Add(ExternalTools.Run("lz4", "-q -c -B4", input));
                    break;
                case CompressionType.Snappy:
                    corpus.Add(Codec.Compress(type, input));
                    byte[] block = new byte[Eddy.Protocol.Compression.Internal.SnappyCodec.MaxBlockLength(input.Length)];
                    corpus.Add(block.AsSpan(0, Eddy.Protocol.Compression.Internal.SnappyCodec.CompressBlock(input, block)).ToArray());
                    break;
                default:
                    corpus.Add(Codec.Compress(type, input));
                    break;
            }
        }

        return corpus;
    }

    private static byte[] Mutate(byte[] sample, byte[] other, Random random)
    {
        var data = new List<byte>(sample);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(9))
            {
                case 0:
                    if (data.Count > 0)
                    {
                        int bit = random.Next(data.Count * 8);
                        data[bit / 8] ^= (byte)(1 << (bit % 8));
                    }

                    break;
                case 1:
                    if (data.Count > 0)
                    {
                        data[random.Next(data.Count)] = (byte)random.Next(256);
                    }

                    break;
                case 2:
                    if (data.Count > 0)
                    {
                        int keep = random.Next(data.Count);
                        data.RemoveRange(keep, data.Count - keep);
                    }

                    break;
                case 3:
                case 8:
                    if (data.Count > 0)
                    {
                        // Length fields live near the start (frame and block headers) or anywhere (block sizes).
                        int position = random.Next(2) == 0 ? random.Next(Math.Min(data.Count, 24)) : random.Next(data.Count);
                        byte[] extremes = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
                        int width = random.Next(1, 5);
                        for (int i = position; i < Math.Min(data.Count, position + width); i++)
                        {
                            data[i] = extremes[random.Next(extremes.Length)];
                        }
                    }

                    break;
                case 4:
                {
                    int count = random.Next(1, 9);
                    int position = random.Next(data.Count + 1);
                    for (int i = 0; i < count; i++)
                    {
                        data.Insert(position, (byte)random.Next(256));
                    }

                    break;
                }

                case 5:
                    if (data.Count > 1)
                    {
                        int position = random.Next(data.Count);
                        data.RemoveRange(position, Math.Min(random.Next(1, 17), data.Count - position));
                    }

                    break;
                case 6:
                {
                    int keep = random.Next(data.Count + 1);
                    data.RemoveRange(keep, data.Count - keep);
                    data.AddRange(other.AsSpan(random.Next(other.Length + 1)).ToArray());
                    break;
                }

                default:
                {
                    // Random body behind a valid-looking header.
                    int keep = Math.Min(data.Count, random.Next(4, 20));
                    data.RemoveRange(keep, data.Count - keep);
                    int count = random.Next(0, 300);
                    for (int i = 0; i < count; i++)
                    {
                        data.Add((byte)random.Next(256));
                    }

                    break;
                }
            }
        }

        return [.. data];
    }

    [Fact]
    public void Snappy_bombs_fail_with_the_bound_error_without_allocating_their_claimed_size()
    {
        // A raw block that claims 4 GiB - 1 bytes in 6 bytes.
        AssertBoundError(CompressionType.Snappy, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], 1 << 20);

        // 64 MiB of zeros: a real 3 MB xerial stream; the bound stops it at 1 MiB.
        AssertBoundError(CompressionType.Snappy, Codec.Compress(CompressionType.Snappy, new byte[64 << 20]), 1 << 20);
    }

    [Fact]
    public void Lz4_bombs_fail_with_the_bound_error_without_allocating_their_claimed_size()
    {
        // One block: literal 'x', then a match at distance 1 whose length runs on 250 extension bytes
        // (~64 KiB of output per ~260 bytes); the frame repeats it 4,000 times: ~256 MiB from ~1 MiB.
        var block = new List<byte> { 0x1F, (byte)'x', 1, 0 };
        block.AddRange(Enumerable.Repeat((byte)255, 250));
        block.Add(0);
        block.AddRange(new byte[] { 0x50, 1, 2, 3, 4, 5 }); // last literals
        byte[] blockBytes = [.. block];
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82 };
        for (int i = 0; i < 4000; i++)
        {
            var header = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, blockBytes.Length);
            frame.AddRange(header);
            frame.AddRange(blockBytes);
        }

        frame.AddRange(new byte[4]);
        AssertBoundError(CompressionType.Lz4, [.. frame], 1 << 20);

        // A frame that declares a content size of 2^60.
        byte[] declared = [0x04, 0x22, 0x4D, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0];
        declared[14] = (byte)(Eddy.Protocol.Compression.Internal.XxHash32.Hash(declared.AsSpan(4, 10)) >> 8);
        AssertBoundError(CompressionType.Lz4, declared, 1 << 20);
    }

    [Fact]
    public void Zstd_bombs_fail_with_the_bound_error_without_allocating_their_claimed_size()
    {
        // A windowed frame (window 128 KiB, no content size) of 10,000 RLE blocks of 128 KiB: 1.25 GiB from 40 KB.
        var frame = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38 };
        for (int i = 0; i < 10_000; i++)
        {
            int header = (128 * 1024) << 3 | (1 << 1) | (i == 9999 ? 1 : 0);
            frame.AddRange(new[] { (byte)header, (byte)(header >> 8), (byte)(header >> 16), (byte)'z' });
        }

        AssertBoundError(CompressionType.Zstd, [.. frame], 1 << 20);

        // A frame that declares 2^62 bytes of content.
        AssertBoundError(CompressionType.Zstd, [0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x38, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x01, 0, 0], 1 << 20);
    }

    [Fact]
    public void Gzip_bombs_fail_with_the_bound_error()
    {
        AssertBoundError(CompressionType.Gzip, Codec.Compress(CompressionType.Gzip, new byte[64 << 20]), 1 << 20);
    }

    private static void AssertBoundError(CompressionType type, byte[] input, int max)
    {
        var writer = new ArrayBufferWriter<byte>();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<KafkaProtocolException>(() => CompressionCodecs.Decompress(type, input, writer, max));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"{type} payload decompresses to more than the {max} bytes allowed", e.Message);
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        Assert.True(writer.WrittenCount <= max);
        Assert.True(allocated < (4L * max) + (8 << 20), $"{type}: allocated {allocated} bytes for a bound of {max}");
    }
}
