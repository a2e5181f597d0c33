using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// Enumerates the records of one batch without allocating: each <see cref="MoveNext"/> checks one
/// whole record (length against what remains, every varint, key/value/header lengths, the offset
/// delta, no bytes left inside the record) and exposes it as a <see cref="RecordView"/>. After the
/// last record it checks that the batch held exactly RecordCount records and nothing more.
/// </summary>
/// <remarks>
/// Every problem is a <see cref="KafkaProtocolException"/> (<see cref="ErrorCode.CorruptMessage"/>)
/// naming the batch's base offset, the record's index and its byte position in the (decompressed)
/// records. Offset deltas must increase and stay within LastOffsetDelta; gaps are allowed because the
/// log cleaner leaves them. Dispose (or <c>foreach</c>) gives back a borrowed decompression buffer.
/// </remarks>
/// <example>
/// <code>
/// foreach (RecordView record in batch.GetRecords())
///     total += record.Value.Length;
/// </code>
/// </example>
public ref struct RecordEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _maxTimestamp;
    private readonly int _count;
    private readonly int _lastOffsetDelta;
    private readonly int _baseSequence;
    private readonly bool _logAppendTime;
    private DecompressionBuffer? _borrowed;
    private int _position;
    private int _index;
    private int _previousOffsetDelta;

    // The current record, kept as positions so that Current builds the view inline and the JIT can
    // drop whatever the caller does not read.
    private long _timestampDelta;
    private int _recordSize;
    private int _keyStart;
    private int _keyLength;
    private int _valueStart;
    private int _valueLength;
    private int _headersStart;
    private int _headersLength;
    private int _headerCount;
    private sbyte _attributes;

    internal RecordEnumerator(scoped in RecordBatchHeader header, ReadOnlySpan<byte> data, DecompressionBuffer? borrowed)
    {
        _data = data;
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _maxTimestamp = header.MaxTimestamp;
        _count = header.RecordCount;
        _lastOffsetDelta = header.LastOffsetDelta;
        _baseSequence = header.BaseSequence;
        _logAppendTime = header.TimestampType == TimestampType.LogAppendTime;
        _borrowed = borrowed;
        _position = 0;
        _index = 0;
        _previousOffsetDelta = -1;
        _timestampDelta = 0;
        _recordSize = 0;
        _keyStart = 0;
        _keyLength = -1;
        _valueStart = 0;
        _valueLength = -1;
        _headersStart = 0;
        _headersLength = 0;
        _headerCount = 0;
        _attributes = 0;
        if (_count < 0)
        {
            throw Corrupt($"RecordCount {_count} is negative");
        }
    }

    /// <summary>The current record.</summary>
    public readonly RecordView Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(
            _baseOffset + _previousOffsetDelta,
            _previousOffsetDelta,
            _logAppendTime ? _maxTimestamp : _baseTimestamp + _timestampDelta,
            _timestampDelta,
            _attributes,
            Checked(_data, _keyStart, _keyLength),
            _keyLength,
            Checked(_data, _valueStart, _valueLength),
            _valueLength,
            Checked(_data, _headersStart, _headersLength),
            _headerCount,
            _recordSize,
            _baseSequence);
    }

    /// <summary>The number of records the batch declares.</summary>
    public readonly int Count => _count;

    /// <summary>The index of the next record to read (records read so far).</summary>
    public readonly int Index => _index;

    /// <summary>The uncompressed records of the batch (the decompressed bytes for a compressed batch).</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>Returns this enumerator, for <c>foreach</c>.</summary>
    public readonly RecordEnumerator GetEnumerator() => this;

    /// <summary>Reads and checks the next record.</summary>
    /// <exception cref="KafkaProtocolException">The record, or the batch's record count, is malformed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        if (_index < _count)
        {
            ReadRecord();
            _index++;
            return true;
        }

        if (_position != _data.Length)
        {
            ThrowTrailing();
        }

        return false;
    }

    /// <summary>Gives back a decompression buffer borrowed from the thread, if any.</summary>
    public void Dispose()
    {
        if (_borrowed is { } buffer)
        {
            _borrowed = null;
            DecompressionBuffer.ReturnForThread(buffer);
        }
    }

    private void ReadRecord()
    {
        ReadOnlySpan<byte> data = _data;
        int start = _position;
        if (start >= data.Length)
        {
            ThrowPrematureEnd(start);
        }

        var v = Varint.ReadInt32(data, start);
        if (v.Length == 0)
        {
            ThrowVarint("record length", data, start, 32);
        }

        int length = v.Value;
        int pos = start + v.Length;

        // Attributes, timestamp delta, offset delta, key length, value length, header count: 1 byte each at least.
        if (length < BatchLayout.MinRecordSize - 1 || length > data.Length - pos)
        {
            ThrowRecordLength(length, data.Length - pos, start);
        }

        int end = pos + length;
        ReadOnlySpan<byte> body = data.Slice(0, end);

        sbyte attributes = (sbyte)body[pos++];

        var t = Varint.ReadInt64(body, pos);
        if (t.Length == 0)
        {
            ThrowVarint("timestamp delta", body, pos, 64);
        }

        pos += t.Length;
        v = Varint.ReadInt32(body, pos);
        if (v.Length == 0)
        {
            ThrowVarint("offset delta", body, pos, 32);
        }

        int offsetDelta = v.Value;
        if (offsetDelta <= _previousOffsetDelta || offsetDelta > _lastOffsetDelta)
        {
            ThrowOffsetDelta(offsetDelta, pos);
        }

        pos += v.Length;
        v = Varint.ReadInt32(body, pos);
        if (v.Length == 0)
        {
            ThrowVarint("key length", body, pos, 32);
        }

        int keyLength = v.Value;
        int keyStart = pos + v.Length;
        if ((uint)keyLength > (uint)(end - keyStart) && keyLength != -1)
        {
            ThrowFieldLength("key", keyLength, end - keyStart, pos);
        }

        pos = keyStart + Math.Max(keyLength, 0);
        v = Varint.ReadInt32(body, pos);
        if (v.Length == 0)
        {
            ThrowVarint("value length", body, pos, 32);
        }

        int valueLength = v.Value;
        int valueStart = pos + v.Length;
        if ((uint)valueLength > (uint)(end - valueStart) && valueLength != -1)
        {
            ThrowFieldLength("value", valueLength, end - valueStart, pos);
        }

        pos = valueStart + Math.Max(valueLength, 0);
        v = Varint.ReadInt32(body, pos);
        if (v.Length == 0)
        {
            ThrowVarint("header count", body, pos, 32);
        }

        int headerCount = v.Value;
        int headersStart = pos + v.Length;
        pos = headerCount == 0 ? headersStart : ReadHeaders(body, headersStart, headerCount, pos);

        if (pos != end)
        {
            ThrowFieldsEnd(length, end, pos, start);
        }

        _position = end;
        _previousOffsetDelta = offsetDelta;
        _timestampDelta = t.Value;
        _attributes = attributes;
        _recordSize = end - start;
        _keyStart = keyStart;
        _keyLength = keyLength;
        _valueStart = valueStart;
        _valueLength = valueLength;
        _headersStart = headersStart;
        _headersLength = pos - headersStart;
        _headerCount = headerCount;
    }

    /// <summary>A slice whose bounds were already checked; empty for a negative (null) length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Checked(ReadOnlySpan<byte> data, int start, int length)
    {
        Debug.Assert(length < 0 || (uint)(start + length) <= (uint)data.Length);
        return length <= 0
            ? default
            : MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetReference(data), start), length);
    }

    /// <summary>Checks <paramref name="headerCount"/> headers from <paramref name="pos"/>; returns where they end.</summary>
    private readonly int ReadHeaders(ReadOnlySpan<byte> body, int pos, int headerCount, int countAt)
    {
        int end = body.Length;

        // Each header takes at least two bytes (two lengths).
        if (headerCount < 0 || headerCount > (end - pos) / 2)
        {
            ThrowHeaderCount(headerCount, end - pos, countAt);
        }

        for (int i = 0; i < headerCount; i++)
        {
            var v = Varint.ReadInt32(body, pos);
            if (v.Length == 0)
            {
                ThrowHeaderVarint(i, "key", body, pos);
            }

            int keyLength = v.Value;
            if ((uint)keyLength > (uint)(end - pos - v.Length))
            {
                ThrowHeaderLength(i, "key", keyLength, end - pos - v.Length, pos);
            }

            pos += v.Length + keyLength;
            v = Varint.ReadInt32(body, pos);
            if (v.Length == 0)
            {
                ThrowHeaderVarint(i, "value", body, pos);
            }

            int valueLength = v.Value;
            if ((uint)valueLength > (uint)(end - pos - v.Length) && valueLength != -1)
            {
                ThrowHeaderLength(i, "value", valueLength, end - pos - v.Length, pos);
            }

            pos += v.Length + Math.Max(valueLength, 0);
        }

        return pos;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowPrematureEnd(int at) =>
        throw Corrupt($"the batch declares {_count} records but its data ends after {_index}", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowVarint(string field, ReadOnlySpan<byte> data, int at, int bits) =>
        throw Corrupt($"{field}: {Varint.Describe(data, at, bits)}", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowRecordLength(int length, int left, int at) =>
        throw Corrupt(
            length < BatchLayout.MinRecordSize - 1
                ? $"record length {length} is less than the {BatchLayout.MinRecordSize - 1} bytes of the smallest record"
                : $"record length {length} exceeds the {left} bytes left in the batch",
            at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowFieldLength(string field, int length, int left, int at) =>
        throw Corrupt(
            length < -1 ? $"{field} length {length} is invalid" : $"{field} length {length} exceeds the {left} bytes left in the record",
            at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowFieldsEnd(int length, int end, int pos, int at) =>
        throw Corrupt($"record length {length} says the record ends at byte {end} but its fields end at byte {pos}", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowHeaderCount(int count, int left, int at) =>
        throw Corrupt($"header count {count} is invalid for the {left} bytes left in the record", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowHeaderVarint(int index, string field, ReadOnlySpan<byte> data, int at) =>
        throw Corrupt($"header {index} {field} length: {Varint.Describe(data, at, 32)}", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowHeaderLength(int index, string field, int length, int left, int at) =>
        throw Corrupt($"header {index} {field} length {length} is invalid for the {left} bytes left in the record", at);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowOffsetDelta(int offsetDelta, int at)
    {
        string problem = offsetDelta > _lastOffsetDelta
            ? $"offset delta {offsetDelta} is beyond the batch's LastOffsetDelta {_lastOffsetDelta}"
            : _previousOffsetDelta < 0
                ? $"offset delta {offsetDelta} is negative"
                : $"offset delta {offsetDelta} does not follow the previous record's {_previousOffsetDelta} (offsets must increase)";
        throw Corrupt(problem, at);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTrailing() =>
        throw Corrupt($"{_data.Length - _position} bytes remain after the {_count} records the batch declares", _position);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly KafkaProtocolException Corrupt(string problem, int at) =>
        new($"Malformed record batch at base offset {_baseOffset}, record {_index} of {_count} (byte {at} of the records data): {problem}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly KafkaProtocolException Corrupt(string problem) =>
        new($"Malformed record batch at base offset {_baseOffset}: {problem}");
}
