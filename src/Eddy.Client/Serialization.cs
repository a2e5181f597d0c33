using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Eddy.Client;

/// <summary>Whether a key or a value is being (de)serialized, and for which topic.</summary>
/// <param name="Component">Key or value.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Headers">The record's headers (serializers may add to them), or null.</param>
public readonly record struct SerializationContext(MessageComponent Component, string Topic, Headers? Headers = null);

/// <summary>The part of a record being (de)serialized.</summary>
public enum MessageComponent
{
    /// <summary>The key.</summary>
    Key,

    /// <summary>The value.</summary>
    Value,
}

/// <summary>
/// Turns a <typeparamref name="T"/> into bytes, written straight into the producer's buffer
/// (no intermediate array).
/// </summary>
/// <typeparam name="T">The type serialized.</typeparam>
/// <example>
/// <code>
/// public sealed class GuidSerializer : ISerializer&lt;Guid&gt;
/// {
///     public bool Serialize(Guid value, IBufferWriter&lt;byte&gt; output, SerializationContext context)
///     {
///         value.TryWriteBytes(output.GetSpan(16));
///         output.Advance(16);
///         return true;
///     }
/// }
/// </code>
/// </example>
public interface ISerializer<in T>
{
    /// <summary>Writes <paramref name="value"/>; returns false for a null key or value (nothing written).</summary>
    bool Serialize(T value, IBufferWriter<byte> output, SerializationContext context);
}

/// <summary>Turns bytes into a <typeparamref name="T"/>; reads straight from the fetch buffer.</summary>
/// <typeparam name="T">The type produced.</typeparam>
/// <example>
/// <code>
/// public sealed class GuidDeserializer : IDeserializer&lt;Guid&gt;
/// {
///     public Guid Deserialize(ReadOnlySpan&lt;byte&gt; data, bool isNull, SerializationContext context) =&gt; isNull ? Guid.Empty : new Guid(data);
/// }
/// </code>
/// </example>
public interface IDeserializer<out T>
{
    /// <summary>Reads a value; <paramref name="isNull"/> is true for a null key or tombstone.</summary>
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}

/// <summary>Built-in serializers (the byte layouts of Kafka's Java serializers).</summary>
/// <example>
/// <code>
/// var producer = new KafkaProducer&lt;string, byte[]&gt;(config, Serializers.Utf8, Serializers.ByteArray);
/// </code>
/// </example>
public static class Serializers
{
    /// <summary>UTF-8 strings; null stays null.</summary>
    public static ISerializer<string?> Utf8 { get; } = new Utf8Serializer();

    /// <summary>Bytes as they are; null stays null.</summary>
    public static ISerializer<byte[]?> ByteArray { get; } = new ByteArraySerializer();

    /// <summary>Bytes as they are.</summary>
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();

    /// <summary>Big-endian INT32 (Java's IntegerSerializer).</summary>
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();

    /// <summary>Big-endian INT64 (Java's LongSerializer).</summary>
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();

    /// <summary>Always null (for keyless topics).</summary>
    public static ISerializer<Null> Null { get; } = new NullSerializer();

    private sealed class Utf8Serializer : ISerializer<string?>
    {
        public bool Serialize(string? value, IBufferWriter<byte> output, SerializationContext context)
        {
            if (value is null)
            {
                return false;
            }

            int count = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (count > 4096)
            {
                count = Encoding.UTF8.GetByteCount(value);
            }

            int written = Encoding.UTF8.GetBytes(value, output.GetSpan(count));
            output.Advance(written);
            return true;
        }
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]?>
    {
        public bool Serialize(byte[]? value, IBufferWriter<byte> output, SerializationContext context)
        {
            if (value is null)
            {
                return false;
            }

            output.Write(value);
            return true;
        }
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>
    {
        public bool Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> output, SerializationContext context)
        {
            output.Write(value.Span);
            return true;
        }
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public bool Serialize(int value, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
            output.Advance(4);
            return true;
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public bool Serialize(long value, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
            output.Advance(8);
            return true;
        }
    }

    private sealed class NullSerializer : ISerializer<Null>
    {
        public bool Serialize(Null value, IBufferWriter<byte> output, SerializationContext context) => false;
    }
}

/// <summary>Built-in deserializers, matching <see cref="Serializers"/>.</summary>
/// <example>
/// <code>
/// var consumer = new KafkaConsumer&lt;string, string&gt;(config, Deserializers.Utf8, Deserializers.Utf8);
/// </code>
/// </example>
public static class Deserializers
{
    /// <summary>UTF-8 strings; a null key or value gives null.</summary>
    public static IDeserializer<string> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>A copy of the bytes; a null key or value gives null.</summary>
    public static IDeserializer<byte[]> ByteArray { get; } = new ByteArrayDeserializer();

    /// <summary>Big-endian INT32.</summary>
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();

    /// <summary>Big-endian INT64.</summary>
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();

    /// <summary>Ignores the bytes.</summary>
    public static IDeserializer<Null> Ignore { get; } = new IgnoreDeserializer();

    private sealed class Utf8Deserializer : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null! : Encoding.UTF8.GetString(data);
    }

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]>
    {
        public byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null! : data.ToArray();
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? 0 : data.Length == 4 ? BinaryPrimitives.ReadInt32BigEndian(data) : throw new FormatException($"an INT32 needs 4 bytes, got {data.Length}");
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? 0 : data.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(data) : throw new FormatException($"an INT64 needs 8 bytes, got {data.Length}");
    }

    private sealed class IgnoreDeserializer : IDeserializer<Null>
    {
        public Null Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => default;
    }
}

/// <summary>The type of a key or value that is always null.</summary>
public readonly record struct Null;
