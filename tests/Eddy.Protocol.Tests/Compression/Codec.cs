using System.Buffers;
using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Tests.Compression;

internal static class Codec
{
    public static byte[] Compress(CompressionType type, ReadOnlySpan<byte> data)
    {
        var writer = new ArrayBufferWriter<byte>();
        CompressionCodecs.Compress(type, data, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Decompress(CompressionType type, ReadOnlySpan<byte> data, int max = 64 << 20)
    {
        var writer = new ArrayBufferWriter<byte>();
        CompressionCodecs.Decompress(type, data, writer, max);
        Assert.True(writer.WrittenCount <= max);
        return writer.WrittenSpan.ToArray();
    }

    public static KafkaProtocolException DecompressFails(CompressionType type, ReadOnlySpan<byte> data, int max = 64 << 20)
    {
        var writer = new ArrayBufferWriter<byte>();
        try
        {
            CompressionCodecs.Decompress(type, data, writer, max);
        }
        catch (KafkaProtocolException e)
        {
            Assert.True(writer.WrittenCount <= max);
            return e;
        }

        throw new Xunit.Sdk.XunitException($"{type} decompression of {data.Length} bytes succeeded but should have failed");
    }

    /// <summary>Asserts byte equality with a useful message (first difference) instead of dumping megabytes.</summary>
    public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        int common = expected.CommonPrefixLength(actual);
        throw new Xunit.Sdk.XunitException($"{what}: expected {expected.Length} bytes, got {actual.Length}; first difference at {common}");
    }
}
