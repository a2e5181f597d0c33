using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Eddy.Protocol;

/// <summary>
/// Writes Kafka protocol primitives, big-endian, into a growable buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>. Dispose returns the buffer; <see cref="Reset"/> reuses it.
/// </summary>
/// <example>
/// <code>
/// using var writer = new KafkaWriter();
/// int sizeAt = writer.ReserveInt32();
/// header.Write(writer);
/// request.Write(writer, version);
/// writer.PatchInt32(sizeAt, writer.Position - sizeAt - 4);
/// await socket.SendAsync(writer.WrittenMemory);
/// </code>
/// </example>
public sealed class KafkaWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _position;
    private bool _disposed;

    /// <summary>Creates a writer with at least <paramref name="initialCapacity"/> bytes of room.</summary>
    public KafkaWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
    }

    /// <summary>The number of bytes written so far.</summary>
    public int Position => _position;

    /// <summary>The bytes written so far. Valid until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    /// <summary>The bytes written so far. Valid until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _position = 0;

    /// <summary>Copies what was written into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <inheritdoc />
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _position += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Grow(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_position);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Grow(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_position);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _position = 0;
    }

    /// <summary>Writes an INT8.</summary>
    public void WriteInt8(sbyte value)
    {
        Grow(1);
        _buffer[_position++] = (byte)value;
    }

    /// <summary>Writes a BOOLEAN as 1 or 0.</summary>
    public void WriteBoolean(bool value)
    {
        Grow(1);
        _buffer[_position++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>Writes an INT16.</summary>
    public void WriteInt16(short value)
    {
        Grow(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), value);
        _position += 2;
    }

    /// <summary>Writes a UINT16.</summary>
    public void WriteUInt16(ushort value)
    {
        Grow(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_position), value);
        _position += 2;
    }

    /// <summary>Writes an INT32.</summary>
    public void WriteInt32(int value)
    {
        Grow(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    /// <summary>Writes a UINT32.</summary>
    public void WriteUInt32(uint value)
    {
        Grow(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    /// <summary>Writes an INT64.</summary>
    public void WriteInt64(long value)
    {
        Grow(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes a FLOAT64.</summary>
    public void WriteFloat64(double value)
    {
        Grow(8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes a UUID, most significant byte first.</summary>
    public void WriteUuid(Guid value)
    {
        Grow(16);
        value.TryWriteBytes(_buffer.AsSpan(_position, 16), bigEndian: true, out _);
        _position += 16;
    }

    /// <summary>Writes an UNSIGNED_VARINT.</summary>
    public void WriteUnsignedVarInt(uint value)
    {
        Grow(5);
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    /// <summary>Writes a VARINT (zigzag).</summary>
    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes an unsigned 64-bit varint.</summary>
    public void WriteUnsignedVarLong(ulong value)
    {
        Grow(10);
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    /// <summary>Writes a VARLONG (zigzag).</summary>
    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a STRING; null is an error.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteNullableString(value);
    }

    /// <summary>Writes a NULLABLE_STRING.</summary>
    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        if (length > short.MaxValue)
        {
            throw new KafkaProtocolException($"string of {length} UTF-8 bytes is longer than a STRING can carry ({short.MaxValue})", ErrorCode.InvalidRequest);
        }

        WriteInt16((short)length);
        WriteUtf8(value, length);
    }

    /// <summary>Writes a COMPACT_STRING; null is an error.</summary>
    public void WriteCompactString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteCompactNullableString(value);
    }

    /// <summary>Writes a COMPACT_NULLABLE_STRING.</summary>
    public void WriteCompactNullableString(string? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarInt((uint)length + 1);
        WriteUtf8(value, length);
    }

    /// <summary>Writes BYTES; null is an error.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes NULLABLE_BYTES.</summary>
    public void WriteNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteBytes(value);
    }

    /// <summary>Writes COMPACT_BYTES.</summary>
    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarInt((uint)value.Length + 1);
        WriteRaw(value);
    }

    /// <summary>Writes COMPACT_NULLABLE_BYTES.</summary>
    public void WriteCompactNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }

        WriteCompactBytes(value);
    }

    /// <summary>Writes a RECORDS field as (compact) nullable bytes.</summary>
    public void WriteRecords(ReadOnlyMemory<byte>? records, bool compact)
    {
        if (records is not { } value)
        {
            if (compact)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt32(-1);
            }

            return;
        }

        if (compact)
        {
            WriteCompactBytes(value.Span);
        }
        else
        {
            WriteBytes(value.Span);
        }
    }

    /// <summary>Writes an ARRAY or COMPACT_ARRAY element count; -1 writes a null array.</summary>
    public void WriteArrayCount(int count, bool compact)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(count + 1));
        }
        else
        {
            WriteInt32(count);
        }
    }

    /// <summary>Copies bytes as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        Grow(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    /// <summary>Writes a placeholder INT32 and returns its position, for a length known only later.</summary>
    public int ReserveInt32()
    {
        int at = _position;
        WriteInt32(0);
        return at;
    }

    /// <summary>Overwrites the INT32 at <paramref name="position"/>.</summary>
    public void PatchInt32(int position, int value)
    {
        if ((uint)position > (uint)(_position - 4))
        {
            throw new ArgumentOutOfRangeException(nameof(position));
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position), value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Grow(int count)
    {
        if (_buffer.Length - _position < count)
        {
            GrowSlow(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowSlow(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long needed = (long)_position + count;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A Kafka message cannot exceed {Array.MaxLength} bytes.");
        }

        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void WriteUtf8(string value, int length)
    {
        Grow(length);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position, length));
        _position += length;
    }
}
