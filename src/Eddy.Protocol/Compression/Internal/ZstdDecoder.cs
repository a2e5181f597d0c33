using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// A Zstandard decoder written from RFC 8878: frames (single-segment or windowed, content size,
/// content checksum), skippable and concatenated frames, raw/RLE/compressed blocks, raw/RLE/Huffman
/// (1 or 4 streams, treeless) literals, and predefined/RLE/FSE/repeat sequence tables with repeat
/// offsets. Dictionaries are refused as unsupported.
/// </summary>
/// <remarks>
/// One frame is decoded into one contiguous buffer (<see cref="DecodeTarget"/>): matches may reach
/// back up to the window, which for a record batch is the whole frame. Tables and the literal buffer
/// live in an instance kept per thread, so decoding allocates nothing beyond pooled output.
/// </remarks>
internal sealed class ZstdDecoder
{
    private const uint FrameMagic = 0xFD2FB528;
    private const uint SkippableMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int MaxBlockSize = 128 * 1024;
    private const int LiteralSlack = 32;

    private const int MaxLiteralLengthCode = 35;
    private const int MaxMatchLengthCode = 52;
    private const int MaxOffsetCode = 31;

    internal static readonly uint[] LiteralLengthBase =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
        8192, 16384, 32768, 65536,
    ];

    private static readonly byte[] LiteralLengthBits =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
        13, 14, 15, 16,
    ];

    internal static readonly uint[] MatchLengthBase =
    [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
        19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
        35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
        4099, 8195, 16387, 32771, 65539,
    ];

    private static readonly byte[] MatchLengthBits =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
        12, 13, 14, 15, 16,
    ];

    private static readonly uint[] OffsetBase = BuildOffsetBase();
    private static readonly byte[] OffsetBits = BuildOffsetBits();

    // Predefined distributions, RFC 8878 §3.1.1.3.2.2.
    internal static readonly short[] DefaultLiteralLengths =
        [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];

    internal static readonly short[] DefaultMatchLengths =
    [
        1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
    ];

    internal static readonly short[] DefaultOffsets =
        [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

    private static readonly FseEntry[] PredefinedLiteralLengths = BuildPredefined(DefaultLiteralLengths, 6, LiteralLengthBase, LiteralLengthBits);
    private static readonly FseEntry[] PredefinedMatchLengths = BuildPredefined(DefaultMatchLengths, 6, MatchLengthBase, MatchLengthBits);
    private static readonly FseEntry[] PredefinedOffsets = BuildPredefined(DefaultOffsets, 5, OffsetBase, OffsetBits);

    [ThreadStatic]
    private static ZstdDecoder? t_cached;

    private readonly ushort[] _huffmanTable = new ushort[1 << Huffman.MaxBits];
    private readonly byte[] _literals = new byte[MaxBlockSize + LiteralSlack];
    private readonly FseEntry[] _literalLengthTable = new FseEntry[512];
    private readonly FseEntry[] _offsetTable = new FseEntry[256];
    private readonly FseEntry[] _matchLengthTable = new FseEntry[512];
    private readonly short[] _normalized = new short[256];

    private int _huffmanMaxBits;
    private FseEntry[]? _literalLengths;
    private FseEntry[]? _offsets;
    private FseEntry[]? _matchLengths;
    private int _literalLengthLog;
    private int _offsetLog;
    private int _matchLengthLog;
    private uint _rep1;
    private uint _rep2;
    private uint _rep3;

    /// <summary>Decompresses every frame in <paramref name="source"/>.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        ZstdDecoder decoder = t_cached ?? new ZstdDecoder();
        t_cached = null;
        try
        {
            decoder.DecompressFrames(source, destination, maxDecompressedBytes);
        }
        finally
        {
            t_cached = decoder;
        }
    }

    internal static KafkaProtocolException Corrupt(string problem) => CompressionCodecs.Corrupt(CompressionType.Zstd, problem);

    private void DecompressFrames(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
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
            if ((magic & SkippableMask) == SkippableMagic)
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

            if (magic != FrameMagic)
            {
                throw Corrupt($"unknown frame magic 0x{magic:X8} at offset {position}");
            }

            position = DecodeFrame(source, position + 4, destination, ref written, maxDecompressedBytes);
        }
    }

    private int DecodeFrame(ReadOnlySpan<byte> source, int position, IBufferWriter<byte> destination, ref long written, int maxDecompressedBytes)
    {
        if (position >= source.Length)
        {
            throw Corrupt("truncated frame header");
        }

        byte descriptor = source[position++];
        int contentSizeFlag = descriptor >> 6;
        bool singleSegment = (descriptor & 0x20) != 0;
        bool hasChecksum = (descriptor & 0x04) != 0;
        int dictionaryFlag = descriptor & 3;
        if ((descriptor & 0x08) != 0)
        {
            throw Corrupt("reserved frame header bit is set");
        }

        int dictionaryIdSize = dictionaryFlag == 3 ? 4 : dictionaryFlag;
        int contentSizeSize = contentSizeFlag == 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag;
        int headerRest = (singleSegment ? 0 : 1) + dictionaryIdSize + contentSizeSize;
        if (source.Length - position < headerRest)
        {
            throw Corrupt("truncated frame header");
        }

        ulong windowSize = 0;
        if (!singleSegment)
        {
            byte windowDescriptor = source[position++];
            int windowLog = 10 + (windowDescriptor >> 3);
            ulong windowBase = 1UL << windowLog;
            windowSize = windowBase + ((windowBase / 8) * (ulong)(windowDescriptor & 7));
        }

        uint dictionaryId = dictionaryIdSize switch
        {
            0 => 0,
            1 => source[position],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(source[position..]),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(source[position..]),
        };
        position += dictionaryIdSize;
        long contentSize = -1;
        if (contentSizeSize > 0)
        {
            ulong declared = contentSizeSize switch
            {
                1 => source[position],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(source[position..]) + 256UL,
                4 => BinaryPrimitives.ReadUInt32LittleEndian(source[position..]),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(source[position..]),
            };
            position += contentSizeSize;
            if (declared > (ulong)(maxDecompressedBytes - written))
            {
                throw CompressionCodecs.TooLarge(CompressionType.Zstd, maxDecompressedBytes);
            }

            contentSize = (long)declared;
            if (singleSegment)
            {
                windowSize = declared;
            }
        }

        if (dictionaryId != 0)
        {
            throw new KafkaProtocolException($"Zstd frame needs dictionary {dictionaryId}; dictionaries are not supported", ErrorCode.UnsupportedCompressionType);
        }

        int blockMax = (int)Math.Min(windowSize, MaxBlockSize);
        int remainingBound = (int)(maxDecompressedBytes - written);

        // Write straight into the destination when the frame declares its size and that size is
        // plausible for the input; otherwise grow a pooled buffer with the real output.
        DecodeTarget target = contentSize >= 0 && contentSize <= Math.Max(1L << 20, 64L * (source.Length - position))
            ? DecodeTarget.Direct(destination, (int)contentSize)
            : DecodeTarget.Pooled(destination, remainingBound, (int)Math.Min(Math.Max(contentSize, 4L * (source.Length - position)), 1L << 22));
        try
        {
            ResetFrameState();
            bool last;
            do
            {
                if (source.Length - position < 3)
                {
                    throw Corrupt($"truncated block header at offset {position}");
                }

                int blockHeader = source[position] | (source[position + 1] << 8) | (source[position + 2] << 16);
                position += 3;
                last = (blockHeader & 1) != 0;
                int blockType = (blockHeader >> 1) & 3;
                int blockSize = blockHeader >>> 3;
                if (blockSize > blockMax)
                {
                    throw Corrupt($"block size {blockSize} exceeds the frame's maximum {blockMax}");
                }

                switch (blockType)
                {
                    case 0:
                        if (source.Length - position < blockSize)
                        {
                            throw Corrupt($"raw block of {blockSize} bytes runs past the end of the input");
                        }

                        Room(ref target, blockSize, blockMax, maxDecompressedBytes);
                        source.Slice(position, blockSize).CopyTo(target.Buffer[target.Length..]);
                        target.Length += blockSize;
                        position += blockSize;
                        break;
                    case 1:
                        if (position >= source.Length)
                        {
                            throw Corrupt("truncated RLE block");
                        }

                        Room(ref target, blockSize, blockMax, maxDecompressedBytes);
                        target.Buffer.Slice(target.Length, blockSize).Fill(source[position]);
                        target.Length += blockSize;
                        position++;
                        break;
                    case 2:
                        if (source.Length - position < blockSize)
                        {
                            throw Corrupt($"compressed block of {blockSize} bytes runs past the end of the input");
                        }

                        DecodeCompressedBlock(source.Slice(position, blockSize), ref target, blockMax, maxDecompressedBytes);
                        position += blockSize;
                        break;
                    default:
                        throw Corrupt("reserved block type 3");
                }
            }
            while (!last);

            if (hasChecksum)
            {
                if (source.Length - position < 4)
                {
                    throw Corrupt("truncated content checksum");
                }

                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                position += 4;
                uint actual = (uint)XxHash64.Hash(target.Buffer[..target.Length]);
                if (actual != expected)
                {
                    throw Corrupt($"content checksum mismatch (frame says 0x{expected:X8}, content hashes to 0x{actual:X8})");
                }
            }

            if (contentSize >= 0 && target.Length != contentSize)
            {
                throw Corrupt($"frame decoded to {target.Length} bytes but declared content size {contentSize}");
            }

            target.Commit();
            written += target.Length;
        }
        finally
        {
            target.Dispose();
        }

        return position;
    }

    private void ResetFrameState()
    {
        _huffmanMaxBits = 0;
        _literalLengths = null;
        _offsets = null;
        _matchLengths = null;
        _rep1 = 1;
        _rep2 = 4;
        _rep3 = 8;
    }

    /// <summary>Ensures room for <paramref name="size"/> more bytes of output or throws the right error.</summary>
    private static void Room(ref DecodeTarget target, int size, int blockMax, int maxDecompressedBytes)
    {
        target.Reserve(Math.Max(size, blockMax));
        if (size > target.Buffer.Length - target.Length)
        {
            throw OverflowError(ref target, maxDecompressedBytes);
        }
    }

    private static KafkaProtocolException OverflowError(ref DecodeTarget target, int maxDecompressedBytes) =>
        target.IsDeclaredSize
            ? Corrupt($"frame decodes to more than its declared content size {target.Limit}")
            : CompressionCodecs.TooLarge(CompressionType.Zstd, maxDecompressedBytes);

    private void DecodeCompressedBlock(ReadOnlySpan<byte> block, ref DecodeTarget target, int blockMax, int maxDecompressedBytes)
    {
        int consumed = DecodeLiterals(block, blockMax, out ReadOnlySpan<byte> literals);
        ReadOnlySpan<byte> sequences = block[consumed..];
        target.Reserve(blockMax);
        int blockLimit = (int)Math.Min((long)target.Length + blockMax, target.Buffer.Length);
        int produced = DecodeSequences(sequences, literals, target.Buffer, target.Length, blockLimit);
        if (produced < 0)
        {
            throw target.Length + blockMax <= target.Buffer.Length
                ? Corrupt($"block decodes to more than the maximum block size {blockMax}")
                : OverflowError(ref target, maxDecompressedBytes);
        }

        target.Length += produced;
    }

    /// <summary>Parses the literals section (RFC 8878 §3.1.1.3.1); returns its size.</summary>
    private int DecodeLiterals(ReadOnlySpan<byte> block, int blockMax, out ReadOnlySpan<byte> literals)
    {
        if (block.IsEmpty)
        {
            throw Corrupt("compressed block is empty");
        }

        int b0 = block[0];
        int type = b0 & 3;
        int sizeFormat = (b0 >> 2) & 3;
        if (type <= 1)
        {
            int headerSize;
            int size;
            switch (sizeFormat)
            {
                case 0:
                case 2:
                    headerSize = 1;
                    size = b0 >> 3;
                    break;
                case 1:
                    headerSize = 2;
                    if (block.Length < 2)
                    {
                        throw Corrupt("truncated literals header");
                    }

                    size = (b0 >> 4) + (block[1] << 4);
                    break;
                default:
                    headerSize = 3;
                    if (block.Length < 3)
                    {
                        throw Corrupt("truncated literals header");
                    }

                    size = (b0 >> 4) + (block[1] << 4) + (block[2] << 12);
                    break;
            }

            if (size > blockMax)
            {
                throw Corrupt($"literals size {size} exceeds the block maximum {blockMax}");
            }

            if (type == 0)
            {
                if (block.Length - headerSize < size)
                {
                    throw Corrupt("raw literals run past the end of the block");
                }

                literals = block.Slice(headerSize, size);
                return headerSize + size;
            }

            if (block.Length - headerSize < 1)
            {
                throw Corrupt("truncated RLE literals");
            }

            _literals.AsSpan(0, size).Fill(block[headerSize]);
            literals = _literals.AsSpan(0, size);
            return headerSize + 1;
        }

        int streamsHeader = sizeFormat switch { 0 or 1 => 3, 2 => 4, _ => 5 };
        if (block.Length < streamsHeader)
        {
            throw Corrupt("truncated literals header");
        }

        ulong header = 0;
        for (int i = 0; i < streamsHeader; i++)
        {
            header |= (ulong)block[i] << (8 * i);
        }

        int fieldBits = streamsHeader switch { 3 => 10, 4 => 14, _ => 18 };
        int regenerated = (int)((header >> 4) & ((1UL << fieldBits) - 1));
        int compressed = (int)((header >> (4 + fieldBits)) & ((1UL << fieldBits) - 1));
        if (regenerated > blockMax)
        {
            throw Corrupt($"literals size {regenerated} exceeds the block maximum {blockMax}");
        }

        if (block.Length - streamsHeader < compressed)
        {
            throw Corrupt("compressed literals run past the end of the block");
        }

        ReadOnlySpan<byte> data = block.Slice(streamsHeader, compressed);
        if (type == 2)
        {
            int treeSize = Huffman.ReadTable(data, _huffmanTable, out _huffmanMaxBits);
            data = data[treeSize..];
        }
        else if (_huffmanMaxBits == 0)
        {
            throw Corrupt("treeless literals without a previous Huffman table");
        }

        Span<byte> output = _literals.AsSpan(0, regenerated);
        if (sizeFormat == 0)
        {
            Huffman.DecodeStream(data, output, _huffmanTable, _huffmanMaxBits);
        }
        else
        {
            if (data.Length < 6)
            {
                throw Corrupt("truncated literals jump table");
            }

            int size1 = BinaryPrimitives.ReadUInt16LittleEndian(data);
            int size2 = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
            int size3 = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
            int size4 = data.Length - 6 - size1 - size2 - size3;
            int segment = (regenerated + 3) / 4;
            int last = regenerated - (3 * segment);
            if (size4 < 1 || last < 0)
            {
                throw Corrupt("literals jump table is inconsistent");
            }

            ReadOnlySpan<byte> streams = data[6..];
            Huffman.DecodeFourStreams(streams[..size1], streams.Slice(size1, size2), streams.Slice(size1 + size2, size3), streams[(size1 + size2 + size3)..], output, segment, _huffmanTable, _huffmanMaxBits);
        }

        literals = output;
        return streamsHeader + compressed;
    }

    /// <summary>
    /// Parses the sequences section and executes it into <paramref name="output"/> from
    /// <paramref name="start"/>. Returns the block's output size, or -1 when it would pass <paramref name="limit"/>.
    /// </summary>
    private unsafe int DecodeSequences(ReadOnlySpan<byte> section, ReadOnlySpan<byte> literals, Span<byte> output, int start, int limit)
    {
        if (section.IsEmpty)
        {
            throw Corrupt("missing sequences section");
        }

        int position = 0;
        int b0 = section[position++];
        int count;
        if (b0 < 128)
        {
            count = b0;
        }
        else if (b0 < 255)
        {
            if (section.Length < 2)
            {
                throw Corrupt("truncated sequences header");
            }

            count = ((b0 - 128) << 8) + section[position++];
        }
        else
        {
            if (section.Length < 3)
            {
                throw Corrupt("truncated sequences header");
            }

            count = section[1] + (section[2] << 8) + 0x7F00;
            position += 2;
        }

        if (count == 0)
        {
            if (position != section.Length)
            {
                throw Corrupt("bytes after an empty sequences section");
            }

            if (literals.Length > limit - start)
            {
                return -1;
            }

            literals.CopyTo(output[start..]);
            return literals.Length;
        }

        if (position >= section.Length)
        {
            throw Corrupt("truncated sequences header");
        }

        int modes = section[position++];
        if ((modes & 3) != 0)
        {
            throw Corrupt("reserved sequence compression mode bits are set");
        }

        position += SelectTable(section[position..], modes >> 6, MaxLiteralLengthCode, 9, PredefinedLiteralLengths, 6, _literalLengthTable, LiteralLengthBase, LiteralLengthBits, ref _literalLengths, ref _literalLengthLog, "literal lengths");
        position += SelectTable(section[position..], (modes >> 4) & 3, MaxOffsetCode, 8, PredefinedOffsets, 5, _offsetTable, OffsetBase, OffsetBits, ref _offsets, ref _offsetLog, "offsets");
        position += SelectTable(section[position..], (modes >> 2) & 3, MaxMatchLengthCode, 9, PredefinedMatchLengths, 6, _matchLengthTable, MatchLengthBase, MatchLengthBits, ref _matchLengths, ref _matchLengthLog, "match lengths");

        ReadOnlySpan<byte> bitstream = section[position..];
        fixed (byte* bitstreamStart = bitstream)
        fixed (byte* outputStart = output)
        fixed (byte* literalStart = literals)
        fixed (FseEntry* llTable = _literalLengths)
        fixed (FseEntry* ofTable = _offsets)
        fixed (FseEntry* mlTable = _matchLengths)
        {
            // Raw literals point into the input; the others into _literals, which has slack behind it.
            var reader = new BackwardBitReader(bitstreamStart, bitstream.Length);
            byte* literalEnd = literalStart + literals.Length;
            byte* literalReadLimit = literals.Length > 0 && Unsafe.AreSame(ref Unsafe.AsRef(in literals[0]), ref _literals[0])
                ? literalStart + _literals.Length
                : literalEnd;
            byte* lit = literalStart;
            byte* op = outputStart + start;
            byte* opLimit = outputStart + limit;
            byte* wildLimit = outputStart + output.Length;
            uint llState = reader.ReadBits(_literalLengthLog);
            uint ofState = reader.ReadBits(_offsetLog);
            uint mlState = reader.ReadBits(_matchLengthLog);
            reader.Reload();
            uint rep1 = _rep1, rep2 = _rep2, rep3 = _rep3;
            for (int i = 0; i < count; i++)
            {
                FseEntry ll = llTable[llState];
                FseEntry ml = mlTable[mlState];
                FseEntry of = ofTable[ofState];
                uint offsetValue = of.Base + reader.ReadBits(of.ExtraBits);
                uint matchLength = ml.Base + reader.ReadBits(ml.ExtraBits);
                reader.Reload();
                uint literalLength = ll.Base + reader.ReadBits(ll.ExtraBits);
                if (i != count - 1)
                {
                    llState = ll.NextState + reader.ReadBits(ll.NbBits);
                    mlState = ml.NextState + reader.ReadBits(ml.NbBits);
                    ofState = of.NextState + reader.ReadBits(of.NbBits);
                }

                reader.Reload();
                uint offset;
                if (offsetValue > 3)
                {
                    offset = offsetValue - 3;
                    rep3 = rep2;
                    rep2 = rep1;
                    rep1 = offset;
                }
                else
                {
                    uint index = offsetValue - (literalLength == 0 ? 0U : 1U);
                    if (index == 0)
                    {
                        offset = rep1;
                    }
                    else
                    {
                        offset = index switch { 1 => rep2, 2 => rep3, _ => rep1 - 1 };
                        if (offset == 0)
                        {
                            throw Corrupt("repeat offset resolves to 0");
                        }

                        if (index != 1)
                        {
                            rep3 = rep2;
                        }

                        rep2 = rep1;
                        rep1 = offset;
                    }
                }

                if (literalLength > (ulong)(literalEnd - lit))
                {
                    throw Corrupt($"sequence needs {literalLength} literals but {literalEnd - lit} remain");
                }

                if ((ulong)literalLength + matchLength > (ulong)(opLimit - op))
                {
                    return -1;
                }

                LzCopy.Literals(op, lit, literalLength, wildLimit, literalReadLimit);
                op += literalLength;
                lit += literalLength;
                if (offset > (ulong)(op - outputStart))
                {
                    throw Corrupt($"match offset {offset} reaches before the start of the frame");
                }

                LzCopy.Match(op, offset, matchLength, wildLimit);
                op += matchLength;
            }

            if (!reader.IsExactlyConsumed && reader.Reload() != BackwardBitReader.Completed)
            {
                throw Corrupt("sequences bitstream is not consumed exactly");
            }

            nuint rest = (nuint)(literalEnd - lit);
            if (rest > (nuint)(opLimit - op))
            {
                return -1;
            }

            Buffer.MemoryCopy(lit, op, rest, rest);
            op += rest;
            _rep1 = rep1;
            _rep2 = rep2;
            _rep3 = rep3;
            return (int)(op - outputStart) - start;
        }
    }

    /// <summary>Sets up one of the three sequence decoding tables for its compression mode; returns the bytes used.</summary>
    private int SelectTable(ReadOnlySpan<byte> source, int mode, int maxSymbol, int maxLog, FseEntry[] predefined, int predefinedLog, FseEntry[] own, ReadOnlySpan<uint> baselines, ReadOnlySpan<byte> extraBits, ref FseEntry[]? current, ref int log, string what)
    {
        switch (mode)
        {
            case 0:
                current = predefined;
                log = predefinedLog;
                return 0;
            case 1:
                if (source.IsEmpty)
                {
                    throw Corrupt($"truncated RLE table for {what}");
                }

                int symbol = source[0];
                if (symbol > maxSymbol)
                {
                    throw Corrupt($"RLE symbol {symbol} for {what} exceeds {maxSymbol}");
                }

                own[0] = new FseEntry { Base = baselines[symbol], ExtraBits = extraBits[symbol], NbBits = 0, NextState = 0 };
                current = own;
                log = 0;
                return 1;
            case 2:
                int used = Fse.ReadDistribution(source, _normalized, maxSymbol, maxLog, out int tableLog, out int symbolCount);
                Fse.Build(_normalized, symbolCount, tableLog, own, baselines, extraBits);
                current = own;
                log = tableLog;
                return used;
            default:
                if (current is null)
                {
                    throw Corrupt($"repeat mode for {what} without a previous table");
                }

                return 0;
        }
    }

    private static uint[] BuildOffsetBase()
    {
        var values = new uint[MaxOffsetCode + 1];
        for (int code = 0; code <= MaxOffsetCode; code++)
        {
            values[code] = 1U << code;
        }

        return values;
    }

    private static byte[] BuildOffsetBits()
    {
        var values = new byte[MaxOffsetCode + 1];
        for (int code = 0; code <= MaxOffsetCode; code++)
        {
            values[code] = (byte)code;
        }

        return values;
    }

    private static FseEntry[] BuildPredefined(short[] distribution, int log, uint[] baselines, byte[] extraBits)
    {
        var table = new FseEntry[1 << log];
        Fse.Build(distribution, distribution.Length, log, table, baselines, extraBits);
        return table;
    }
}
