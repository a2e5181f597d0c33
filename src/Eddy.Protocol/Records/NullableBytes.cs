namespace Eddy.Protocol.Records;

/// <summary>
/// A record key or value to write: bytes, or null (Kafka's length -1). Spans cannot be null, so this
/// says it: <c>default</c> and a null <c>byte[]</c> are null; any span, even an empty one, is not.
/// </summary>
/// <example>
/// <code>
/// builder.Append(timestamp, key: "user-1"u8, value: payload);     // spans convert implicitly
/// builder.Append(timestamp, key: "user-1"u8, value: NullableBytes.Null); // a tombstone
/// byte[]? maybeKey = null;
/// builder.Append(timestamp, maybeKey, payload);                     // null array: null key
/// </code>
/// </example>
public readonly ref struct NullableBytes
{
    private readonly bool _hasValue;

    /// <summary>Wraps bytes that are not null (possibly empty).</summary>
    public NullableBytes(ReadOnlySpan<byte> bytes)
    {
        Span = bytes;
        _hasValue = true;
    }

    /// <summary>The null value (length -1 on the wire).</summary>
    public static NullableBytes Null => default;

    /// <summary>Whether this is null.</summary>
    public bool IsNull => !_hasValue;

    /// <summary>The bytes; empty when <see cref="IsNull"/>.</summary>
    public ReadOnlySpan<byte> Span { get; }

    /// <summary>The length written on the wire: -1 for null.</summary>
    public int WireLength => _hasValue ? Span.Length : -1;

    /// <summary>Bytes that are not null.</summary>
    public static implicit operator NullableBytes(ReadOnlySpan<byte> bytes) => new(bytes);

    /// <summary>Bytes that are not null.</summary>
    public static implicit operator NullableBytes(Span<byte> bytes) => new(bytes);

    /// <summary>Bytes that are not null.</summary>
    public static implicit operator NullableBytes(ReadOnlyMemory<byte> bytes) => new(bytes.Span);

    /// <summary>An array's bytes, or null when the array is null.</summary>
    public static implicit operator NullableBytes(byte[]? bytes) => bytes is null ? default : new(bytes);

    /// <summary>Same as the implicit conversion from a span.</summary>
    public static NullableBytes FromReadOnlySpan(ReadOnlySpan<byte> bytes) => new(bytes);

    /// <summary>Same as the implicit conversion from an array: null stays null.</summary>
    public static NullableBytes FromArray(byte[]? bytes) => bytes;
}
