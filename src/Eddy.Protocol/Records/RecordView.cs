using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// One record of a batch, viewed in place: key, value and headers are slices of the batch (or of the
/// decompression buffer), valid as long as those bytes are. Produced by <see cref="RecordEnumerator"/>
/// after the whole record was checked, so reading its members cannot fail.
/// </summary>
/// <example>
/// <code>
/// foreach (RecordView record in batch.GetRecords(buffer))
/// {
///     if (record.IsValueNull) store.Delete(record.Key);
///     else store.Put(record.Key, record.Value);
///     foreach (RecordHeaderView header in record.Headers)
///         Console.WriteLine(Encoding.UTF8.GetString(header.Key));
/// }
/// </code>
/// </example>
public readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _headers;
    private readonly int _keyLength;
    private readonly int _valueLength;
    private readonly int _baseSequence;

    internal RecordView(
        long offset,
        int offsetDelta,
        long timestamp,
        long timestampDelta,
        sbyte attributes,
        ReadOnlySpan<byte> key,
        int keyLength,
        ReadOnlySpan<byte> value,
        int valueLength,
        ReadOnlySpan<byte> headers,
        int headerCount,
        int sizeInBytes,
        int baseSequence)
    {
        Offset = offset;
        OffsetDelta = offsetDelta;
        Timestamp = timestamp;
        TimestampDelta = timestampDelta;
        Attributes = attributes;
        Key = key;
        _keyLength = keyLength;
        Value = value;
        _valueLength = valueLength;
        _headers = headers;
        HeaderCount = headerCount;
        SizeInBytes = sizeInBytes;
        _baseSequence = baseSequence;
    }

    /// <summary>The record's offset: the batch's BaseOffset + <see cref="OffsetDelta"/>.</summary>
    public long Offset { get; }

    /// <summary>The offset delta stored in the record.</summary>
    public int OffsetDelta { get; }

    /// <summary>
    /// The record's timestamp: BaseTimestamp + <see cref="TimestampDelta"/> for CreateTime, or the
    /// batch's MaxTimestamp for LogAppendTime (as Kafka's <c>DefaultRecordBatch</c> reads it).
    /// </summary>
    public long Timestamp { get; }

    /// <summary>The timestamp delta stored in the record.</summary>
    public long TimestampDelta { get; }

    /// <summary>The record attributes byte (unused by Kafka so far).</summary>
    public sbyte Attributes { get; }

    /// <summary>The key; empty when <see cref="IsKeyNull"/>.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>Whether the key is null (length -1), as opposed to empty.</summary>
    public bool IsKeyNull => _keyLength < 0;

    /// <summary>The value; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Whether the value is null (a tombstone), as opposed to empty.</summary>
    public bool IsValueNull => _valueLength < 0;

    /// <summary>The number of headers.</summary>
    public int HeaderCount { get; }

    /// <summary>The headers in order, read without allocating.</summary>
    public RecordHeaderEnumerator Headers => new(_headers, HeaderCount);

    /// <summary>Bytes the record takes in the (uncompressed) batch, its length varint included.</summary>
    public int SizeInBytes { get; }

    /// <summary>The record's sequence number (BaseSequence + OffsetDelta, wrapping), or -1 when the batch has none.</summary>
    public int Sequence => _baseSequence == RecordBatchHeader.NoSequence
        ? RecordBatchHeader.NoSequence
        : RecordBatchHeader.IncrementSequence(_baseSequence, OffsetDelta);
}

/// <summary>
/// A record header viewed in place: the key (UTF-8 bytes, never null) and the value (possibly null).
/// </summary>
/// <example>
/// <code>
/// foreach (RecordHeaderView header in record.Headers)
///     if (header.Key.SequenceEqual("trace-id"u8) &amp;&amp; !header.IsValueNull) Trace(header.Value);
/// </code>
/// </example>
public readonly ref struct RecordHeaderView
{
    internal RecordHeaderView(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
    {
        Key = key;
        Value = value;
        IsValueNull = isValueNull;
    }

    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Whether the value is null (length -1), as opposed to empty.</summary>
    public bool IsValueNull { get; }
}

/// <summary>Enumerates the headers of a <see cref="RecordView"/> without allocating.</summary>
/// <example>
/// <code>
/// foreach (RecordHeaderView header in record.Headers) { Use(header.Key, header.Value); }
/// </code>
/// </example>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _count;
    private int _position;
    private int _index;
    private RecordHeaderView _current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> data, int count)
    {
        _data = data;
        _count = count;
        _position = 0;
        _index = 0;
        _current = default;
    }

    /// <summary>The current header.</summary>
    public readonly RecordHeaderView Current => _current;

    /// <summary>Returns this enumerator, for <c>foreach</c>.</summary>
    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next header.</summary>
    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        // The record enumerator already checked every header, so these reads succeed.
        int pos = _position;
        var v = Varint.ReadInt32(_data, pos);
        pos += v.Length;
        var key = _data.Slice(pos, v.Value);
        pos += v.Value;
        v = Varint.ReadInt32(_data, pos);
        pos += v.Length;
        int valueLength = v.Value;
        ReadOnlySpan<byte> value = default;
        if (valueLength >= 0)
        {
            value = _data.Slice(pos, valueLength);
            pos += valueLength;
        }

        _position = pos;
        _index++;
        _current = new RecordHeaderView(key, value, valueLength < 0);
        return true;
    }
}
