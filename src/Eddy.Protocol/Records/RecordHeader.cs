namespace Eddy.Protocol.Records;

/// <summary>
/// A record header to write: a string key (written as UTF-8, never null) and a value that may be null.
/// Records read back expose headers as <see cref="RecordHeaderView"/> spans instead.
/// </summary>
/// <example>
/// <code>
/// RecordHeader[] headers = [new("trace-id", traceBytes), new("deleted-by", (byte[]?)null)];
/// builder.Append(timestamp, key, value, headers);
/// </code>
/// </example>
public readonly record struct RecordHeader
{
    /// <summary>A header whose value is the array, or null when the array is null.</summary>
    public RecordHeader(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        IsValueNull = value is null;
    }

    /// <summary>A header whose value is the given bytes (not null).</summary>
    public RecordHeader(string key, ReadOnlyMemory<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        IsValueNull = false;
    }

    /// <summary>The key; written as UTF-8.</summary>
    public string Key { get; }

    /// <summary>The value bytes; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>Whether the value is null (length -1 on the wire).</summary>
    public bool IsValueNull { get; }
}
