using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Eddy.Streams.SerDes;

/// <summary>The built-in serdes, as Kafka's <c>Serdes</c> class. Numbers are big-endian like Java's.</summary>
/// <example>
/// <code>
/// var consumed = Consumed.With(Serdes.String(), Serdes.Int64());
/// var json = Serdes.Json(AppJson.Default.Order);
/// </code>
/// </example>
public static class Serdes
{
    /// <summary>UTF-8 strings (null reads and writes as null bytes).</summary>
    /// <returns>The serde.</returns>
    public static ISerde<string> String() => StringSerde.Instance;

    /// <summary>32-bit integers, big-endian.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<int> Int32() => Int32Serde.Instance;

    /// <summary>64-bit integers, big-endian.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<long> Int64() => Int64Serde.Instance;

    /// <summary>16-bit integers, big-endian.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<short> Int16() => Int16Serde.Instance;

    /// <summary>32-bit floats, big-endian IEEE 754.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<float> Float() => FloatSerde.Instance;

    /// <summary>64-bit doubles, big-endian IEEE 754.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<double> Double() => DoubleSerde.Instance;

    /// <summary>Raw bytes.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<byte[]> ByteArray() => ByteArraySerde.Instance;

    /// <summary>Raw bytes as <see cref="State.Bytes"/>, the store key type.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<State.Bytes> Bytes() => BytesSerde.Instance;

    /// <summary>Guids as their text form, like Java's <c>UUIDSerializer</c>.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<Guid> Guid() => GuidSerde.Instance;

    /// <summary>Always-null values, like Java's <c>Serdes.Void()</c>.</summary>
    /// <returns>The serde.</returns>
    public static ISerde<object?> Void() => VoidSerde.Instance;

    /// <summary>Makes a value-type serde nullable, so that null bytes (tombstones) read as null.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="inner">The value-type serde.</param>
    /// <returns>The nullable serde.</returns>
    public static ISerde<T?> Nullable<T>(ISerde<T> inner)
        where T : struct => new NullableSerde<T>(inner);

    /// <summary>JSON from source-generated metadata (no reflection).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="typeInfo">The metadata, such as <c>MyContext.Default.Order</c>.</param>
    /// <returns>The serde.</returns>
    public static ISerde<T> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonSerde<T>(typeInfo);

    /// <summary>JSON by reflection with <paramref name="options"/> (web defaults when null).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="options">The serializer options.</param>
    /// <returns>The serde.</returns>
    [RequiresUnreferencedCode("Reflection-based JSON; use Json(JsonTypeInfo<T>) for trimming.")]
    [RequiresDynamicCode("Reflection-based JSON; use Json(JsonTypeInfo<T>) for native AOT.")]
    public static ISerde<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerde<T>(options);

    /// <summary>A provider of JSON serdes for any type, for <c>default.key.serde</c> or <c>default.value.serde</c>.</summary>
    /// <param name="options">Serializer options; a source-generated resolver avoids reflection.</param>
    /// <returns>The provider.</returns>
    public static ISerdeProvider Json(JsonSerializerOptions? options = null) => new JsonSerdeProvider(options);

    /// <summary>Combines a serializer and a deserializer into a serde.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="serializer">The serializer.</param>
    /// <param name="deserializer">The deserializer.</param>
    /// <returns>The serde.</returns>
    public static ISerde<T> From<T>(ISerializer<T> serializer, IDeserializer<T> deserializer) => new CompositeSerde<T>(serializer, deserializer);

    /// <summary>The built-in serde for <typeparamref name="T"/>, or null when <typeparamref name="T"/> has none.</summary>
    /// <typeparam name="T">string, int, long, short, float, double, byte[], Bytes or Guid (or their nullable forms).</typeparam>
    /// <returns>The serde or null.</returns>
    public static ISerde<T>? BuiltIn<T>()
    {
        var t = typeof(T);
        object? s = t == typeof(string) ? StringSerde.Instance
            : t == typeof(int) ? Int32Serde.Instance
            : t == typeof(long) ? Int64Serde.Instance
            : t == typeof(short) ? Int16Serde.Instance
            : t == typeof(float) ? FloatSerde.Instance
            : t == typeof(double) ? DoubleSerde.Instance
            : t == typeof(byte[]) ? ByteArraySerde.Instance
            : t == typeof(State.Bytes) ? BytesSerde.Instance
            : t == typeof(Guid) ? GuidSerde.Instance
            : t == typeof(int?) ? new NullableSerde<int>(Int32Serde.Instance)
            : t == typeof(long?) ? new NullableSerde<long>(Int64Serde.Instance)
            : t == typeof(short?) ? new NullableSerde<short>(Int16Serde.Instance)
            : t == typeof(float?) ? new NullableSerde<float>(FloatSerde.Instance)
            : t == typeof(double?) ? new NullableSerde<double>(DoubleSerde.Instance)
            : t == typeof(Guid?) ? new NullableSerde<Guid>(GuidSerde.Instance)
            : null;
        return s as ISerde<T>;
    }
}

/// <summary>Raw bytes as <see cref="State.Bytes"/>.</summary>
/// <example><code>var serde = Serdes.Bytes();</code></example>
public sealed class BytesSerde : Serde<State.Bytes>
{
    /// <summary>The shared instance.</summary>
    public static BytesSerde Instance { get; } = new();

    /// <inheritdoc/>
    public override byte[]? Serialize(State.Bytes data, SerializationContext context) => data.IsNull ? null : data.Get();

    /// <inheritdoc/>
    public override State.Bytes Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? default : State.Bytes.Wrap(data.ToArray());

    /// <inheritdoc/>
    public override ISerde<TOther>? GetSerde<TOther>() => typeof(TOther) == typeof(State.Bytes) ? (ISerde<TOther>)(object)this : null;
}
