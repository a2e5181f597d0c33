using System.Buffers.Binary;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// Reads the record batches of a records blob (a Produce partition's records, a Fetch partition's
/// records, a log segment) one after another, without copying or allocating.
/// </summary>
/// <remarks>
/// A fetch response may cut its last batch short (Kafka fills up to the size limit); that is not
/// corruption: <see cref="TryReadNext"/> returns false and <see cref="IsTruncated"/> says how many
/// bytes of a partial batch were left. A batch whose magic is not 2 throws
/// (<see cref="ErrorCode.UnsupportedForMessageFormat"/>); one whose Length is below a header's throws
/// (<see cref="ErrorCode.CorruptMessage"/>). CRCs are not checked here: see <see cref="RecordBatchView.EnsureValidCrc"/>.
/// </remarks>
/// <example>
/// <code>
/// var reader = new RecordBatchReader(partition.Records.Span);
/// while (reader.TryReadNext(out RecordBatchView batch))
/// {
///     batch.EnsureValidCrc();
///     foreach (RecordView record in batch.GetRecords(buffer)) Handle(record);
/// }
/// if (reader.IsTruncated) { /* fetch again from the next offset */ }
/// </code>
/// </example>
public ref struct RecordBatchReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _truncatedBytes;

    /// <summary>Reads the batches in <paramref name="records"/>.</summary>
    public RecordBatchReader(ReadOnlySpan<byte> records)
    {
        _buffer = records;
        _position = 0;
        _truncatedBytes = 0;
    }

    /// <summary>Where the next batch starts: the bytes of whole batches read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Whether the blob ended with a partial batch (known once <see cref="TryReadNext"/> returned false).</summary>
    public readonly bool IsTruncated => _truncatedBytes > 0;

    /// <summary>The bytes of the partial batch at the end; 0 when the blob ended on a batch boundary.</summary>
    public readonly int TruncatedBytes => _truncatedBytes;

    /// <summary>
    /// Reads the next whole batch. Returns false at the end of the blob or when only part of a batch is
    /// left (<see cref="IsTruncated"/>).
    /// </summary>
    /// <exception cref="KafkaProtocolException">The next batch has another magic or an impossible Length.</exception>
    public bool TryReadNext(out RecordBatchView batch)
    {
        int remaining = _buffer.Length - _position;
        if (remaining < BatchLayout.LogOverhead)
        {
            _truncatedBytes = remaining;
            batch = default;
            return false;
        }

        var rest = _buffer.Slice(_position);
        int length = BinaryPrimitives.ReadInt32BigEndian(rest.Slice(BatchLayout.Length));
        if (remaining > BatchLayout.Magic)
        {
            RecordBatchHeader.CheckMagic((sbyte)rest[BatchLayout.Magic], BinaryPrimitives.ReadInt64BigEndian(rest), _position);
        }

        if (length < BatchLayout.MinLength)
        {
            throw new KafkaProtocolException(
                $"record batch at byte {_position} (base offset {BinaryPrimitives.ReadInt64BigEndian(rest)}) has Length {length}, less than the {BatchLayout.MinLength} bytes of a header");
        }

        if (length > remaining - BatchLayout.LogOverhead)
        {
            _truncatedBytes = remaining;
            batch = default;
            return false;
        }

        int size = length + BatchLayout.LogOverhead;
        var bytes = rest.Slice(0, size);
        batch = new RecordBatchView(bytes, RecordBatchHeader.ReadUnchecked(bytes), _position);
        _position += size;
        return true;
    }
}
