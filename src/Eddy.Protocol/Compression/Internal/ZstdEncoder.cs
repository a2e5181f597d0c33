using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// A Zstandard compressor (RFC 8878) of the "fast" kind: greedy LZ77 with a hash table and a
/// repeat-offset check, Huffman-coded literals (4 streams, weights in the direct 4-bit form) and
/// sequences coded with the predefined FSE distributions.
/// </summary>
/// <remarks>
/// <para>Frames are what librdkafka and the Java producer (zstd-jni) send in spirit: one frame with
/// the content size. Inputs up to 8 MiB are single-segment frames (window = content size); larger
/// inputs declare an 8 MiB window, the bound every decoder accepts by default (zstd limits windows
/// to 128 MiB unless told otherwise). A content checksum is included and every block falls back to
/// raw (or RLE) storage when coding would not shrink it.</para>
/// <para>Literal alphabets whose highest symbol is above 128 need FSE-compressed Huffman weights,
/// which this encoder does not write; such blocks keep their literals raw.</para>
/// </remarks>
internal sealed unsafe class ZstdEncoder
{
    private const uint FrameMagic = 0xFD2FB528;
    private const int BlockSize = 128 * 1024;
    private const int MaxWindow = 8 << 20;
    private const int MinMatch = 4;
    private const int MaxHashLog = 17;
    private const int MaxHuffmanSymbol = 128;
    private const int ScratchSize = (5 * BlockSize) + 4096;

    private static readonly FseEncoder LiteralLengthEncoder = new(ZstdDecoder.DefaultLiteralLengths, 6);
    private static readonly FseEncoder MatchLengthEncoder = new(ZstdDecoder.DefaultMatchLengths, 6);
    private static readonly FseEncoder OffsetEncoder = new(ZstdDecoder.DefaultOffsets, 5);
    private static readonly byte[] LiteralLengthCodes = SmallCodes(ZstdDecoder.LiteralLengthBase, 0, 64);
    private static readonly byte[] MatchLengthCodes = SmallCodes(ZstdDecoder.MatchLengthBase, 3, 128);
    private static readonly double[] Log2Table = BuildLog2Table();

    [ThreadStatic]
    private static ZstdEncoder? t_cached;

    private readonly int[] _hashTable = new int[1 << MaxHashLog];
    private readonly byte[] _literals = new byte[BlockSize + 64];
    private readonly int[] _literalLengths = new int[(BlockSize / MinMatch) + 1];
    private readonly int[] _matchLengths = new int[(BlockSize / MinMatch) + 1];
    private readonly uint[] _offsetValues = new uint[(BlockSize / MinMatch) + 1];
    private readonly byte[] _scratch = new byte[ScratchSize];
    private readonly byte[] _llCodes = new byte[(BlockSize / MinMatch) + 1];
    private readonly byte[] _mlCodes = new byte[(BlockSize / MinMatch) + 1];
    private readonly byte[] _ofCodes = new byte[(BlockSize / MinMatch) + 1];
    private readonly ulong[] _extraBits = new ulong[(BlockSize / MinMatch) + 1];
    private readonly byte[] _extraCounts = new byte[(BlockSize / MinMatch) + 1];
    private readonly FseEncoder _llCustom = new();
    private readonly FseEncoder _mlCustom = new();
    private readonly FseEncoder _ofCustom = new();
    private readonly short[] _normalized = new short[64];
    private readonly int[] _histogram = new int[64];

    private uint _rep1;
    private uint _rep2;
    private uint _rep3;

    /// <summary>Compresses <paramref name="source"/> into one zstd frame.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ZstdEncoder encoder = t_cached ?? new ZstdEncoder();
        t_cached = null;
        try
        {
            encoder.CompressFrame(source, destination);
        }
        finally
        {
            t_cached = encoder;
        }
    }

    private void CompressFrame(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        WriteFrameHeader(source.Length, destination);
        int hashLog = Math.Clamp(BitOperations.Log2((uint)Math.Max(source.Length, 1)) - 1, 10, MaxHashLog);
        _hashTable.AsSpan(0, 1 << hashLog).Clear();
        _rep1 = 1;
        _rep2 = 4;
        _rep3 = 8;
        fixed (byte* input = source)
        {
            int start = 0;
            do
            {
                int end = Math.Min(source.Length, start + BlockSize);
                CompressBlock(input, start, end, source.Length, hashLog, last: end == source.Length, destination);
                start = end;
            }
            while (start < source.Length);
        }

        Span<byte> checksum = destination.GetSpan(4);
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, (uint)XxHash64.Hash(source));
        destination.Advance(4);
    }

    private static void WriteFrameHeader(int length, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(14);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        int size;
        if (length <= MaxWindow)
        {
            // Single segment (0x20), content checksum (0x04), content size field of 1, 2 or 4 bytes.
            if (length < 256)
            {
                header[4] = 0x24;
                header[5] = (byte)length;
                size = 6;
            }
            else if (length < 65536 + 256)
            {
                header[4] = 0x64;
                BinaryPrimitives.WriteUInt16LittleEndian(header[5..], (ushort)(length - 256));
                size = 7;
            }
            else
            {
                header[4] = 0xA4;
                BinaryPrimitives.WriteUInt32LittleEndian(header[5..], (uint)length);
                size = 9;
            }
        }
        else
        {
            // Windowed: 8 MiB (window log 23 = 10 + 13), 4-byte content size, content checksum.
            header[4] = 0x84;
            header[5] = 13 << 3;
            BinaryPrimitives.WriteUInt32LittleEndian(header[6..], (uint)length);
            size = 10;
        }

        destination.Advance(size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(byte* p, int hashLog) => (Unsafe.ReadUnaligned<uint>(p) * 2654435761U) >> (32 - hashLog);

    private void CompressBlock(byte* input, int start, int end, int total, int hashLog, bool last, IBufferWriter<byte> destination)
    {
        int length = end - start;
        if (length > 0 && IsSingleByte(input + start, length))
        {
            WriteBlock(destination, last, type: 1, length, new ReadOnlySpan<byte>(input + start, 1));
            return;
        }

        int sequences = 0;
        int literalCount = 0;
        int anchor = start;
        int ip = start;
        int ipLimit = end - 8;
        uint rep1 = _rep1, rep2 = _rep2, rep3 = _rep3;
        fixed (int* table = _hashTable)
        fixed (byte* literals = _literals)
        {
            while (ip < ipLimit)
            {
                // A match at the last offset one byte ahead is the cheapest sequence there is.
                int repeatAt = ip + 1 - (int)rep1;
                if (repeatAt >= 0 && Unsafe.ReadUnaligned<uint>(input + repeatAt) == Unsafe.ReadUnaligned<uint>(input + ip + 1))
                {
                    int matchLength = MinMatch + SnappyCodec.MatchLength(input + repeatAt + MinMatch, input + ip + 1 + MinMatch, input + end);
                    table[Hash(input + ip, hashLog)] = ip + 1;
                    int literalLength = ip + 1 - anchor;
                    Buffer.MemoryCopy(input + anchor, literals + literalCount, literalLength, literalLength);
                    literalCount += literalLength;
                    _literalLengths[sequences] = literalLength;
                    _matchLengths[sequences] = matchLength;
                    _offsetValues[sequences++] = 1;
                    ip += 1 + matchLength;
                    anchor = ip;
                    continue;
                }

                uint h = Hash(input + ip, hashLog);
                int candidate = table[h] - 1;
                table[h] = ip + 1;
                if (candidate < 0 || ip - candidate > MaxWindow || Unsafe.ReadUnaligned<uint>(input + candidate) != Unsafe.ReadUnaligned<uint>(input + ip))
                {
                    ip += 1 + ((ip - anchor) >> 8);
                    continue;
                }

                while (ip > anchor && candidate > 0 && input[ip - 1] == input[candidate - 1])
                {
                    ip--;
                    candidate--;
                }

                {
                    int matchLength = MinMatch + SnappyCodec.MatchLength(input + candidate + MinMatch, input + ip + MinMatch, input + end);
                    int literalLength = ip - anchor;
                    Buffer.MemoryCopy(input + anchor, literals + literalCount, literalLength, literalLength);
                    literalCount += literalLength;
                    _literalLengths[sequences] = literalLength;
                    _matchLengths[sequences] = matchLength;
                    _offsetValues[sequences++] = OffsetValue((uint)(ip - candidate), literalLength, ref rep1, ref rep2, ref rep3);
                    ip += matchLength;
                    anchor = ip;
                    if (ip < ipLimit)
                    {
                        table[Hash(input + ip - 2, hashLog)] = ip - 1;
                    }
                }
            }

            int rest = end - anchor;
            Buffer.MemoryCopy(input + anchor, literals + literalCount, rest, rest);
            literalCount += rest;
        }

        int compressed = EncodeBlock(literalCount, sequences);
        if (compressed > 0 && compressed < length)
        {
            _rep1 = rep1;
            _rep2 = rep2;
            _rep3 = rep3;
            WriteBlock(destination, last, type: 2, compressed, _scratch.AsSpan(0, compressed));
        }
        else
        {
            // Stored raw: the decoder's repeat offsets do not change, so ours must not either.
            WriteBlock(destination, last, type: 0, length, new ReadOnlySpan<byte>(input + start, length));
        }
    }

    /// <summary>Chooses the offset value for a match and updates the repeat offsets exactly as a decoder will (RFC 8878 §3.1.2.5).</summary>
    private static uint OffsetValue(uint offset, int literalLength, ref uint rep1, ref uint rep2, ref uint rep3)
    {
        if (literalLength > 0)
        {
            if (offset == rep1)
            {
                return 1;
            }

            if (offset == rep2)
            {
                rep2 = rep1;
                rep1 = offset;
                return 2;
            }

            if (offset == rep3)
            {
                rep3 = rep2;
                rep2 = rep1;
                rep1 = offset;
                return 3;
            }
        }
        else
        {
            if (offset == rep2)
            {
                rep2 = rep1;
                rep1 = offset;
                return 1;
            }

            if (offset == rep3)
            {
                rep3 = rep2;
                rep2 = rep1;
                rep1 = offset;
                return 2;
            }

            if (offset == rep1 - 1)
            {
                rep3 = rep2;
                rep2 = rep1;
                rep1 = offset;
                return 3;
            }
        }

        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
        return offset + 3;
    }

    private static bool IsSingleByte(byte* p, int length)
    {
        byte first = *p;
        return new ReadOnlySpan<byte>(p, length).IndexOfAnyExcept(first) < 0;
    }

    private static void WriteBlock(IBufferWriter<byte> destination, bool last, int type, int size, ReadOnlySpan<byte> content)
    {
        Span<byte> output = destination.GetSpan(3 + content.Length);
        int header = (size << 3) | (type << 1) | (last ? 1 : 0);
        output[0] = (byte)header;
        output[1] = (byte)(header >> 8);
        output[2] = (byte)(header >> 16);
        content.CopyTo(output[3..]);
        destination.Advance(3 + content.Length);
    }

    /// <summary>Writes the literals and sequences sections into the scratch buffer; returns their size.</summary>
    private int EncodeBlock(int literalCount, int sequences)
    {
        fixed (byte* scratch = _scratch)
        fixed (byte* literals = _literals)
        {
            int position = EncodeLiterals(literals, literalCount, scratch);
            byte* op = scratch + position;
            if (sequences < 128)
            {
                *op++ = (byte)sequences;
            }
            else if (sequences < 0x7F00)
            {
                *op++ = (byte)((sequences >> 8) + 128);
                *op++ = (byte)sequences;
            }
            else
            {
                *op++ = 255;
                Unsafe.WriteUnaligned(op, (ushort)(sequences - 0x7F00));
                op += 2;
            }

            if (sequences == 0)
            {
                return (int)(op - scratch);
            }

            for (int i = 0; i < sequences; i++)
            {
                int llCode = LiteralLengthCode(_literalLengths[i]);
                int mlCode = MatchLengthCode(_matchLengths[i]);
                int ofCode = BitOperations.Log2(_offsetValues[i]);
                _llCodes[i] = (byte)llCode;
                _mlCodes[i] = (byte)mlCode;
                _ofCodes[i] = (byte)ofCode;

                // The extra bits in write order (literal length, match length, offset): at most 16 + 16 + 23 bits.
                int llBits = LiteralLengthBits(llCode);
                int mlBits = MatchLengthBits(mlCode);
                _extraBits[i] = ((ulong)_literalLengths[i] - ZstdDecoder.LiteralLengthBase[llCode])
                    | (((ulong)_matchLengths[i] - ZstdDecoder.MatchLengthBase[mlCode]) << llBits)
                    | ((ulong)(_offsetValues[i] - (1U << ofCode)) << (llBits + mlBits));
                _extraCounts[i] = (byte)(llBits + mlBits + ofCode);
            }

            byte* modes = op++;
            int llMode = ChooseTable(_llCodes, sequences, 35, 9, LiteralLengthEncoder, _llCustom, ref op, out FseEncoder? llEncoder);
            int ofMode = ChooseTable(_ofCodes, sequences, 31, 8, OffsetEncoder, _ofCustom, ref op, out FseEncoder? ofEncoder);
            int mlMode = ChooseTable(_mlCodes, sequences, 52, 9, MatchLengthEncoder, _mlCustom, ref op, out FseEncoder? mlEncoder);
            *modes = (byte)((llMode << 6) | (ofMode << 4) | (mlMode << 2));
            op = EncodeSequences(op, sequences, llEncoder, ofEncoder, mlEncoder);
            return (int)(op - scratch);
        }
    }

    /// <summary>
    /// Picks how one sequence field's codes are coded (RFC 8878 §3.1.1.3.2.1): RLE when one code is
    /// used, else the predefined or a block-specific FSE table, whichever the estimated cost favours.
    /// Writes the table (RLE byte or description) at <paramref name="op"/>; returns the mode.
    /// </summary>
    private int ChooseTable(byte[] codes, int count, int maxSymbol, int maxLog, FseEncoder predefined, FseEncoder custom, ref byte* op, out FseEncoder? encoder)
    {
        Span<int> histogram = _histogram.AsSpan(0, maxSymbol + 1);
        histogram.Clear();
        for (int i = 0; i < count; i++)
        {
            histogram[codes[i]]++;
        }

        int used = 0;
        int highest = 0;
        for (int s = 0; s <= maxSymbol; s++)
        {
            if (histogram[s] > 0)
            {
                used++;
                highest = s;
            }
        }

        if (used == 1 && count > 1)
        {
            *op++ = (byte)highest;
            encoder = null;
            return 1;
        }

        ReadOnlySpan<short> defaults = predefined == LiteralLengthEncoder ? ZstdDecoder.DefaultLiteralLengths
            : predefined == OffsetEncoder ? ZstdDecoder.DefaultOffsets : ZstdDecoder.DefaultMatchLengths;
        double predefinedCost = Cost(histogram, defaults, predefined.TableLog);
        if (count >= 32)
        {
            int log = Math.Min(maxLog, BitOperations.Log2((uint)(count - 1)) - 2);
            log = Math.Clamp(Math.Max(log, BitOperations.Log2((uint)highest) + 2), 5, maxLog);
            Span<short> normalized = _normalized.AsSpan(0, highest + 1);
            if (FseEncoder.Normalize(histogram[..(highest + 1)], count, log, normalized))
            {
                byte* description = op;
                int descriptionSize = FseEncoder.WriteDistribution(normalized, log, description);
                double customCost = Cost(histogram[..(highest + 1)], normalized, log) + (8.0 * descriptionSize);
                if (customCost < predefinedCost)
                {
                    custom.Build(normalized, log);
                    op += descriptionSize;
                    encoder = custom;
                    return 2;
                }
            }
        }

        encoder = predefined;
        return 0;
    }

    /// <summary>Estimated bits to code <paramref name="histogram"/> with <paramref name="normalized"/>; infinite if a used code has no probability.</summary>
    private static double Cost(ReadOnlySpan<int> histogram, ReadOnlySpan<short> normalized, int tableLog)
    {
        double bits = 0;
        for (int s = 0; s < histogram.Length; s++)
        {
            if (histogram[s] == 0)
            {
                continue;
            }

            if (s >= normalized.Length || normalized[s] == 0)
            {
                return double.PositiveInfinity;
            }

            bits += histogram[s] * (tableLog - Log2Table[Math.Max((int)normalized[s], 1)]);
        }

        return bits;
    }

    /// <summary>Writes the sequences bitstream at <paramref name="output"/>, last sequence first; returns its end.</summary>
    private byte* EncodeSequences(byte* output, int count, FseEncoder? llEncoder, FseEncoder? ofEncoder, FseEncoder? mlEncoder)
    {
        // A local writer (never passed by reference beyond inlined calls) stays in registers.
        var writer = new ForwardBitWriter(output);
        fixed (byte* llCodes = _llCodes)
        fixed (byte* mlCodes = _mlCodes)
        fixed (byte* ofCodes = _ofCodes)
        fixed (ulong* extraBits = _extraBits)
        fixed (byte* extraCounts = _extraCounts)
        {
            int n = count - 1;
            uint mlState = mlEncoder?.InitialState(mlCodes[n]) ?? 0;
            uint ofState = ofEncoder?.InitialState(ofCodes[n]) ?? 0;
            uint llState = llEncoder?.InitialState(llCodes[n]) ?? 0;
            writer.AddLong(extraBits[n], extraCounts[n]);
            writer.Flush();
            for (n = count - 2; n >= 0; n--)
            {
                ofEncoder?.Encode(ref writer, ref ofState, ofCodes[n]);
                mlEncoder?.Encode(ref writer, ref mlState, mlCodes[n]);
                llEncoder?.Encode(ref writer, ref llState, llCodes[n]);
                writer.Flush();
                writer.AddLong(extraBits[n], extraCounts[n]);
                writer.Flush();
            }

            if (mlEncoder is not null)
            {
                writer.Add(mlState & ((1U << mlEncoder.TableLog) - 1), mlEncoder.TableLog);
            }

            if (ofEncoder is not null)
            {
                writer.Add(ofState & ((1U << ofEncoder.TableLog) - 1), ofEncoder.TableLog);
            }

            if (llEncoder is not null)
            {
                writer.Add(llState & ((1U << llEncoder.TableLog) - 1), llEncoder.TableLog);
            }

            return ForwardBitWriter.Close(writer);
        }
    }

    private static int LiteralLengthBits(int code) => code < 16 ? 0 : code switch { < 20 => 1, < 22 => 2, < 24 => 3, 24 => 4, _ => code - 19 };

    private static int MatchLengthBits(int code) => code < 32 ? 0 : code switch { < 36 => 1, < 38 => 2, < 40 => 3, < 42 => 4, 42 => 5, _ => code - 36 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LiteralLengthCode(int literalLength) =>
        literalLength < 64 ? LiteralLengthCodes[literalLength] : BitOperations.Log2((uint)literalLength) + 19;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchLengthCode(int matchLength)
    {
        int value = matchLength - 3;
        return value < 128 ? MatchLengthCodes[value] : BitOperations.Log2((uint)value) + 36;
    }

    private static double[] BuildLog2Table()
    {
        var table = new double[513];
        for (int i = 1; i < table.Length; i++)
        {
            table[i] = Math.Log2(i);
        }

        return table;
    }

    /// <summary>The code for each small value: the last code whose baseline is at most the value.</summary>
    private static byte[] SmallCodes(uint[] baselines, int bias, int count)
    {
        var codes = new byte[count];
        int code = 0;
        for (int value = 0; value < count; value++)
        {
            while (code + 1 < baselines.Length && baselines[code + 1] - bias <= value)
            {
                code++;
            }

            codes[value] = (byte)code;
        }

        return codes;
    }

    /// <summary>Writes the literals section: RLE, Huffman-coded, or raw, whichever applies and is smallest.</summary>
    private static int EncodeLiterals(byte* literals, int count, byte* output)
    {
        if (count > 0 && IsSingleByte(literals, count))
        {
            int header = WriteRawOrRleHeader(output, count, type: 1);
            output[header] = literals[0];
            return header + 1;
        }

        if (count >= 64)
        {
            int huffman = HuffmanLiterals.Encode(literals, count, output);
            if (huffman > 0 && huffman < count)
            {
                return huffman;
            }
        }

        int rawHeader = WriteRawOrRleHeader(output, count, type: 0);
        Buffer.MemoryCopy(literals, output + rawHeader, count, count);
        return rawHeader + count;
    }

    private static int WriteRawOrRleHeader(byte* output, int size, int type)
    {
        if (size < 32)
        {
            output[0] = (byte)((size << 3) | type);
            return 1;
        }

        if (size < 4096)
        {
            Unsafe.WriteUnaligned(output, (ushort)((size << 4) | (1 << 2) | type));
            return 2;
        }

        uint value = (uint)((size << 4) | (3 << 2) | type);
        output[0] = (byte)value;
        output[1] = (byte)(value >> 8);
        output[2] = (byte)(value >> 16);
        return 3;
    }

    /// <summary>Huffman-coded literals (RFC 8878 §4.2): code lengths limited to 11 bits, canonical codes as decoders rebuild them.</summary>
    private static class HuffmanLiterals
    {
        /// <summary>Returns the literals section's size, or 0 when Huffman coding does not apply.</summary>
        public static int Encode(byte* literals, int count, byte* output)
        {
            Span<int> frequencies = stackalloc int[256];
            frequencies.Clear();
            for (int i = 0; i < count; i++)
            {
                frequencies[literals[i]]++;
            }

            int maxSymbol = 255;
            while (frequencies[maxSymbol] == 0)
            {
                maxSymbol--;
            }

            if (maxSymbol > MaxHuffmanSymbol)
            {
                return 0;
            }

            Span<byte> lengths = stackalloc byte[256];
            int maxBits = CodeLengths(frequencies, maxSymbol, lengths);
            Span<ushort> codes = stackalloc ushort[256];
            CanonicalCodes(lengths, maxSymbol, maxBits, codes);

            long bits = 0;
            for (int s = 0; s <= maxSymbol; s++)
            {
                bits += (long)frequencies[s] * lengths[s];
            }

            bool single = count <= 1023;
            int headerSize = single ? 3 : (count <= 16383 ? 4 : 5);
            int treeSize = 1 + ((maxSymbol + 1) / 2);
            long estimate = headerSize + treeSize + (single ? 0 : 6) + (bits / 8) + 4;
            if (estimate >= count)
            {
                return 0;
            }

            // Tree description: header 127 + number of weights, then 4-bit weights for symbols 0..maxSymbol-1.
            byte* op = output + headerSize;
            *op++ = (byte)(127 + maxSymbol);
            for (int s = 0; s < maxSymbol; s += 2)
            {
                int w1 = Weight(lengths[s], maxBits);
                int w2 = s + 1 < maxSymbol ? Weight(lengths[s + 1], maxBits) : 0;
                *op++ = (byte)((w1 << 4) | w2);
            }

            fixed (byte* lengthTable = lengths)
            fixed (ushort* codeTable = codes)
            {
                if (single)
                {
                    op = WriteStream(literals, literals + count, op, codeTable, lengthTable);
                }
                else
                {
                    int segment = (count + 3) / 4;
                    byte* jump = op;
                    op += 6;
                    for (int k = 0; k < 4; k++)
                    {
                        byte* streamStart = op;
                        byte* from = literals + (k * segment);
                        byte* to = k == 3 ? literals + count : from + segment;
                        op = WriteStream(from, to, op, codeTable, lengthTable);
                        if (k < 3)
                        {
                            long size = op - streamStart;
                            if (size > ushort.MaxValue)
                            {
                                return 0;
                            }

                            Unsafe.WriteUnaligned(jump + (2 * k), (ushort)size);
                        }
                    }
                }
            }

            int compressed = (int)(op - output - headerSize);
            int fieldBits = headerSize switch { 3 => 10, 4 => 14, _ => 18 };
            if (compressed >= count || compressed >= (1 << fieldBits))
            {
                return 0;
            }

            int sizeFormat = single ? 0 : headerSize - 2;
            ulong header = 2UL | ((ulong)sizeFormat << 2) | ((ulong)count << 4) | ((ulong)compressed << (4 + fieldBits));
            for (int i = 0; i < headerSize; i++)
            {
                output[i] = (byte)(header >> (8 * i));
            }

            return headerSize + compressed;
        }

        private static int Weight(int length, int maxBits) => length == 0 ? 0 : maxBits + 1 - length;

        /// <summary>Symbols are written last to first: the decoder reads the stream backwards.</summary>
        private static byte* WriteStream(byte* from, byte* to, byte* output, ushort* codes, byte* lengths)
        {
            var writer = new ForwardBitWriter(output);
            byte* p = to;
            while (p - from >= 4)
            {
                byte s1 = p[-1], s2 = p[-2], s3 = p[-3], s4 = p[-4];
                writer.Add(codes[s1], lengths[s1]);
                writer.Add(codes[s2], lengths[s2]);
                writer.Add(codes[s3], lengths[s3]);
                writer.Add(codes[s4], lengths[s4]);
                writer.Flush();
                p -= 4;
            }

            while (p > from)
            {
                byte s = *--p;
                writer.Add(codes[s], lengths[s]);
                writer.Flush();
            }

            return ForwardBitWriter.Close(writer);
        }

        /// <summary>
        /// Huffman code lengths for the used symbols, at most 11 bits: a plain Huffman tree, and if it is
        /// too deep the frequencies are flattened (halved, keeping every used symbol) and the tree rebuilt.
        /// Returns the longest length.
        /// </summary>
        private static int CodeLengths(Span<int> frequencies, int maxSymbol, Span<byte> lengths)
        {
            Span<int> weights = stackalloc int[2 * 256];
            Span<int> parents = stackalloc int[2 * 256];
            Span<int> leaves = stackalloc int[256];
            Span<int> scaled = stackalloc int[256];
            Span<bool> live = stackalloc bool[2 * 256];
            frequencies[..(maxSymbol + 1)].CopyTo(scaled);
            while (true)
            {
                int leafCount = 0;
                for (int s = 0; s <= maxSymbol; s++)
                {
                    if (scaled[s] > 0)
                    {
                        leaves[leafCount] = s;
                        weights[leafCount] = scaled[s];
                        leafCount++;
                    }
                }

                // O(n^2) pairing of the two lightest live nodes: n is at most 129.
                int nodes = leafCount;
                live[..(2 * leafCount)].Clear();
                live[..leafCount].Fill(true);
                for (int remaining = leafCount; remaining > 1; remaining--)
                {
                    int a = -1, b = -1;
                    for (int i = 0; i < nodes; i++)
                    {
                        if (!live[i])
                        {
                            continue;
                        }

                        if (a < 0 || weights[i] < weights[a])
                        {
                            b = a;
                            a = i;
                        }
                        else if (b < 0 || weights[i] < weights[b])
                        {
                            b = i;
                        }
                    }

                    live[a] = false;
                    live[b] = false;
                    weights[nodes] = weights[a] + weights[b];
                    parents[a] = nodes;
                    parents[b] = nodes;
                    live[nodes] = true;
                    nodes++;
                }

                lengths[..256].Clear();
                int longest = 0;
                for (int i = 0; i < leafCount; i++)
                {
                    int depth = 0;
                    for (int node = i; node != nodes - 1; node = parents[node])
                    {
                        depth++;
                    }

                    lengths[leaves[i]] = (byte)depth;
                    longest = Math.Max(longest, depth);
                }

                if (longest <= Huffman.MaxBits)
                {
                    return longest;
                }

                for (int s = 0; s <= maxSymbol; s++)
                {
                    if (scaled[s] > 0)
                    {
                        scaled[s] = (scaled[s] + 1) >> 1;
                    }
                }
            }
        }

        /// <summary>Codes in the order RFC 8878 §4.2.1 assigns them: by weight, then by symbol.</summary>
        private static void CanonicalCodes(ReadOnlySpan<byte> lengths, int maxSymbol, int maxBits, Span<ushort> codes)
        {
            Span<int> start = stackalloc int[Huffman.MaxBits + 2];
            Span<int> countPerWeight = stackalloc int[Huffman.MaxBits + 2];
            countPerWeight.Clear();
            for (int s = 0; s <= maxSymbol; s++)
            {
                if (lengths[s] > 0)
                {
                    countPerWeight[maxBits + 1 - lengths[s]]++;
                }
            }

            int next = 0;
            for (int w = 1; w <= maxBits; w++)
            {
                start[w] = next;
                next += countPerWeight[w] << (w - 1);
            }

            for (int s = 0; s <= maxSymbol; s++)
            {
                if (lengths[s] > 0)
                {
                    int w = maxBits + 1 - lengths[s];
                    codes[s] = (ushort)(start[w] >> (w - 1));
                    start[w] += 1 << (w - 1);
                }
            }
        }
    }
}

/// <summary>
/// Writes a bitstream that a <see cref="BackwardBitReader"/> reads back from its end: bits go in
/// least-significant first, and closing adds the end-mark bit. The caller guarantees room for 8 bytes
/// past every flush position.
/// </summary>
internal unsafe struct ForwardBitWriter
{
    private byte* _position;
    private ulong _container;
    private int _bits;

    public ForwardBitWriter(byte* output)
    {
        _position = output;
        _container = 0;
        _bits = 0;
    }

    /// <summary>Adds the low <paramref name="count"/> bits of <paramref name="value"/> (which has no higher bits set); at most 56 bits between flushes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(uint value, int count)
    {
        _container |= (ulong)value << _bits;
        _bits += count;
    }

    /// <summary>Adds up to 56 bits at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddLong(ulong value, int count)
    {
        _container |= value << _bits;
        _bits += count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Flush()
    {
        Unsafe.WriteUnaligned(_position, _container);
        int bytes = _bits >> 3;
        _position += bytes;
        _container = bytes == 0 ? _container : _container >> (bytes * 8);
        _bits &= 7;
    }

    /// <summary>Adds the end mark and returns the end of the stream.</summary>
    /// <remarks>Static and by value: an instance call would take the writer's address and keep it out of registers.</remarks>
    public static byte* Close(ForwardBitWriter writer)
    {
        writer.Add(1, 1);
        writer.Flush();
        return writer._position + (writer._bits > 0 ? 1 : 0);
    }
}

/// <summary>An FSE encoding table (tANS) for one normalized distribution, the mirror of <see cref="Fse.Build"/>.</summary>
internal sealed class FseEncoder
{
    private readonly ushort[] _states = new ushort[512];
    private readonly int[] _deltaBits = new int[256];
    private readonly int[] _deltaState = new int[256];

    public FseEncoder()
    {
    }

    public FseEncoder(short[] normalized, int tableLog) => Build(normalized, tableLog);

    public int TableLog { get; private set; }

    /// <summary>Builds the table for <paramref name="normalized"/> (one count per symbol, -1 meaning "less than 1").</summary>
    public void Build(ReadOnlySpan<short> normalized, int tableLog)
    {
        TableLog = tableLog;
        int size = 1 << tableLog;
        int symbols = normalized.Length;
        Span<byte> spread = stackalloc byte[512];
        Span<int> cumulative = stackalloc int[257];
        int high = size - 1;
        cumulative[0] = 0;
        for (int s = 0; s < symbols; s++)
        {
            if (normalized[s] == -1)
            {
                spread[high--] = (byte)s;
                cumulative[s + 1] = cumulative[s] + 1;
            }
            else
            {
                cumulative[s + 1] = cumulative[s] + normalized[s];
            }
        }

        int step = (size >> 1) + (size >> 3) + 3;
        int position = 0;
        for (int s = 0; s < symbols; s++)
        {
            for (int i = 0; i < normalized[s]; i++)
            {
                spread[position] = (byte)s;
                do
                {
                    position = (position + step) & (size - 1);
                }
                while (position > high);
            }
        }

        Span<int> next = stackalloc int[257];
        cumulative.CopyTo(next);
        for (int u = 0; u < size; u++)
        {
            byte s = spread[u];
            _states[next[s]++] = (ushort)(size + u);
        }

        for (int s = 0; s < symbols; s++)
        {
            int count = normalized[s];
            if (count == -1 || count == 1)
            {
                _deltaBits[s] = (tableLog << 16) - size;
                _deltaState[s] = cumulative[s] - 1;
            }
            else if (count > 1)
            {
                int maxBitsOut = tableLog - BitOperations.Log2((uint)(count - 1));
                int minStatePlus = count << maxBitsOut;
                _deltaBits[s] = (maxBitsOut << 16) - minStatePlus;
                _deltaState[s] = cumulative[s] - count;
            }
        }
    }

    /// <summary>The state after encoding <paramref name="symbol"/> first, writing no bits.</summary>
    public uint InitialState(int symbol)
    {
        int bitsOut = (_deltaBits[symbol] + (1 << 15)) >> 16;
        int value = (bitsOut << 16) - _deltaBits[symbol];
        return _states[(value >> bitsOut) + _deltaState[symbol]];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Encode(ref ForwardBitWriter writer, ref uint state, int symbol)
    {
        int bitsOut = (int)((state + (uint)_deltaBits[symbol]) >> 16);
        writer.Add(state & ((1U << bitsOut) - 1), bitsOut);
        state = _states[(int)(state >> bitsOut) + _deltaState[symbol]];
    }

    /// <summary>
    /// Scales <paramref name="counts"/> to a distribution summing to 2^<paramref name="tableLog"/>:
    /// proportional, every used symbol at least "less than 1" (-1), the rounding difference given to
    /// the most frequent symbol or taken from the largest counts. False if that cannot be done.
    /// </summary>
    public static bool Normalize(ReadOnlySpan<int> counts, int total, int tableLog, Span<short> normalized)
    {
        int size = 1 << tableLog;
        int sum = 0;
        int mostFrequent = -1;
        for (int s = 0; s < counts.Length; s++)
        {
            if (counts[s] == 0)
            {
                normalized[s] = 0;
                continue;
            }

            int n = (int)((long)counts[s] * size / total);
            normalized[s] = n == 0 ? (short)-1 : (short)n;
            sum += Math.Max(n, 1);
            if (mostFrequent < 0 || counts[s] > counts[mostFrequent])
            {
                mostFrequent = s;
            }
        }

        if (sum <= size)
        {
            if (normalized[mostFrequent] == -1)
            {
                normalized[mostFrequent] = 1;
            }

            normalized[mostFrequent] += (short)(size - sum);
            return true;
        }

        while (sum > size)
        {
            int biggest = -1;
            for (int s = 0; s < counts.Length; s++)
            {
                if (normalized[s] > 1 && (biggest < 0 || normalized[s] > normalized[biggest]))
                {
                    biggest = s;
                }
            }

            if (biggest < 0)
            {
                return false;
            }

            normalized[biggest]--;
            sum--;
        }

        return true;
    }

    /// <summary>Writes an FSE table description (RFC 8878 §4.1.1), the inverse of <see cref="Fse.ReadDistribution"/>; returns its size.</summary>
    public static unsafe int WriteDistribution(ReadOnlySpan<short> normalized, int tableLog, byte* output)
    {
        ulong bits = (ulong)(tableLog - 5);
        int bitCount = 4;
        byte* op = output;
        int remaining = (1 << tableLog) + 1;
        int threshold = 1 << tableLog;
        int nbBits = tableLog + 1;
        int symbol = 0;
        bool previousZero = false;
        while (symbol < normalized.Length && remaining > 1)
        {
            if (previousZero)
            {
                int start = symbol;
                while (normalized[symbol] == 0)
                {
                    symbol++;
                }

                while (symbol >= start + 3)
                {
                    start += 3;
                    bits |= 3UL << bitCount;
                    bitCount += 2;
                    Flush(ref op, ref bits, ref bitCount);
                }

                bits |= (ulong)(symbol - start) << bitCount;
                bitCount += 2;
            }

            int original = normalized[symbol++];
            int count = original;
            int max = (2 * threshold) - 1 - remaining;
            remaining -= Math.Abs(count);
            count++;
            if (count >= threshold)
            {
                count += max;
            }

            bits |= (ulong)count << bitCount;
            bitCount += nbBits;
            if (count < max)
            {
                bitCount--;
            }

            previousZero = original == 0;
            while (remaining < threshold)
            {
                nbBits--;
                threshold >>= 1;
            }

            Flush(ref op, ref bits, ref bitCount);
        }

        while (bitCount > 0)
        {
            *op++ = (byte)bits;
            bits >>= 8;
            bitCount -= 8;
        }

        return (int)(op - output);
    }

    private static unsafe void Flush(ref byte* op, ref ulong bits, ref int bitCount)
    {
        while (bitCount >= 8)
        {
            *op++ = (byte)bits;
            bits >>= 8;
            bitCount -= 8;
        }
    }
}
