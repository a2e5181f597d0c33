using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// Builds one record batch v2 at a time: set the batch fields, <see cref="Append"/> records (offset and
/// timestamp deltas are computed), then <see cref="WriteTo"/> writes the batch with Length, CRC-32C,
/// MaxTimestamp, LastOffsetDelta and RecordCount filled in, compressed with <see cref="Compression"/>.
/// <see cref="Reset"/> starts the next batch in the same pooled buffers.
/// </summary>
/// <remarks>
/// Records are encoded as they are appended, so <see cref="EstimatedSizeInBytes"/> is the exact size of
/// the batch before compression: a producer compares it (plus <see cref="MeasureRecord"/> for the next
/// record) with batch.size. The first record's timestamp is the batch's BaseTimestamp; later ones may
/// be smaller (negative deltas). Settings survive <see cref="Reset"/>; they are read by <see cref="WriteTo"/>,
/// so they may be changed at any time before it. Not thread-safe.
/// </remarks>
/// <example>
/// <code>
/// using var builder = new RecordBatchBuilder { Compression = CompressionType.Gzip, ProducerId = 42, ProducerEpoch = 0, BaseSequence = 0 };
/// builder.Append(timestamp, "key"u8, "value"u8);
/// builder.Append(timestamp + 1, NullableBytes.Null, "no key"u8, [new RecordHeader("h", "v"u8.ToArray())]);
/// builder.WriteTo(requestWriter);
/// builder.Reset();
/// </code>
/// </example>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly KafkaWriter _records;
    private KafkaWriter? _compressed;
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp;

    /// <summary>Creates a builder whose record buffer starts with <paramref name="initialCapacity"/> bytes.</summary>
    public RecordBatchBuilder(int initialCapacity = 16 * 1024)
    {
        _records = new KafkaWriter(initialCapacity);
    }

    /// <summary>BaseOffset to write (0 from a producer; the broker assigns the real one).</summary>
    public long BaseOffset { get; set; }

    /// <summary>PartitionLeaderEpoch to write; -1 from a producer.</summary>
    public int PartitionLeaderEpoch { get; set; } = RecordBatchHeader.NoPartitionLeaderEpoch;

    /// <summary>The codec the records are compressed with.</summary>
    public CompressionType Compression { get; set; }

    /// <summary>CreateTime (producers) or LogAppendTime.</summary>
    public TimestampType TimestampType { get; set; }

    /// <summary>
    /// The append time written as MaxTimestamp when <see cref="TimestampType"/> is LogAppendTime;
    /// when negative, the largest record timestamp is written instead.
    /// </summary>
    public long LogAppendTime { get; set; } = RecordBatchHeader.NoTimestamp;

    /// <summary>The producer id, or -1 without idempotence.</summary>
    public long ProducerId { get; set; } = RecordBatchHeader.NoProducerId;

    /// <summary>The producer epoch, or -1 without idempotence.</summary>
    public short ProducerEpoch { get; set; } = RecordBatchHeader.NoProducerEpoch;

    /// <summary>The first record's sequence number, or -1 without idempotence.</summary>
    public int BaseSequence { get; set; } = RecordBatchHeader.NoSequence;

    /// <summary>Whether the batch belongs to a transaction (attributes bit 4).</summary>
    public bool IsTransactional { get; set; }

    /// <summary>Records appended since the last <see cref="Reset"/>.</summary>
    public int Count => _count;

    /// <summary>The first record's timestamp (the batch's BaseTimestamp), or -1 with no records.</summary>
    public long BaseTimestamp => _count == 0 ? RecordBatchHeader.NoTimestamp : _baseTimestamp;

    /// <summary>The largest record timestamp so far, or -1 with no records.</summary>
    public long MaxRecordTimestamp => _count == 0 ? RecordBatchHeader.NoTimestamp : _maxTimestamp;

    /// <summary>The size of the batch if written now without compression: 61 header bytes plus the encoded records.</summary>
    public int EstimatedSizeInBytes => RecordBatchHeader.Size + _records.Position;

    /// <summary>The encoded records so far (uncompressed), valid until the next append or reset.</summary>
    public ReadOnlySpan<byte> EncodedRecords => _records.WrittenSpan;

    /// <summary>Bytes <see cref="Append"/> would add for this record now (its length varint included).</summary>
    public int MeasureRecord(long timestamp, NullableBytes key, NullableBytes value, ReadOnlySpan<RecordHeader> headers = default)
    {
        long body = BodySize(timestamp, key, value, headers, out _);
        return checked((int)(body + Varint.SizeOf((int)Math.Min(body, int.MaxValue))));
    }

    /// <summary>Appends a record; its offset delta is <see cref="Count"/> and its timestamp delta is from the first record's.</summary>
    /// <exception cref="ArgumentException">The record is larger than a batch can hold.</exception>
    public void Append(long timestamp, NullableBytes key, NullableBytes value, ReadOnlySpan<RecordHeader> headers = default)
    {
        long bodySize = BodySize(timestamp, key, value, headers, out long timestampDelta);
        if (bodySize > Array.MaxLength - 5 - _records.Position)
        {
            throw new ArgumentException($"a record of {bodySize} bytes does not fit in a record batch", nameof(value));
        }

        int body = (int)bodySize;
        int total = body + Varint.SizeOf(body);
        var span = _records.GetSpan(total);
        int pos = 0;
        Varint.Write(span, ref pos, body);
        span[pos++] = 0; // record attributes: unused
        Varint.Write(span, ref pos, timestampDelta);
        Varint.Write(span, ref pos, _count);
        WriteField(span, ref pos, key);
        WriteField(span, ref pos, value);
        Varint.Write(span, ref pos, headers.Length);
        foreach (ref readonly RecordHeader header in headers)
        {
            int keyLength = Encoding.UTF8.GetByteCount(header.Key);
            Varint.Write(span, ref pos, keyLength);
            pos += Encoding.UTF8.GetBytes(header.Key, span.Slice(pos));
            if (header.IsValueNull)
            {
                Varint.Write(span, ref pos, -1);
            }
            else
            {
                Varint.Write(span, ref pos, header.Value.Length);
                header.Value.Span.CopyTo(span.Slice(pos));
                pos += header.Value.Length;
            }
        }

        _records.Advance(total);
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
            _maxTimestamp = timestamp;
        }
        else if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }

        _count++;
    }

    /// <summary>
    /// Writes the batch (header and records, compressed per <see cref="Compression"/>) into
    /// <paramref name="destination"/> and returns its size. The builder keeps its records until <see cref="Reset"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No record was appended.</exception>
    /// <exception cref="KafkaProtocolException">The codec is not supported (<see cref="ErrorCode.UnsupportedCompressionType"/>).</exception>
    public int WriteTo(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        ReadOnlySpan<byte> payload = _records.WrittenSpan;
        if (Compression != CompressionType.None)
        {
            _compressed ??= new KafkaWriter(Math.Max(256, payload.Length / 2));
            _compressed.Reset();
            CompressionCodecs.Compress(Compression, payload, _compressed);
            payload = _compressed.WrittenSpan;
        }

        int size = RecordBatchHeader.Size + payload.Length;
        var header = new RecordBatchHeader
        {
            BaseOffset = BaseOffset,
            BatchLength = size - BatchLayout.LogOverhead,
            PartitionLeaderEpoch = PartitionLeaderEpoch,
            Magic = RecordBatchHeader.CurrentMagic,
            Crc = 0,
            Attributes = new RecordBatchAttributes(Compression, TimestampType, IsTransactional),
            LastOffsetDelta = _count - 1,
            BaseTimestamp = _baseTimestamp,
            MaxTimestamp = TimestampType == TimestampType.LogAppendTime && LogAppendTime >= 0 ? LogAppendTime : _maxTimestamp,
            ProducerId = ProducerId,
            ProducerEpoch = ProducerEpoch,
            BaseSequence = BaseSequence,
            RecordCount = _count,
        };
        var span = destination.GetSpan(size).Slice(0, size);
        header.WriteTo(span);
        payload.CopyTo(span.Slice(RecordBatchHeader.Size));
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(BatchLayout.Crc), Crc32C.Compute(span.Slice(BatchLayout.Attributes)));
        destination.Advance(size);
        return size;
    }

    /// <summary>Writes the batch into a new array.</summary>
    public byte[] ToArray()
    {
        var output = new ArrayBufferWriter<byte>(EstimatedSizeInBytes);
        WriteTo(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Forgets the records, keeping the settings and the buffers.</summary>
    public void Reset()
    {
        _records.Reset();
        _count = 0;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _records.Dispose();
        _compressed?.Dispose();
    }

    private long BodySize(long timestamp, NullableBytes key, NullableBytes value, ReadOnlySpan<RecordHeader> headers, out long timestampDelta)
    {
        timestampDelta = _count == 0 ? 0 : unchecked(timestamp - _baseTimestamp);
        long size = 1 + Varint.SizeOf(timestampDelta) + Varint.SizeOf(_count) + FieldSize(key) + FieldSize(value) + Varint.SizeOf(headers.Length);
        foreach (ref readonly RecordHeader header in headers)
        {
            int keyLength = Encoding.UTF8.GetByteCount(header.Key);
            size += Varint.SizeOf(keyLength) + keyLength;
            size += header.IsValueNull ? 1 : Varint.SizeOf(header.Value.Length) + header.Value.Length;
        }

        return size;
    }

    private static long FieldSize(NullableBytes field) =>
        field.IsNull ? 1 : Varint.SizeOf(field.Span.Length) + (long)field.Span.Length;

    private static void WriteField(Span<byte> span, ref int pos, NullableBytes field)
    {
        Varint.Write(span, ref pos, field.WireLength);
        if (!field.IsNull)
        {
            field.Span.CopyTo(span.Slice(pos));
            pos += field.Span.Length;
        }
    }
}
