namespace Eddy.Streams.Testing;

/// <summary>
/// A record piped into or read from a test topic: key, value, timestamp (ms) and headers. Equal when all four
/// are equal (headers by content), so tests can compare whole records.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>Assert.Equal(new TestRecord&lt;string, long&gt;("a", 2, 1000), output.ReadRecord());</code></example>
public sealed class TestRecord<TKey, TValue> : IEquatable<TestRecord<TKey, TValue>>
{
    /// <summary>Creates a record.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp in ms, or null to let the input topic choose.</param>
    /// <param name="headers">The headers, or null for none.</param>
    public TestRecord(TKey key, TValue value, long? timestamp = null, Headers? headers = null)
    {
        Key = key;
        Value = value;
        Timestamp = timestamp;
        Headers = headers ?? new Headers();
    }

    /// <summary>Creates a keyless record.</summary>
    /// <param name="value">The value.</param>
    public TestRecord(TValue value) : this(default!, value) { }

    /// <summary>The key.</summary>
    public TKey Key { get; }

    /// <summary>The value.</summary>
    public TValue Value { get; }

    /// <summary>The timestamp in ms (null on input means "the topic's current time").</summary>
    public long? Timestamp { get; }

    /// <summary>The record time as a date.</summary>
    public DateTimeOffset? RecordTime => Timestamp is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;

    /// <summary>The headers.</summary>
    public Headers Headers { get; }

    /// <inheritdoc/>
    public bool Equals(TestRecord<TKey, TValue>? other)
    {
        if (other is null)
        {
            return false;
        }
        if (!EqualityComparer<TKey>.Default.Equals(Key, other.Key) || !EqualityComparer<TValue>.Default.Equals(Value, other.Value) || Timestamp != other.Timestamp)
        {
            return false;
        }
        if (Headers.Count != other.Headers.Count)
        {
            return false;
        }
        for (var i = 0; i < Headers.Count; i++)
        {
            var a = Headers[i];
            var b = other.Headers[i];
            if (a.Key != b.Key || !((ReadOnlySpan<byte>)a.Value).SequenceEqual(b.Value) || (a.Value is null) != (b.Value is null))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TestRecord<TKey, TValue>);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Value, Timestamp);

    /// <inheritdoc/>
    public override string ToString() => $"TestRecord[key={Key}, value={Value}, timestamp={Timestamp}, headers={Headers}]";
}
