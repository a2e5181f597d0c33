using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// xxHash32 (XXH32), as used by the LZ4 frame format for its header, block and content checksums.
/// Written from the algorithm description in the xxHash specification (doc/xxhash_spec.md).
/// </summary>
/// <remarks>
/// A mutable struct so that it can hash a frame's output block by block without allocating.
/// </remarks>
internal struct XxHash32
{
    private const uint Prime1 = 2654435761U;
    private const uint Prime2 = 2246822519U;
    private const uint Prime3 = 3266489917U;
    private const uint Prime4 = 668265263U;
    private const uint Prime5 = 374761393U;

    private uint _v1;
    private uint _v2;
    private uint _v3;
    private uint _v4;
    private readonly uint _seed;
    private long _totalLength;
    private StripeBuffer _pending;
    private int _pendingLength;

    public XxHash32(uint seed)
    {
        _seed = seed;
        _v1 = seed + Prime1 + Prime2;
        _v2 = seed + Prime2;
        _v3 = seed;
        _v4 = seed - Prime1;
        _totalLength = 0;
        _pendingLength = 0;
    }

    /// <summary>Hashes <paramref name="data"/> in one call.</summary>
    public static uint Hash(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var state = new XxHash32(seed);
        state.Append(data);
        return state.Finish();
    }

    /// <summary>Adds <paramref name="data"/> to the hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _totalLength += data.Length;
        Span<byte> pending = _pending;
        if (_pendingLength > 0)
        {
            int take = Math.Min(16 - _pendingLength, data.Length);
            data[..take].CopyTo(pending[_pendingLength..]);
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < 16)
            {
                return;
            }

            Stripes(pending);
            _pendingLength = 0;
        }

        int whole = data.Length & ~15;
        if (whole > 0)
        {
            Stripes(data[..whole]);
            data = data[whole..];
        }

        data.CopyTo(pending);
        _pendingLength = data.Length;
    }

    /// <summary>The hash of everything appended so far.</summary>
    public readonly uint Finish()
    {
        uint acc = _totalLength >= 16
            ? BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7) + BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18)
            : _seed + Prime5;
        acc += (uint)_totalLength;
        ReadOnlySpan<byte> rest = ((ReadOnlySpan<byte>)_pending)[.._pendingLength];
        while (rest.Length >= 4)
        {
            acc += BinaryPrimitives.ReadUInt32LittleEndian(rest) * Prime3;
            acc = BitOperations.RotateLeft(acc, 17) * Prime4;
            rest = rest[4..];
        }

        foreach (byte b in rest)
        {
            acc += b * Prime5;
            acc = BitOperations.RotateLeft(acc, 11) * Prime1;
        }

        acc ^= acc >> 15;
        acc *= Prime2;
        acc ^= acc >> 13;
        acc *= Prime3;
        acc ^= acc >> 16;
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Round(uint acc, uint lane) => BitOperations.RotateLeft(acc + (lane * Prime2), 13) * Prime1;

    private void Stripes(ReadOnlySpan<byte> data)
    {
        uint v1 = _v1, v2 = _v2, v3 = _v3, v4 = _v4;
        ref byte p = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data);
        for (int i = 0; i < data.Length; i += 16)
        {
            v1 = Round(v1, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)));
            v2 = Round(v2, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4)));
            v3 = Round(v3, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 8)));
            v4 = Round(v4, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 12)));
        }

        _v1 = v1;
        _v2 = v2;
        _v3 = v3;
        _v4 = v4;
    }

    [InlineArray(16)]
    private struct StripeBuffer
    {
        private byte _element0;
    }
}

/// <summary>
/// xxHash64 (XXH64); Zstandard's content checksum is its low 32 bits (RFC 8878 §3.1.1).
/// Written from the algorithm description in the xxHash specification (doc/xxhash_spec.md).
/// </summary>
internal static class XxHash64
{
    private const ulong Prime1 = 11400714785074694791UL;
    private const ulong Prime2 = 14029467366897019727UL;
    private const ulong Prime3 = 1609587929392839161UL;
    private const ulong Prime4 = 9650029242287828579UL;
    private const ulong Prime5 = 2870177450012600261UL;

    /// <summary>Hashes <paramref name="data"/> in one call (this is little-endian only, like every .NET 10 target).</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ref byte p = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        ulong acc;
        if (length >= 32)
        {
            ulong v1 = seed + Prime1 + Prime2;
            ulong v2 = seed + Prime2;
            ulong v3 = seed;
            ulong v4 = seed - Prime1;
            int limit = length - 32;
            for (; i <= limit; i += 32)
            {
                v1 = Round(v1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
                v2 = Round(v2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8)));
                v3 = Round(v3, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16)));
                v4 = Round(v4, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24)));
            }

            acc = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            acc = Merge(acc, v1);
            acc = Merge(acc, v2);
            acc = Merge(acc, v3);
            acc = Merge(acc, v4);
        }
        else
        {
            acc = seed + Prime5;
        }

        acc += (ulong)length;
        for (; i + 8 <= length; i += 8)
        {
            acc ^= Round(0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            acc = (BitOperations.RotateLeft(acc, 27) * Prime1) + Prime4;
        }

        if (i + 4 <= length)
        {
            acc ^= Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)) * Prime1;
            acc = (BitOperations.RotateLeft(acc, 23) * Prime2) + Prime3;
            i += 4;
        }

        for (; i < length; i++)
        {
            acc ^= Unsafe.Add(ref p, i) * Prime5;
            acc = BitOperations.RotateLeft(acc, 11) * Prime1;
        }

        acc ^= acc >> 33;
        acc *= Prime2;
        acc ^= acc >> 29;
        acc *= Prime3;
        acc ^= acc >> 32;
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong lane) => BitOperations.RotateLeft(acc + (lane * Prime2), 31) * Prime1;

    private static ulong Merge(ulong acc, ulong v) => ((acc ^ Round(0, v)) * Prime1) + Prime4;
}
