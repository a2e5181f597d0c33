using Eddy.Protocol.Compression;

namespace Eddy.Protocol.Records;

/// <summary>
/// A reusable, pooled buffer that the records of a compressed batch are inflated into, once per batch,
/// and never beyond <see cref="MaxDecompressedBytes"/> (so a small hostile batch cannot exhaust memory).
/// Records read from a compressed batch are slices of this buffer: valid until it is used again.
/// </summary>
/// <remarks>
/// Not thread-safe: keep one per consumer loop or partition reader. When no buffer is passed to
/// <see cref="RecordBatchView.GetRecords"/>, a per-thread one is borrowed and given back when the
/// enumerator is disposed (which <c>foreach</c> does).
/// </remarks>
/// <example>
/// <code>
/// using var buffer = new DecompressionBuffer(maxDecompressedBytes: 16 &lt;&lt; 20);
/// foreach (RecordView record in batch.GetRecords(buffer)) { Handle(record.Value); }
/// </code>
/// </example>
public sealed class DecompressionBuffer : IDisposable
{
    /// <summary>The default bound on a batch's decompressed records: 64 MiB.</summary>
    public const int DefaultMaxDecompressedBytes = 64 << 20;

    [ThreadStatic]
    private static DecompressionBuffer? _threadBuffer;

    private readonly KafkaWriter _writer;

    /// <summary>Creates a buffer that refuses to inflate a batch beyond <paramref name="maxDecompressedBytes"/>.</summary>
    public DecompressionBuffer(int maxDecompressedBytes = DefaultMaxDecompressedBytes, int initialCapacity = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        MaxDecompressedBytes = maxDecompressedBytes;
        _writer = new KafkaWriter(Math.Min(initialCapacity, Math.Max(maxDecompressedBytes, 16)));
    }

    /// <summary>The most bytes one batch may decompress to.</summary>
    public int MaxDecompressedBytes { get; }

    /// <summary>Returns the pooled memory.</summary>
    public void Dispose() => _writer.Dispose();

    /// <summary>Takes the calling thread's buffer, or a new one when it is in use.</summary>
    internal static DecompressionBuffer RentForThread()
    {
        var buffer = _threadBuffer ?? new DecompressionBuffer();
        _threadBuffer = null;
        return buffer;
    }

    /// <summary>Gives a buffer from <see cref="RentForThread"/> back.</summary>
    internal static void ReturnForThread(DecompressionBuffer buffer)
    {
        if (_threadBuffer is null)
        {
            _threadBuffer = buffer;
        }
        else
        {
            buffer.Dispose();
        }
    }

    /// <summary>Decompresses a batch's records into this buffer and returns them; the previous contents are lost.</summary>
    internal ReadOnlySpan<byte> Decompress(CompressionType compression, ReadOnlySpan<byte> compressed, long baseOffset)
    {
        _writer.Reset();
        if (compressed.IsEmpty)
        {
            // No codec's stream is empty; say so here rather than leave it to each codec.
            throw new KafkaProtocolException($"record batch at base offset {baseOffset}: its {compression} records are 0 bytes long");
        }

        try
        {
            CompressionCodecs.Decompress(compression, compressed, _writer, MaxDecompressedBytes);
        }
        catch (Exception e) when (e is KafkaProtocolException or InvalidDataException)
        {
            throw new KafkaProtocolException(
                $"record batch at base offset {baseOffset}: cannot decompress its {compressed.Length} bytes of {compression} records: {e.Message}", e);
        }

        return _writer.WrittenSpan;
    }
}
