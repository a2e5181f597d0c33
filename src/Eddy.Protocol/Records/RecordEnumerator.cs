using System.Runtime.CompilerServices;
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
    private RecordView _current;

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
        _current = default;
        if (_count < 0)
        {
            throw Corrupt($"RecordCount {_count} is negative");
        }
    }

    /// <summary>The current record.</summary>
    public readonly RecordView Current => _current;

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
        int pos = start;
        if (pos >= data.Length)
        {
            throw Corrupt($"the batch declares {_count} records but its data ends after {_index}", pos);
        }

        if (!Varint.TryReadInt32(data, ref pos, out int length))
        {
            throw Corrupt($"record length: {Varint.Describe(data, pos, 32)}", pos);
        }

        // Attributes, timestamp delta, offset delta, key length, value length, header count: 1 byte each at least.
        if (length < BatchLayout.MinRecordSize - 1)
        {
            throw Corrupt($"record length {length} is less than the {BatchLayout.MinRecordSize - 1} bytes of the smallest record", start);
        }

        if (length > data.Length - pos)
        {
            throw Corrupt($"record length {length} exceeds the {data.Length - pos} bytes left in the batch", start);
        }

        int end = pos + length;
        ReadOnlySpan<byte> body = data.Slice(0, end);

        sbyte attributes = (sbyte)body[pos++];

        if (!Varint.TryReadInt64(body, ref pos, out long timestampDelta))
        {
            throw Corrupt($"timestamp delta: {Varint.Describe(body, pos, 64)}", pos);
        }

        int fieldAt = pos;
        if (!Varint.TryReadInt32(body, ref pos, out int offsetDelta))
        {
            throw Corrupt($"offset delta: {Varint.Describe(body, pos, 32)}", pos);
        }

        if (offsetDelta <= _previousOffsetDelta || offsetDelta > _lastOffsetDelta)
        {
            ThrowOffsetDelta(offsetDelta, fieldAt);
        }

        fieldAt = pos;
        if (!Varint.TryReadInt32(body, ref pos, out int keyLength))
        {
            throw Corrupt($"key length: {Varint.Describe(body, pos, 32)}", pos);
        }

        ReadOnlySpan<byte> key = default;
        if (keyLength >= 0)
        {
            if (keyLength > end - pos)
            {
                throw Corrupt($"key length {keyLength} exceeds the {end - pos} bytes left in the record", fieldAt);
            }

            key = body.Slice(pos, keyLength);
            pos += keyLength;
        }
        else if (keyLength != -1)
        {
            throw Corrupt($"key length {keyLength} is invalid", fieldAt);
        }

        fieldAt = pos;
        if (!Varint.TryReadInt32(body, ref pos, out int valueLength))
        {
            throw Corrupt($"value length: {Varint.Describe(body, pos, 32)}", pos);
        }

        ReadOnlySpan<byte> value = default;
        if (valueLength >= 0)
        {
            if (valueLength > end - pos)
            {
                throw Corrupt($"value length {valueLength} exceeds the {end - pos} bytes left in the record", fieldAt);
            }

            value = body.Slice(pos, valueLength);
            pos += valueLength;
        }
        else if (valueLength != -1)
        {
            throw Corrupt($"value length {valueLength} is invalid", fieldAt);
        }

        fieldAt = pos;
        if (!Varint.TryReadInt32(body, ref pos, out int headerCount))
        {
            throw Corrupt($"header count: {Varint.Describe(body, pos, 32)}", pos);
        }

        int headersStart = pos;
        if (headerCount != 0)
        {
            ReadHeaders(body, ref pos, headerCount, fieldAt);
        }

        if (pos != end)
        {
            throw Corrupt($"record length {length} says the record ends at byte {end} but its fields end at byte {pos}", start);
        }

        _position = end;
        _previousOffsetDelta = offsetDelta;
        _current = new RecordView(
            _baseOffset + offsetDelta,
            offsetDelta,
            _logAppendTime ? _maxTimestamp : _baseTimestamp + timestampDelta,
            timestampDelta,
            attributes,
            key,
            keyLength,
            value,
            valueLength,
            body.Slice(headersStart, pos - headersStart),
            headerCount,
            end - start,
            _baseSequence);
    }

    private readonly void ReadHeaders(ReadOnlySpan<byte> body, ref int pos, int headerCount, int countAt)
    {
        int end = body.Length;

        // Each header takes at least two bytes (two lengths).
        if (headerCount < 0 || headerCount > (end - pos) / 2)
        {
            throw Corrupt($"header count {headerCount} is invalid for the {end - pos} bytes left in the record", countAt);
        }

        for (int i = 0; i < headerCount; i++)
        {
            int fieldAt = pos;
            if (!Varint.TryReadInt32(body, ref pos, out int keyLength))
            {
                throw Corrupt($"header {i} key length: {Varint.Describe(body, pos, 32)}", pos);
            }

            if (keyLength < 0 || keyLength > end - pos)
            {
                throw Corrupt($"header {i} key length {keyLength} is invalid for the {end - pos} bytes left in the record", fieldAt);
            }

            pos += keyLength;
            fieldAt = pos;
            if (!Varint.TryReadInt32(body, ref pos, out int valueLength))
            {
                throw Corrupt($"header {i} value length: {Varint.Describe(body, pos, 32)}", pos);
            }

            if (valueLength < -1 || valueLength > end - pos)
            {
                throw Corrupt($"header {i} value length {valueLength} is invalid for the {end - pos} bytes left in the record", fieldAt);
            }

            if (valueLength > 0)
            {
                pos += valueLength;
            }
        }
    }

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
