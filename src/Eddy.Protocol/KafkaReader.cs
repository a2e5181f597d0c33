using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Eddy.Protocol;

/// <summary>
/// Reads Kafka protocol primitives from a buffer, big-endian, with every length checked against the
/// bytes that remain before anything is allocated.
/// </summary>
/// <remarks>
/// Constructed over <see cref="ReadOnlyMemory{T}"/>, <see cref="ReadRecords"/> returns slices of the
/// input without copying, so the caller must keep the buffer alive while it uses them. Constructed
/// over a span, record data is copied. Every failure is a <see cref="KafkaProtocolException"/> that
/// names the primitive, the offset and, when generated code set it, the message and field.
/// </remarks>
/// <example>
/// <code>
/// var reader = new KafkaReader(frame);
/// var header = RequestHeader.Read(ref reader);
/// var request = MetadataRequest.Read(ref reader, header.ApiVersion);
/// </code>
/// </example>
public ref struct KafkaReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;

    /// <summary>Reads from <paramref name="memory"/>; record fields are returned as slices of it.</summary>
    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _hasMemory = true;
        _position = 0;
        Message = null;
        Field = null;
    }

    /// <summary>Reads from <paramref name="span"/>; record fields are copied out of it.</summary>
    public KafkaReader(ReadOnlySpan<byte> span)
    {
        _memory = default;
        _span = span;
        _hasMemory = false;
        _position = 0;
        Message = null;
        Field = null;
    }

    /// <summary>The message being decoded and its version, for error messages (set by generated code).</summary>
    public string? Message { get; set; }

    /// <summary>The field being decoded, for error messages (set by generated code).</summary>
    public string? Field { get; set; }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>The number of bytes not yet read.</summary>
    public readonly int Remaining => _span.Length - _position;

    /// <summary>The total length of the input.</summary>
    public readonly int Length => _span.Length;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool End => _position >= _span.Length;

    /// <summary>Reads an INT8.</summary>
    public sbyte ReadInt8()
    {
        Ensure(1, "INT8");
        return (sbyte)_span[_position++];
    }

    /// <summary>Reads a BOOLEAN: one byte, non-zero is true.</summary>
    public bool ReadBoolean()
    {
        Ensure(1, "BOOLEAN");
        return _span[_position++] != 0;
    }

    /// <summary>Reads an INT16.</summary>
    public short ReadInt16()
    {
        Ensure(2, "INT16");
        short value = BinaryPrimitives.ReadInt16BigEndian(_span.Slice(_position));
        _position += 2;
        return value;
    }

    /// <summary>Reads a UINT16.</summary>
    public ushort ReadUInt16()
    {
        Ensure(2, "UINT16");
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(_span.Slice(_position));
        _position += 2;
        return value;
    }

    /// <summary>Reads an INT32.</summary>
    public int ReadInt32()
    {
        Ensure(4, "INT32");
        int value = BinaryPrimitives.ReadInt32BigEndian(_span.Slice(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads a UINT32.</summary>
    public uint ReadUInt32()
    {
        Ensure(4, "UINT32");
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_span.Slice(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads an INT64.</summary>
    public long ReadInt64()
    {
        Ensure(8, "INT64");
        long value = BinaryPrimitives.ReadInt64BigEndian(_span.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a FLOAT64 (IEEE 754 double, big-endian).</summary>
    public double ReadFloat64()
    {
        Ensure(8, "FLOAT64");
        double value = BinaryPrimitives.ReadDoubleBigEndian(_span.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a UUID: 16 bytes, most significant first (Kafka's <c>Uuid</c>).</summary>
    public Guid ReadUuid()
    {
        Ensure(16, "UUID");
        var value = new Guid(_span.Slice(_position, 16), bigEndian: true);
        _position += 16;
        return value;
    }

    /// <summary>Reads an UNSIGNED_VARINT (at most 5 bytes).</summary>
    public uint ReadUnsignedVarInt()
    {
        int start = _position;
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (_position >= _span.Length)
            {
                _position = start;
                throw Error($"truncated UNSIGNED_VARINT at offset {start}");
            }

            byte b = _span[_position++];
            if (shift == 28 && b > 0x0F)
            {
                throw Error($"UNSIGNED_VARINT at offset {start} is longer than 32 bits");
            }

            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Error($"UNSIGNED_VARINT at offset {start} is longer than 5 bytes");
    }

    /// <summary>Reads a VARINT (zigzag-encoded INT32).</summary>
    public int ReadVarInt()
    {
        uint raw = ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Reads an unsigned 64-bit varint (at most 10 bytes).</summary>
    public ulong ReadUnsignedVarLong()
    {
        int start = _position;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _span.Length)
            {
                _position = start;
                throw Error($"truncated VARLONG at offset {start}");
            }

            byte b = _span[_position++];
            if (shift == 63 && b > 0x01)
            {
                throw Error($"VARLONG at offset {start} is longer than 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Error($"VARLONG at offset {start} is longer than 10 bytes");
    }

    /// <summary>Reads a VARLONG (zigzag-encoded INT64).</summary>
    public long ReadVarLong()
    {
        ulong raw = ReadUnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a STRING (INT16 length, never null).</summary>
    public string ReadString()
    {
        int length = ReadInt16();
        if (length < 0)
        {
            throw Error($"STRING length {length} is negative but the field is not nullable");
        }

        return ReadUtf8(length);
    }

    /// <summary>Reads a NULLABLE_STRING (INT16 length, -1 is null).</summary>
    public string? ReadNullableString()
    {
        int length = ReadInt16();
        if (length < -1)
        {
            throw Error($"NULLABLE_STRING length {length} is invalid");
        }

        return length == -1 ? null : ReadUtf8(length);
    }

    /// <summary>Reads a COMPACT_STRING (UNSIGNED_VARINT length + 1, never null).</summary>
    public string ReadCompactString()
    {
        uint lengthPlusOne = ReadUnsignedVarInt();
        if (lengthPlusOne == 0)
        {
            throw Error("COMPACT_STRING is null but the field is not nullable");
        }

        return ReadUtf8(CheckedLength(lengthPlusOne - 1, "COMPACT_STRING"));
    }

    /// <summary>Reads a COMPACT_NULLABLE_STRING (UNSIGNED_VARINT length + 1, 0 is null).</summary>
    public string? ReadCompactNullableString()
    {
        uint lengthPlusOne = ReadUnsignedVarInt();
        return lengthPlusOne == 0 ? null : ReadUtf8(CheckedLength(lengthPlusOne - 1, "COMPACT_NULLABLE_STRING"));
    }

    /// <summary>Reads BYTES (INT32 length, never null) into a new array.</summary>
    public byte[] ReadBytes()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            throw Error($"BYTES length {length} is negative but the field is not nullable");
        }

        return ReadSpan(length, "BYTES").ToArray();
    }

    /// <summary>Reads NULLABLE_BYTES (INT32 length, -1 is null) into a new array.</summary>
    public byte[]? ReadNullableBytes()
    {
        int length = ReadInt32();
        if (length < -1)
        {
            throw Error($"NULLABLE_BYTES length {length} is invalid");
        }

        return length == -1 ? null : ReadSpan(length, "NULLABLE_BYTES").ToArray();
    }

    /// <summary>Reads COMPACT_BYTES (never null) into a new array.</summary>
    public byte[] ReadCompactBytes()
    {
        uint lengthPlusOne = ReadUnsignedVarInt();
        if (lengthPlusOne == 0)
        {
            throw Error("COMPACT_BYTES is null but the field is not nullable");
        }

        return ReadSpan(CheckedLength(lengthPlusOne - 1, "COMPACT_BYTES"), "COMPACT_BYTES").ToArray();
    }

    /// <summary>Reads COMPACT_NULLABLE_BYTES into a new array.</summary>
    public byte[]? ReadCompactNullableBytes()
    {
        uint lengthPlusOne = ReadUnsignedVarInt();
        return lengthPlusOne == 0
            ? null
            : ReadSpan(CheckedLength(lengthPlusOne - 1, "COMPACT_NULLABLE_BYTES"), "COMPACT_NULLABLE_BYTES").ToArray();
    }

    /// <summary>
    /// Reads a RECORDS field (record batches as NULLABLE_BYTES, or COMPACT_NULLABLE_BYTES when
    /// <paramref name="compact"/>). Returns a slice of the input when the reader was built over memory.
    /// </summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        int length;
        if (compact)
        {
            uint lengthPlusOne = ReadUnsignedVarInt();
            if (lengthPlusOne == 0)
            {
                return null;
            }

            length = CheckedLength(lengthPlusOne - 1, "COMPACT_RECORDS");
        }
        else
        {
            length = ReadInt32();
            if (length == -1)
            {
                return null;
            }

            if (length < 0)
            {
                throw Error($"RECORDS length {length} is invalid");
            }
        }

        Ensure(length, "RECORDS");
        ReadOnlyMemory<byte> records = _hasMemory ? _memory.Slice(_position, length) : _span.Slice(_position, length).ToArray();
        _position += length;
        return records;
    }

    /// <summary>
    /// Reads an ARRAY or COMPACT_ARRAY element count; -1 means null. The count is checked against
    /// the bytes that remain, since every element takes at least one byte, so a caller may size a list by it.
    /// </summary>
    public int ReadArrayCount(bool compact)
    {
        int count;
        if (compact)
        {
            uint countPlusOne = ReadUnsignedVarInt();
            if (countPlusOne == 0)
            {
                return -1;
            }

            count = CheckedLength(countPlusOne - 1, "COMPACT_ARRAY");
        }
        else
        {
            count = ReadInt32();
            if (count == -1)
            {
                return -1;
            }

            if (count < 0)
            {
                throw Error($"ARRAY length {count} is invalid");
            }
        }

        if (count > Remaining)
        {
            throw Error($"ARRAY length {count} exceeds the {Remaining} bytes that remain");
        }

        return count;
    }

    /// <summary>Returns the next <paramref name="length"/> bytes without copying and moves past them.</summary>
    public ReadOnlySpan<byte> ReadSpan(int length, string what = "bytes")
    {
        Ensure(length, what);
        var span = _span.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>
    /// Returns a reader over the next <paramref name="length"/> bytes (keeping zero-copy record slices)
    /// and moves this reader past them. Used for tagged fields, whose size precedes their value.
    /// </summary>
    public KafkaReader ReadSubReader(int length)
    {
        Ensure(length, "tagged field");
        var sub = _hasMemory ? new KafkaReader(_memory.Slice(_position, length)) : new KafkaReader(_span.Slice(_position, length));
        sub.Message = Message;
        sub.Field = Field;
        _position += length;
        return sub;
    }

    /// <summary>Skips <paramref name="length"/> bytes.</summary>
    public void Skip(int length)
    {
        Ensure(length, "skipped bytes");
        _position += length;
    }

    /// <summary>Reads a tagged-field header section's count (UNSIGNED_VARINT), bounded by the bytes that remain.</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarInt();
        if (count > (uint)Remaining)
        {
            throw Error($"tagged field count {count} exceeds the {Remaining} bytes that remain");
        }

        return (int)count;
    }

    /// <summary>Creates the exception for malformed input, naming the message and field when known.</summary>
    public readonly KafkaProtocolException Error(string problem)
    {
        var text = new StringBuilder("Malformed Kafka data: ").Append(problem);
        if (Message is not null)
        {
            text.Append(" (").Append(Message);
            if (Field is not null)
            {
                text.Append(", field ").Append(Field);
            }

            text.Append(')');
        }

        return new KafkaProtocolException(text.ToString());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Ensure(int count, string what)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowTruncated(count, what);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int count, string what) =>
        throw Error($"truncated input: {what} at offset {_position} needs {count} bytes but {_span.Length - _position} remain");

    private readonly int CheckedLength(uint length, string what)
    {
        if (length > (uint)Remaining)
        {
            throw Error($"{what} length {length} exceeds the {Remaining} bytes that remain");
        }

        return (int)length;
    }

    private string ReadUtf8(int length)
    {
        if (length == 0)
        {
            return string.Empty;
        }

        var bytes = ReadSpan(length, "string");
        return Encoding.UTF8.GetString(bytes);
    }
}
