using System.Runtime.CompilerServices;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// The byte copies every LZ77-family decoder here needs: literal runs and back-references whose
/// source may overlap the destination (a match of length 10 at distance 1 repeats one byte ten times).
/// </summary>
/// <remarks>
/// "Wild" copies write whole 8- or 16-byte chunks and may run up to 16 bytes past the requested end;
/// callers pass <c>limit</c>, the end of the writable buffer, and the fast path is taken only when the
/// over-write stays inside it. Bytes written past the end are scratch: the next copy overwrites them
/// and they are never counted as output.
/// </remarks>
internal static unsafe class LzCopy
{
    /// <summary>Copies <paramref name="length"/> bytes of non-overlapping literals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Literals(byte* op, byte* ip, nuint length, byte* opLimit, byte* ipLimit)
    {
        if (length <= 16 && op + 16 <= opLimit && ip + 16 <= ipLimit)
        {
            Unsafe.CopyBlockUnaligned(op, ip, 16);
        }
        else if (length <= 32 && op + 32 <= opLimit && ip + 32 <= ipLimit)
        {
            Unsafe.CopyBlockUnaligned(op, ip, 32);
        }
        else
        {
            Buffer.MemoryCopy(ip, op, length, length);
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes from <paramref name="distance"/> bytes behind
    /// <paramref name="op"/> to <paramref name="op"/>, with LZ77 overlap semantics.
    /// The caller has checked that <c>op - distance</c> is inside the output and
    /// <c>op + length &lt;= limit</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Match(byte* op, nuint distance, nuint length, byte* limit)
    {
        byte* from = op - distance;
        byte* end = op + length;
        if (distance >= 16)
        {
            if (end + 16 <= limit)
            {
                do
                {
                    Unsafe.CopyBlockUnaligned(op, from, 16);
                    op += 16;
                    from += 16;
                }
                while (op < end);
                return;
            }

            if (distance >= length)
            {
                Buffer.MemoryCopy(from, op, length, length);
                return;
            }
        }
        else if (distance >= 8 && end + 8 <= limit)
        {
            do
            {
                Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(from));
                op += 8;
                from += 8;
            }
            while (op < end);
            return;
        }

        MatchSlow(op, from, end);
    }

    /// <summary>
    /// Overlapping copy without over-writing: the already-written span [from, op) repeats with period
    /// <c>op - from</c>, so each step copies the whole span and doubles it.
    /// </summary>
    private static void MatchSlow(byte* op, byte* from, byte* end)
    {
        while (op < end)
        {
            nuint chunk = (nuint)Math.Min(op - from, end - op);
            Buffer.MemoryCopy(from, op, chunk, chunk);
            op += chunk;
        }
    }
}
