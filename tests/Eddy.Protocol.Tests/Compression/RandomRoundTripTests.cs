using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// Many small deterministic inputs of every shape through each compressor, decoded by our decoders and,
/// in one batch each, by the reference decoders (zstd and lz4 CLIs read concatenated frames;
/// kafka-python reads xerial streams).
/// </summary>
public class RandomRoundTripTests
{
    private static List<byte[]> Inputs(int seed, int count)
    {
        var random = new Random(seed);
        var inputs = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(4) switch { 0 => random.Next(0, 20), 1 => random.Next(20, 300), 2 => random.Next(300, 5000), _ => random.Next(5000, 300_000) };
            byte[] data = random.Next(7) switch
            {
                0 => TestData.Random(length, random.Next()),
                1 => TestData.Repeating(length, random.Next(1, 300), random.Next()),
                2 => TestData.Text(length, random.Next()),
                3 => TestData.Mixed(length, random.Next()),
                4 => TestData.SmallAlphabet(length, random.Next()),
                5 => Alphabet(length, random.Next(2, 140), random),
                _ => TestData.JsonRecords((length / 100) + 1, 100, random.Next()).AsSpan(0, length).ToArray(),
            };
            inputs.Add(data);
        }

        return inputs;
    }

    /// <summary>Random bytes below <paramref name="symbols"/>: exercises the Huffman alphabet limits (128 and 129).</summary>
    private static byte[] Alphabet(int length, int symbols, Random random)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)Math.Min(random.Next(symbols), random.Next(symbols));
        }

        return data;
    }

    [Theory]
    [InlineData(CompressionType.Snappy, 1)]
    [InlineData(CompressionType.Lz4, 2)]
    [InlineData(CompressionType.Zstd, 3)]
    [InlineData(CompressionType.Gzip, 4)]
    public void Our_decoder_and_the_reference_decoder_restore_every_input(CompressionType type, int seed)
    {
        List<byte[]> inputs = Inputs(seed, 400);
        var all = new MemoryStream();
        var frames = new MemoryStream();
        var calls = new List<(string, byte[])>();
        for (int i = 0; i < inputs.Count; i++)
        {
            byte[] compressed = Codec.Compress(type, inputs[i]);
            Codec.Equal(inputs[i], Codec.Decompress(type, compressed, Math.Max(inputs[i].Length, 1)), $"{type} input {i}");
            all.Write(inputs[i]);
            frames.Write(compressed);
            if (inputs[i].Length > 0)
            {
                calls.Add(("unxerial", compressed));
            }
        }

        switch (type)
        {
            case CompressionType.Zstd:
                Codec.Equal(all.ToArray(), ExternalTools.Run("zstd", "-q -d -c", frames.ToArray()), "zstd -d of all frames");
                break;
            case CompressionType.Lz4:
                Codec.Equal(all.ToArray(), ExternalTools.Run("lz4", "-q -d -c", frames.ToArray()), "lz4 -d of all frames");
                break;
            case CompressionType.Gzip:
                Codec.Equal(all.ToArray(), ExternalTools.Run("gzip", "-d -c", frames.ToArray()), "gzip -d of all members");
                break;
            case CompressionType.Snappy:
                const string Script = """
                    from kafka import codec
                    def run(op, data):
                        return codec.snappy_decode(data)
                    """;
                List<byte[]> results = ExternalTools.Python3(Script, calls);
                int r = 0;
                foreach (byte[] input in inputs)
                {
                    if (input.Length > 0)
                    {
                        Codec.Equal(input, results[r++], "kafka-python snappy_decode");
                    }
                }

                break;
        }
    }
}
