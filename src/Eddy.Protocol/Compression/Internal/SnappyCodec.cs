using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// Snappy for Kafka record batches: the raw block format (google/snappy format_description.txt) and
/// the xerial snappy-java stream framing that Java clients wrap it in.
/// </summary>
/// <remarks>
/// <para>What producers send (codec 2):</para>
/// <list type="bullet">
/// <item>Java (KafkaProducer, via snappy-java's <c>SnappyOutputStream</c>): xerial framing, a 16-byte
/// header (magic <c>82 'SNAPPY' 00</c>, int32 BE version 1, int32 BE compatible version 1) and then
/// chunks of int32 BE length + one raw Snappy block of at most 32 KiB of input.</item>
/// <item>librdkafka 2.0.2 (kcat, confluent-kafka): one raw Snappy block, no framing
/// (<c>rd_kafka_snappy_compress_iov</c>); KafkaJS (kafkajs-snappy) also sends a raw block.</item>
/// </list>
/// <para>What consumers accept: Java's <c>SnappyInputStream</c> reads xerial and falls back to a raw
/// block when the magic is absent; librdkafka (<c>rdkafka_msgset_reader.c</c>), kafka-python
/// (<c>kafka/codec.py snappy_decode</c>, which wants version 1 / compatible 1 and more than 16 bytes)
/// and kafkajs-snappy all look for the xerial magic and otherwise decode a raw block.</para>
/// <para>So <see cref="Decompress"/> auto-detects the same way, and <see cref="Compress"/> emits xerial
/// framing exactly as Java does (version 1, compatible 1, 32 KiB chunks): every consumer above reads
/// it, and older Java consumers that predate the raw fallback read only it.</para>
/// </remarks>
internal static unsafe class SnappyCodec
{
    /// <summary>snappy-java's default chunk size (<c>SnappyOutputStream.DEFAULT_BLOCK_SIZE</c>), which Kafka's producer uses.</summary>
    public const int XerialChunkSize = 32 * 1024;

    private const int XerialHeaderSize = 16;

    /// <summary>Snappy compresses its input in independent 64 KiB fragments (kBlockSize).</summary>
    private const int FragmentSize = 1 << 16;

    private const int MaxHashTableBits = 14;

    /// <summary>
    /// The largest expansion a raw block can describe: a 3-byte copy element yields at most 64 bytes,
    /// so a declared length above 22 bytes per input byte cannot be honest.
    /// </summary>
    private const int MaxExpansion = 22;

    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    /// <summary>Whether <paramref name="source"/> starts with snappy-java's stream magic.</summary>
    public static bool IsXerial(ReadOnlySpan<byte> source) => source.Length >= 8 && source[..8].SequenceEqual(XerialMagic);

    /// <summary>The most bytes <see cref="CompressBlock"/> can produce for <paramref name="length"/> input bytes.</summary>
    public static int MaxBlockLength(int length) => 32 + length + (length / 6);

    /// <summary>Compresses into snappy-java's xerial framing, as the Java producer does.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(XerialHeaderSize);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = source[..Math.Min(XerialChunkSize, source.Length)];
            source = source[chunk.Length..];
            Span<byte> output = destination.GetSpan(4 + MaxBlockLength(chunk.Length));
            int written = CompressBlock(chunk, output[4..]);
            BinaryPrimitives.WriteInt32BigEndian(output, written);
            destination.Advance(4 + written);
        }
    }

    /// <summary>Decompresses xerial framing or a raw block, whichever <paramref name="source"/> is.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.IsEmpty)
        {
            // Like snappy-java's SnappyInputStream: no bytes, no records.
            return;
        }

        if (!IsXerial(source))
        {
            DecompressRaw(source, destination, maxDecompressedBytes, maxDecompressedBytes);
            return;
        }

        long written = 0;
        int position = 0;
        while (position < source.Length)
        {
            if (IsXerialAt(source, position))
            {
                // A header starts the stream; snappy-java also accepts concatenated streams, each with its own header.
                if (source.Length - position < XerialHeaderSize)
                {
                    throw Corrupt($"truncated xerial stream header at offset {position}");
                }

                position += XerialHeaderSize;
                continue;
            }

            if (source.Length - position < 4)
            {
                throw Corrupt($"truncated xerial chunk length at offset {position}");
            }

            int chunkLength = BinaryPrimitives.ReadInt32BigEndian(source[position..]);
            position += 4;
            if (chunkLength <= 0 || chunkLength > source.Length - position)
            {
                throw Corrupt($"xerial chunk length {chunkLength} at offset {position - 4} is invalid ({source.Length - position} bytes remain)");
            }

            written += DecompressRaw(source.Slice(position, chunkLength), destination, maxDecompressedBytes - (int)written, maxDecompressedBytes);
            position += chunkLength;
        }
    }

    private static bool IsXerialAt(ReadOnlySpan<byte> source, int position) =>
        source.Length - position >= 8 && source.Slice(position, 8).SequenceEqual(XerialMagic);

    /// <summary>Decodes one raw block into <paramref name="destination"/>; returns its length.</summary>
    public static int DecompressRaw(ReadOnlySpan<byte> block, IBufferWriter<byte> destination, int remainingBound, int maxDecompressedBytes)
    {
        int headerLength = ReadLength(block, out uint declared);
        if (declared > (uint)remainingBound)
        {
            throw CompressionCodecs.TooLarge(CompressionType.Snappy, maxDecompressedBytes);
        }

        if (declared > ((long)block.Length * MaxExpansion) + 64)
        {
            throw Corrupt($"declared length {declared} is impossible for a {block.Length}-byte block");
        }

        int length = (int)declared;
        Span<byte> output = destination.GetSpan(Math.Max(length, 1))[..length];
        DecodeElements(block[headerLength..], output);
        destination.Advance(length);
        return length;
    }

    /// <summary>Reads the little-endian base-128 varint that starts a raw block (at most 32 bits).</summary>
    private static int ReadLength(ReadOnlySpan<byte> block, out uint length)
    {
        uint value = 0;
        for (int i = 0; i < 5; i++)
        {
            if (i >= block.Length)
            {
                throw Corrupt("truncated length header");
            }

            uint b = block[i];
            if (i == 4 && b > 0x0F)
            {
                throw Corrupt("length header exceeds 32 bits");
            }

            value |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = value;
                return i + 1;
            }
        }

        throw Corrupt("length header exceeds 32 bits");
    }

    /// <summary>Decodes the elements of a raw block; <paramref name="output"/> is exactly the declared length.</summary>
    private static void DecodeElements(ReadOnlySpan<byte> input, Span<byte> output)
    {
        fixed (byte* inputStart = input)
        fixed (byte* outputStart = output)
        {
            byte* ip = inputStart;
            byte* ipEnd = inputStart + input.Length;
            byte* op = outputStart;
            byte* opEnd = outputStart + output.Length;
            while (ip < ipEnd)
            {
                uint tag = *ip++;
                nuint length;
                nuint offset;
                switch (tag & 3)
                {
                    case 0:
                        length = tag >> 2;
                        if (length >= 60)
                        {
                            int extra = (int)length - 59;
                            if (ipEnd - ip < extra)
                            {
                                throw Corrupt("truncated literal length");
                            }

                            length = 0;
                            for (int i = extra - 1; i >= 0; i--)
                            {
                                length = (length << 8) | ip[i];
                            }

                            ip += extra;
                        }

                        length++;
                        if ((nuint)(ipEnd - ip) < length)
                        {
                            throw Corrupt($"literal of {length} bytes runs past the end of the input");
                        }

                        if ((nuint)(opEnd - op) < length)
                        {
                            throw Overrun(output.Length);
                        }

                        LzCopy.Literals(op, ip, length, opEnd, ipEnd);
                        op += length;
                        ip += length;
                        continue;
                    case 1:
                        if (ip >= ipEnd)
                        {
                            throw Corrupt("truncated copy");
                        }

                        length = 4 + ((tag >> 2) & 7);
                        offset = ((tag & 0xE0) << 3) | *ip++;
                        break;
                    case 2:
                        if (ipEnd - ip < 2)
                        {
                            throw Corrupt("truncated copy");
                        }

                        length = 1 + (tag >> 2);
                        offset = Unsafe.ReadUnaligned<ushort>(ip);
                        ip += 2;
                        break;
                    default:
                        if (ipEnd - ip < 4)
                        {
                            throw Corrupt("truncated copy");
                        }

                        length = 1 + (tag >> 2);
                        offset = Unsafe.ReadUnaligned<uint>(ip);
                        ip += 4;
                        break;
                }

                if (offset == 0 || offset > (nuint)(op - outputStart))
                {
                    throw Corrupt($"copy offset {offset} at output position {op - outputStart} is out of range");
                }

                if ((nuint)(opEnd - op) < length)
                {
                    throw Overrun(output.Length);
                }

                LzCopy.Match(op, offset, length, opEnd);
                op += length;
            }

            if (op != opEnd)
            {
                throw Corrupt($"block decoded to {op - outputStart} bytes but its header declared {output.Length}");
            }
        }
    }

    /// <summary>Compresses <paramref name="source"/> into one raw block; returns the bytes written.</summary>
    /// <remarks><paramref name="output"/> must hold <see cref="MaxBlockLength"/> bytes.</remarks>
    [SkipLocalsInit]
    public static int CompressBlock(ReadOnlySpan<byte> source, Span<byte> output)
    {
        if (output.Length < MaxBlockLength(source.Length))
        {
            throw new ArgumentException("output is smaller than MaxBlockLength", nameof(output));
        }

        Span<ushort> table = stackalloc ushort[1 << MaxHashTableBits];
        fixed (byte* inputStart = source)
        fixed (byte* outputStart = output)
        {
            byte* op = outputStart;
            uint length = (uint)source.Length;
            while (length >= 0x80)
            {
                *op++ = (byte)(length | 0x80);
                length >>= 7;
            }

            *op++ = (byte)length;
            for (int start = 0; start < source.Length; start += FragmentSize)
            {
                int fragmentLength = Math.Min(FragmentSize, source.Length - start);
                int bits = Math.Clamp(BitOperations.Log2((uint)Math.Max(fragmentLength, 1) - 1) + 1, 8, MaxHashTableBits);
                Span<ushort> fragmentTable = table[..(1 << bits)];
                fragmentTable.Clear();
                fixed (ushort* hashTable = fragmentTable)
                {
                    op = CompressFragment(inputStart + start, fragmentLength, op, hashTable, 32 - bits);
                }
            }

            return (int)(op - outputStart);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(byte* p, int shift) => (Unsafe.ReadUnaligned<uint>(p) * 0x1E35A7BDU) >> shift;

    /// <summary>
    /// Greedy LZ77 over one fragment with a hash table of recent 4-byte sequences; after a long miss
    /// streak the scan skips ahead faster (one more byte per 32 misses), so incompressible data costs little.
    /// </summary>
    private static byte* CompressFragment(byte* input, int length, byte* op, ushort* table, int shift)
    {
        byte* ip = input;
        byte* end = input + length;
        byte* nextEmit = input;
        const int InputMargin = 15;
        if (length >= InputMargin + 1)
        {
            byte* ipLimit = end - InputMargin;
            ip++;
            while (true)
            {
                uint skip = 32;
                byte* next = ip;
                byte* candidate;
                do
                {
                    ip = next;
                    uint h = Hash(ip, shift);
                    next = ip + (skip++ >> 5);
                    if (next > ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    candidate = input + table[h];
                    table[h] = (ushort)(ip - input);
                }
                while (Unsafe.ReadUnaligned<uint>(ip) != Unsafe.ReadUnaligned<uint>(candidate));

                op = EmitLiteral(op, nextEmit, (int)(ip - nextEmit));
                do
                {
                    byte* matchStart = ip;
                    int matched = 4 + MatchLength(candidate + 4, ip + 4, end);
                    ip += matched;
                    op = EmitCopy(op, (int)(matchStart - candidate), matched);
                    nextEmit = ip;
                    if (ip >= ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    table[Hash(ip - 1, shift)] = (ushort)(ip - 1 - input);
                    uint h = Hash(ip, shift);
                    candidate = input + table[h];
                    table[h] = (ushort)(ip - input);
                }
                while (Unsafe.ReadUnaligned<uint>(ip) == Unsafe.ReadUnaligned<uint>(candidate));

                ip++;
            }
        }

    EmitRemainder:
        if (nextEmit < end)
        {
            op = EmitLiteral(op, nextEmit, (int)(end - nextEmit));
        }

        return op;
    }

    /// <summary>How many bytes from <paramref name="a"/> and <paramref name="b"/> agree (b &lt; limit bounds both, a &lt; b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int MatchLength(byte* a, byte* b, byte* limit)
    {
        byte* start = b;
        while (b + 8 <= limit)
        {
            ulong diff = Unsafe.ReadUnaligned<ulong>(a) ^ Unsafe.ReadUnaligned<ulong>(b);
            if (diff != 0)
            {
                return (int)(b - start) + (BitOperations.TrailingZeroCount(diff) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (b < limit && *a == *b)
        {
            a++;
            b++;
        }

        return (int)(b - start);
    }

    private static byte* EmitLiteral(byte* op, byte* literal, int length)
    {
        int n = length - 1;
        if (n < 60)
        {
            *op++ = (byte)(n << 2);
        }
        else
        {
            int count = n < (1 << 8) ? 1 : n < (1 << 16) ? 2 : n < (1 << 24) ? 3 : 4;
            *op++ = (byte)((59 + count) << 2);
            for (int i = 0; i < count; i++)
            {
                *op++ = (byte)(n >> (8 * i));
            }
        }

        Buffer.MemoryCopy(literal, op, length, length);
        return op + length;
    }

    private static byte* EmitCopy(byte* op, int offset, int length)
    {
        // Copy elements carry at most 64 bytes; keep every remainder at least 4 long.
        while (length >= 68)
        {
            op = EmitCopyUpTo64(op, offset, 64);
            length -= 64;
        }

        if (length > 64)
        {
            op = EmitCopyUpTo64(op, offset, 60);
            length -= 60;
        }

        return EmitCopyUpTo64(op, offset, length);
    }

    private static byte* EmitCopyUpTo64(byte* op, int offset, int length)
    {
        if (length < 12 && offset < 2048)
        {
            // 1-byte-offset copy: length 4..11, offset < 2048.
            *op++ = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            *op++ = (byte)offset;
        }
        else
        {
            *op++ = (byte)(2 | ((length - 1) << 2));
            Unsafe.WriteUnaligned(op, (ushort)offset);
            op += 2;
        }

        return op;
    }

    private static KafkaProtocolException Corrupt(string problem) => CompressionCodecs.Corrupt(CompressionType.Snappy, problem);

    private static KafkaProtocolException Overrun(int declared) =>
        Corrupt($"block decodes to more than the {declared} bytes its header declared");
}
