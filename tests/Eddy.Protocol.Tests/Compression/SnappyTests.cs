using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Compression.Internal;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>
/// Snappy known answers from python3-snappy 0.5.3 (Google's libsnappy, raw blocks) and kafka-python
/// 2.0.2's <c>kafka.codec</c> (xerial framing, what Java producers send), both installed by
/// scripts/bootstrap.sh test, in both directions.
/// </summary>
public class SnappyTests
{
    private const string Script = """
        import snappy
        from kafka import codec
        def run(op, data):
            if op == 'raw': return snappy.compress(data)
            if op == 'unraw': return snappy.decompress(data)
            if op == 'xerial': return codec.snappy_encode(data, xerial_compatible=True, xerial_blocksize=32*1024)
            if op == 'unxerial': return codec.snappy_decode(data)
            raise ValueError(op)
        """;

    private static byte[] RawBlock(byte[] data)
    {
        var block = new byte[SnappyCodec.MaxBlockLength(data.Length)];
        return block.AsSpan(0, SnappyCodec.CompressBlock(data, block)).ToArray();
    }

    [Fact]
    public void Libsnappy_and_kafka_python_output_decodes_and_they_decode_ours()
    {
        var inputs = new List<(string Name, byte[] Data)>(TestData.Standard());
        var calls = new List<(string, byte[])>();
        foreach ((_, byte[] data) in inputs)
        {
            calls.Add(("raw", data));
            calls.Add(("xerial", data));
            calls.Add(("unraw", RawBlock(data)));
            if (data.Length > 0)
            {
                // kafka-python only recognizes xerial framing longer than the 16-byte header.
                calls.Add(("unxerial", Codec.Compress(CompressionType.Snappy, data)));
            }
        }

        List<byte[]> results = ExternalTools.Python3(Script, calls);
        int i = 0;
        foreach ((string name, byte[] data) in inputs)
        {
            Codec.Equal(data, Codec.Decompress(CompressionType.Snappy, results[i++], Math.Max(data.Length, 1)), $"libsnappy raw {name}");
            byte[] xerial = results[i++];
            Assert.True(SnappyCodec.IsXerial(xerial));
            Codec.Equal(data, Codec.Decompress(CompressionType.Snappy, xerial, Math.Max(data.Length, 1)), $"kafka-python xerial {name}");
            Codec.Equal(data, results[i++], $"libsnappy decoding our raw block of {name}");
            if (data.Length > 0)
            {
                Codec.Equal(data, results[i++], $"kafka-python decoding our xerial stream of {name}");
            }
        }
    }

    [Fact]
    public void Concatenated_xerial_streams_decode_like_snappy_java_reads_them()
    {
        byte[] a = TestData.Text(50_000, 1);
        byte[] b = TestData.JsonRecords(10, 100, 2);
        byte[] both = [.. Codec.Compress(CompressionType.Snappy, a), .. Codec.Compress(CompressionType.Snappy, b)];
        Codec.Equal([.. a, .. b], Codec.Decompress(CompressionType.Snappy, both), "two xerial streams");
    }

    [Fact]
    public void Known_raw_block_decodes_to_known_text()
    {
        // Hand-assembled per format_description.txt: length 11, literal "abcd" (tag 0x0C), 1-byte-offset
        // copy of 7 at distance 4 (tag 0x0D = 01 | (7-4)<<2, offset 4): "abcdabcdabc".
        byte[] block = [11, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x0D, 4];
        Assert.Equal("abcdabcdabc"u8.ToArray(), Codec.Decompress(CompressionType.Snappy, block));
    }

    [Fact]
    public void Corruptions_name_what_is_wrong()
    {
        Assert.Contains("offset 5", Codec.DecompressFails(CompressionType.Snappy, [11, 0x0C, 1, 2, 3, 4, 0x0D, 5]).Message, StringComparison.Ordinal);
        Assert.Contains("declared 12", Codec.DecompressFails(CompressionType.Snappy, [12, 0x0C, 1, 2, 3, 4, 0x0D, 4]).Message, StringComparison.Ordinal);
        Assert.Contains("runs past", Codec.DecompressFails(CompressionType.Snappy, [4, 0x0C, 1, 2]).Message, StringComparison.Ordinal);

        byte[] xerial = Codec.Compress(CompressionType.Snappy, TestData.Text(1000, 3));
        BinaryPrimitives.WriteInt32BigEndian(xerial.AsSpan(16), 100_000);
        Assert.Contains("xerial chunk length 100000", Codec.DecompressFails(CompressionType.Snappy, xerial).Message, StringComparison.Ordinal);
    }
}
