namespace Eddy.Streams.SerDes;

/// <summary>Whether bytes are a record's key or its value.</summary>
/// <example><code>var ctx = new SerializationContext(MessageComponentType.Key, "orders");</code></example>
public enum MessageComponentType
{
    /// <summary>The record key.</summary>
    Key,

    /// <summary>The record value.</summary>
    Value,
}

/// <summary>What a serializer may know about the bytes it makes or reads: key or value, topic and headers.</summary>
/// <param name="Component">Key or value.</param>
/// <param name="Topic">The topic the bytes go to or came from.</param>
/// <param name="Headers">The record headers, when there are any.</param>
/// <example><code>var ctx = new SerializationContext(MessageComponentType.Value, "orders");</code></example>
public readonly record struct SerializationContext(MessageComponentType Component, string Topic, Headers? Headers = null);

/// <summary>Turns a value into bytes. Null input gives null bytes, as in Kafka.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example><code>byte[]? bytes = Serdes.String().Serialize("hi", new SerializationContext(MessageComponentType.Value, "t"));</code></example>
public interface ISerializer<in T>
{
    /// <summary>Serializes <paramref name="data"/>.</summary>
    /// <param name="data">The value, which may be null.</param>
    /// <param name="context">Key or value, topic and headers.</param>
    /// <returns>The bytes, or null for a null value.</returns>
    byte[]? Serialize(T data, SerializationContext context);
}

/// <summary>Turns bytes into a value. Null bytes give null or the type's default.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example><code>string? s = Serdes.String().Deserialize("hi"u8, false, new SerializationContext(MessageComponentType.Value, "t"));</code></example>
public interface IDeserializer<out T>
{
    /// <summary>Deserializes <paramref name="data"/>.</summary>
    /// <param name="data">The bytes; empty when <paramref name="isNull"/>.</param>
    /// <param name="isNull">True when the record carried null rather than bytes.</param>
    /// <param name="context">Key or value, topic and headers.</param>
    /// <returns>The value.</returns>
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}

/// <summary>A serializer and a deserializer for one type, as Kafka's <c>Serde</c>.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example><code>ISerde&lt;long&gt; serde = Serdes.Int64();</code></example>
public interface ISerde<T> : ISerializer<T>, IDeserializer<T>, ISerdeProvider
{
}

/// <summary>
/// Supplies serdes by type. A configured default serde (<c>default.key.serde</c>, <c>default.value.serde</c>)
/// is a provider: every <see cref="ISerde{T}"/> provides itself, and <see cref="Serdes.Json(System.Text.Json.JsonSerializerOptions)"/> provides JSON for any type.
/// </summary>
/// <example><code>ISerde&lt;Order&gt;? serde = Serdes.Json().GetSerde&lt;Order&gt;();</code></example>
public interface ISerdeProvider
{
    /// <summary>The serde for <typeparamref name="T"/>, or null when this provider has none.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <returns>The serde or null.</returns>
    ISerde<T>? GetSerde<T>();
}

/// <summary>Base class for serdes: implement the two conversions; it provides itself for its own type.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example>
/// <code>
/// sealed class UpperSerde : Serde&lt;string&gt;
/// {
///     public override byte[]? Serialize(string? data, SerializationContext c) => data is null ? null : Encoding.UTF8.GetBytes(data.ToUpperInvariant());
///     public override string? Deserialize(ReadOnlySpan&lt;byte&gt; data, bool isNull, SerializationContext c) => isNull ? null : Encoding.UTF8.GetString(data);
/// }
/// </code>
/// </example>
public abstract class Serde<T> : ISerde<T>
{
    /// <inheritdoc/>
    public abstract byte[]? Serialize(T data, SerializationContext context);

    /// <inheritdoc/>
    public abstract T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);

    /// <inheritdoc/>
    public virtual ISerde<TOther>? GetSerde<TOther>() => this as ISerde<TOther>;

    /// <inheritdoc/>
    public override string ToString() => GetType().Name;
}
