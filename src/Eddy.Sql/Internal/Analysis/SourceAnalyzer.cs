using System.Globalization;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Formats;
using Eddy.Sql.Internal.Parsing;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Analysis;

/// <summary>CREATE STREAM/TABLE checks and the shared rules for what a source's schema and formats may be.</summary>
internal static class SourceAnalyzer
{
    public static readonly string[] PseudoColumns = ["ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND"];

    private static readonly string[] SchemaRegistryFormats = ["AVRO", "JSON_SR", "PROTOBUF"];

    public static DataSource Analyze(CreateSource statement, ITypeRegistry? types, AnalysisSettings settings)
    {
        var props = new Props(statement.Properties);
        var topic = props.String("KAFKA_TOPIC")
            ?? throw new SqlException("Missing required property \"KAFKA_TOPIC\" which has no default value.", statement.Location);
        var (keyFormat, valueFormat) = Formats(props, settings, null, null);

        foreach (var e in statement.Elements)
        {
            if (PseudoColumns.Contains(e.Name, StringComparer.Ordinal))
            {
                throw new SqlException($"'{e.Name}' is a reserved column name. You cannot use it as a name for a column.", e.Location);
            }
        }

        var duplicate = statement.Elements.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SqlException($"Duplicate column names: {duplicate.Key}", statement.Location);
        }

        if (statement.Elements.Count == 0)
        {
            if (!SchemaRegistryFormats.Contains(valueFormat.Format, StringComparer.OrdinalIgnoreCase))
            {
                throw new SqlException("No columns supplied.", statement.Location);
            }
        }
        else
        {
            if (props.Has("VALUE_SCHEMA_ID"))
            {
                throw new SqlException("Table elements and VALUE_SCHEMA_ID cannot both exist for create statement.", statement.Location);
            }

            if (props.Has("KEY_SCHEMA_ID"))
            {
                throw new SqlException("Table elements and KEY_SCHEMA_ID cannot both exist for create statement.", statement.Location);
            }
        }

        if (props.Has("VALUE_SCHEMA_ID") && !SchemaRegistryFormats.Contains(valueFormat.Format, StringComparer.OrdinalIgnoreCase))
        {
            throw new SqlException($"VALUE_FORMAT should support schema inference when VALUE_SCHEMA_ID is provided. Current format is {valueFormat.Format}.", statement.Location);
        }

        foreach (var e in statement.Elements)
        {
            CheckHeaderType(e, types);
        }

        var declared = LogicalSchema.FromColumns(statement.Elements, types);
        var schema = new LogicalSchema(declared.Key.Concat(declared.Columns.Where(c => c.Kind != ColumnKind.Key)));
        if (statement.Kind == SourceKind.Table && schema.Key.Count == 0 && statement.Elements.Count > 0)
        {
            throw new SqlException("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.", statement.Location);
        }

        WindowInfo? window = null;
        if (props.String("WINDOW_TYPE") is { } windowType)
        {
            var type = Enum.Parse<WindowType>(windowType, ignoreCase: true);
            long? size = props.Find("WINDOW_SIZE") is { } sizeProperty ? PropertyValidator.ParseWindowSize(sizeProperty) : null;
            window = new WindowInfo(type, size);
            if (schema.Key.Count == 0 && statement.Elements.Count > 0)
            {
                throw new SqlException("Windowed sources require a key column.", statement.Location);
            }
        }

        CheckPersistence(schema, keyFormat, valueFormat, statement.Location);
        var (timestamp, timestampFormat) = Timestamp(props, schema, statement.Location);
        return new DataSource(statement.Name, statement.Kind, schema, topic, keyFormat, valueFormat)
        {
            Window = window,
            TimestampColumn = timestamp,
            TimestampFormat = timestampFormat,
            IsSourceOnly = statement.IsSource,
            IsMaterialized = statement.IsSource && statement.Kind == SourceKind.Table,
            Partitions = props.Int("PARTITIONS"),
            Replicas = props.Int("REPLICAS"),
        };
    }

    /// <summary>The key and value formats of WITH properties, falling back to inherited ones, then the settings.</summary>
    public static (SourceFormat Key, SourceFormat Value) Formats(Props props, AnalysisSettings settings, SourceFormat? inheritedKey, SourceFormat? inheritedValue)
    {
        var format = props.String("FORMAT");
        var keyName = props.String("KEY_FORMAT") ?? format;
        var valueName = props.String("VALUE_FORMAT") ?? format;
        var keyOptions = FormatOptions.Default;
        var valueOptions = FormatOptions.Default;
        if (props.String("KEY_DELIMITER") is { } kd)
        {
            keyOptions = keyOptions with { Delimiter = FormatOptions.ParseDelimiter(kd) };
        }

        if (props.String("VALUE_DELIMITER") is { } vd)
        {
            valueOptions = valueOptions with { Delimiter = FormatOptions.ParseDelimiter(vd) };
        }

        if (props.Bool("WRAP_SINGLE_VALUE") is { } wrap)
        {
            valueOptions = valueOptions with { WrapSingleValue = wrap };
        }

        var key = keyName is not null
            ? new SourceFormat(keyName.ToUpperInvariant(), keyOptions)
            : inheritedKey ?? new SourceFormat(settings.DefaultKeyFormat.ToUpperInvariant(), keyOptions);
        SourceFormat value;
        if (valueName is not null)
        {
            value = new SourceFormat(valueName.ToUpperInvariant(), valueOptions);
        }
        else if (inheritedValue is not null)
        {
            // The format and its properties are inherited; WRAP_SINGLE_VALUE (a serde feature of the source) is not.
            value = inheritedValue with { Options = inheritedValue.Options with { WrapSingleValue = valueOptions.WrapSingleValue } };
        }
        else if (settings.DefaultValueFormat is not null)
        {
            value = new SourceFormat(settings.DefaultValueFormat.ToUpperInvariant(), valueOptions);
        }
        else
        {
            throw new SqlException("Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.");
        }

        return (key, value);
    }

    /// <summary>Checks that the key and value formats can hold the columns, with ksqlDB's messages.</summary>
    public static void CheckPersistence(LogicalSchema schema, SourceFormat keyFormat, SourceFormat valueFormat, SourceLocation? location)
    {
        foreach (var k in schema.Key)
        {
            if (ContainsMap(k.Type))
            {
                throw new SqlException(
                    $"Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: `{k.Name}`. Column type: {k.Type}. See https://github.com/confluentinc/ksql/issues/6621 for more.",
                    location);
            }
        }

        Validate("Key", keyFormat, schema.Key, FormatTarget.Key, location);
        Validate("Value", valueFormat, schema.Value, FormatTarget.Value, location);
    }

    private static void Validate(string side, SourceFormat format, IReadOnlyList<Column> columns, FormatTarget target, SourceLocation? location)
    {
        if (!SqlFormats.IsAvailable(format.Format))
        {
            return;
        }

        try
        {
            SqlFormats.Get(format.Format).Validate(columns, target, format.Options);
        }
        catch (SqlException e)
        {
            var features = format.Options.WrapSingleValue == false ? "UNWRAP_SINGLES" : format.Options.WrapSingleValue == true ? "WRAP_SINGLES" : string.Empty;
            var described = string.Join(", ", columns.Select(c => c.ToString()));
            throw new SqlException(
                $"{side} format does not support schema.\nformat: {format.Format}\nschema: Persistence{{columns=[{described}], features=[{features}]}}\nreason: {e.RawMessage}",
                location);
        }
    }

    public static bool ContainsMap(SqlType type) => type switch
    {
        SqlMapType => true,
        SqlArrayType a => ContainsMap(a.ElementType),
        SqlStructType s => s.Fields.Any(f => ContainsMap(f.Type)),
        _ => false,
    };

    public static (string? Column, string? Format) Timestamp(Props props, LogicalSchema schema, SourceLocation? location)
    {
        var raw = props.String("TIMESTAMP");
        if (raw is null)
        {
            return (null, null);
        }

        var name = raw.Length > 1 && raw[0] == '`' && raw[^1] == '`' ? raw[1..^1] : raw.ToUpperInvariant();
        var column = schema.Find(name)
            ?? throw new SqlException($"The TIMESTAMP column set in the WITH clause does not exist in the schema: '{name}'", location);
        var format = props.String("TIMESTAMP_FORMAT");
        var ok = column.Type.BaseType is SqlBaseType.BigInt or SqlBaseType.Timestamp
            || (column.Type.BaseType == SqlBaseType.String && format is not null);
        if (!ok)
        {
            throw new SqlException($"Timestamp column, `{name}`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified", location);
        }

        return (name, format);
    }

    private static void CheckHeaderType(TableElement e, ITypeRegistry? types)
    {
        var type = e.Type.Resolve(types);
        if (e.Constraint == ColumnConstraint.Headers)
        {
            var expected = SqlTypes.Array(SqlTypes.Struct([new SqlStructField("KEY", SqlTypes.String), new SqlStructField("VALUE", SqlTypes.Bytes)]));
            if (!type.Equals(expected))
            {
                throw new SqlException($"Invalid type for HEADERS column: expected {expected}, got {type}", e.Location);
            }
        }
        else if (e.Constraint == ColumnConstraint.Header && type.BaseType != SqlBaseType.Bytes)
        {
            throw new SqlException($"Invalid type for HEADER('{e.HeaderKey}') column: expected BYTES, got {type}", e.Location);
        }
    }
}

/// <summary>WITH properties by name (case-insensitive).</summary>
internal sealed class Props
{
    private readonly Dictionary<string, Property> _byName = new(StringComparer.OrdinalIgnoreCase);

    public Props(IEnumerable<Property> properties)
    {
        foreach (var p in properties)
        {
            _byName[p.Name] = p;
        }
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public Property? Find(string name) => _byName.TryGetValue(name, out var p) ? p : null;

    public string? String(string name) => Find(name)?.Value switch
    {
        null or NullLiteral => null,
        StringLiteral s => s.Value,
        Literal l => Convert.ToString(l.RawValue, CultureInfo.InvariantCulture),
    };

    public int? Int(string name) => Find(name)?.Value switch
    {
        IntegerLiteral i => i.Value,
        BigIntLiteral b => checked((int)b.Value),
        StringLiteral s when int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    public bool? Bool(string name) => Find(name)?.Value switch
    {
        BooleanLiteral b => b.Value,
        StringLiteral s when bool.TryParse(s.Value, out var v) => v,
        _ => null,
    };
}
