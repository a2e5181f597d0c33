using System.Globalization;
using System.Text.Json;
using Eddy.Sql.Engine;
using Eddy.Sql.Types;

namespace Eddy.Server;

/// <summary>
/// Writes values, rows and errors as ksqlDB's REST API renders them: DECIMAL as a JSON number, TIMESTAMP,
/// DATE and TIME as ISO strings, BYTES as base64, STRUCT as an object of field names, MAP as an object and
/// ARRAY as an array.
/// </summary>
/// <example>
/// <code>
/// using var writer = new Utf8JsonWriter(stream);
/// KsqlJson.WriteValue(writer, SqlDecimal.Parse("1.50")); // 1.50
/// </code>
/// </example>
public static class KsqlJson
{
    /// <summary>Writes one value in the engine's CLR representation.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                if (double.IsFinite(d))
                {
                    // Java's rendering keeps "1.0" a double on the client side.
                    writer.WriteRawValue(SqlValues.JavaDouble(d), skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(SqlValues.JavaDouble(d));
                }

                break;
            case SqlDecimal m:
                writer.WriteRawValue(m.ToPlainString(), skipInputValidation: true);
                break;
            case DateTime ts:
                writer.WriteStringValue(SqlValues.FormatTimestamp(ts));
                break;
            case DateOnly date:
                writer.WriteStringValue(SqlValues.FormatDate(date));
                break;
            case TimeOnly time:
                writer.WriteStringValue(SqlValues.FormatTime(time));
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case SqlStruct st:
                writer.WriteStartObject();
                for (var i = 0; i < st.Type.Fields.Count; i++)
                {
                    writer.WritePropertyName(st.Type.Fields[i].Name);
                    WriteValue(writer, st.Values[i]);
                }

                writer.WriteEndObject();
                break;
            case Dictionary<object, object?> map:
                writer.WriteStartObject();
                foreach (var kv in map)
                {
                    writer.WritePropertyName(SqlValues.ToJavaString(kv.Key));
                    WriteValue(writer, kv.Value);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IDictionary dict:
                writer.WriteStartObject();
                foreach (System.Collections.DictionaryEntry kv in dict)
                {
                    writer.WritePropertyName(SqlValues.ToJavaString(kv.Key));
                    WriteValue(writer, kv.Value);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case decimal dm:
                writer.WriteNumberValue(dm);
                break;
            case short sh:
                writer.WriteNumberValue(sh);
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>Writes a row as a JSON array of its values.</summary>
    public static void WriteRow(Utf8JsonWriter writer, IReadOnlyList<object?> row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        writer.WriteStartArray();
        foreach (var value in row)
        {
            WriteValue(writer, value);
        }

        writer.WriteEndArray();
    }

    /// <summary>The schema string of a query header: <c>`ID` STRING KEY, `COUNT` BIGINT</c> (KEY on the columns in <paramref name="keys"/>).</summary>
    public static string Schema(IReadOnlyList<QueryColumn> columns, IReadOnlySet<string>? keys = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return string.Join(", ", columns.Select(c => new Column(c.Name, c.Type, keys?.Contains(c.Name) == true ? ColumnKind.Key : ColumnKind.Value).ToString()));
    }

    /// <summary>Writes ksqlDB's error object (<c>generic_error</c>, or <c>statement_error</c> when a statement is given).</summary>
    public static void WriteError(Utf8JsonWriter writer, int errorCode, string message, string? statementText = null, Action<Utf8JsonWriter>? entities = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("@type", statementText is null ? "generic_error" : "statement_error");
        writer.WriteNumber("error_code", errorCode);
        writer.WriteString("message", message);
        if (statementText is not null)
        {
            writer.WriteString("statementText", statementText);
            writer.WriteStartArray("entities");
            entities?.Invoke(writer);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Serializes an error object to bytes.</summary>
    public static byte[] Error(int errorCode, string message, string? statementText = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteError(writer, errorCode, message, statementText);
        }

        return buffer.ToArray();
    }
}
