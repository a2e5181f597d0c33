using System.Buffers.Binary;
using Eddy.Sql.Analysis;
using Eddy.Sql.Formats;
using Eddy.Sql.Types;
using Eddy.Streams.SerDes;

namespace Eddy.Sql.Internal.Planning;

/// <summary>A Streams serde of SQL rows (<c>object?[]</c>) over an <see cref="ISqlFormat"/> serializer pair.</summary>
internal sealed class RowSerde : Serde<object?[]>
{
    private readonly IRowSerializer _serializer;
    private readonly IRowDeserializer _deserializer;
    private readonly bool _isKey;

    public RowSerde(IRowSerializer serializer, IRowDeserializer deserializer, bool isKey)
    {
        _serializer = serializer;
        _deserializer = deserializer;
        _isKey = isKey;
    }

    /// <summary>The key serde of a source: its key columns in its key format (windowed keys carry start and end after the columns).</summary>
    public static Serde<object?[]> Key(DataSource source) => Key(source.Schema.Key, source.KeyFormat, source.Window, source.Topic);

    public static Serde<object?[]> Key(IReadOnlyList<Column> columns, SourceFormat format, WindowInfo? window, string topic)
    {
        var f = SqlFormats.Get(format.Format);
        var ctx = new FormatContext(topic);
        var inner = new RowSerde(f.CreateSerializer(columns, FormatTarget.Key, format.Options, ctx), f.CreateDeserializer(columns, FormatTarget.Key, format.Options, ctx), true);
        return window is null ? inner : new WindowedRowSerde(inner, window, columns.Count);
    }

    /// <summary>The value serde of a source: its value columns in its value format.</summary>
    public static RowSerde Value(DataSource source) => Value(source.Schema.Value, source.ValueFormat, source.Topic);

    public static RowSerde Value(IReadOnlyList<Column> columns, SourceFormat format, string topic)
    {
        var f = SqlFormats.Get(format.Format);
        var ctx = new FormatContext(topic);
        return new RowSerde(f.CreateSerializer(columns, FormatTarget.Value, format.Options, ctx), f.CreateDeserializer(columns, FormatTarget.Value, format.Options, ctx), false);
    }

    /// <summary>An internal serde (repartition topics, stores, changelogs) of rows of these types, in <see cref="InternalRowCodec"/>'s binary format.</summary>
    public static RowSerde Internal(IEnumerable<SqlType?> types)
    {
        var codec = new InternalRowCodec(types);
        return new RowSerde(codec, codec, false);
    }

    public override byte[]? Serialize(object?[]? data, SerializationContext context) => data is null ? null : _serializer.Serialize(data);

    public override object?[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull && !_isKey)
        {
            return null!;
        }

        return _deserializer.Deserialize(data, isNull)!;
    }
}

/// <summary>
/// Windowed keys as ksqlDB writes them (Kafka Streams' layouts): a time window is the key then the
/// 8-byte start; a session window the key, the 8-byte end, then the 8-byte start. In rows the window
/// start and end follow the key columns.
/// </summary>
internal sealed class WindowedRowSerde(RowSerde inner, WindowInfo window, int keyColumns) : Serde<object?[]>
{
    private readonly bool _session = window.Type == Ast.WindowType.Session;

    public override byte[]? Serialize(object?[]? data, SerializationContext context)
    {
        if (data is null)
        {
            return null;
        }

        var key = inner.Serialize(data[..keyColumns], context) ?? [];
        var start = (long)data[keyColumns]!;
        var end = (long)data[keyColumns + 1]!;
        var result = new byte[key.Length + (_session ? 16 : 8)];
        key.CopyTo(result, 0);
        if (_session)
        {
            BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length), end);
            BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length + 8), start);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length), start);
        }

        return result;
    }

    public override object?[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        var suffix = _session ? 16 : 8;
        if (isNull || data.Length < suffix)
        {
            throw new SqlSerdeException($"A windowed key needs at least {suffix} bytes, got {(isNull ? "null" : data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        }

        var keyBytes = data[..^suffix];
        var key = inner.Deserialize(keyBytes, false, context);
        long start, end;
        if (_session)
        {
            end = BinaryPrimitives.ReadInt64BigEndian(data[^16..]);
            start = BinaryPrimitives.ReadInt64BigEndian(data[^8..]);
        }
        else
        {
            start = BinaryPrimitives.ReadInt64BigEndian(data[^8..]);
            end = start + (window.SizeMillis ?? 0);
        }

        var row = new object?[keyColumns + 2];
        Array.Copy(key, row, Math.Min(key.Length, keyColumns));
        row[keyColumns] = start;
        row[keyColumns + 1] = end;
        return row;
    }
}
