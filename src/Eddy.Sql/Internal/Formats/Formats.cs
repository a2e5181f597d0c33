using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Eddy.Sql.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Formats;

internal static class FormatChecks
{
    public static string Describe(IReadOnlyList<Column> columns) =>
        "[" + string.Join(", ", columns.Select(c => c.ToString())) + "]";

    public static void NoWrapping(string format, FormatOptions options)
    {
        if (options.WrapSingleValue == true)
        {
            throw new SqlException($"Format '{format}' does not support 'WRAP_SINGLE_VALUE' set to 'true'.");
        }
    }

    public static void Primitives(string format, IReadOnlyList<Column> columns, FormatTarget target, Func<SqlType, bool> supported)
    {
        foreach (var c in columns)
        {
            Check(format, c, c.Type, target, supported);
        }
    }

    private static void Check(string format, Column column, SqlType type, FormatTarget target, Func<SqlType, bool> supported)
    {
        if (!supported(type))
        {
            throw new SqlException($"The '{format}' format does not support type '{type.BaseType.SqlName()}'" + (target == FormatTarget.Key ? $", column: `{column.Name}`" : string.Empty));
        }
    }
}

/// <summary>KAFKA: one column, a primitive in Kafka's own serializers (big-endian INT/BIGINT/DOUBLE, UTF-8 STRING, raw BYTES).</summary>
internal sealed class KafkaFormat : ISqlFormat
{
    public string Name => "KAFKA";

    public FormatCapabilities Capabilities => FormatCapabilities.None;

    public void Validate(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options)
    {
        if (target == FormatTarget.Value)
        {
            FormatChecks.NoWrapping(Name, options);
        }

        FormatChecks.Primitives(Name, columns, target, t => t.BaseType is SqlBaseType.Integer or SqlBaseType.BigInt or SqlBaseType.Double or SqlBaseType.String or SqlBaseType.Bytes);
        if (columns.Count > 1)
        {
            throw new SqlException($"The 'KAFKA' format only supports a single field. Got: {FormatChecks.Describe(columns)}");
        }
    }

    public IRowSerializer CreateSerializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Serde(columns.Count == 0 ? null : columns[0].Type, target);
    }

    public IRowDeserializer CreateDeserializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Serde(columns.Count == 0 ? null : columns[0].Type, target);
    }

    private sealed class Serde(SqlType? type, FormatTarget target) : IRowSerializer, IRowDeserializer
    {
        public byte[]? Serialize(object?[]? row)
        {
            if (row is null || type is null || row[0] is null)
            {
                return null;
            }

            var v = row[0];
            switch (type.BaseType)
            {
                case SqlBaseType.Integer:
                {
                    var b = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(b, (int)v!);
                    return b;
                }

                case SqlBaseType.BigInt:
                {
                    var b = new byte[8];
                    BinaryPrimitives.WriteInt64BigEndian(b, (long)v!);
                    return b;
                }

                case SqlBaseType.Double:
                {
                    var b = new byte[8];
                    BinaryPrimitives.WriteDoubleBigEndian(b, (double)v!);
                    return b;
                }

                case SqlBaseType.String:
                    return Encoding.UTF8.GetBytes((string)v!);
                default:
                    return (byte[])v!;
            }
        }

        public object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false)
        {
            if (isNull && target == FormatTarget.Value)
            {
                return null;
            }

            if (type is null)
            {
                return [];
            }

            if (isNull)
            {
                return [null];
            }

            object? value = type.BaseType switch
            {
                SqlBaseType.Integer => data.Length == 4 ? BinaryPrimitives.ReadInt32BigEndian(data) : throw Size(data, 4, "IntegerDeserializer"),
                SqlBaseType.BigInt => data.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(data) : throw Size(data, 8, "LongDeserializer"),
                SqlBaseType.Double => data.Length == 8 ? BinaryPrimitives.ReadDoubleBigEndian(data) : throw Size(data, 8, "DoubleDeserializer"),
                SqlBaseType.String => Encoding.UTF8.GetString(data),
                _ => data.ToArray(),
            };
            return [value];
        }

        private static SqlSerdeException Size(ReadOnlySpan<byte> data, int size, string name) =>
            new($"Size of data received by {name} is not {size} (got {data.Length} bytes).");
    }
}

/// <summary>NONE: no columns; writes nothing (null), reads nothing.</summary>
internal sealed class NoneFormat : ISqlFormat
{
    public string Name => "NONE";

    public FormatCapabilities Capabilities => FormatCapabilities.MultipleKeyColumns;

    public void Validate(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options)
    {
        if (columns.Count > 0)
        {
            throw new SqlException($"The 'NONE' format can only be used when no columns are defined. Got: {FormatChecks.Describe(columns)}");
        }
    }

    public IRowSerializer CreateSerializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return Serde.Instance;
    }

    public IRowDeserializer CreateDeserializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return Serde.Instance;
    }

    private sealed class Serde : IRowSerializer, IRowDeserializer
    {
        public static readonly Serde Instance = new();

        public byte[]? Serialize(object?[]? row) => null;

        public object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false) => [];
    }
}

/// <summary>
/// JSON: values as objects of their columns (or one bare value with WRAP_SINGLE_VALUE=false); keys
/// bare when there is one key column, objects when there are several.
/// </summary>
internal sealed class JsonFormat : ISqlFormat
{
    public string Name => "JSON";

    public FormatCapabilities Capabilities => FormatCapabilities.MultipleKeyColumns | FormatCapabilities.WrapSingleValue | FormatCapabilities.StructuredTypes;

    public void Validate(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options)
    {
        foreach (var c in columns)
        {
            if (HasNonStringMapKey(c.Type))
            {
                throw new SqlException("JSON only supports MAP types with STRING keys");
            }
        }

        if (options.WrapSingleValue == false && columns.Count != 1 && target == FormatTarget.Value)
        {
            throw new SqlException($"'WRAP_SINGLE_VALUE' is only valid for single-field value schemas. Got: {FormatChecks.Describe(columns)}");
        }
    }

    private static bool HasNonStringMapKey(SqlType t) => t switch
    {
        SqlMapType m => m.KeyType.BaseType != SqlBaseType.String || HasNonStringMapKey(m.ValueType),
        SqlArrayType a => HasNonStringMapKey(a.ElementType),
        SqlStructType s => s.Fields.Any(f => HasNonStringMapKey(f.Type)),
        _ => false,
    };

    private static bool Wrapped(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options) =>
        target == FormatTarget.Key ? columns.Count != 1 : columns.Count != 1 || options.WrapSingleValue != false;

    public IRowSerializer CreateSerializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Serializer([.. columns], Wrapped(columns, target, options));
    }

    public IRowDeserializer CreateDeserializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Deserializer([.. columns], Wrapped(columns, target, options), target);
    }

    private sealed class Serializer(Column[] columns, bool wrapped) : IRowSerializer
    {
        private readonly JsonEncodedText[] _names = columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();

        public byte[]? Serialize(object?[]? row)
        {
            if (row is null || columns.Length == 0)
            {
                return row is null || columns.Length == 0 && !wrapped ? null : JsonValues.Serialize(w => w.WriteStartObject());
            }

            return JsonValues.Serialize((this, row), static (w, state) => state.Item1.Write(w, state.row));
        }

        private void Write(Utf8JsonWriter w, object?[] row)
        {
            if (!wrapped)
            {
                JsonValues.Write(w, row[0]);
                return;
            }

            w.WriteStartObject();
            for (var i = 0; i < columns.Length; i++)
            {
                w.WritePropertyName(_names[i]);
                JsonValues.Write(w, row[i]);
            }

            w.WriteEndObject();
        }
    }

    private sealed class Deserializer : IRowDeserializer
    {
        private readonly Column[] _columns;
        private readonly bool _wrapped;
        private readonly FormatTarget _target;
        private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ignoreCase = new(StringComparer.OrdinalIgnoreCase);

        public Deserializer(Column[] columns, bool wrapped, FormatTarget target)
        {
            _columns = columns;
            _wrapped = wrapped;
            _target = target;
            for (var i = 0; i < columns.Length; i++)
            {
                _exact.TryAdd(columns[i].Name, i);
                _ignoreCase.TryAdd(columns[i].Name, i);
            }

            _utf8Names = columns.Select(c => Encoding.UTF8.GetBytes(c.Name)).ToArray();
            _fast = wrapped && columns.All(c => c.Type.BaseType is SqlBaseType.Boolean or SqlBaseType.Integer or SqlBaseType.BigInt or SqlBaseType.Double or SqlBaseType.String);
        }

        private readonly byte[][] _utf8Names;
        private readonly bool _fast;

        /// <summary>
        /// Reads an object of primitive columns straight off a Utf8JsonReader when every value has the
        /// column's own JSON type; anything else (coercions, nesting, errors) returns false and the
        /// document path decides.
        /// </summary>
        private bool TryFast(ReadOnlySpan<byte> data, object?[] row)
        {
            try
            {
                var reader = new Utf8JsonReader(data);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        return !reader.Read();
                    }

                    if (reader.TokenType != JsonTokenType.PropertyName)
                    {
                        return false;
                    }

                    var i = -1;
                    for (var k = 0; k < _utf8Names.Length; k++)
                    {
                        if (reader.ValueTextEquals(_utf8Names[k]))
                        {
                            i = k;
                            break;
                        }
                    }

                    if (i < 0 && !_ignoreCase.TryGetValue(reader.GetString()!, out i))
                    {
                        i = -1;
                    }

                    if (!reader.Read())
                    {
                        return false;
                    }

                    if (i < 0)
                    {
                        reader.Skip();
                        continue;
                    }

                    var token = reader.TokenType;
                    if (token == JsonTokenType.Null)
                    {
                        row[i] = null;
                        continue;
                    }

                    switch (_columns[i].Type.BaseType)
                    {
                        case SqlBaseType.String when token == JsonTokenType.String:
                            row[i] = reader.GetString();
                            break;
                        case SqlBaseType.Boolean when token is JsonTokenType.True or JsonTokenType.False:
                            row[i] = reader.GetBoolean();
                            break;
                        case SqlBaseType.Integer when token == JsonTokenType.Number && reader.TryGetInt32(out var n):
                            row[i] = n;
                            break;
                        case SqlBaseType.BigInt when token == JsonTokenType.Number && reader.TryGetInt64(out var l):
                            row[i] = l;
                            break;
                        case SqlBaseType.Double when token == JsonTokenType.Number:
                            row[i] = reader.GetDouble();
                            break;
                        default:
                            return false;
                    }
                }

                return false;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        public object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false)
        {
            if (isNull)
            {
                return _target == FormatTarget.Key ? new object?[_columns.Length] : null;
            }

            var row = new object?[_columns.Length];
            if (_columns.Length == 0)
            {
                return row;
            }

            if (_fast && TryFast(data, row))
            {
                return row;
            }

            Array.Clear(row);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(data.ToArray());
            }
            catch (JsonException e)
            {
                throw new SqlSerdeException($"Failed to deserialize JSON: {e.Message}", e);
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (!_wrapped)
                {
                    row[0] = JsonValues.Read(root, _columns[0].Type, _columns[0].Name);
                    return row;
                }

                if (root.ValueKind == JsonValueKind.Null)
                {
                    return _target == FormatTarget.Key ? row : null;
                }

                if (root.ValueKind != JsonValueKind.Object)
                {
                    if (_columns.Length == 1)
                    {
                        // A bare value for a single column is accepted too.
                        row[0] = JsonValues.Read(root, _columns[0].Type, _columns[0].Name);
                        return row;
                    }

                    throw new SqlSerdeException($"Can't convert type. sourceType: {root.ValueKind}, requiredType: STRUCT: expected a JSON object with fields {string.Join(", ", _columns.Select(c => c.Name))}.");
                }

                foreach (var p in root.EnumerateObject())
                {
                    if (_exact.TryGetValue(p.Name, out var i) || _ignoreCase.TryGetValue(p.Name, out i))
                    {
                        row[i] = JsonValues.Read(p.Value, _columns[i].Type, _columns[i].Name);
                    }
                }

                return row;
            }
        }
    }
}

/// <summary>DELIMITED: one field per column, comma-separated by default, quoted as CSV when needed; primitives only.</summary>
internal sealed class DelimitedFormat : ISqlFormat
{
    public string Name => "DELIMITED";

    public FormatCapabilities Capabilities => FormatCapabilities.MultipleKeyColumns;

    public void Validate(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options)
    {
        if (target == FormatTarget.Value)
        {
            FormatChecks.NoWrapping(Name, options);
        }

        FormatChecks.Primitives(Name, columns, target, t => t.BaseType is not (SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct));
    }

    public IRowSerializer CreateSerializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Serde([.. columns], options.Delimiter ?? ',', target);
    }

    public IRowDeserializer CreateDeserializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null)
    {
        Validate(columns, target, options);
        return new Serde([.. columns], options.Delimiter ?? ',', target);
    }

    private sealed class Serde(Column[] columns, char delimiter, FormatTarget target) : IRowSerializer, IRowDeserializer
    {
        public byte[]? Serialize(object?[]? row)
        {
            if (row is null || columns.Length == 0)
            {
                return null;
            }

            if (target == FormatTarget.Key && row.All(v => v is null))
            {
                return null;
            }

            var sb = new StringBuilder();
            for (var i = 0; i < columns.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(delimiter);
                }

                var v = row[i];
                if (v is null)
                {
                    continue;
                }

                var text = v switch
                {
                    string s => s,
                    byte[] b => Convert.ToBase64String(b),
                    DateTime ts => SqlValues.ToEpochMillis(ts).ToString(CultureInfo.InvariantCulture),
                    DateOnly d => SqlValues.ToEpochDays(d).ToString(CultureInfo.InvariantCulture),
                    TimeOnly t => SqlValues.ToMillisOfDay(t).ToString(CultureInfo.InvariantCulture),
                    _ => SqlValues.ToJavaString(v),
                };
                if (text.Length == 0 || text.Contains(delimiter, StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) || text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal))
                {
                    sb.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                }
                else
                {
                    sb.Append(text);
                }
            }

            return Encoding.UTF8.GetBytes(sb.ToString());
        }

        public object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false)
        {
            if (isNull)
            {
                return target == FormatTarget.Key ? new object?[columns.Length] : null;
            }

            var row = new object?[columns.Length];
            if (columns.Length == 0)
            {
                return row;
            }

            var fields = Split(Encoding.UTF8.GetString(data), delimiter);
            if (fields.Count != columns.Length)
            {
                throw new SqlSerdeException($"Unexpected field count, csvFields:{fields.Count} schemaFields:{columns.Length}");
            }

            for (var i = 0; i < columns.Length; i++)
            {
                var (text, quoted) = fields[i];
                if (text.Length == 0 && !quoted)
                {
                    continue;
                }

                try
                {
                    row[i] = Parse(text, columns[i].Type);
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new SqlSerdeException($"Cannot parse '{text}' as {columns[i].Type} for column {columns[i].Name}: {e.Message}", e);
                }
            }

            return row;
        }

        private static object? Parse(string text, SqlType type) => type switch
        {
            SqlDecimalType d => Compiler.SqlRuntime.StringToDecimal(text, d.Precision, d.Scale),
            _ => type.BaseType switch
            {
                SqlBaseType.Boolean => bool.TryParse(text.Trim(), out var b) ? b : throw new FormatException($"not a boolean: '{text}'"),
                SqlBaseType.Integer => Compiler.SqlRuntime.StringToInt(text),
                SqlBaseType.BigInt => Compiler.SqlRuntime.StringToLong(text),
                SqlBaseType.Double => Compiler.SqlRuntime.StringToDouble(text),
                SqlBaseType.String => text,
                SqlBaseType.Bytes => Convert.FromBase64String(text),
                SqlBaseType.Timestamp => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) ? SqlValues.FromEpochMillis(ms) : Compiler.SqlTimeParsing.ParseTimestamp(text),
                SqlBaseType.Date => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) ? SqlValues.FromEpochDays(days) : Compiler.SqlTimeParsing.ParseDate(text),
                SqlBaseType.Time => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tms) ? SqlValues.FromMillisOfDay(tms) : Compiler.SqlTimeParsing.ParseTime(text),
                _ => throw new FormatException($"DELIMITED does not support {type}"),
            },
        };

        /// <summary>Splits a CSV line: fields may be quoted with '"' (a doubled '"' inside is one quote).</summary>
        public static List<(string Text, bool Quoted)> Split(string line, char delimiter)
        {
            var fields = new List<(string, bool)>();
            var sb = new StringBuilder();
            var i = 0;
            while (true)
            {
                sb.Clear();
                var quoted = false;
                if (i < line.Length && line[i] == '"')
                {
                    quoted = true;
                    i++;
                    while (i < line.Length)
                    {
                        if (line[i] == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"')
                            {
                                sb.Append('"');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        sb.Append(line[i++]);
                    }

                    while (i < line.Length && line[i] != delimiter)
                    {
                        sb.Append(line[i++]);
                    }
                }
                else
                {
                    while (i < line.Length && line[i] != delimiter)
                    {
                        sb.Append(line[i++]);
                    }
                }

                fields.Add((sb.ToString(), quoted));
                if (i >= line.Length)
                {
                    return fields;
                }

                i++;
            }
        }
    }
}
