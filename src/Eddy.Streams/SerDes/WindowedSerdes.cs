using System.Buffers.Binary;
using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Dsl;

namespace Eddy.Streams.SerDes;

/// <summary>
/// Serdes for windowed keys, in Kafka Streams' byte layouts so that topics are readable by Java applications:
/// a time-windowed key is the inner key's bytes followed by the 8-byte big-endian window start (Kafka's
/// <c>TimeWindowedSerializer</c>); a session-windowed key is the inner key's bytes, then the 8-byte end, then the
/// 8-byte start (Kafka's <c>SessionWindowedSerializer</c> / <c>SessionKeySchema</c>).
/// </summary>
/// <example>
/// <code>
/// counts.ToStream().To("counts-per-minute",
///     Produced.With(WindowedSerdes.TimeWindowedSerdeFrom(Serdes.String(), 60_000), Serdes.Int64()));
/// </code>
/// </example>
public static class WindowedSerdes
{
    /// <summary>A serde for keys of time windows of <paramref name="windowSize"/> ms (the size rebuilds the window end on read).</summary>
    /// <typeparam name="T">The inner key type.</typeparam>
    /// <param name="inner">The inner key serde.</param>
    /// <param name="windowSize">The window size in ms.</param>
    /// <returns>The serde.</returns>
    public static ISerde<Windowed<T>> TimeWindowedSerdeFrom<T>(ISerde<T> inner, long windowSize)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new TimeWindowedSerde<T>(inner, windowSize);
    }

    /// <summary>A serde for session-windowed keys.</summary>
    /// <typeparam name="T">The inner key type.</typeparam>
    /// <param name="inner">The inner key serde.</param>
    /// <returns>The serde.</returns>
    public static ISerde<Windowed<T>> SessionWindowedSerdeFrom<T>(ISerde<T> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new SessionWindowedSerde<T>(inner);
    }
}

/// <summary>
/// Time-windowed keys: <c>[key bytes][8-byte big-endian start]</c>. The end is rebuilt from the window size
/// (start + size, or the largest time on overflow). With a null inner serde, the configured default key serde is used.
/// </summary>
/// <typeparam name="T">The inner key type.</typeparam>
/// <example><code>var serde = new TimeWindowedSerde&lt;string&gt;(Serdes.String(), 60_000);</code></example>
public sealed class TimeWindowedSerde<T> : Serde<Windowed<T>>, IConfigurableSerde
{
    private ISerde<T>? _inner;

    /// <summary>Creates the serde.</summary>
    /// <param name="inner">The inner key serde, or null for the configured default.</param>
    /// <param name="windowSize">The window size in ms.</param>
    public TimeWindowedSerde(ISerde<T>? inner, long windowSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(windowSize);
        _inner = inner;
        WindowSize = windowSize;
    }

    /// <summary>The window size used to rebuild window ends.</summary>
    public long WindowSize { get; }

    /// <summary>The inner key serde (null until configured when it is the default).</summary>
    public ISerde<T>? Inner => _inner;

    void IConfigurableSerde.Configure(StreamsConfig config, bool isKey)
    {
        if (_inner is null)
        {
            _inner = Internal.SerdeResolver.Resolve<T>(null, config, true, "windowed key");
        }
        (_inner as IConfigurableSerde)?.Configure(config, true);
    }

    private ISerde<T> InnerSerde => _inner ?? throw new SerializationException("The inner serde of a time-windowed serde is not set; configure default.key.serde or pass one.");

    /// <inheritdoc/>
    public override byte[]? Serialize(Windowed<T> data, SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }
        var key = InnerSerde.Serialize(data.Key, context) ?? [];
        var bytes = new byte[key.Length + 8];
        key.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(key.Length), data.Window.Start);
        return bytes;
    }

    /// <inheritdoc/>
    public override Windowed<T> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!;
        }
        if (data.Length < 8)
        {
            throw new SerializationException("A time-windowed key has at least 8 bytes (the window start).");
        }
        var start = BinaryPrimitives.ReadInt64BigEndian(data[^8..]);
        var key = InnerSerde.Deserialize(data[..^8], false, context);
        return new Windowed<T>(key, Internal.State.WindowKeySchema.TimeWindowForSize(start, WindowSize));
    }
}

/// <summary>
/// Session-windowed keys: <c>[key bytes][8-byte big-endian end][8-byte big-endian start]</c>, Kafka's SessionKeySchema.
/// With a null inner serde, the configured default key serde is used.
/// </summary>
/// <typeparam name="T">The inner key type.</typeparam>
/// <example><code>var serde = new SessionWindowedSerde&lt;string&gt;(Serdes.String());</code></example>
public sealed class SessionWindowedSerde<T> : Serde<Windowed<T>>, IConfigurableSerde
{
    private ISerde<T>? _inner;

    /// <summary>Creates the serde.</summary>
    /// <param name="inner">The inner key serde, or null for the configured default.</param>
    public SessionWindowedSerde(ISerde<T>? inner) => _inner = inner;

    /// <summary>The inner key serde (null until configured when it is the default).</summary>
    public ISerde<T>? Inner => _inner;

    void IConfigurableSerde.Configure(StreamsConfig config, bool isKey)
    {
        if (_inner is null)
        {
            _inner = Internal.SerdeResolver.Resolve<T>(null, config, true, "session-windowed key");
        }
        (_inner as IConfigurableSerde)?.Configure(config, true);
    }

    private ISerde<T> InnerSerde => _inner ?? throw new SerializationException("The inner serde of a session-windowed serde is not set; configure default.key.serde or pass one.");

    /// <inheritdoc/>
    public override byte[]? Serialize(Windowed<T> data, SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }
        var key = InnerSerde.Serialize(data.Key, context) ?? [];
        return Internal.State.SessionKeySchema.ToBinary(key, data.Window.Start, data.Window.End);
    }

    /// <inheritdoc/>
    public override Windowed<T> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!;
        }
        if (data.Length < 16)
        {
            throw new SerializationException("A session-windowed key has at least 16 bytes (the window end and start).");
        }
        var key = InnerSerde.Deserialize(Internal.State.SessionKeySchema.KeyBytes(data), false, context);
        return new Windowed<T>(key, new SessionWindow(Internal.State.SessionKeySchema.Start(data), Internal.State.SessionKeySchema.End(data)));
    }
}
