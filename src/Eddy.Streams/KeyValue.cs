namespace Eddy.Streams;

/// <summary>A key and a value, as Kafka Streams' <c>KeyValue</c>.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <example><code>var pair = KeyValue.Pair("alice", 3L);</code></example>
public readonly record struct KeyValue<TKey, TValue>(TKey Key, TValue Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"KeyValue({Key}, {Value})";
}

/// <summary>Factory methods for <see cref="KeyValue{TKey, TValue}"/>.</summary>
/// <example><code>var pair = KeyValue.Pair("alice", 3L);</code></example>
public static class KeyValue
{
    /// <summary>Creates a key-value pair.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The pair.</returns>
    public static KeyValue<TKey, TValue> Pair<TKey, TValue>(TKey key, TValue value) => new(key, value);
}
