using System.Globalization;
using System.Text.Json;

namespace Eddy.Cli.Shell;

/// <summary>
/// Prints the entities POST /ksql answers with, laid out as ksqlDB's CLI lays them out (its table
/// builders and Console.printSourceDescription). An entity type it does not know is printed as JSON,
/// so that nothing the server says is lost.
/// </summary>
internal static class EntityPrinter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string ToIndentedJson(JsonElement element) => JsonSerializer.Serialize(element, Indented);

    public static void Print(TextWriter output, JsonElement entity)
    {
        string type = Str(entity, "@type");
        switch (type)
        {
            case "currentStatus":
                var status = entity.TryGetProperty("commandStatus", out var cs) ? cs : default;
                ListingTable.Write(output, ["Message"], [[Str(status, "message") is { Length: > 0 } m ? m : Str(status, "status")]]);
                break;
            case "streams":
                PrintSources(output, entity, "streams", "Stream Name");
                break;
            case "tables":
                PrintSources(output, entity, "tables", "Table Name");
                break;
            case "queries":
                ListingTable.Write(output, ["Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"],
                    Items(entity, "queries").Select(q => (IReadOnlyList<string>)
                    [
                        Str(q, "id"), Str(q, "queryType"), QueryStatus(q), JoinArray(q, "sinks"), JoinArray(q, "sinkKafkaTopics"), Str(q, "queryString"),
                    ]));
                output.WriteLine("For detailed information on a Query run: EXPLAIN <Query ID>;");
                break;
            case "properties":
                ListingTable.Write(output, ["Property", "Scope", "Level", "Value"],
                    Items(entity, "properties").Select(p => (IReadOnlyList<string>)[Str(p, "name"), Str(p, "scope"), Str(p, "level"), Str(p, "value")]));
                break;
            case "sourceDescription":
                PrintSourceDescription(output, entity.GetProperty("sourceDescription"));
                break;
            case "source_descriptions":
                foreach (var description in Items(entity, "sourceDescriptions"))
                {
                    PrintSourceDescription(output, description);
                    output.WriteLine();
                }
                break;
            case "queryDescription":
                PrintQueryDescription(output, entity.TryGetProperty("queryDescription", out var qd) ? qd : entity);
                break;
            case "query_descriptions":
                foreach (var description in Items(entity, "queryDescriptions"))
                {
                    PrintQueryDescription(output, description);
                    output.WriteLine();
                }
                break;
            case "kafka_topics":
            case "kafka_topics_extended":
                ListingTable.Write(output, ["Kafka Topic", "Partitions", "Partition Replicas"],
                    Items(entity, "topics").Select(t => (IReadOnlyList<string>)
                    [
                        Str(t, "name"),
                        t.TryGetProperty("replicaInfo", out var r) && r.ValueKind == JsonValueKind.Array ? r.GetArrayLength().ToString(CultureInfo.InvariantCulture) : string.Empty,
                        t.TryGetProperty("replicaInfo", out var ri) && ri.ValueKind == JsonValueKind.Array && ri.GetArrayLength() > 0 ? Text(ri[0]) : string.Empty,
                    ]));
                break;
            case "function_names":
                ListingTable.Write(output, ["Function Name", "Category"],
                    Items(entity, "functions").OrderBy(f => Str(f, "name"), StringComparer.Ordinal).Select(f => (IReadOnlyList<string>)[Str(f, "name"), Str(f, "category")]));
                output.WriteLine("For detailed information about a function, run: DESCRIBE FUNCTION <Function Name>;");
                break;
            case "describe_function":
                PrintFunction(output, entity);
                break;
            case "type_list":
                var types = entity.TryGetProperty("types", out var t) && t.ValueKind == JsonValueKind.Object ? t.EnumerateObject().ToList() : [];
                ListingTable.Write(output, ["Type Name", "Schema"], types.Select(p => (IReadOnlyList<string>)[p.Name, FormatSchema(p.Value)]));
                break;
            case "variables":
                ListingTable.Write(output, ["Variable Name", "Value"], Items(entity, "variables").Select(v => (IReadOnlyList<string>)[Str(v, "name"), Str(v, "value")]));
                break;
            case "terminate_query":
                ListingTable.Write(output, ["Message"], [[entity.TryGetProperty("wasTerminated", out var w) && w.ValueKind == JsonValueKind.False ? "Query not terminated." : "Query terminated."]]);
                break;
            case "insertValues":
                // ksqlDB answers INSERT VALUES with nothing to show.
                break;
            case "warning_entity":
                output.WriteLine($"WARNING: {Str(entity, "message")}");
                break;
            case "executionPlan":
                output.WriteLine(Str(entity, "executionPlan"));
                break;
            default:
                output.WriteLine(ToIndentedJson(entity));
                break;
        }
        foreach (var warning in Items(entity, "warnings"))
        {
            output.WriteLine($"WARNING: {Str(warning, "message")}");
        }
    }

    private static void PrintSources(TextWriter output, JsonElement entity, string property, string nameHeader) =>
        ListingTable.Write(output, [nameHeader, "Kafka Topic", "Key Format", "Value Format", "Windowed"],
            Items(entity, property).Select(s => (IReadOnlyList<string>)
            [
                Str(s, "name"), Str(s, "topic"), Str(s, "keyFormat"),
                Str(s, "valueFormat") is { Length: > 0 } v ? v : Str(s, "format"), Text(s.TryGetProperty("isWindowed", out var w) ? w : default),
            ]));

    private static void PrintSourceDescription(TextWriter output, JsonElement source)
    {
        bool extended = source.TryGetProperty("extended", out var e) && e.ValueKind == JsonValueKind.True;
        bool table = Str(source, "type") == "TABLE";
        output.WriteLine($"{"Name",-20} : {Str(source, "name")}");
        if (extended)
        {
            output.WriteLine($"{"Type",-20} : {Str(source, "type")}");
            if (Str(source, "timestamp") is { Length: > 0 } ts)
            {
                output.WriteLine($"{"Timestamp field",-20} : {ts}");
            }
            output.WriteLine($"{"Key format",-20} : {Str(source, "keyFormat")}");
            output.WriteLine($"{"Value format",-20} : {Str(source, "valueFormat")}");
            output.WriteLine($"{"Kafka topic",-20} : {Str(source, "topic")} (partitions: {Str(source, "partitions")}, replication: {Str(source, "replication")})");
            output.WriteLine($"{"Statement",-20} : {Str(source, "statement")}");
        }
        if (Str(source, "windowType") is { Length: > 0 } window)
        {
            output.WriteLine($"{"Window type",-20} : {window}");
        }
        output.WriteLine();
        ListingTable.Write(output, ["Field", "Type"], Items(source, "fields").Select(f => (IReadOnlyList<string>)[Str(f, "name"), FieldType(f, table)]));
        if (!extended)
        {
            output.WriteLine("For runtime statistics and query details run: DESCRIBE <Stream,Table> EXTENDED;");
            return;
        }
        PrintQueryList(output, source, "readQueries", $"Queries that read from this {Str(source, "type")}");
        PrintQueryList(output, source, "writeQueries", $"Queries that write from this {Str(source, "type")}");
        output.WriteLine("For query topology and execution plan please run: EXPLAIN <QueryId>");
        if (Str(source, "statistics") is { Length: > 0 } statistics)
        {
            output.WriteLine();
            output.WriteLine("Local runtime statistics");
            output.WriteLine("------------------------");
            output.WriteLine(statistics);
        }
    }

    private static void PrintQueryList(TextWriter output, JsonElement source, string property, string title)
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine(new string('-', title.Length));
        foreach (var query in Items(source, property))
        {
            output.WriteLine($"{Str(query, "id")} ({QueryStatus(query)}) : {Str(query, "queryString")}");
        }
    }

    private static void PrintQueryDescription(TextWriter output, JsonElement query)
    {
        output.WriteLine($"{"ID",-20} : {Str(query, "id")}");
        if (Str(query, "queryType") is { Length: > 0 } type)
        {
            output.WriteLine($"{"Query Type",-20} : {type}");
        }
        output.WriteLine($"{"SQL",-20} : {Str(query, "statementText")}");
        if (Str(query, "state") is { Length: > 0 } state)
        {
            output.WriteLine($"{"Status",-20} : {state}");
        }
        if (Items(query, "fields").Any())
        {
            output.WriteLine();
            ListingTable.Write(output, ["Field", "Type"], Items(query, "fields").Select(f => (IReadOnlyList<string>)[Str(f, "name"), FieldType(f, table: false)]));
        }
        output.WriteLine();
        output.WriteLine($"Sources that this query reads from: {JoinArray(query, "sources")}");
        output.WriteLine($"Sinks that this query writes to: {JoinArray(query, "sinks")}");
        if (Str(query, "executionPlan") is { Length: > 0 } plan)
        {
            output.WriteLine();
            output.WriteLine("Execution plan");
            output.WriteLine("--------------");
            output.WriteLine(plan);
        }
        if (Str(query, "topology") is { Length: > 0 } topology)
        {
            output.WriteLine();
            output.WriteLine("Processing topology");
            output.WriteLine("-------------------");
            output.WriteLine(topology);
        }
    }

    private static void PrintFunction(TextWriter output, JsonElement function)
    {
        output.WriteLine($"{"Name",-12} : {Str(function, "name")}");
        foreach (var (label, key) in new[] { ("Author", "author"), ("Version", "version"), ("Overview", "description"), ("Type", "type"), ("Jar", "path") })
        {
            if (Str(function, key) is { Length: > 0 } value)
            {
                output.WriteLine($"{label,-12} : {value}");
            }
        }
        foreach (var variant in Items(function, "functions"))
        {
            output.WriteLine();
            var args = Items(variant, "arguments").Select(a => $"{Str(a, "name")} {Str(a, "type")}".Trim());
            output.WriteLine($"{"Variation",-12} : {Str(function, "name")}({string.Join(", ", args)})");
            output.WriteLine($"\t{"Returns",-12} : {Str(variant, "returnType")}");
            if (Str(variant, "description") is { Length: > 0 } description)
            {
                output.WriteLine($"\t{"Description",-12} : {description}");
            }
        }
    }

    /// <summary>A column's type as DESCRIBE shows it, e.g. "VARCHAR(STRING)  (primary key)".</summary>
    internal static string FieldType(JsonElement field, bool table)
    {
        var type = FormatSchema(field.TryGetProperty("schema", out var s) ? s : default);
        // ksqlDB's FieldInfo names the column kind "type"; some writers call it "fieldType".
        var kind = Str(field, "fieldType") is { Length: > 0 } k ? k : Str(field, "type");
        return kind switch
        {
            "KEY" => $"{type,-16} ({(table ? "primary key" : "key")})",
            "HEADER" when Str(field, "headerKey") is { Length: > 0 } key => $"{type,-16} (header('{key}'))",
            "HEADER" => $"{type,-16} (headers)",
            _ => type,
        };
    }

    /// <summary>ksqlDB's SchemaInfo as a type name: STRING shows as VARCHAR(STRING), containers recurse.</summary>
    internal static string FormatSchema(JsonElement schema)
    {
        if (schema.ValueKind == JsonValueKind.String)
        {
            return schema.GetString() ?? string.Empty;
        }
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return string.Empty;
        }
        var member = schema.TryGetProperty("memberSchema", out var m) ? m : default;
        return Str(schema, "type") switch
        {
            "STRING" => "VARCHAR(STRING)",
            "ARRAY" => $"ARRAY<{FormatSchema(member)}>",
            "MAP" => $"MAP<STRING, {FormatSchema(member)}>",
            "STRUCT" => $"STRUCT<{string.Join(", ", Items(schema, "fields").Select(f => $"{Str(f, "name")} {FormatSchema(f.TryGetProperty("schema", out var fs) ? fs : default)}"))}>",
            "DECIMAL" when schema.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object =>
                $"DECIMAL({Str(p, "precision")}, {Str(p, "scale")})",
            var other => other,
        };
    }

    private static string QueryStatus(JsonElement query)
    {
        if (query.TryGetProperty("statusCount", out var counts) && counts.ValueKind == JsonValueKind.Object)
        {
            var parts = counts.EnumerateObject().Select(p => $"{p.Name}:{Text(p.Value)}").ToList();
            if (parts.Count > 0)
            {
                return string.Join(' ', parts);
            }
        }
        return Str(query, "state");
    }

    private static IEnumerable<JsonElement> Items(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : Enumerable.Empty<JsonElement>();

    private static string JoinArray(JsonElement element, string property) =>
        string.Join(", ", Items(element, property).Select(Text));

    internal static string Str(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? Text(value) : string.Empty;

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        JsonValueKind.Object when value.TryGetProperty("name", out var name) => Text(name),
        _ => value.GetRawText(),
    };
}
