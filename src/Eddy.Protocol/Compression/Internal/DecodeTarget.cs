using System.Buffers;

namespace Eddy.Protocol.Compression.Internal;

/// <summary>
/// Where a frame decoder writes: either a span of the caller's <see cref="IBufferWriter{T}"/> sized
/// from a declared (and bound-checked) content size, or a pooled array that grows with the real output
/// and is copied out at the end. Matches may reach back anywhere in the frame, so the whole frame's
/// output stays contiguous.
/// </summary>
internal ref struct DecodeTarget
{
    private readonly IBufferWriter<byte> _destination;
    private readonly bool _direct;
    private byte[]? _pooled;

    /// <summary>The writable buffer; never longer than <see cref="Limit"/>.</summary>
    public Span<byte> Buffer;

    /// <summary>Bytes of output so far.</summary>
    public int Length;

    private DecodeTarget(IBufferWriter<byte> destination, bool direct, Span<byte> buffer, byte[]? pooled, int limit)
    {
        _destination = destination;
        _direct = direct;
        _pooled = pooled;
        Buffer = buffer;
        Length = 0;
        Limit = limit;
    }

    /// <summary>The most output this frame may produce (the caller's remaining bound, or the declared size).</summary>
    public int Limit { get; }

    /// <summary>Whether <see cref="Limit"/> is a declared content size rather than the caller's bound.</summary>
    public readonly bool IsDeclaredSize => _direct;

    /// <summary>Writes straight into <paramref name="destination"/>: exactly <paramref name="size"/> bytes are expected.</summary>
    public static DecodeTarget Direct(IBufferWriter<byte> destination, int size) =>
        new(destination, direct: true, destination.GetSpan(Math.Max(size, 1))[..size], pooled: null, size);

    /// <summary>Decodes into a pooled buffer that grows up to <paramref name="limit"/> bytes.</summary>
    public static DecodeTarget Pooled(IBufferWriter<byte> destination, int limit, int initialCapacity)
    {
        int capacity = Math.Clamp(initialCapacity, 256, Math.Max(limit, 256));
        byte[] array = ArrayPool<byte>.Shared.Rent(capacity);
        return new DecodeTarget(destination, direct: false, array.AsSpan(0, Math.Min(array.Length, limit)), array, limit);
    }

    /// <summary>
    /// Makes room for up to <paramref name="additional"/> more bytes, never beyond <see cref="Limit"/>;
    /// afterwards <c>Buffer.Length - Length</c> is at least <c>min(additional, Limit - Length)</c>.
    /// </summary>
    public void Reserve(int additional)
    {
        long wanted = Math.Min((long)Length + additional, Limit);
        if (wanted <= Buffer.Length || _direct)
        {
            return;
        }

        long grown = Math.Min(Math.Max(wanted, (long)Buffer.Length * 2), Limit);
        byte[] array = ArrayPool<byte>.Shared.Rent((int)grown);
        Buffer[..Length].CopyTo(array);
        byte[]? old = _pooled;
        _pooled = array;
        Buffer = array.AsSpan(0, (int)Math.Min(array.Length, (long)Limit));
        if (old is not null)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>Hands the output to the destination writer.</summary>
    public void Commit()
    {
        if (_direct)
        {
            _destination.Advance(Length);
        }
        else
        {
            _destination.Write(Buffer[..Length]);
        }
    }

    /// <summary>Returns the pooled array, if any. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_pooled is not null)
        {
            ArrayPool<byte>.Shared.Return(_pooled);
            _pooled = null;
        }

        Buffer = default;
    }
}
