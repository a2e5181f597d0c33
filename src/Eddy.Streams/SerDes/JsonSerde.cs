using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Eddy.Streams.SerDes;

/// <summary>
/// JSON through System.Text.Json. Pass a source-generated <see cref="JsonTypeInfo{T}"/> (from a
/// <c>JsonSerializerContext</c>) for reflection-free, trimming-safe serialization, or options for reflection.
/// Null values are null bytes (a tombstone), never the text <c>null</c>.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example>
/// <code>
/// [JsonSerializable(typeof(Order))] partial class AppJson : JsonSerializerContext { }
/// var serde = Serdes.Json(AppJson.Default.Order);
/// </code>
/// </example>
public sealed class JsonSerde<T> : Serde<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a serde from source-generated type metadata.</summary>
    /// <param name="typeInfo">The metadata, such as <c>MyContext.Default.Order</c>.</param>
    public JsonSerde(JsonTypeInfo<T> typeInfo) => _typeInfo = typeInfo ?? throw new ArgumentNullException(nameof(typeInfo));

    /// <summary>Creates a serde that uses reflection with <paramref name="options"/> (web defaults when null).</summary>
    /// <param name="options">The serializer options.</param>
    [RequiresUnreferencedCode("Reflection-based JSON; pass a JsonTypeInfo<T> from a JsonSerializerContext for trimming.")]
    [RequiresDynamicCode("Reflection-based JSON; pass a JsonTypeInfo<T> from a JsonSerializerContext for native AOT.")]
    public JsonSerde(JsonSerializerOptions? options = null)
    {
        var o = options ?? JsonSerdeProvider.DefaultOptions;
        o.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<T>)o.GetTypeInfo(typeof(T));
    }

    /// <inheritdoc/>
    public override byte[]? Serialize(T data, SerializationContext context)
        => data is null ? null : JsonSerializer.SerializeToUtf8Bytes(data, _typeInfo);

    /// <inheritdoc/>
    public override T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default!;
        }
        try
        {
            return JsonSerializer.Deserialize(data, _typeInfo)!;
        }
        catch (JsonException e)
        {
            throw new SerializationException($"Could not read JSON as {typeof(T).Name} from topic {context.Topic}: {e.Message}", e);
        }
    }
}

/// <summary>
/// Provides a <see cref="JsonSerde{T}"/> for any type: a good <c>default.value.serde</c> for applications whose
/// records are JSON. With a resolver from a <c>JsonSerializerContext</c> it needs no reflection.
/// </summary>
/// <example><code>config.DefaultValueSerde = Serdes.Json();</code></example>
public sealed class JsonSerdeProvider : ISerdeProvider
{
    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<Type, object> _cache = [];
    private readonly Lock _lock = new();

    internal static JsonSerializerOptions DefaultOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Serializer options; set <c>TypeInfoResolver</c> to a source-generated context to avoid reflection.</param>
    public JsonSerdeProvider(JsonSerializerOptions? options = null)
    {
        _options = options ?? DefaultOptions;
    }

    /// <inheritdoc/>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Callers choose reflection by not setting a TypeInfoResolver.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Callers choose reflection by not setting a TypeInfoResolver.")]
    public ISerde<T>? GetSerde<T>()
    {
        lock (_lock)
        {
            if (!_cache.TryGetValue(typeof(T), out var s))
            {
                s = new JsonSerde<T>(_options);
                _cache[typeof(T)] = s;
            }
            return (ISerde<T>)s;
        }
    }
}
