using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Eddy.Sql.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Formats;

/// <summary>
/// SQL values to and from JSON, as ksqlDB's JSON format does it: TIMESTAMP as epoch milliseconds,
/// DATE as epoch days, TIME as milliseconds of the day, BYTES as base64, DECIMAL as a number with its
/// scale; reading coerces (numbers from strings, strings from anything), matches struct fields and
/// columns case-insensitively when there is no exact match.
/// </summary>
internal static class JsonValues
{
    /// <summary>Escapes only what JSON requires (like Jackson): quotes, backslashes and control characters.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static string ToJsonText(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static byte[] Serialize(Action<Utf8JsonWriter> write) => Serialize(write, static (w, write) => write(w));

    /// <summary>
    /// Writes JSON with a per-thread buffer and writer (reset, not reallocated, per call); the state
    /// argument spares callers a closure per record.
    /// </summary>
    public static byte[] Serialize<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        write(writer, state);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a value without a known type (TO_JSON_STRING).</summary>
    public static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d:
                WriteDouble(w, d);
                break;
            case SqlDecimal m:
                w.WriteRawValue(m.ToPlainString(), skipInputValidation: true);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case byte[] bytes:
                w.WriteBase64StringValue(bytes);
                break;
            case DateTime ts:
                w.WriteNumberValue(SqlValues.ToEpochMillis(ts));
                break;
            case DateOnly date:
                w.WriteNumberValue(SqlValues.ToEpochDays(date));
                break;
            case TimeOnly time:
                w.WriteNumberValue(SqlValues.ToMillisOfDay(time));
                break;
            case List<object?> list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                break;
            case Dictionary<object, object?> map:
                w.WriteStartObject();
                foreach (var kv in map)
                {
                    w.WritePropertyName(SqlValues.ToJavaString(kv.Key));
                    Write(w, kv.Value);
                }

                w.WriteEndObject();
                break;
            case SqlStruct s:
                w.WriteStartObject();
                for (var i = 0; i < s.Type.Fields.Count; i++)
                {
                    w.WritePropertyName(s.Type.Fields[i].Name);
                    Write(w, s[i]);
                }

                w.WriteEndObject();
                break;
            default:
                w.WriteStringValue(value.ToString());
                break;
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d))
        {
            w.WriteNumberValue(d);
        }
        else
        {
            w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>Reads a JSON value as a value of <paramref name="type"/>.</summary>
    public static object? Read(JsonElement e, SqlType type, string path)
    {
        if (e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        switch (type.BaseType)
        {
            case SqlBaseType.Boolean:
                return e.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String when bool.TryParse(e.GetString(), out var b) => b,
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Integer:
                return e.ValueKind switch
                {
                    JsonValueKind.Number when e.TryGetInt32(out var i) => i,
                    JsonValueKind.Number when e.TryGetInt64(out var l) => unchecked((int)l),
                    JsonValueKind.Number => (int)Math.Truncate(e.GetDouble()),
                    JsonValueKind.String when int.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => i,
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.BigInt:
                return e.ValueKind switch
                {
                    JsonValueKind.Number when e.TryGetInt64(out var l) => l,
                    JsonValueKind.Number => (long)Math.Truncate(e.GetDouble()),
                    JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Double:
                return e.ValueKind switch
                {
                    JsonValueKind.Number => e.GetDouble(),
                    JsonValueKind.String => Compiler.SqlRuntime.StringToDouble(e.GetString()) ?? throw Mismatch(e, type, path),
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Decimal:
            {
                var d = (SqlDecimalType)type;
                var text = e.ValueKind switch
                {
                    JsonValueKind.Number => e.GetRawText(),
                    JsonValueKind.String => e.GetString()!,
                    _ => throw Mismatch(e, type, path),
                };
                try
                {
                    return Compiler.SqlRuntime.StringToDecimal(text, d.Precision, d.Scale);
                }
                catch (Exception ex) when (ex is FormatException or OverflowException)
                {
                    throw new SqlSerdeException($"Cannot deserialize {path}: {ex.Message}", ex);
                }
            }

            case SqlBaseType.String:
                return e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
            case SqlBaseType.Bytes:
                return e.ValueKind == JsonValueKind.String && e.TryGetBytesFromBase64(out var bytes) ? bytes : throw Mismatch(e, type, path);
            case SqlBaseType.Timestamp:
                return e.ValueKind switch
                {
                    JsonValueKind.Number when e.TryGetInt64(out var ms) => SqlValues.FromEpochMillis(ms),
                    JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) => SqlValues.FromEpochMillis(ms),
                    JsonValueKind.String => Compiler.SqlTimeParsing.ParseTimestamp(e.GetString()!),
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Date:
                return e.ValueKind switch
                {
                    JsonValueKind.Number when e.TryGetInt32(out var days) => SqlValues.FromEpochDays(days),
                    JsonValueKind.String => Compiler.SqlTimeParsing.ParseDate(e.GetString()!),
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Time:
                return e.ValueKind switch
                {
                    JsonValueKind.Number when e.TryGetInt64(out var ms) => SqlValues.FromMillisOfDay(ms),
                    JsonValueKind.String => Compiler.SqlTimeParsing.ParseTime(e.GetString()!),
                    _ => throw Mismatch(e, type, path),
                };
            case SqlBaseType.Array:
            {
                if (e.ValueKind != JsonValueKind.Array)
                {
                    throw Mismatch(e, type, path);
                }

                var element = ((SqlArrayType)type).ElementType;
                var list = new List<object?>(e.GetArrayLength());
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    list.Add(Read(item, element, path + "[" + i++ + "]"));
                }

                return list;
            }

            case SqlBaseType.Map:
            {
                if (e.ValueKind != JsonValueKind.Object)
                {
                    throw Mismatch(e, type, path);
                }

                var m = (SqlMapType)type;
                var map = new Dictionary<object, object?>(SqlValueComparer.Instance);
                foreach (var p in e.EnumerateObject())
                {
                    object? key = m.KeyType.BaseType == SqlBaseType.String ? p.Name : Compiler.SqlRuntime.StringToLong(p.Name);
                    map[key!] = Read(p.Value, m.ValueType, path + "." + p.Name);
                }

                return map;
            }

            case SqlBaseType.Struct:
            {
                if (e.ValueKind != JsonValueKind.Object)
                {
                    throw Mismatch(e, type, path);
                }

                var st = (SqlStructType)type;
                var values = new object?[st.Fields.Count];
                foreach (var p in e.EnumerateObject())
                {
                    var i = FieldIndex(st, p.Name);
                    if (i >= 0)
                    {
                        values[i] = Read(p.Value, st.Fields[i].Type, path + "->" + st.Fields[i].Name);
                    }
                }

                return new SqlStruct(st, values);
            }
        }

        throw Mismatch(e, type, path);
    }

    public static int FieldIndex(SqlStructType type, string name)
    {
        var i = type.IndexOf(name);
        if (i >= 0)
        {
            return i;
        }

        for (var j = 0; j < type.Fields.Count; j++)
        {
            if (string.Equals(type.Fields[j].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return j;
            }
        }

        return -1;
    }

    private static SqlSerdeException Mismatch(JsonElement e, SqlType type, string path) =>
        new($"Can't convert type. sourceType: {Kind(e)}, requiredType: {type}, path: {path}");

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "ObjectNode",
        JsonValueKind.Array => "ArrayNode",
        JsonValueKind.String => "TextNode",
        JsonValueKind.Number => "NumericNode",
        JsonValueKind.True or JsonValueKind.False => "BooleanNode",
        _ => e.ValueKind.ToString(),
    };
}
