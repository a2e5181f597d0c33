using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// LZ4 for Kafka record batches: the LZ4 frame format (lz4/doc/lz4_Frame_format.md) around LZ4 blocks
/// (lz4/doc/lz4_Block_format.md).
/// </summary>
/// <remarks>
/// <para>Compress writes what Kafka's Java producer writes (<c>Lz4BlockOutputStream</c>, formerly
/// <c>KafkaLZ4BlockOutputStream</c>): FLG 0x60 (version 01, independent blocks, no block or content
/// checksum, no content size), BD 0x40 (64 KiB blocks), a correct header checksum (KIP-57: magic v1+),
/// blocks stored uncompressed (high bit set) when compressing does not shrink them, and the EndMark.
/// librdkafka 2.0.2 writes the same shape through LZ4F (independent blocks, 64 KiB default).</para>
/// <para>Decompress accepts every legal frame: linked or independent blocks, block checksums, content
/// size, content checksum (verified), uncompressed blocks, 64 KiB to 4 MiB blocks, concatenated
/// frames and skippable frames. Dictionary ids and the legacy format are refused as unsupported.
/// The header checksum Kafka's pre-0.10 clients got wrong (hashed with the magic, KIP-57) is accepted
/// too, as Kafka and librdkafka do for old message formats.</para>
/// </remarks>
internal static unsafe class Lz4Codec
{
    private const uint FrameMagic = 0x184D2204;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const uint LegacyMagic = 0x184C2102;
    private const int KafkaBlockSize = 64 * 1024;
    private const uint UncompressedFlag = 0x80000000;

    private const int MinMatch = 4;
    private const int LastLiterals = 5;
    private const int MatchFindLimit = 12;
    private const int HashBits = 13;

    /// <summary>The most bytes <see cref="CompressBlock"/> can produce for <paramref name="length"/> input bytes.</summary>
    public static int MaxBlockLength(int length) => length + (length / 255) + 16;

    /// <summary>Compresses into one LZ4 frame shaped like the Java producer's.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = 0x60; // version 01, block independence
        header[5] = 0x40; // block maximum size 64 KiB
        header[6] = (byte)(XxHash32.Hash(header.Slice(4, 2)) >> 8);
        destination.Advance(7);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(KafkaBlockSize, source.Length)];
            source = source[block.Length..];
            Span<byte> output = destination.GetSpan(4 + MaxBlockLength(block.Length));
            int compressed = CompressBlock(block, output[4..]);
            if (compressed >= block.Length)
            {
                block.CopyTo(output[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)block.Length | UncompressedFlag);
                destination.Advance(4 + block.Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)compressed);
                destination.Advance(4 + compressed);
            }
        }

        Span<byte> end = destination.GetSpan(4);
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0);
        destination.Advance(4);
    }

    /// <summary>Decompresses one or more LZ4 frames (skippable frames are skipped).</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        long written = 0;
        int position = 0;
        while (position < source.Length)
        {
            if (source.Length - position < 4)
            {
                throw Corrupt($"truncated frame magic at offset {position}");
            }

            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                if (source.Length - position < 8)
                {
                    throw Corrupt($"truncated skippable frame at offset {position}");
                }

                uint size = BinaryPrimitives.ReadUInt32LittleEndian(source[(position + 4)..]);
                if (size > (uint)(source.Length - position - 8))
                {
                    throw Corrupt($"skippable frame of {size} bytes at offset {position} runs past the end of the input");
                }

                position += 8 + (int)size;
                continue;
            }

            if (magic == LegacyMagic)
            {
                throw new KafkaProtocolException("Lz4 legacy frame format (magic 0x184C2102) is not supported", ErrorCode.UnsupportedCompressionType);
            }

            if (magic != FrameMagic)
            {
                throw Corrupt($"unknown frame magic 0x{magic:X8} at offset {position}");
            }

            position = DecodeFrame(source, position + 4, destination, ref written, maxDecompressedBytes);
        }
    }

    private static int DecodeFrame(ReadOnlySpan<byte> source, int position, IBufferWriter<byte> destination, ref long written, int maxDecompressedBytes)
    {
        if (source.Length - position < 3)
        {
            throw Corrupt("truncated frame descriptor");
        }

        int descriptorStart = position;
        byte flags = source[position];
        byte bd = source[position + 1];
        if (flags >> 6 != 1)
        {
            throw Corrupt($"frame version {flags >> 6} is not 1");
        }

        if ((flags & 0x02) != 0 || (bd & 0x8F) != 0)
        {
            throw Corrupt("reserved frame descriptor bits are set");
        }

        bool independent = (flags & 0x20) != 0;
        bool blockChecksum = (flags & 0x10) != 0;
        bool hasContentSize = (flags & 0x08) != 0;
        bool contentChecksum = (flags & 0x04) != 0;
        bool hasDictionary = (flags & 0x01) != 0;
        int blockSizeId = (bd >> 4) & 7;
        if (blockSizeId < 4)
        {
            throw Corrupt($"block maximum size id {blockSizeId} is invalid");
        }

        int blockMax = 1 << (8 + (2 * blockSizeId));
        int descriptorLength = 2 + (hasContentSize ? 8 : 0) + (hasDictionary ? 4 : 0);
        if (source.Length - position < descriptorLength + 1)
        {
            throw Corrupt("truncated frame descriptor");
        }

        ReadOnlySpan<byte> descriptor = source.Slice(descriptorStart, descriptorLength);
        byte headerChecksum = source[descriptorStart + descriptorLength];
        if ((byte)(XxHash32.Hash(descriptor) >> 8) != headerChecksum
            && (byte)(XxHash32.Hash(source.Slice(descriptorStart - 4, descriptorLength + 4)) >> 8) != headerChecksum)
        {
            throw Corrupt($"frame descriptor checksum 0x{headerChecksum:X2} does not match");
        }

        long contentSize = -1;
        if (hasContentSize)
        {
            ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(source[(descriptorStart + 2)..]);
            if (declared > (ulong)(maxDecompressedBytes - written))
            {
                throw CompressionCodecs.TooLarge(CompressionType.Lz4, maxDecompressedBytes);
            }

            contentSize = (long)declared;
        }

        if (hasDictionary)
        {
            uint dictionaryId = BinaryPrimitives.ReadUInt32LittleEndian(source[(descriptorStart + descriptorLength - 4)..]);
            throw new KafkaProtocolException($"Lz4 frame needs dictionary {dictionaryId}; dictionaries are not supported", ErrorCode.UnsupportedCompressionType);
        }

        position = descriptorStart + descriptorLength + 1;
        var hash = new XxHash32(0);
        long frameStart = written;
        DecodeTarget linked = independent ? default : DecodeTarget.Pooled(destination, maxDecompressedBytes - (int)written, (int)Math.Min(contentSize >= 0 ? contentSize : blockMax, blockMax * 4L));
        try
        {
            while (true)
            {
                if (source.Length - position < 4)
                {
                    throw Corrupt($"truncated block header at offset {position}");
                }

                uint blockHeader = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                position += 4;
                if (blockHeader == 0)
                {
                    break;
                }

                bool stored = (blockHeader & UncompressedFlag) != 0;
                int size = (int)(blockHeader & ~UncompressedFlag);
                if (size > blockMax)
                {
                    throw Corrupt($"block size {size} exceeds the frame's maximum {blockMax}");
                }

                if (source.Length - position < size + (blockChecksum ? 4 : 0))
                {
                    throw Corrupt($"block of {size} bytes at offset {position - 4} runs past the end of the input");
                }

                ReadOnlySpan<byte> block = source.Slice(position, size);
                position += size;
                if (blockChecksum)
                {
                    uint expected = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                    position += 4;
                    if (XxHash32.Hash(block) != expected)
                    {
                        throw Corrupt($"block checksum mismatch at offset {position - size - 8}");
                    }
                }

                long remaining = maxDecompressedBytes - written;
                if (independent)
                {
                    int produced = DecodeIndependentBlock(block, stored, blockMax, remaining, destination, contentChecksum, ref hash, maxDecompressedBytes);
                    written += produced;
                }
                else
                {
                    int before = linked.Length;
                    DecodeLinkedBlock(block, stored, blockMax, ref linked, maxDecompressedBytes);
                    if (contentChecksum)
                    {
                        hash.Append(linked.Buffer[before..linked.Length]);
                    }

                    written += linked.Length - before;
                }
            }

            if (contentChecksum)
            {
                if (source.Length - position < 4)
                {
                    throw Corrupt("truncated content checksum");
                }

                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                position += 4;
                if (hash.Finish() != expected)
                {
                    throw Corrupt("content checksum mismatch");
                }
            }

            if (contentSize >= 0 && written - frameStart != contentSize)
            {
                throw Corrupt($"frame decoded to {written - frameStart} bytes but declared content size {contentSize}");
            }

            if (!independent)
            {
                linked.Commit();
            }
        }
        finally
        {
            linked.Dispose();
        }

        return position;
    }

    private static int DecodeIndependentBlock(ReadOnlySpan<byte> block, bool stored, int blockMax, long remaining, IBufferWriter<byte> destination, bool hashOutput, ref XxHash32 hash, int maxDecompressedBytes)
    {
        if (stored)
        {
            if (block.Length > remaining)
            {
                throw CompressionCodecs.TooLarge(CompressionType.Lz4, maxDecompressedBytes);
            }

            destination.Write(block);
            if (hashOutput)
            {
                hash.Append(block);
            }

            return block.Length;
        }

        // An LZ4 block expands at most ~255x (each extra length byte adds 255), so never ask for more.
        int limit = (int)Math.Min(Math.Min(blockMax, remaining), (block.Length * 255L) + 64);
        Span<byte> output = destination.GetSpan(Math.Max(limit, 1))[..limit];
        int produced = DecodeBlock(block, output, 0);
        if (produced < 0)
        {
            throw produced == Overflow && limit == remaining && remaining < blockMax
                ? CompressionCodecs.TooLarge(CompressionType.Lz4, maxDecompressedBytes)
                : BlockError(produced, blockMax);
        }

        if (hashOutput)
        {
            hash.Append(output[..produced]);
        }

        destination.Advance(produced);
        return produced;
    }

    private static void DecodeLinkedBlock(ReadOnlySpan<byte> block, bool stored, int blockMax, ref DecodeTarget target, int maxDecompressedBytes)
    {
        target.Reserve(stored ? block.Length : blockMax);
        int room = target.Buffer.Length - target.Length;
        if (stored)
        {
            if (block.Length > room)
            {
                throw CompressionCodecs.TooLarge(CompressionType.Lz4, maxDecompressedBytes);
            }

            block.CopyTo(target.Buffer[target.Length..]);
            target.Length += block.Length;
            return;
        }

        int limit = Math.Min(room, blockMax);
        int produced = DecodeBlock(block, target.Buffer[..(target.Length + limit)], target.Length);
        if (produced < 0)
        {
            throw produced == Overflow && limit < blockMax
                ? CompressionCodecs.TooLarge(CompressionType.Lz4, maxDecompressedBytes)
                : BlockError(produced, blockMax);
        }

        target.Length += produced;
    }

    private const int Overflow = -1;
    private const int Truncated = -2;
    private const int BadOffset = -3;

    private static KafkaProtocolException BlockError(int code, int blockMax) => code switch
    {
        Overflow => Corrupt($"block decodes to more than the frame's maximum {blockMax}"),
        Truncated => Corrupt("block is truncated (a sequence runs past its end)"),
        _ => Corrupt("block has a match offset of 0 or before the start of the output"),
    };

    /// <summary>
    /// Decodes one LZ4 block into <paramref name="output"/> from <paramref name="start"/> (bytes before it
    /// are history matches may reach into). Returns the bytes produced, or a negative error code.
    /// </summary>
    public static int DecodeBlock(ReadOnlySpan<byte> block, Span<byte> output, int start)
    {
        fixed (byte* inputStart = block)
        fixed (byte* outputStart = output)
        {
            byte* ip = inputStart;
            byte* ipEnd = inputStart + block.Length;
            byte* op = outputStart + start;
            byte* opEnd = outputStart + output.Length;
            while (true)
            {
                if (ip >= ipEnd)
                {
                    return Truncated;
                }

                uint token = *ip++;
                nuint literals = token >> 4;
                if (literals == 15)
                {
                    uint b;
                    do
                    {
                        if (ip >= ipEnd)
                        {
                            return Truncated;
                        }

                        b = *ip++;
                        literals += b;
                    }
                    while (b == 255);
                }

                if ((nuint)(ipEnd - ip) < literals)
                {
                    return Truncated;
                }

                if ((nuint)(opEnd - op) < literals)
                {
                    return Overflow;
                }

                LzCopy.Literals(op, ip, literals, opEnd, ipEnd);
                ip += literals;
                op += literals;
                if (ip == ipEnd)
                {
                    // The last sequence of a block carries literals only.
                    return (int)(op - outputStart) - start;
                }

                if (ipEnd - ip < 2)
                {
                    return Truncated;
                }

                nuint offset = Unsafe.ReadUnaligned<ushort>(ip);
                ip += 2;
                if (offset == 0 || offset > (nuint)(op - outputStart))
                {
                    return BadOffset;
                }

                nuint matchLength = token & 15;
                if (matchLength == 15)
                {
                    uint b;
                    do
                    {
                        if (ip >= ipEnd)
                        {
                            return Truncated;
                        }

                        b = *ip++;
                        matchLength += b;
                    }
                    while (b == 255);
                }

                matchLength += MinMatch;
                if ((nuint)(opEnd - op) < matchLength)
                {
                    return Overflow;
                }

                LzCopy.Match(op, offset, matchLength, opEnd);
                op += matchLength;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(byte* p) => (Unsafe.ReadUnaligned<uint>(p) * 2654435761U) >> (32 - HashBits);

    /// <summary>
    /// Compresses <paramref name="source"/> (at most 64 KiB, so positions fit 16 bits) into one LZ4
    /// block; returns the bytes written. <paramref name="output"/> must hold <see cref="MaxBlockLength"/>.
    /// </summary>
    /// <remarks>
    /// Greedy matching through a 8192-entry hash table, the scan accelerating over misses, and the
    /// block format's end rules: the last match starts at least 12 bytes before the end and the last
    /// 5 bytes are literals.
    /// </remarks>
    [SkipLocalsInit]
    public static int CompressBlock(ReadOnlySpan<byte> source, Span<byte> output)
    {
        if (source.Length > KafkaBlockSize || output.Length < MaxBlockLength(source.Length))
        {
            throw new ArgumentException("source exceeds 64 KiB or output is smaller than MaxBlockLength", nameof(source));
        }

        ushort* table = stackalloc ushort[1 << HashBits];
        new Span<ushort>(table, 1 << HashBits).Clear();
        fixed (byte* input = source)
        fixed (byte* outputStart = output)
        {
            byte* op = outputStart;
            byte* anchor = input;
            byte* end = input + source.Length;
            if (source.Length >= MatchFindLimit + 1)
            {
                byte* matchFindLimit = end - MatchFindLimit;
                byte* matchLimit = end - LastLiterals;
                byte* ip = input + 1;
                table[Hash(input)] = 0;
                while (true)
                {
                    byte* candidate;
                    byte* next = ip;
                    int attempts = 1 << 6;
                    do
                    {
                        ip = next;
                        next = ip + (attempts++ >> 6);
                        if (next > matchFindLimit)
                        {
                            goto LastLiterals;
                        }

                        uint h = Hash(ip);
                        candidate = input + table[h];
                        table[h] = (ushort)(ip - input);
                    }
                    while (Unsafe.ReadUnaligned<uint>(candidate) != Unsafe.ReadUnaligned<uint>(ip) || candidate >= ip);

                    while (ip > anchor && candidate > input && ip[-1] == candidate[-1])
                    {
                        ip--;
                        candidate--;
                    }

                    while (true)
                    {
                        int matchLength = MinMatch + SnappyCodec.MatchLength(candidate + MinMatch, ip + MinMatch, matchLimit);
                        op = EmitSequence(op, anchor, (int)(ip - anchor), (int)(ip - candidate), matchLength);
                        ip += matchLength;
                        anchor = ip;
                        if (ip > matchFindLimit)
                        {
                            goto LastLiterals;
                        }

                        table[Hash(ip - 2)] = (ushort)(ip - 2 - input);
                        uint h = Hash(ip);
                        candidate = input + table[h];
                        table[h] = (ushort)(ip - input);
                        if (candidate >= ip || Unsafe.ReadUnaligned<uint>(candidate) != Unsafe.ReadUnaligned<uint>(ip))
                        {
                            break;
                        }
                    }

                    ip++;
                }
            }

        LastLiterals:
            int lastLiterals = (int)(end - anchor);
            op = EmitLength(op, lastLiterals, out byte* token);
            *token = (byte)(Math.Min(lastLiterals, 15) << 4);
            Buffer.MemoryCopy(anchor, op, lastLiterals, lastLiterals);
            op += lastLiterals;
            return (int)(op - outputStart);
        }
    }

    private static byte* EmitSequence(byte* op, byte* literals, int literalLength, int offset, int matchLength)
    {
        op = EmitLength(op, literalLength, out byte* token);
        Buffer.MemoryCopy(literals, op, literalLength, literalLength);
        op += literalLength;
        Unsafe.WriteUnaligned(op, (ushort)offset);
        op += 2;
        int code = matchLength - MinMatch;
        *token = (byte)((Math.Min(literalLength, 15) << 4) | Math.Min(code, 15));
        if (code >= 15)
        {
            code -= 15;
            while (code >= 255)
            {
                *op++ = 255;
                code -= 255;
            }

            *op++ = (byte)code;
        }

        return op;
    }

    /// <summary>Reserves the token byte and writes the literal-length extension bytes.</summary>
    private static byte* EmitLength(byte* op, int literalLength, out byte* token)
    {
        token = op++;
        if (literalLength >= 15)
        {
            int rest = literalLength - 15;
            while (rest >= 255)
            {
                *op++ = 255;
                rest -= 255;
            }

            *op++ = (byte)rest;
        }

        return op;
    }

    private static KafkaProtocolException Corrupt(string problem) => CompressionCodecs.Corrupt(CompressionType.Lz4, problem);
}
