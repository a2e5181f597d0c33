using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Records.Internal;

/// <summary>
/// Span-based zigzag varint reads for the record hot path (<c>ByteUtils.readVarint/readVarlong</c>).
/// They report failure instead of throwing, so the caller can say which record and field was bad;
/// <see cref="Describe"/> then says why. <see cref="KafkaReader"/> has the same rules for message fields.
/// </summary>
internal static class Varint
{
    /// <summary>
    /// Reads a zigzag varint at <paramref name="pos"/>. Returns the value and the bytes it took, or a
    /// length of 0 when it is truncated or too long. Returned by value (not through ref/out) so the
    /// caller's position stays in a register.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VarIntResult ReadInt32(ReadOnlySpan<byte> s, int pos)
    {
        if ((uint)pos < (uint)s.Length)
        {
            uint b = s[pos];
            if (b < 0x80)
            {
                return new VarIntResult((int)(b >> 1) ^ -(int)(b & 1), 1);
            }

            if ((uint)(pos + 1) < (uint)s.Length)
            {
                uint b1 = s[pos + 1];
                if (b1 < 0x80)
                {
                    uint raw = (b & 0x7F) | (b1 << 7);
                    return new VarIntResult((int)(raw >> 1) ^ -(int)(raw & 1), 2);
                }
            }
        }

        return ReadInt32Slow(s, pos);
    }

    /// <summary>Reads a zigzag varlong; see <see cref="ReadInt32"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VarLongResult ReadInt64(ReadOnlySpan<byte> s, int pos)
    {
        if ((uint)pos < (uint)s.Length)
        {
            uint b = s[pos];
            if (b < 0x80)
            {
                return new VarLongResult((long)(b >> 1) ^ -(long)(b & 1), 1);
            }

            // Timestamp deltas within a batch are mostly under 8 seconds: two bytes.
            if ((uint)(pos + 1) < (uint)s.Length)
            {
                uint b1 = s[pos + 1];
                if (b1 < 0x80)
                {
                    uint raw = (b & 0x7F) | (b1 << 7);
                    return new VarLongResult((long)(raw >> 1) ^ -(long)(raw & 1), 2);
                }
            }
        }

        return ReadInt64Slow(s, pos);
    }

    /// <summary>The <c>ref</c>-style form of <see cref="ReadInt32"/>, for code off the hot path.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> s, ref int pos, out int value)
    {
        var v = ReadInt32(s, pos);
        value = v.Value;
        pos += v.Length;
        return v.Length != 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static VarIntResult ReadInt32Slow(ReadOnlySpan<byte> s, int pos)
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
                return new VarIntResult((int)(result >> 1) ^ -(int)(result & 1), p - pos);
            }
        }

        return default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static VarLongResult ReadInt64Slow(ReadOnlySpan<byte> s, int pos)
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
                return new VarLongResult((long)(result >> 1) ^ -(long)(result & 1), p - pos);
            }
        }

        return default;
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

/// <summary>A varint's value and the bytes it took (0 when it could not be read).</summary>
internal readonly struct VarIntResult(int value, int length)
{
    public readonly int Value = value;
    public readonly int Length = length;
}

/// <summary>A varlong's value and the bytes it took (0 when it could not be read).</summary>
internal readonly struct VarLongResult(long value, int length)
{
    public readonly long Value = value;
    public readonly int Length = length;
}
