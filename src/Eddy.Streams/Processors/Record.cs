namespace Eddy.Streams.Processors;

/// <summary>
/// A record flowing through a topology: key, value, timestamp (milliseconds since the epoch) and headers.
/// Immutable like Kafka's <c>Record</c>; the <c>With*</c> methods return changed copies. It is a struct, so
/// forwarding allocates nothing.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>context.Forward(record.WithValue(record.Value.ToUpperInvariant()));</code></example>
public readonly struct Record<TKey, TValue>
{
    private readonly Headers? _headers;
    private readonly bool _tombstone;

    /// <summary>Creates a record.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp in milliseconds; must not be negative.</param>
    /// <param name="headers">The headers, or null for none.</param>
    public Record(TKey key, TValue value, long timestamp, Headers? headers = null)
    {
        if (timestamp < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "Timestamp must not be negative.");
        }
        Key = key;
        Value = value;
        Timestamp = timestamp;
        _headers = headers;
    }

    private Record(TKey key, TValue value, long timestamp, Headers? headers, bool unchecked_, bool tombstone = false)
    {
        _ = unchecked_;
        Key = key;
        Value = value;
        Timestamp = timestamp;
        _headers = headers;
        _tombstone = tombstone;
    }

    /// <summary>The key.</summary>
    public TKey Key { get; }

    /// <summary>The value.</summary>
    public TValue Value { get; }

    /// <summary>The timestamp in milliseconds since the epoch.</summary>
    public long Timestamp { get; }

    /// <summary>The headers; <see cref="Headers.Empty"/> (read-only) when the record has none.</summary>
    public Headers Headers => _headers ?? Headers.Empty;

    internal Headers? RawHeaders => _headers;

    /// <summary>
    /// True for a table deletion turned into a stream record whose value type cannot be null (a count's
    /// <c>long</c>): sinks write a null value (a tombstone) instead of the default value. Changing the value clears it.
    /// </summary>
    internal bool IsTombstone => _tombstone;

    internal static Record<TKey, TValue> Tombstone(TKey key, long timestamp, Headers? headers) => new(key, default!, timestamp, headers, true, true);

    /// <summary>A copy with another key.</summary>
    /// <typeparam name="TNewKey">The new key type.</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The copy.</returns>
    public Record<TNewKey, TValue> WithKey<TNewKey>(TNewKey key) => new(key, Value, Timestamp, _headers, true, _tombstone);

    /// <summary>A copy with another value.</summary>
    /// <typeparam name="TNewValue">The new value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The copy.</returns>
    public Record<TKey, TNewValue> WithValue<TNewValue>(TNewValue value) => new(Key, value, Timestamp, _headers, true);

    /// <summary>A copy with another timestamp.</summary>
    /// <param name="timestamp">The timestamp; must not be negative.</param>
    /// <returns>The copy.</returns>
    public Record<TKey, TValue> WithTimestamp(long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        return new(Key, Value, timestamp, _headers, true, _tombstone);
    }

    /// <summary>A copy with other headers.</summary>
    /// <param name="headers">The headers.</param>
    /// <returns>The copy.</returns>
    public Record<TKey, TValue> WithHeaders(Headers? headers) => new(Key, Value, Timestamp, headers, true, _tombstone);

    internal static Record<TKey, TValue> Create(TKey key, TValue value, long timestamp, Headers? headers) => new(key, value, timestamp, headers, true);

    /// <inheritdoc/>
    public override string ToString() => $"Record{{key={Key}, value={Value}, timestamp={Timestamp}, headers={Headers}}}";
}

/// <summary>
/// A record whose key a processor may not change: the input of <see cref="IFixedKeyProcessor{TKey, TValueIn, TValueOut}"/>,
/// which is how <c>ProcessValues</c> keeps a stream's partitioning.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>context.Forward(record.WithValue(record.Value.Length));</code></example>
public readonly struct FixedKeyRecord<TKey, TValue>
{
    private readonly Record<TKey, TValue> _record;

    internal FixedKeyRecord(Record<TKey, TValue> record) => _record = record;

    /// <summary>The key.</summary>
    public TKey Key => _record.Key;

    /// <summary>The value.</summary>
    public TValue Value => _record.Value;

    /// <summary>The timestamp in milliseconds since the epoch.</summary>
    public long Timestamp => _record.Timestamp;

    /// <summary>The headers.</summary>
    public Headers Headers => _record.Headers;

    internal Record<TKey, TValue> Inner => _record;

    /// <summary>A copy with another value.</summary>
    /// <typeparam name="TNewValue">The new value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The copy.</returns>
    public FixedKeyRecord<TKey, TNewValue> WithValue<TNewValue>(TNewValue value) => new(_record.WithValue(value));

    /// <summary>A copy with another timestamp.</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <returns>The copy.</returns>
    public FixedKeyRecord<TKey, TValue> WithTimestamp(long timestamp) => new(_record.WithTimestamp(timestamp));

    /// <summary>A copy with other headers.</summary>
    /// <param name="headers">The headers.</param>
    /// <returns>The copy.</returns>
    public FixedKeyRecord<TKey, TValue> WithHeaders(Headers? headers) => new(_record.WithHeaders(headers));

    /// <inheritdoc/>
    public override string ToString() => _record.ToString();
}

/// <summary>Where the record being processed came from: topic, partition and offset.</summary>
/// <param name="Topic">The source topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset.</param>
/// <example><code>if (context.RecordMetadata is { } m) Console.WriteLine($"{m.Topic}-{m.Partition}@{m.Offset}");</code></example>
public readonly record struct RecordMetadata(string Topic, int Partition, long Offset);
