using System.Globalization;
using Eddy.Sql.Ast;

namespace Eddy.Sql.Internal.Parsing;

/// <summary>
/// Checks WITH properties when a statement is parsed, as ksqlDB does when it prepares one: names must
/// be known for the statement kind, values must have the right type, and combinations must make sense
/// (FORMAT with KEY_FORMAT, WINDOW_SIZE with SESSION, delimiters).
/// </summary>
internal static class PropertyValidator
{
    public static readonly string[] KnownFormats = ["AVRO", "JSON", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR", "KAFKA", "DELIMITED", "NONE"];

    private static readonly Dictionary<string, ValueKind> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        ["KAFKA_TOPIC"] = ValueKind.String,
        ["PARTITIONS"] = ValueKind.Int,
        ["REPLICAS"] = ValueKind.Int,
        ["RETENTION_MS"] = ValueKind.Long,
        ["CLEANUP_POLICY"] = ValueKind.String,
        ["TIMESTAMP"] = ValueKind.String,
        ["TIMESTAMP_FORMAT"] = ValueKind.String,
        ["KEY_FORMAT"] = ValueKind.String,
        ["VALUE_FORMAT"] = ValueKind.String,
        ["FORMAT"] = ValueKind.String,
        ["WRAP_SINGLE_VALUE"] = ValueKind.Boolean,
        ["KEY_DELIMITER"] = ValueKind.String,
        ["VALUE_DELIMITER"] = ValueKind.String,
        ["VALUE_AVRO_SCHEMA_FULL_NAME"] = ValueKind.String,
        ["KEY_SCHEMA_FULL_NAME"] = ValueKind.String,
        ["VALUE_SCHEMA_FULL_NAME"] = ValueKind.String,
        ["KEY_PROTOBUF_NULLABLE_REPRESENTATION"] = ValueKind.String,
        ["VALUE_PROTOBUF_NULLABLE_REPRESENTATION"] = ValueKind.String,
        ["KEY_SCHEMA_ID"] = ValueKind.Int,
        ["VALUE_SCHEMA_ID"] = ValueKind.Int,
    };

    private static readonly Dictionary<string, ValueKind> CreateOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        ["WINDOW_TYPE"] = ValueKind.String,
        ["WINDOW_SIZE"] = ValueKind.String,
        ["SOURCE_CONNECTOR"] = ValueKind.String,
        ["SOURCED_BY_CONNECTOR"] = ValueKind.String,
    };

    private enum ValueKind
    {
        String,
        Int,
        Long,
        Boolean,
    }

    public static void ValidateCreateSource(SourceKind kind, NodeList<Property> properties)
    {
        CheckNames(properties, includeCreateOnly: true);
        CheckCommon(properties);
        var windowType = Find(properties, "WINDOW_TYPE");
        var windowSize = Find(properties, "WINDOW_SIZE");
        if (windowType is not null)
        {
            var type = AsString(windowType).ToUpperInvariant();
            if (type is not ("SESSION" or "HOPPING" or "TUMBLING"))
            {
                throw new SqlParseException($"Invalid value {AsString(windowType)} for property WINDOW_TYPE: String must be one of: SESSION, HOPPING, TUMBLING", windowType.Location);
            }

            if (type == "SESSION" && windowSize is not null)
            {
                throw new SqlParseException("'WINDOW_SIZE' should not be set for SESSION windows.", windowSize.Location);
            }

            if (type != "SESSION" && windowSize is null)
            {
                throw new SqlParseException("Tumbling and Hopping window types should set 'WINDOW_SIZE' in the WITH clause.", windowType.Location);
            }
        }
        else if (windowSize is not null)
        {
            throw new SqlParseException("'WINDOW_SIZE' should only be set together with 'WINDOW_TYPE' (TUMBLING or HOPPING).", windowSize.Location);
        }

        if (windowSize is not null)
        {
            ParseWindowSize(windowSize);
        }

        _ = kind;
    }

    public static void ValidateCreateAs(SourceKind kind, NodeList<Property> properties)
    {
        CheckNames(properties, includeCreateOnly: false);
        CheckCommon(properties);
        _ = kind;
    }

    public static void ValidateInsertInto(NodeList<Property> properties)
    {
        foreach (var p in properties)
        {
            if (!p.Name.Equals("QUERY_ID", StringComparison.OrdinalIgnoreCase))
            {
                throw new SqlParseException($"Invalid config variable(s) in the WITH clause: {p.Name}. INSERT INTO accepts only QUERY_ID.", p.Location);
            }

            if (p.Value is not StringLiteral)
            {
                throw new SqlParseException("Invalid value for QUERY_ID: expected a quoted string.", p.Value.Location);
            }
        }
    }

    /// <summary>Parses WINDOW_SIZE ('10 SECONDS') to milliseconds.</summary>
    public static long ParseWindowSize(Property property)
    {
        var text = AsString(property).Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && Keywords.TimeUnit(parts[1].ToUpperInvariant()) is { } unit)
        {
            return unit.Unit.ToMilliseconds(n);
        }

        throw new SqlParseException($"Invalid value {text} for property WINDOW_SIZE: Not supported window size. Use a number and a unit, e.g. '10 SECONDS'.", property.Value.Location);
    }

    private static void CheckNames(NodeList<Property> properties, bool includeCreateOnly)
    {
        foreach (var p in properties)
        {
            if (Common.ContainsKey(p.Name) || (includeCreateOnly && CreateOnly.ContainsKey(p.Name)))
            {
                continue;
            }

            var candidates = includeCreateOnly ? Common.Keys.Concat(CreateOnly.Keys) : Common.Keys;
            var name = p.Name.ToUpperInvariant();
            var suggestion = Suggest.Closest(name, candidates);
            var message = $"Invalid config variable(s) in the WITH clause: {name}";
            if (suggestion is not null)
            {
                message += $". Did you mean {suggestion}?";
            }
            else if (!includeCreateOnly && CreateOnly.ContainsKey(p.Name))
            {
                message += $". {name} can only be set when creating a source from an existing topic.";
            }

            throw new SqlParseException(message, p.Location);
        }
    }

    private static void CheckCommon(NodeList<Property> properties)
    {
        foreach (var p in properties)
        {
            var kind = Common.TryGetValue(p.Name, out var k) ? k : CreateOnly[p.Name];
            if (p.Value is NullLiteral or VariableLiteral)
            {
                continue;
            }

            switch (kind)
            {
                case ValueKind.Int:
                    if (!(p.Value is IntegerLiteral || (p.Value is StringLiteral s && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))))
                    {
                        throw new SqlParseException($"Invalid value {p.Value} for property {p.Name.ToUpperInvariant()}: expected an integer.", p.Value.Location);
                    }

                    break;
                case ValueKind.Long:
                    if (!(p.Value is IntegerLiteral or BigIntLiteral || (p.Value is StringLiteral ls && long.TryParse(ls.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))))
                    {
                        throw new SqlParseException($"Invalid value {p.Value} for property {p.Name.ToUpperInvariant()}: expected an integer.", p.Value.Location);
                    }

                    break;
                case ValueKind.Boolean:
                    if (!(p.Value is BooleanLiteral || (p.Value is StringLiteral bs && bool.TryParse(bs.Value, out _))))
                    {
                        throw new SqlParseException($"Invalid value {p.Value} for property {p.Name.ToUpperInvariant()}: expected true or false.", p.Value.Location);
                    }

                    break;
                case ValueKind.String:
                    if (p.Value is not StringLiteral)
                    {
                        throw new SqlParseException($"Invalid value {p.Value} for property {p.Name.ToUpperInvariant()}: expected a quoted string.", p.Value.Location);
                    }

                    break;
            }
        }

        var format = Find(properties, "FORMAT");
        if (format is not null)
        {
            if (Find(properties, "KEY_FORMAT") is { } kf)
            {
                throw new SqlParseException("Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.", kf.Location);
            }

            if (Find(properties, "VALUE_FORMAT") is { } vf)
            {
                throw new SqlParseException("Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.", vf.Location);
            }
        }

        foreach (var name in (string[])["FORMAT", "KEY_FORMAT", "VALUE_FORMAT"])
        {
            if (Find(properties, name) is { Value: StringLiteral f } p)
            {
                var upper = f.Value.ToUpperInvariant();
                if (!KnownFormats.Contains(upper))
                {
                    var suggestion = Suggest.Closest(upper, KnownFormats);
                    throw new SqlParseException($"Unknown format: {f.Value}" + (suggestion is null ? $". Supported formats: {string.Join(", ", KnownFormats)}." : $". Did you mean {suggestion}?"), p.Value.Location);
                }
            }
        }

        foreach (var name in (string[])["KEY_DELIMITER", "VALUE_DELIMITER"])
        {
            if (Find(properties, name) is { Value: StringLiteral d } p)
            {
                ValidateDelimiter(name, d.Value, p);
            }
        }
    }

    private static void ValidateDelimiter(string name, string value, Property p)
    {
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            throw new SqlParseException($"Failed to prepare statement: Configuration {name} is invalid: Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'\nExample valid value: ';'", p.Value.Location);
        }

        if (value.Length > 1 && !value.Equals("TAB", StringComparison.OrdinalIgnoreCase) && !value.Equals("SPACE", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlParseException($"Failed to prepare statement: Configuration {name} is invalid: Invalid delimiter value: '{value}'. Delimiter must be a single character or TAB,SPACE\nExample valid value: ';'", p.Value.Location);
        }
    }

    private static Property? Find(NodeList<Property> properties, string name)
    {
        foreach (var p in properties)
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p;
            }
        }

        return null;
    }

    private static string AsString(Property p) => p.Value switch
    {
        StringLiteral s => s.Value,
        _ => p.Value.RawValue?.ToString() ?? string.Empty,
    };
}
