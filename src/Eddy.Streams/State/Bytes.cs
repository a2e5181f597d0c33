namespace Eddy.Streams.State;

/// <summary>
/// A byte array compared by content: the key type of bytes-level stores. Ordering is unsigned lexicographic,
/// the order RocksDB and Kafka's in-memory store use, so range scans agree across store kinds.
/// </summary>
/// <example><code>var key = Bytes.Wrap("alice"u8.ToArray());</code></example>
public readonly struct Bytes : IEquatable<Bytes>, IComparable<Bytes>
{
    private readonly byte[]? _bytes;
    private readonly int _hash;

    private Bytes(byte[] bytes)
    {
        _bytes = bytes;
        _hash = ComputeHash(bytes);
    }

    /// <summary>Wraps (does not copy) <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The bytes; must not change afterwards.</param>
    /// <returns>The wrapper.</returns>
    public static Bytes Wrap(byte[] bytes) => new(bytes ?? throw new ArgumentNullException(nameof(bytes)));

    /// <summary>True for <c>default(Bytes)</c>, which wraps nothing.</summary>
    public bool IsNull => _bytes is null;

    /// <summary>The wrapped array.</summary>
    /// <returns>The array.</returns>
    public byte[] Get() => _bytes ?? throw new InvalidOperationException("Bytes is null.");

    /// <summary>The bytes as a span.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    internal bool SameArray(Bytes other) => ReferenceEquals(_bytes, other._bytes) && _bytes is not null;

    /// <summary>The number of bytes.</summary>
    public int Length => _bytes?.Length ?? 0;

    /// <summary>Compares two byte sequences as unsigned bytes, shorter first on a common prefix.</summary>
    /// <param name="a">The first sequence.</param>
    /// <param name="b">The second sequence.</param>
    /// <returns>Negative, zero or positive.</returns>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    /// <summary>Content hash, as used by the cache (FNV-1a over all bytes, mixed).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The hash.</returns>
    public static int ComputeHash(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;
        var i = 0;
        for (; i + 4 <= bytes.Length; i += 4)
        {
            h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..])) * 16777619u;
        }
        for (; i < bytes.Length; i++)
        {
            h = (h ^ bytes[i]) * 16777619u;
        }
        h ^= h >> 15;
        return (int)h;
    }

    /// <inheritdoc/>
    public bool Equals(Bytes other) => _hash == other._hash && ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes) && (_bytes is null) == (other._bytes is null);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Bytes b && Equals(b);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <inheritdoc/>
    public int CompareTo(Bytes other) => Compare(_bytes, other._bytes);

    /// <summary>Equality by content.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(Bytes left, Bytes right) => left.Equals(right);

    /// <summary>Inequality by content.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(Bytes left, Bytes right) => !left.Equals(right);

    /// <summary>Byte order.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when left sorts first.</returns>
    public static bool operator <(Bytes left, Bytes right) => left.CompareTo(right) < 0;

    /// <summary>Byte order.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when left sorts last.</returns>
    public static bool operator >(Bytes left, Bytes right) => left.CompareTo(right) > 0;

    /// <summary>Byte order.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when left does not sort last.</returns>
    public static bool operator <=(Bytes left, Bytes right) => left.CompareTo(right) <= 0;

    /// <summary>Byte order.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when left does not sort first.</returns>
    public static bool operator >=(Bytes left, Bytes right) => left.CompareTo(right) >= 0;

    /// <summary>The smallest key greater than every key that starts with <paramref name="prefix"/>, or null if none.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The exclusive upper bound of a prefix scan.</returns>
    public static byte[]? Increment(ReadOnlySpan<byte> prefix)
    {
        var copy = prefix.ToArray();
        for (var i = copy.Length - 1; i >= 0; i--)
        {
            if (copy[i] != 0xFF)
            {
                copy[i]++;
                return copy.AsSpan(0, i + 1).ToArray();
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => _bytes is null ? "null" : Convert.ToHexString(_bytes);
}

/// <summary>Compares <see cref="Bytes"/> by content and lets dictionaries look keys up by a span, without allocating.</summary>
internal sealed class BytesComparer : IEqualityComparer<Bytes>, IAlternateEqualityComparer<ReadOnlySpan<byte>, Bytes>
{
    public static BytesComparer Instance { get; } = new();

    public bool Equals(Bytes x, Bytes y) => x.Equals(y);

    public int GetHashCode(Bytes obj) => obj.GetHashCode();

    public bool Equals(ReadOnlySpan<byte> alternate, Bytes other) => !other.IsNull && alternate.SequenceEqual(other.Span);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Bytes.ComputeHash(alternate);

    public Bytes Create(ReadOnlySpan<byte> alternate) => Bytes.Wrap(alternate.ToArray());
}
