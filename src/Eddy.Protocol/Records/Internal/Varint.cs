using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Records.Internal;

/// <summary>
/// Span-based zigzag varint reads for the record hot path (<c>ByteUtils.readVarint/readVarlong</c>).
/// They report failure instead of throwing, so the caller can say which record and field was bad;
/// <see cref="Describe"/> then says why. <see cref="KafkaReader"/> has the same rules for message fields.
/// </summary>
internal static class Varint
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt32(ReadOnlySpan<byte> s, ref int pos, out int value)
    {
        if ((uint)pos < (uint)s.Length)
        {
            uint b = s[pos];
            if (b < 0x80)
            {
                pos++;
                value = (int)(b >> 1) ^ -(int)(b & 1);
                return true;
            }

            if ((uint)(pos + 1) < (uint)s.Length)
            {
                uint b1 = s[pos + 1];
                if (b1 < 0x80)
                {
                    pos += 2;
                    uint raw = (b & 0x7F) | (b1 << 7);
                    value = (int)(raw >> 1) ^ -(int)(raw & 1);
                    return true;
                }
            }
        }

        return TryReadInt32Slow(s, ref pos, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt64(ReadOnlySpan<byte> s, ref int pos, out long value)
    {
        if ((uint)pos < (uint)s.Length)
        {
            uint b = s[pos];
            if (b < 0x80)
            {
                pos++;
                value = (long)(b >> 1) ^ -(long)(b & 1);
                return true;
            }
        }

        return TryReadInt64Slow(s, ref pos, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadInt32Slow(ReadOnlySpan<byte> s, ref int pos, out int value)
    {
        uint result = 0;
        int p = pos;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if ((uint)p >= (uint)s.Length)
            {
                break;
            }

            uint b = s[p++];
            if (shift == 28 && b > 0x0F)
            {
                break;
            }

            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                pos = p;
                value = (int)(result >> 1) ^ -(int)(result & 1);
                return true;
            }
        }

        value = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadInt64Slow(ReadOnlySpan<byte> s, ref int pos, out long value)
    {
        ulong result = 0;
        int p = pos;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if ((uint)p >= (uint)s.Length)
            {
                break;
            }

            ulong b = s[p++];
            if (shift == 63 && b > 0x01)
            {
                break;
            }

            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                pos = p;
                value = (long)(result >> 1) ^ -(long)(result & 1);
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>Says why a varint at <paramref name="pos"/> could not be read.</summary>
    public static string Describe(ReadOnlySpan<byte> s, int pos, int bits)
    {
        int maxBytes = bits == 32 ? 5 : 10;
        string kind = bits == 32 ? "varint" : "varlong";
        for (int i = 0; i < maxBytes; i++)
        {
            if (pos + i >= s.Length)
            {
                return $"truncated {kind} ({s.Length - pos} bytes left)";
            }

            if (s[pos + i] < 0x80)
            {
                return $"{kind} overflows {bits} bits";
            }
        }

        return $"{kind} longer than {maxBytes} bytes";
    }

    /// <summary>Bytes a zigzag varint of <paramref name="value"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(int value)
    {
        uint raw = (uint)((value << 1) ^ (value >> 31));
        return ((31 - System.Numerics.BitOperations.LeadingZeroCount(raw | 1)) / 7) + 1;
    }

    /// <summary>Bytes a zigzag varlong of <paramref name="value"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(long value)
    {
        ulong raw = (ulong)((value << 1) ^ (value >> 63));
        return ((63 - System.Numerics.BitOperations.LeadingZeroCount(raw | 1)) / 7) + 1;
    }

    /// <summary>Writes a zigzag varint at <paramref name="pos"/>; the span must have room (5 bytes at most).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> s, ref int pos, int value)
    {
        uint raw = (uint)((value << 1) ^ (value >> 31));
        while (raw >= 0x80)
        {
            s[pos++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        s[pos++] = (byte)raw;
    }

    /// <summary>Writes a zigzag varlong at <paramref name="pos"/>; the span must have room (10 bytes at most).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> s, ref int pos, long value)
    {
        ulong raw = (ulong)((value << 1) ^ (value >> 63));
        while (raw >= 0x80)
        {
            s[pos++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        s[pos++] = (byte)raw;
    }
}
