using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Eddy.Sql.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Planning;

/// <summary>
/// The compact binary row format of a query's internal topics and state stores (repartitions,
/// aggregates, join stores), which no user reads: as ksqlDB keeps its internal formats its own, this
/// skips text entirely. A row is its declared columns in order; each value is a one-byte tag followed
/// by a fixed-width little-endian number, or a varint length and the bytes. Values are first brought
/// to their declared type, so equal keys always have equal bytes.
/// </summary>
internal sealed class InternalRowCodec : IRowSerializer, IRowDeserializer
{
    private const byte Null = 0;
    private const byte False = 1;
    private const byte True = 2;
    private const byte Int32 = 3;
    private const byte Int64 = 4;
    private const byte Float64 = 5;
    private const byte Text = 6;
    private const byte Decimal = 7;
    private const byte Bytes = 8;
    private const byte Timestamp = 9;
    private const byte Date = 10;
    private const byte Time = 11;
    private const byte List = 12;
    private const byte Map = 13;
    private const byte Struct = 14;

    // Boxes of common values, shared so that reading a row allocates less (ROWPARTITION is nearly always a small int).
    private static readonly object BoxedFalse = false;
    private static readonly object BoxedTrue = true;
    private static readonly object[] SmallInts = [.. Enumerable.Range(0, 256).Select(i => (object)i)];

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly SqlType?[] _types;

    public InternalRowCodec(IEnumerable<SqlType?> types) => _types = [.. types];

    public byte[]? Serialize(object?[]? row)
    {
        if (row is null)
        {
            return null;
        }

        var w = t_buffer ??= new ArrayBufferWriter<byte>(256);
        w.ResetWrittenCount();
        for (var i = 0; i < _types.Length; i++)
        {
            Write(w, i < row.Length ? row[i] : null, _types[i]);
        }

        return w.WrittenSpan.ToArray();
    }

    public object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false)
    {
        if (isNull)
        {
            return null;
        }

        var row = new object?[_types.Length];
        var pos = 0;
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Read(data, ref pos, _types[i]);
        }

        if (pos != data.Length)
        {
            throw new SqlSerdeException($"Internal row has {data.Length - pos} unexpected trailing bytes; it was not written by this query's plan.");
        }

        return row;
    }

    private static void Write(ArrayBufferWriter<byte> w, object? value, SqlType? type)
    {
        if (value is null)
        {
            WriteByte(w, Null);
            return;
        }

        if (type is SqlPrimitiveType or SqlDecimalType && value.GetType() != type.ClrType)
        {
            value = SqlValues.FromClr(value, type) ?? throw new SqlSerdeException($"Cannot convert {value} to {type} for an internal row.");
        }

        switch (value)
        {
            case bool b:
                WriteByte(w, b ? True : False);
                break;
            case int i:
                BinaryPrimitives.WriteInt32LittleEndian(Reserve(w, Int32, 4), i);
                w.Advance(5);
                break;
            case long l:
                BinaryPrimitives.WriteInt64LittleEndian(Reserve(w, Int64, 8), l);
                w.Advance(9);
                break;
            case double d:
                BinaryPrimitives.WriteDoubleLittleEndian(Reserve(w, Float64, 8), d);
                w.Advance(9);
                break;
            case string s:
                WriteByte(w, Text);
                WriteString(w, s);
                break;
            case SqlDecimal m:
            {
                WriteByte(w, Decimal);
                WriteVarint(w, (uint)m.Scale);
                var count = m.Unscaled.GetByteCount();
                WriteVarint(w, (uint)count);
                m.Unscaled.TryWriteBytes(w.GetSpan(count), out _);
                w.Advance(count);
                break;
            }

            case byte[] bytes:
                WriteByte(w, Bytes);
                WriteVarint(w, (uint)bytes.Length);
                w.Write(bytes);
                break;
            case DateTime ts:
            {
                var span = Reserve(w, Timestamp, 9);
                BinaryPrimitives.WriteInt64LittleEndian(span, ts.Ticks);
                span[8] = (byte)ts.Kind;
                w.Advance(10);
                break;
            }

            case DateOnly date:
                BinaryPrimitives.WriteInt32LittleEndian(Reserve(w, Date, 4), date.DayNumber);
                w.Advance(5);
                break;
            case TimeOnly time:
                BinaryPrimitives.WriteInt64LittleEndian(Reserve(w, Time, 8), time.Ticks);
                w.Advance(9);
                break;
            case List<object?> list:
            {
                WriteByte(w, List);
                WriteVarint(w, (uint)list.Count);
                var element = (type as SqlArrayType)?.ElementType;
                foreach (var item in list)
                {
                    Write(w, item, element);
                }

                break;
            }

            case Dictionary<object, object?> map:
            {
                WriteByte(w, Map);
                WriteVarint(w, (uint)map.Count);
                var mapType = type as SqlMapType;
                foreach (var (k, v) in map)
                {
                    Write(w, k, mapType?.KeyType);
                    Write(w, v, mapType?.ValueType);
                }

                break;
            }

            case SqlStruct st:
            {
                // Field names travel with the values so that a struct reads back whatever type it was declared as.
                WriteByte(w, Struct);
                var fields = st.Type.Fields;
                WriteVarint(w, (uint)fields.Count);
                for (var i = 0; i < fields.Count; i++)
                {
                    WriteString(w, fields[i].Name);
                    Write(w, st[i], fields[i].Type);
                }

                break;
            }

            default:
                throw new SqlSerdeException($"Cannot write a value of CLR type {value.GetType().Name} to an internal row{(type is null ? string.Empty : $" (column type {type})")}.");
        }
    }

    private static object? Read(ReadOnlySpan<byte> data, ref int pos, SqlType? type)
    {
        if (pos >= data.Length)
        {
            throw new SqlSerdeException("Internal row ended early; it was not written by this query's plan.");
        }

        var tag = data[pos++];
        switch (tag)
        {
            case Null:
                return null;
            case False:
                return BoxedFalse;
            case True:
                return BoxedTrue;
            case Int32:
            {
                var i = BinaryPrimitives.ReadInt32LittleEndian(Take(data, ref pos, 4));
                return (uint)i < (uint)SmallInts.Length ? SmallInts[i] : i;
            }

            case Int64:
                return BinaryPrimitives.ReadInt64LittleEndian(Take(data, ref pos, 8));
            case Float64:
                return BinaryPrimitives.ReadDoubleLittleEndian(Take(data, ref pos, 8));
            case Text:
                return ReadString(data, ref pos);
            case Decimal:
            {
                var scale = (int)ReadVarint(data, ref pos);
                var count = (int)ReadVarint(data, ref pos);
                return new SqlDecimal(new BigInteger(Take(data, ref pos, count)), scale);
            }

            case Bytes:
                return Take(data, ref pos, (int)ReadVarint(data, ref pos)).ToArray();
            case Timestamp:
            {
                var ticks = BinaryPrimitives.ReadInt64LittleEndian(Take(data, ref pos, 8));
                return new DateTime(ticks, (DateTimeKind)Take(data, ref pos, 1)[0]);
            }

            case Date:
                return DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(Take(data, ref pos, 4)));
            case Time:
                return new TimeOnly(BinaryPrimitives.ReadInt64LittleEndian(Take(data, ref pos, 8)));
            case List:
            {
                var count = (int)ReadVarint(data, ref pos);
                var element = (type as SqlArrayType)?.ElementType;
                var list = new List<object?>(Math.Min(count, data.Length - pos));
                for (var i = 0; i < count; i++)
                {
                    list.Add(Read(data, ref pos, element));
                }

                return list;
            }

            case Map:
            {
                var count = (int)ReadVarint(data, ref pos);
                var mapType = type as SqlMapType;
                var map = new Dictionary<object, object?>(Math.Min(count, data.Length - pos), SqlValues.Comparer);
                for (var i = 0; i < count; i++)
                {
                    var k = Read(data, ref pos, mapType?.KeyType) ?? throw new SqlSerdeException("Internal row holds a map with a null key.");
                    map[k] = Read(data, ref pos, mapType?.ValueType);
                }

                return map;
            }

            case Struct:
                return ReadStruct(data, ref pos, type as SqlStructType);
            default:
                throw new SqlSerdeException($"Internal row holds an unknown value tag {tag}; it was not written by this query's plan.");
        }
    }

    private static SqlStruct ReadStruct(ReadOnlySpan<byte> data, ref int pos, SqlStructType? declared)
    {
        var count = (int)ReadVarint(data, ref pos);
        var names = new string[count];
        var values = new object?[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = ReadString(data, ref pos);
            var fieldType = declared is not null && i < declared.Fields.Count && declared.Fields[i].Name == names[i] ? declared.Fields[i].Type : null;
            values[i] = Read(data, ref pos, fieldType);
        }

        if (declared is not null && declared.Fields.Count == count && declared.Fields.Select(f => f.Name).SequenceEqual(names))
        {
            return new SqlStruct(declared, values);
        }

        // Not the declared shape (or none declared): rebuild a type from the names and the values read.
        var fields = names.Select((n, i) => (n, values[i] is { } v ? TypeOfValue(v) : SqlTypes.String)).ToArray();
        return new SqlStruct(SqlTypes.Struct(fields), values);
    }

    private static SqlType TypeOfValue(object v) => v switch
    {
        bool => SqlTypes.Boolean,
        int => SqlTypes.Integer,
        long => SqlTypes.BigInt,
        double => SqlTypes.Double,
        SqlDecimal m => SqlTypes.Decimal(Math.Max(m.Precision, m.Scale), m.Scale),
        byte[] => SqlTypes.Bytes,
        DateTime => SqlTypes.Timestamp,
        DateOnly => SqlTypes.Date,
        TimeOnly => SqlTypes.Time,
        SqlStruct s => s.Type,
        _ => SqlTypes.String,
    };

    private static Span<byte> Reserve(ArrayBufferWriter<byte> w, byte tag, int size)
    {
        var span = w.GetSpan(size + 1);
        span[0] = tag;
        return span.Slice(1, size);
    }

    private static void WriteByte(ArrayBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    private static void WriteString(ArrayBufferWriter<byte> w, string s)
    {
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max < 128)
        {
            // One length byte suffices: encode straight after it.
            var span = w.GetSpan(max + 1);
            var n = Encoding.UTF8.GetBytes(s, span[1..]);
            span[0] = (byte)n;
            w.Advance(n + 1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(s);
        WriteVarint(w, (uint)count);
        Encoding.UTF8.GetBytes(s, w.GetSpan(count));
        w.Advance(count);
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int pos)
    {
        var count = (int)ReadVarint(data, ref pos);
        return Encoding.UTF8.GetString(Take(data, ref pos, count));
    }

    private static void WriteVarint(ArrayBufferWriter<byte> w, uint value)
    {
        var span = w.GetSpan(5);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        w.Advance(n);
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(data, ref pos, 1)[0];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new SqlSerdeException("Internal row holds a malformed length.");
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        if (count < 0 || pos + count > data.Length)
        {
            throw new SqlSerdeException("Internal row ended early; it was not written by this query's plan.");
        }

        var span = data.Slice(pos, count);
        pos += count;
        return span;
    }
}
