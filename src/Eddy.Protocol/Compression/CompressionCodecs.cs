using System.Buffers;
using System.IO.Compression;
using Eddy.Protocol.Compression.Internal;

namespace Eddy.Protocol.Compression;

/// <summary>
/// Compresses and decompresses record-batch payloads in managed code, in the formats Kafka clients
/// put on the wire.
/// </summary>
/// <remarks>
/// Decompression is bounded: it never produces more than <c>maxDecompressedBytes</c>, so a small
/// hostile payload cannot exhaust memory. Corrupt input throws <see cref="KafkaProtocolException"/>
/// with <see cref="ErrorCode.CorruptMessage"/>; a codec Eddy cannot handle throws it with
/// <see cref="ErrorCode.UnsupportedCompressionType"/>.
/// </remarks>
/// <example>
/// <code>
/// var compressed = new ArrayBufferWriter&lt;byte&gt;();
/// CompressionCodecs.Compress(CompressionType.Lz4, records, compressed);
/// var plain = new ArrayBufferWriter&lt;byte&gt;();
/// CompressionCodecs.Decompress(CompressionType.Lz4, compressed.WrittenSpan, plain, maxDecompressedBytes: 1 &lt;&lt; 20);
/// </code>
/// </example>
public static class CompressionCodecs
{
    /// <summary>Whether <see cref="Compress"/> supports <paramref name="type"/>: all five Kafka codecs.</summary>
    public static bool CanCompress(CompressionType type) =>
        type is CompressionType.None or CompressionType.Gzip or CompressionType.Snappy or CompressionType.Lz4 or CompressionType.Zstd;

    /// <summary>Whether <see cref="Decompress"/> supports <paramref name="type"/>: all five Kafka codecs.</summary>
    public static bool CanDecompress(CompressionType type) =>
        type is CompressionType.None or CompressionType.Gzip or CompressionType.Snappy or CompressionType.Lz4 or CompressionType.Zstd;

    /// <summary>Compresses <paramref name="source"/> and appends the result to <paramref name="destination"/>.</summary>
    /// <remarks>
    /// The output has the shape the Java producer writes, so that every Kafka consumer reads it:
    /// Snappy in snappy-java's xerial framing (32 KiB chunks), LZ4 as one LZ4 frame with independent
    /// 64 KiB blocks and no checksums beyond the header's, Zstd as one frame with its content size and
    /// checksum (a fast greedy compressor, near the reference implementation's level 1 in ratio).
    /// </remarks>
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        switch (type)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(source, destination);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, destination);
                break;
            case CompressionType.Zstd:
                ZstdEncoder.Compress(source, destination);
                break;
            default:
                throw Unsupported(type, "compression");
        }
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> and appends the result to <paramref name="destination"/>,
    /// failing if the output would exceed <paramref name="maxDecompressedBytes"/>.
    /// </summary>
    /// <remarks>
    /// Snappy input may be xerial-framed (Java producers) or one raw block (librdkafka, KafkaJS);
    /// the framing is detected from its magic. LZ4 input may hold several frames and skippable frames
    /// with any legal frame option; Zstd input may hold several frames and skippable frames, and
    /// checksums are verified. Empty input decompresses to nothing. On error the destination may
    /// already hold part of the output, never more than <paramref name="maxDecompressedBytes"/> bytes.
    /// </remarks>
    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        switch (type)
        {
            case CompressionType.None:
                if (source.Length > maxDecompressedBytes)
                {
                    throw TooLarge(type, maxDecompressedBytes);
                }

                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Zstd:
                ZstdDecoder.Decompress(source, destination, maxDecompressedBytes);
                break;
            default:
                throw Unsupported(type, "decompression");
        }
    }

    internal static KafkaProtocolException Unsupported(CompressionType type, string what) =>
        new($"{what} with codec {type} ({(int)type}) is not supported", ErrorCode.UnsupportedCompressionType);

    internal static KafkaProtocolException TooLarge(CompressionType type, int max) =>
        new($"{type} payload decompresses to more than the {max} bytes allowed");

    internal static KafkaProtocolException Corrupt(CompressionType type, string problem) =>
        new($"corrupt {type} data: {problem}");
}

/// <summary>gzip through <see cref="GZipStream"/>, with the output bounded.</summary>
internal static class GzipCodec
{
    /// <summary>
    /// An empty gzip member (RFC 1952): header, an empty final stored-or-fixed deflate block, CRC-32 0 and
    /// size 0. GZipStream writes nothing at all for empty input, which gzip readers reject.
    /// </summary>
    private static ReadOnlySpan<byte> EmptyMember => [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.IsEmpty)
        {
            destination.Write(EmptyMember);
            return;
        }

        using var output = new BufferWriterStream(destination);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(source);
        }
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.IsEmpty)
        {
            return;
        }

        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            long total = 0;
            try
            {
                while (true)
                {
                    var span = destination.GetSpan(16 * 1024);
                    int read = gzip.Read(span);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > maxDecompressedBytes)
                    {
                        throw CompressionCodecs.TooLarge(CompressionType.Gzip, maxDecompressedBytes);
                    }

                    destination.Advance(read);
                }
            }
            catch (InvalidDataException e)
            {
                throw new KafkaProtocolException($"corrupt Gzip data: {e.Message}", e);
            }
        }
    }

    /// <summary>A write-only stream over an <see cref="IBufferWriter{T}"/>.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> destination) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => destination.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => destination.Write(buffer);
    }
}
