using System.Buffers.Binary;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records.Internal;

namespace Eddy.Protocol.Records;

/// <summary>
/// One whole record batch v2, viewed in place: its parsed <see cref="Header"/>, its bytes (to store or
/// forward as they are), CRC checks and its records. Get one from <see cref="RecordBatchReader"/> for a
/// records blob, or <see cref="Read"/> for a buffer that starts with a batch.
/// </summary>
/// <example>
/// <code>
/// var batch = RecordBatchView.Read(segmentBytes);
/// batch.EnsureValidCrc();
/// foreach (RecordView record in batch.GetRecords(decompressionBuffer))
///     Console.WriteLine($"{record.Offset}: {record.Value.Length} bytes");
/// </code>
/// </example>
public readonly ref struct RecordBatchView
{
    internal RecordBatchView(ReadOnlySpan<byte> bytes, scoped in RecordBatchHeader header, int bufferStart)
    {
        Bytes = bytes;
        Header = header;
        BufferStart = bufferStart;
    }

    /// <summary>The parsed 61-byte header.</summary>
    public RecordBatchHeader Header { get; }

    /// <summary>The whole batch: <see cref="RecordBatchHeader.SizeInBytes"/> bytes.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Where the batch starts in the buffer the <see cref="RecordBatchReader"/> was given (0 for <see cref="Read"/>).</summary>
    public int BufferStart { get; }

    /// <summary>The bytes after the header: the records, compressed when the batch is.</summary>
    public ReadOnlySpan<byte> RecordsData => Bytes.Slice(RecordBatchHeader.Size);

    /// <summary>
    /// Reads the batch at the start of <paramref name="buffer"/> (bytes after it are ignored).
    /// Checks the magic and that the whole batch is there; not the CRC.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Not a magic 2 batch, or fewer bytes than it declares.</exception>
    public static RecordBatchView Read(ReadOnlySpan<byte> buffer)
    {
        var header = RecordBatchHeader.Read(buffer);
        if (header.BatchLength > buffer.Length - BatchLayout.LogOverhead)
        {
            throw new KafkaProtocolException(
                $"record batch at base offset {header.BaseOffset} declares {(long)header.BatchLength + BatchLayout.LogOverhead} bytes but only {buffer.Length} are there");
        }

        return new RecordBatchView(buffer.Slice(0, header.SizeInBytes), header, 0);
    }

    /// <summary>Computes the CRC-32C over Attributes to the end of the batch.</summary>
    public uint ComputeCrc() => Crc32C.Compute(Bytes.Slice(BatchLayout.Attributes));

    /// <summary>Whether the stored CRC matches the bytes.</summary>
    public bool IsCrcValid => ComputeCrc() == Header.Crc;

    /// <summary>Throws unless the stored CRC matches the bytes.</summary>
    /// <exception cref="KafkaProtocolException">The CRC does not match (<see cref="ErrorCode.CorruptMessage"/>).</exception>
    public void EnsureValidCrc()
    {
        uint computed = ComputeCrc();
        if (computed != Header.Crc)
        {
            throw new KafkaProtocolException(
                $"record batch at base offset {Header.BaseOffset} (byte {BufferStart}) is corrupt: stored CRC 0x{Header.Crc:X8}, computed CRC 0x{computed:X8}");
        }
    }

    /// <summary>
    /// Enumerates the records. An uncompressed batch is read in place; a compressed one is decompressed
    /// once into <paramref name="buffer"/> (or a buffer borrowed for this thread and given back on
    /// Dispose) and read from there. Does not check the CRC.
    /// </summary>
    /// <exception cref="KafkaProtocolException">
    /// The codec is unknown or unsupported (<see cref="ErrorCode.UnsupportedCompressionType"/>), the data
    /// does not decompress, it would exceed the buffer's limit, or RecordCount is negative.
    /// </exception>
    public RecordEnumerator GetRecords(DecompressionBuffer? buffer = null)
    {
        var header = Header;
        var compression = header.Compression;
        if (compression == CompressionType.None || header.RecordCount == 0)
        {
            // An empty batch (left by the log cleaner) has nothing to decompress, as in Kafka.
            return new RecordEnumerator(header, compression == CompressionType.None ? RecordsData : default, null);
        }

        if (header.RecordCount < 0)
        {
            return new RecordEnumerator(header, default, null);
        }

        bool borrowed = buffer is null;
        buffer ??= DecompressionBuffer.RentForThread();
        try
        {
            var data = buffer.Decompress(compression, RecordsData, header.BaseOffset);
            return new RecordEnumerator(header, data, borrowed ? buffer : null);
        }
        catch (KafkaProtocolException) when (borrowed)
        {
            DecompressionBuffer.ReturnForThread(buffer);
            throw;
        }
    }

    /// <summary>Enumerates the records with a per-thread decompression buffer, for <c>foreach</c>.</summary>
    public RecordEnumerator GetEnumerator() => GetRecords();

    /// <summary>Reads the stored CRC directly, for a batch whose header has not been parsed.</summary>
    internal static uint ReadStoredCrc(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadUInt32BigEndian(batch.Slice(BatchLayout.Crc));
}
