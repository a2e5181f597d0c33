using System.Buffers.Binary;
using Eddy.Streams.Dsl;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>
/// Kafka's WindowKeySchema: the store (and changelog) key of a window store is
/// <c>[key bytes][8-byte big-endian window start][4-byte big-endian sequence number]</c>; the sequence number
/// tells duplicates apart in stores that retain them (stream-stream join buffers) and is 0 otherwise.
/// </summary>
internal static class WindowKeySchema
{
    public const int TimestampSize = 8;
    public const int SeqnumSize = 4;
    public const int Suffix = TimestampSize + SeqnumSize;

    public static byte[] ToStoreKeyBinary(ReadOnlySpan<byte> key, long windowStart, int seqnum)
    {
        var bytes = new byte[key.Length + Suffix];
        WriteStoreKey(bytes, key, windowStart, seqnum);
        return bytes;
    }

    public static void WriteStoreKey(Span<byte> destination, ReadOnlySpan<byte> key, long windowStart, int seqnum)
    {
        key.CopyTo(destination);
        BinaryPrimitives.WriteInt64BigEndian(destination[key.Length..], windowStart);
        BinaryPrimitives.WriteInt32BigEndian(destination[(key.Length + TimestampSize)..], seqnum);
    }

    public static long ExtractStoreTimestamp(ReadOnlySpan<byte> storeKey) => BinaryPrimitives.ReadInt64BigEndian(storeKey[^Suffix..]);

    public static int ExtractStoreSequence(ReadOnlySpan<byte> storeKey) => BinaryPrimitives.ReadInt32BigEndian(storeKey[^SeqnumSize..]);

    public static ReadOnlySpan<byte> ExtractStoreKeyBytes(ReadOnlySpan<byte> storeKey) => storeKey[..^Suffix];

    /// <summary>A time window of <paramref name="windowSize"/> from <paramref name="start"/>; the end saturates at the largest time.</summary>
    public static TimeWindow TimeWindowForSize(long start, long windowSize)
    {
        var end = start + windowSize;
        if (end < start || windowSize == long.MaxValue)
        {
            end = long.MaxValue;
        }
        return new TimeWindow(start, end);
    }
}

/// <summary>
/// Kafka's SessionKeySchema: <c>[key bytes][8-byte big-endian end][8-byte big-endian start]</c>, used for session
/// store changelogs and for session-windowed keys on topics.
/// </summary>
internal static class SessionKeySchema
{
    public const int Suffix = 16;

    public static byte[] ToBinary(ReadOnlySpan<byte> key, long start, long end)
    {
        var bytes = new byte[key.Length + Suffix];
        key.CopyTo(bytes);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(key.Length), end);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(key.Length + 8), start);
        return bytes;
    }

    public static long End(ReadOnlySpan<byte> binary) => BinaryPrimitives.ReadInt64BigEndian(binary[^16..]);

    public static long Start(ReadOnlySpan<byte> binary) => BinaryPrimitives.ReadInt64BigEndian(binary[^8..]);

    public static ReadOnlySpan<byte> KeyBytes(ReadOnlySpan<byte> binary) => binary[..^Suffix];

    public static Windowed<Bytes> From(ReadOnlySpan<byte> binary)
        => new(Bytes.Wrap(KeyBytes(binary).ToArray()), new SessionWindow(Start(binary), End(binary)));
}
