using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Eddy.Protocol;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches v2
/// (KIP-98; <c>Crc32C.java</c>). Uses the SSE4.2 / ARMv8 CRC32C instruction when the processor has
/// one, three streams at a time for large inputs, and a slicing-by-8 table otherwise.
/// </summary>
/// <remarks>
/// <see cref="Append"/> takes and returns the finished (inverted) CRC, so <c>Append(Append(0, a), b)</c>
/// equals <c>Compute(a ++ b)</c>: a batch CRC can be computed over a header and a body held apart.
/// </remarks>
/// <example>
/// <code>
/// uint crc = Crc32C.Compute("123456789"u8);                 // 0xE3069283
/// uint same = Crc32C.Append(Crc32C.Compute("1234"u8), "56789"u8);
/// </code>
/// </example>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;

    // Three-way interleaving (Intel's "Fast CRC computation for iSCSI polynomial" and Mark Adler's
    // crc32c.c): the CRC32 instruction has a latency of 3 cycles and a throughput of 1, so three
    // independent streams keep it busy. The streams are combined by "shifting" a CRC over a fixed
    // number of zero bytes, which is linear and so a 4 x 256 table lookup.
    private const int LongBlock = 8192;
    private const int ShortBlock = 256;

    private static readonly uint[] Table = BuildSlicingTable();
    private static readonly uint[] LongShift = BuildShiftTable(LongBlock);
    private static readonly uint[] ShortShift = BuildShiftTable(ShortBlock);

    /// <summary>Whether a CRC32C instruction is used (SSE4.2 on x64, CRC32 on arm64).</summary>
    public static bool IsHardwareAccelerated => Sse42.X64.IsSupported || Crc32.Arm64.IsSupported;

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues <paramref name="crc"/> (the CRC-32C of the bytes before, or 0 for none) over
    /// <paramref name="data"/> and returns the CRC-32C of everything.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated ? ~UpdateHardware(~crc, data) : ~UpdatePortable(~crc, data);

    /// <summary>The table implementation, whatever the processor; for tests and benchmarks.</summary>
    internal static uint AppendPortable(uint crc, ReadOnlySpan<byte> data) => ~UpdatePortable(~crc, data);

    /// <summary>The one-stream instruction loop without interleaving; for benchmarks.</summary>
    internal static uint AppendHardwareSingleStream(uint crc, ReadOnlySpan<byte> data)
    {
        if (!IsHardwareAccelerated)
        {
            return AppendPortable(crc, data);
        }

        ref byte start = ref MemoryMarshal.GetReference(data);
        return ~Serial(~crc, ref start, data.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step64(uint crc, ulong data)
    {
        if (Sse42.X64.IsSupported)
        {
            return (uint)Sse42.X64.Crc32(crc, data);
        }

        return Crc32.Arm64.ComputeCrc32C(crc, data);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step8(uint crc, byte data)
    {
        if (Sse42.IsSupported)
        {
            return Sse42.Crc32(crc, data);
        }

        return Crc32.ComputeCrc32C(crc, data);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint crc)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(table);
        return Unsafe.Add(ref t, (int)(crc & 0xFF))
            ^ Unsafe.Add(ref t, 256 + (int)((crc >> 8) & 0xFF))
            ^ Unsafe.Add(ref t, 512 + (int)((crc >> 16) & 0xFF))
            ^ Unsafe.Add(ref t, 768 + (int)(crc >> 24));
    }

    private static uint UpdateHardware(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int length = data.Length;

        while (length >= 3 * LongBlock)
        {
            crc = Interleaved(crc, ref p, LongBlock, LongShift);
            p = ref Unsafe.Add(ref p, 3 * LongBlock);
            length -= 3 * LongBlock;
        }

        while (length >= 3 * ShortBlock)
        {
            crc = Interleaved(crc, ref p, ShortBlock, ShortShift);
            p = ref Unsafe.Add(ref p, 3 * ShortBlock);
            length -= 3 * ShortBlock;
        }

        return Serial(crc, ref p, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Interleaved(uint crc0, ref byte p, int block, uint[] shift)
    {
        uint crc1 = 0;
        uint crc2 = 0;
        for (int i = 0; i < block; i += 8)
        {
            crc0 = Step64(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            crc1 = Step64(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, block + i)));
            crc2 = Step64(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, (2 * block) + i)));
        }

        crc0 = Shift(shift, crc0) ^ crc1;
        return Shift(shift, crc0) ^ crc2;
    }

    private static uint Serial(uint crc, ref byte p, int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            crc = Step64(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        }

        for (; i < length; i++)
        {
            crc = Step8(crc, Unsafe.Add(ref p, i));
        }

        return crc;
    }

    private static uint UpdatePortable(uint crc, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = Table;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4));
            crc = t[(7 * 256) + (int)(low & 0xFF)]
                ^ t[(6 * 256) + (int)((low >> 8) & 0xFF)]
                ^ t[(5 * 256) + (int)((low >> 16) & 0xFF)]
                ^ t[(4 * 256) + (int)(low >> 24)]
                ^ t[(3 * 256) + (int)(high & 0xFF)]
                ^ t[(2 * 256) + (int)((high >> 8) & 0xFF)]
                ^ t[256 + (int)((high >> 16) & 0xFF)]
                ^ t[(int)(high >> 24)];
            data = data.Slice(8);
        }

        foreach (byte b in data)
        {
            crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildSlicingTable()
    {
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[n] = c;
        }

        for (int n = 0; n < 256; n++)
        {
            uint c = table[n];
            for (int k = 1; k < 8; k++)
            {
                c = table[(int)(c & 0xFF)] ^ (c >> 8);
                table[(k * 256) + n] = c;
            }
        }

        return table;
    }

    /// <summary>
    /// Builds the 4 x 256 table that advances a raw CRC register over <paramref name="zeros"/> zero
    /// bytes. The operation is linear over GF(2), so it is found for the 32 single-bit registers and
    /// each table entry is the XOR of the entries for its bits.
    /// </summary>
    private static uint[] BuildShiftTable(int zeros)
    {
        Span<uint> basis = stackalloc uint[32];
        for (int bit = 0; bit < 32; bit++)
        {
            uint c = 1u << bit;
            for (int i = 0; i < zeros; i++)
            {
                // One zero byte through the table-driven register.
                c = Table[(int)(c & 0xFF)] ^ (c >> 8);
            }

            basis[bit] = c;
        }

        var table = new uint[4 * 256];
        for (int part = 0; part < 4; part++)
        {
            for (int v = 0; v < 256; v++)
            {
                uint r = 0;
                for (int b = 0; b < 8; b++)
                {
                    if ((v & (1 << b)) != 0)
                    {
                        r ^= basis[(part * 8) + b];
                    }
                }

                table[(part * 256) + v] = r;
            }
        }

        return table;
    }
}
