namespace Eddy.Protocol.Compression;

/// <summary>
/// The compression codec of a record batch: bits 0-2 of the batch attributes
/// (Kafka's <c>CompressionType</c>).
/// </summary>
public enum CompressionType : byte
{
    /// <summary>Records are stored as they are.</summary>
    None = 0,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy; Java clients wrap it in xerial's stream framing.</summary>
    Snappy = 2,

    /// <summary>LZ4 in the LZ4 frame format.</summary>
    Lz4 = 3,

    /// <summary>Zstandard (RFC 8878).</summary>
    Zstd = 4,
}
