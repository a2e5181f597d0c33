using System.Numerics;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// Reads a Zstandard backward bitstream (RFC 8878 §4.1): the stream is read from its last byte towards
/// its first, the highest set bit of the last byte marks where the data starts, and values are taken
/// from the most significant end. Status values mirror the reference decoder's so that the
/// two-state FSE decode of Huffman weights stops at exactly the same symbol.
/// </summary>
/// <remarks>
/// Four fields and raw pointers so that the JIT keeps a reader in registers in the hot loops; the
/// caller pins the stream for the reader's lifetime.
/// </remarks>
internal unsafe struct BackwardBitReader
{
    public const int Unfinished = 0;
    public const int EndOfBuffer = 1;
    public const int Completed = 2;
    public const int Overflow = 3;

    private readonly byte* _start;
    private byte* _position;
    private ulong _container;
    private int _consumed;

    public BackwardBitReader(byte* start, int length)
    {
        if (length <= 0)
        {
            throw ZstdDecoder.Corrupt("empty bitstream");
        }

        byte last = start[length - 1];
        if (last == 0)
        {
            throw ZstdDecoder.Corrupt("bitstream's last byte has no end-mark bit");
        }

        _start = start;
        int padding = BitOperations.LeadingZeroCount((uint)last) - 24 + 1;
        if (length >= 8)
        {
            _position = start + length - 8;
            _container = Unsafe.ReadUnaligned<ulong>(_position);
            _consumed = padding;
        }
        else
        {
            _position = start;
            _container = 0;
            for (int i = 0; i < length; i++)
            {
                _container |= (ulong)start[i] << (8 * i);
            }

            _consumed = padding + ((8 - length) * 8);
        }
    }

    /// <summary>Whether every bit up to the end-mark has been read, exactly.</summary>
    public readonly bool IsExactlyConsumed => _position == _start && _consumed == 64;

    /// <summary>Reads <paramref name="count"/> bits (0..57 since the last reload). Past the start, bits are garbage, never out of range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(int count)
    {
        ulong value = ((_container << _consumed) >> 1) >> (63 - count);
        _consumed += count;
        return (uint)value;
    }

    /// <summary>Looks at the next <paramref name="count"/> bits (1..57) without consuming them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint Peek(int count) => (uint)(((_container << _consumed) >> 1) >> (63 - count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int count) => _consumed += count;

    /// <summary>Refills the 64-bit container; returns one of the status constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Reload()
    {
        if (_consumed > 64)
        {
            return Overflow;
        }

        if (_position >= _start + 8)
        {
            _position -= _consumed >> 3;
            _consumed &= 7;
            _container = Unsafe.ReadUnaligned<ulong>(_position);
            return Unfinished;
        }

        return ReloadNearStart();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ReloadNearStart()
    {
        if (_position == _start)
        {
            return _consumed == 64 ? Completed : EndOfBuffer;
        }

        int bytes = _consumed >> 3;
        int status = Unfinished;
        if (bytes > _position - _start)
        {
            bytes = (int)(_position - _start);
            status = EndOfBuffer;
        }

        _position -= bytes;
        _consumed -= bytes * 8;
        _container = Unsafe.ReadUnaligned<ulong>(_position);
        return status;
    }
}

/// <summary>One FSE decoding table cell, with the code's baseline and extra-bit count for sequences.</summary>
internal struct FseEntry
{
    public uint Base;
    public ushort NextState;
    public byte ExtraBits;
    public byte NbBits;
}

/// <summary>FSE table descriptions and decoding tables (RFC 8878 §4.1.1).</summary>
internal static class Fse
{
    /// <summary>
    /// Reads an FSE table description (normalized counts) from the start of <paramref name="source"/>.
    /// Returns the bytes it occupies; <paramref name="normalized"/> gets one count per symbol up to
    /// <paramref name="maxSymbol"/> (-1 meaning "less than 1").
    /// </summary>
    public static int ReadDistribution(ReadOnlySpan<byte> source, Span<short> normalized, int maxSymbol, int maxLog, out int tableLog, out int symbolCount)
    {
        if (source.IsEmpty)
        {
            throw ZstdDecoder.Corrupt("missing FSE table description");
        }

        long bitPosition = 0;
        tableLog = (int)ReadForward(source, ref bitPosition, 4) + 5;
        if (tableLog > maxLog)
        {
            throw ZstdDecoder.Corrupt($"FSE accuracy log {tableLog} exceeds the maximum {maxLog}");
        }

        int remaining = (1 << tableLog) + 1;
        int threshold = 1 << tableLog;
        int bits = tableLog + 1;
        int symbol = 0;
        bool previousZero = false;
        while (remaining > 1 && symbol <= maxSymbol)
        {
            if (previousZero)
            {
                int end = symbol;
                while (true)
                {
                    int repeat = (int)ReadForward(source, ref bitPosition, 2);
                    end += repeat;
                    if (end > maxSymbol + 1)
                    {
                        throw ZstdDecoder.Corrupt("FSE table description has too many symbols");
                    }

                    if (repeat != 3)
                    {
                        break;
                    }
                }

                while (symbol < end)
                {
                    normalized[symbol++] = 0;
                }

                if (symbol > maxSymbol)
                {
                    break;
                }
            }

            int max = (2 * threshold) - 1 - remaining;
            int value = (int)PeekForward(source, bitPosition, bits);
            int count;
            if ((value & (threshold - 1)) < max)
            {
                count = value & (threshold - 1);
                bitPosition += bits - 1;
            }
            else
            {
                count = value & ((2 * threshold) - 1);
                if (count >= threshold)
                {
                    count -= max;
                }

                bitPosition += bits;
            }

            count--;
            remaining -= Math.Abs(count);
            normalized[symbol++] = (short)count;
            previousZero = count == 0;
            while (remaining < threshold && threshold > 1)
            {
                bits--;
                threshold >>= 1;
            }
        }

        if (remaining != 1)
        {
            throw ZstdDecoder.Corrupt("FSE table description's counts do not add up");
        }

        symbolCount = symbol;
        for (int s = symbol; s <= maxSymbol; s++)
        {
            normalized[s] = 0;
        }

        long bytes = (bitPosition + 7) >> 3;
        if (bytes > source.Length)
        {
            throw ZstdDecoder.Corrupt("FSE table description runs past its section");
        }

        return (int)bytes;
    }

    private static uint PeekForward(ReadOnlySpan<byte> source, long bitPosition, int count)
    {
        long byteIndex = bitPosition >> 3;
        ulong window = 0;
        for (int i = 0; i < 4; i++)
        {
            long index = byteIndex + i;
            if (index < source.Length)
            {
                window |= (ulong)source[(int)index] << (8 * i);
            }
        }

        return (uint)((window >> (int)(bitPosition & 7)) & ((1UL << count) - 1));
    }

    private static uint ReadForward(ReadOnlySpan<byte> source, ref long bitPosition, int count)
    {
        uint value = PeekForward(source, bitPosition, count);
        bitPosition += count;
        return value;
    }

    /// <summary>
    /// Builds a decoding table (RFC 8878 §4.1.1): "less than 1" symbols at the top, the others spread
    /// with step (size/2 + size/8 + 3), then each cell's bit count and next-state baseline.
    /// </summary>
    public static void Build(ReadOnlySpan<short> normalized, int symbolCount, int tableLog, Span<FseEntry> table, ReadOnlySpan<uint> baselines, ReadOnlySpan<byte> extraBits)
    {
        int size = 1 << tableLog;
        int high = size - 1;
        Span<ushort> next = stackalloc ushort[256];
        Span<byte> symbols = stackalloc byte[512];
        for (int s = 0; s < symbolCount; s++)
        {
            if (normalized[s] == -1)
            {
                symbols[high--] = (byte)s;
                next[s] = 1;
            }
            else
            {
                next[s] = (ushort)Math.Max((int)normalized[s], 0);
            }
        }

        int step = (size >> 1) + (size >> 3) + 3;
        int mask = size - 1;
        int position = 0;
        for (int s = 0; s < symbolCount; s++)
        {
            for (int i = 0; i < normalized[s]; i++)
            {
                symbols[position] = (byte)s;
                do
                {
                    position = (position + step) & mask;
                }
                while (position > high);
            }
        }

        if (position != 0)
        {
            throw ZstdDecoder.Corrupt("FSE table description does not fill its table");
        }

        for (int u = 0; u < size; u++)
        {
            byte s = symbols[u];
            int state = next[s]++;
            int nbBits = tableLog - BitOperations.Log2((uint)state);
            ref FseEntry entry = ref table[u];
            entry.NbBits = (byte)nbBits;
            entry.NextState = (ushort)((state << nbBits) - size);
            if (baselines.IsEmpty)
            {
                entry.Base = s;
                entry.ExtraBits = 0;
            }
            else
            {
                entry.Base = baselines[s];
                entry.ExtraBits = extraBits[s];
            }
        }
    }
}

/// <summary>Huffman literal tables and streams (RFC 8878 §4.2).</summary>
internal static unsafe class Huffman
{
    public const int MaxBits = 11;

    /// <summary>
    /// Reads a Huffman tree description and fills <paramref name="table"/> (index: the next
    /// <paramref name="maxBits"/> bits; value: symbol &lt;&lt; 8 | code length). Returns the bytes read.
    /// </summary>
    public static int ReadTable(ReadOnlySpan<byte> source, Span<ushort> table, out int maxBits)
    {
        if (source.IsEmpty)
        {
            throw ZstdDecoder.Corrupt("missing Huffman tree description");
        }

        Span<byte> weights = stackalloc byte[256];
        int header = source[0];
        int count;
        int consumed;
        if (header >= 128)
        {
            count = header - 127;
            int bytes = (count + 1) / 2;
            if (source.Length < 1 + bytes)
            {
                throw ZstdDecoder.Corrupt("truncated Huffman weights");
            }

            for (int i = 0; i < count; i++)
            {
                byte b = source[1 + (i / 2)];
                weights[i] = (byte)((i & 1) == 0 ? b >> 4 : b & 0xF);
            }

            consumed = 1 + bytes;
        }
        else
        {
            if (source.Length < 1 + header)
            {
                throw ZstdDecoder.Corrupt("truncated Huffman weights");
            }

            count = DecodeWeights(source.Slice(1, header), weights);
            consumed = 1 + header;
        }

        Span<int> rankCount = stackalloc int[MaxBits + 2];
        rankCount.Clear();
        uint total = 0;
        for (int i = 0; i < count; i++)
        {
            int w = weights[i];
            if (w > MaxBits)
            {
                throw ZstdDecoder.Corrupt($"Huffman weight {w} exceeds {MaxBits}");
            }

            rankCount[w]++;
            total += w == 0 ? 0 : 1U << (w - 1);
        }

        if (total == 0)
        {
            throw ZstdDecoder.Corrupt("Huffman weights are all zero");
        }

        maxBits = BitOperations.Log2(total) + 1;
        if (maxBits > MaxBits)
        {
            throw ZstdDecoder.Corrupt($"Huffman code length {maxBits} exceeds {MaxBits}");
        }

        uint rest = (1U << maxBits) - total;
        if (!BitOperations.IsPow2(rest))
        {
            throw ZstdDecoder.Corrupt("Huffman weights do not describe a complete tree");
        }

        int lastWeight = BitOperations.Log2(rest) + 1;
        weights[count] = (byte)lastWeight;
        rankCount[lastWeight]++;
        int symbols = count + 1;
        if (rankCount[1] < 2 || (rankCount[1] & 1) != 0)
        {
            throw ZstdDecoder.Corrupt("Huffman tree has an odd number of longest codes");
        }

        Span<int> start = stackalloc int[MaxBits + 2];
        int next = 0;
        for (int w = 1; w <= maxBits; w++)
        {
            start[w] = next;
            next += rankCount[w] << (w - 1);
        }

        for (int s = 0; s < symbols; s++)
        {
            int w = weights[s];
            if (w == 0)
            {
                continue;
            }

            int length = 1 << (w - 1);
            table.Slice(start[w], length).Fill((ushort)((s << 8) | (maxBits + 1 - w)));
            start[w] += length;
        }

        return consumed;
    }

    /// <summary>FSE-compressed Huffman weights: one table, two interleaved states (RFC 8878 §4.2.1.2).</summary>
    private static int DecodeWeights(ReadOnlySpan<byte> source, Span<byte> weights)
    {
        Span<short> normalized = stackalloc short[256];
        int headerLength = Fse.ReadDistribution(source, normalized, 255, 6, out int tableLog, out int symbolCount);
        Span<FseEntry> table = stackalloc FseEntry[64];
        Fse.Build(normalized, symbolCount, tableLog, table, default, default);
        ReadOnlySpan<byte> stream = source[headerLength..];
        fixed (byte* streamStart = stream)
        {
            return DecodeWeights(new BackwardBitReader(streamStart, stream.Length), table, tableLog, weights);
        }
    }

    private static int DecodeWeights(BackwardBitReader reader, ReadOnlySpan<FseEntry> table, int tableLog, Span<byte> weights)
    {
        int state1 = (int)reader.ReadBits(tableLog);
        int state2 = (int)reader.ReadBits(tableLog);
        reader.Reload();
        int n = 0;
        while (true)
        {
            if (n > 253)
            {
                throw ZstdDecoder.Corrupt("too many Huffman weights");
            }

            FseEntry e1 = table[state1];
            weights[n++] = (byte)e1.Base;
            state1 = e1.NextState + (int)reader.ReadBits(e1.NbBits);
            if (reader.Reload() == BackwardBitReader.Overflow)
            {
                weights[n++] = (byte)table[state2].Base;
                break;
            }

            FseEntry e2 = table[state2];
            weights[n++] = (byte)e2.Base;
            state2 = e2.NextState + (int)reader.ReadBits(e2.NbBits);
            if (reader.Reload() == BackwardBitReader.Overflow)
            {
                weights[n++] = (byte)table[state1].Base;
                break;
            }
        }

        return n;
    }

    /// <summary>Decodes one Huffman stream that must yield exactly <c>output.Length</c> symbols.</summary>
    public static void DecodeStream(ReadOnlySpan<byte> stream, Span<byte> output, ushort[] table, int maxBits)
    {
        fixed (byte* input = stream)
        fixed (byte* op = output)
        fixed (ushort* cells = table)
        {
            var reader = new BackwardBitReader(input, stream.Length);
            Decode(ref reader, op, op + output.Length, cells, maxBits);
            Finish(ref reader);
        }
    }

    /// <summary>
    /// Decodes four streams that split <paramref name="output"/> in quarters (the last one shorter),
    /// interleaved so that the four dependency chains overlap.
    /// </summary>
    public static void DecodeFourStreams(ReadOnlySpan<byte> s1, ReadOnlySpan<byte> s2, ReadOnlySpan<byte> s3, ReadOnlySpan<byte> s4, Span<byte> output, int segment, ushort[] table, int maxBits)
    {
        fixed (byte* p1 = s1)
        fixed (byte* p2 = s2)
        fixed (byte* p3 = s3)
        fixed (byte* p4 = s4)
        fixed (byte* op = output)
        fixed (ushort* cells = table)
        {
            var r1 = new BackwardBitReader(p1, s1.Length);
            var r2 = new BackwardBitReader(p2, s2.Length);
            var r3 = new BackwardBitReader(p3, s3.Length);
            var r4 = new BackwardBitReader(p4, s4.Length);
            byte* o1 = op;
            byte* o2 = op + segment;
            byte* o3 = op + (2 * segment);
            byte* o4 = op + (3 * segment);
            byte* end4 = op + output.Length;

            // The fourth segment is the shortest, so while it has 4 symbols left the others do too.
            while (end4 - o4 >= 4)
            {
                if ((r1.Reload() | r2.Reload() | r3.Reload() | r4.Reload()) != BackwardBitReader.Unfinished)
                {
                    break;
                }

                for (int k = 0; k < 4; k++)
                {
                    ushort c1 = cells[r1.Peek(maxBits)];
                    ushort c2 = cells[r2.Peek(maxBits)];
                    ushort c3 = cells[r3.Peek(maxBits)];
                    ushort c4 = cells[r4.Peek(maxBits)];
                    r1.Skip(c1 & 0xFF);
                    r2.Skip(c2 & 0xFF);
                    r3.Skip(c3 & 0xFF);
                    r4.Skip(c4 & 0xFF);
                    o1[k] = (byte)(c1 >> 8);
                    o2[k] = (byte)(c2 >> 8);
                    o3[k] = (byte)(c3 >> 8);
                    o4[k] = (byte)(c4 >> 8);
                }

                o1 += 4;
                o2 += 4;
                o3 += 4;
                o4 += 4;
            }

            // Copies, so that the loop's readers are never address-taken and stay in registers.
            BackwardBitReader t1 = r1, t2 = r2, t3 = r3, t4 = r4;
            Decode(ref t1, o1, op + segment, cells, maxBits);
            Decode(ref t2, o2, op + (2 * segment), cells, maxBits);
            Decode(ref t3, o3, op + (3 * segment), cells, maxBits);
            Decode(ref t4, o4, end4, cells, maxBits);
            Finish(ref t1);
            Finish(ref t2);
            Finish(ref t3);
            Finish(ref t4);
        }
    }

    private static void Decode(ref BackwardBitReader state, byte* op, byte* end, ushort* cells, int maxBits)
    {
        BackwardBitReader reader = state;
        while (end - op >= 4 && reader.Reload() == BackwardBitReader.Unfinished)
        {
            ushort c1 = cells[reader.Peek(maxBits)];
            reader.Skip(c1 & 0xFF);
            ushort c2 = cells[reader.Peek(maxBits)];
            reader.Skip(c2 & 0xFF);
            ushort c3 = cells[reader.Peek(maxBits)];
            reader.Skip(c3 & 0xFF);
            ushort c4 = cells[reader.Peek(maxBits)];
            reader.Skip(c4 & 0xFF);
            op[0] = (byte)(c1 >> 8);
            op[1] = (byte)(c2 >> 8);
            op[2] = (byte)(c3 >> 8);
            op[3] = (byte)(c4 >> 8);
            op += 4;
        }

        while (op < end)
        {
            if (reader.Reload() == BackwardBitReader.Overflow)
            {
                throw ZstdDecoder.Corrupt("Huffman stream is shorter than its symbols");
            }

            ushort cell = cells[reader.Peek(maxBits)];
            reader.Skip(cell & 0xFF);
            *op++ = (byte)(cell >> 8);
        }

        state = reader;
    }

    private static void Finish(ref BackwardBitReader reader)
    {
        reader.Reload();
        if (!reader.IsExactlyConsumed)
        {
            throw ZstdDecoder.Corrupt("Huffman stream is not consumed exactly");
        }
    }
}
