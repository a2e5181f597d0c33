using System.Buffers.Binary;
using System.Text;

namespace Eddy.Streams.SerDes;

/// <summary>UTF-8 strings, as Kafka's <c>StringSerde</c>.</summary>
/// <example><code>var serde = Serdes.String();</code></example>
public sealed class StringSerde : Serde<string>, ISpanSerializer<string>
{
    bool ISpanSerializer<string>.TrySerialize(string value, Span<byte> destination, out int written)
        => System.Text.Encoding.UTF8.TryGetBytes(value, destination, out written);

    /// <summary>The shared instance.</summary>
    public static StringSerde Instance { get; } = new();

    /// <inheritdoc/>
    public override byte[]? Serialize(string data, SerializationContext context) => data is null ? null : Encoding.UTF8.GetBytes(data);

    /// <inheritdoc/>
    public override string Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null! : Encoding.UTF8.GetString(data);

    /// <inheritdoc/>
    public override ISerde<TOther>? GetSerde<TOther>() => typeof(TOther) == typeof(string) ? (ISerde<TOther>)(object)this : null;
}

/// <summary>Base for fixed-size big-endian numbers: null bytes give the type's default.</summary>
/// <typeparam name="T">The number type.</typeparam>
/// <example><code>var serde = Serdes.Int64();</code></example>
public abstract class FixedSizeSerde<T> : Serde<T>, IFixedSizeWriter<T>, ISpanSerializer<T>
    where T : struct
{
    bool ISpanSerializer<T>.TrySerialize(T value, Span<byte> destination, out int written)
    {
        if (destination.Length < Size)
        {
            written = 0;
            return false;
        }
        Write(value, destination);
        written = Size;
        return true;
    }

    /// <summary>The encoded size in bytes.</summary>
    protected abstract int Size { get; }

    /// <summary>Kafka's name for the deserializer, used in error messages.</summary>
    protected abstract string JavaName { get; }

    /// <summary>Writes the value into exactly <see cref="Size"/> bytes.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The bytes to fill.</param>
    protected abstract void Write(T value, Span<byte> destination);

    /// <summary>Reads a value from exactly <see cref="Size"/> bytes.</summary>
    /// <param name="source">The bytes.</param>
    /// <returns>The value.</returns>
    protected abstract T Read(ReadOnlySpan<byte> source);

    int IFixedSizeWriter<T>.EncodedSize => Size;

    void IFixedSizeWriter<T>.WriteTo(T value, Span<byte> destination) => Write(value, destination);

    /// <inheritdoc/>
    public sealed override byte[]? Serialize(T data, SerializationContext context)
    {
        var bytes = new byte[Size];
        Write(data, bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public sealed override T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }
        if (data.Length != Size)
        {
            throw new SerializationException($"Size of data received by {JavaName} is not {Size}");
        }
        return Read(data);
    }

    /// <inheritdoc/>
    public override ISerde<TOther>? GetSerde<TOther>() => typeof(TOther) == typeof(T) ? (ISerde<TOther>)(object)this : null;
}

/// <summary>32-bit integers, 4 bytes big-endian (Java's <c>IntegerSerializer</c>).</summary>
/// <example><code>var serde = Serdes.Int32();</code></example>
public sealed class Int32Serde : FixedSizeSerde<int>
{
    /// <summary>The shared instance.</summary>
    public static Int32Serde Instance { get; } = new();

    /// <inheritdoc/>
    protected override int Size => 4;

    /// <inheritdoc/>
    protected override string JavaName => "IntegerDeserializer";

    /// <inheritdoc/>
    protected override void Write(int value, Span<byte> destination) => BinaryPrimitives.WriteInt32BigEndian(destination, value);

    /// <inheritdoc/>
    protected override int Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt32BigEndian(source);
}

/// <summary>64-bit integers, 8 bytes big-endian (Java's <c>LongSerializer</c>).</summary>
/// <example><code>var serde = Serdes.Int64();</code></example>
public sealed class Int64Serde : FixedSizeSerde<long>
{
    /// <summary>The shared instance.</summary>
    public static Int64Serde Instance { get; } = new();

    /// <inheritdoc/>
    protected override int Size => 8;

    /// <inheritdoc/>
    protected override string JavaName => "LongDeserializer";

    /// <inheritdoc/>
    protected override void Write(long value, Span<byte> destination) => BinaryPrimitives.WriteInt64BigEndian(destination, value);

    /// <inheritdoc/>
    protected override long Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt64BigEndian(source);
}

/// <summary>16-bit integers, 2 bytes big-endian (Java's <c>ShortSerializer</c>).</summary>
/// <example><code>var serde = Serdes.Int16();</code></example>
public sealed class Int16Serde : FixedSizeSerde<short>
{
    /// <summary>The shared instance.</summary>
    public static Int16Serde Instance { get; } = new();

    /// <inheritdoc/>
    protected override int Size => 2;

    /// <inheritdoc/>
    protected override string JavaName => "ShortDeserializer";

    /// <inheritdoc/>
    protected override void Write(short value, Span<byte> destination) => BinaryPrimitives.WriteInt16BigEndian(destination, value);

    /// <inheritdoc/>
    protected override short Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt16BigEndian(source);
}

/// <summary>32-bit IEEE 754 floats, 4 bytes big-endian (Java's <c>FloatSerializer</c>).</summary>
/// <example><code>var serde = Serdes.Float();</code></example>
public sealed class FloatSerde : FixedSizeSerde<float>
{
    /// <summary>The shared instance.</summary>
    public static FloatSerde Instance { get; } = new();

    /// <inheritdoc/>
    protected override int Size => 4;

    /// <inheritdoc/>
    protected override string JavaName => "FloatDeserializer";

    /// <inheritdoc/>
    protected override void Write(float value, Span<byte> destination) => BinaryPrimitives.WriteSingleBigEndian(destination, value);

    /// <inheritdoc/>
    protected override float Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadSingleBigEndian(source);
}

/// <summary>64-bit IEEE 754 doubles, 8 bytes big-endian (Java's <c>DoubleSerializer</c>).</summary>
/// <example><code>var serde = Serdes.Double();</code></example>
public sealed class DoubleSerde : FixedSizeSerde<double>
{
    /// <summary>The shared instance.</summary>
    public static DoubleSerde Instance { get; } = new();

    /// <inheritdoc/>
    protected override int Size => 8;

    /// <inheritdoc/>
    protected override string JavaName => "DoubleDeserializer";

    /// <inheritdoc/>
    protected override void Write(double value, Span<byte> destination) => BinaryPrimitives.WriteDoubleBigEndian(destination, value);

    /// <inheritdoc/>
    protected override double Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadDoubleBigEndian(source);
}

/// <summary>Raw bytes, passed through (a copy is made on read).</summary>
/// <example><code>var serde = Serdes.ByteArray();</code></example>
public sealed class ByteArraySerde : Serde<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static ByteArraySerde Instance { get; } = new();

    /// <inheritdoc/>
    public override byte[]? Serialize(byte[] data, SerializationContext context) => data;

    /// <inheritdoc/>
    public override byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null! : data.ToArray();

    /// <inheritdoc/>
    public override ISerde<TOther>? GetSerde<TOther>() => typeof(TOther) == typeof(byte[]) ? (ISerde<TOther>)(object)this : null;
}

/// <summary>
/// Guids as their 36-character text form in UTF-8, exactly like Java's <c>UUIDSerializer</c>, so keys written by
/// either side read the same.
/// </summary>
/// <example><code>var serde = Serdes.Guid();</code></example>
public sealed class GuidSerde : Serde<Guid>
{
    /// <summary>The shared instance.</summary>
    public static GuidSerde Instance { get; } = new();

    /// <inheritdoc/>
    public override byte[]? Serialize(Guid data, SerializationContext context)
    {
        var bytes = new byte[36];
        data.TryFormat(bytes, out _, "D");
        return bytes;
    }

    /// <inheritdoc/>
    public override Guid Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return Guid.Empty;
        }
        if (!Guid.TryParseExact(Encoding.UTF8.GetString(data), "D", out var g))
        {
            throw new SerializationException("Error parsing data into UUID");
        }
        return g;
    }

    /// <inheritdoc/>
    public override ISerde<TOther>? GetSerde<TOther>() => typeof(TOther) == typeof(Guid) ? (ISerde<TOther>)(object)this : null;
}

/// <summary>
/// Kafka's <c>Void</c> serde: every value is null. Use it for keys or values that are always absent.
/// Serializing a non-null value and reading non-null bytes both fail.
/// </summary>
/// <example><code>var keySerde = Serdes.Void();</code></example>
public sealed class VoidSerde : Serde<object?>
{
    /// <summary>The shared instance.</summary>
    public static VoidSerde Instance { get; } = new();

    /// <inheritdoc/>
    public override byte[]? Serialize(object? data, SerializationContext context)
        => data is null ? null : throw new SerializationException("The Void serde can only serialize null.");

    /// <inheritdoc/>
    public override object? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        => isNull ? null : throw new SerializationException("Data should be null for a VoidDeserializer.");
}

/// <summary>Makes a value-type serde nullable: null bytes read as null, and null writes null bytes.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example><code>ISerde&lt;long?&gt; serde = Serdes.Nullable(Serdes.Int64());</code></example>
public sealed class NullableSerde<T> : Serde<T?>
    where T : struct
{
    private readonly ISerde<T> _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The value-type serde.</param>
    public NullableSerde(ISerde<T> inner) => _inner = inner;

    /// <inheritdoc/>
    public override byte[]? Serialize(T? data, SerializationContext context) => data is null ? null : _inner.Serialize(data.Value, context);

    /// <inheritdoc/>
    public override T? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : _inner.Deserialize(data, false, context);
}

/// <summary>A serde made of a separate serializer and deserializer.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <example><code>var serde = Serdes.From(mySerializer, myDeserializer);</code></example>
public sealed class CompositeSerde<T> : Serde<T>
{
    private readonly ISerializer<T> _serializer;
    private readonly IDeserializer<T> _deserializer;

    /// <summary>Combines a serializer and a deserializer.</summary>
    /// <param name="serializer">The serializer.</param>
    /// <param name="deserializer">The deserializer.</param>
    public CompositeSerde(ISerializer<T> serializer, IDeserializer<T> deserializer)
    {
        _serializer = serializer;
        _deserializer = deserializer;
    }

    /// <inheritdoc/>
    public override byte[]? Serialize(T data, SerializationContext context) => _serializer.Serialize(data, context);

    /// <inheritdoc/>
    public override T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => _deserializer.Deserialize(data, isNull, context);
}

/// <summary>Serdes of fixed-size values that can write into a caller's buffer (avoids an allocation in stores).</summary>
internal interface IFixedSizeWriter<in T>
{
    int EncodedSize { get; }

    void WriteTo(T value, Span<byte> destination);
}

/// <summary>Serdes that can write a non-null value into a caller's buffer (stores serialize lookup keys this way).</summary>
internal interface ISpanSerializer<in T>
{
    bool TrySerialize(T value, Span<byte> destination, out int written);
}
