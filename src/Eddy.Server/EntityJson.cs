using System.Text.Json;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Engine;
using Eddy.Sql.Types;

namespace Eddy.Server;

/// <summary>Writes the engine's <see cref="SqlEntity"/> results as ksqlDB's <c>@type</c> entities of POST /ksql.</summary>
internal static class EntityJson
{
    /// <summary>The command id ksqlDB gives a statement that went through the command log: <c>stream/`S`/create</c>.</summary>
    public static string CommandId(Statement statement) => statement switch
    {
        CreateSource cs => $"{Kind(cs.Kind)}/`{cs.Name}`/create",
        CreateAsSelect cas => $"{Kind(cas.Kind)}/`{cas.Name}`/create",
        InsertInto ii => $"stream/`{ii.Target}`/create",
        InsertValues iv => $"stream/`{iv.Target}`/execute",
        DropSource ds => $"{Kind(ds.Kind)}/`{ds.Name}`/drop",
        CreateType ct => $"type/`{ct.Name}`/create",
        DropType dt => $"type/`{dt.Name}`/drop",
        QueryControl { QueryId: { } id } => $"terminate/{id}/execute",
        QueryControl => "terminate/ALL/execute",
        _ => $"statement/{statement.GetType().Name}/execute",
    };

    private static string Kind(SourceKind kind) => kind == SourceKind.Table ? "table" : "stream";

    public static void Write(Utf8JsonWriter w, SqlEntity entity, string commandId, SqlEngine engine, IReadOnlyCollection<TransientQueryInfo> transient)
    {
        w.WriteStartObject();
        switch (entity)
        {
            case CommandStatusEntity s:
                w.WriteString("@type", "currentStatus");
                w.WriteString("statementText", s.StatementText);
                w.WriteString("commandId", commandId);
                w.WriteStartObject("commandStatus");
                w.WriteString("status", "SUCCESS");
                w.WriteString("message", s.Message);
                if (s.QueryId is { } qid)
                {
                    w.WriteString("queryId", qid);
                }
                else
                {
                    w.WriteNull("queryId");
                }

                w.WriteEndObject();
                w.WriteNumber("commandSequenceNumber", s.CommandSequenceNumber);
                break;
            case SourceListEntity list:
            {
                var name = list.Kind == SourceKind.Table ? "tables" : "streams";
                w.WriteString("@type", name);
                w.WriteString("statementText", list.StatementText);
                w.WriteStartArray(name);
                foreach (var source in list.Sources)
                {
                    WriteSourceInfo(w, source);
                }

                w.WriteEndArray();
                break;
            }

            case QueryListEntity queries:
                w.WriteString("@type", "queries");
                w.WriteString("statementText", queries.StatementText);
                w.WriteStartArray("queries");
                foreach (var q in queries.Queries)
                {
                    WriteRunningQuery(w, q, engine);
                }

                foreach (var t in transient)
                {
                    w.WriteStartObject();
                    w.WriteString("queryString", t.Sql);
                    w.WriteStartArray("sinks");
                    w.WriteEndArray();
                    w.WriteStartArray("sinkKafkaTopics");
                    w.WriteEndArray();
                    w.WriteString("id", t.QueryId);
                    w.WriteStartObject("statusCount");
                    w.WriteNumber("RUNNING", 1);
                    w.WriteEndObject();
                    w.WriteString("queryType", "PUSH");
                    w.WriteString("state", "RUNNING");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case SourceDescriptionEntity d:
                w.WriteString("@type", "sourceDescription");
                w.WriteString("statementText", d.StatementText);
                w.WritePropertyName("sourceDescription");
                WriteSourceDescription(w, d, engine);
                break;
            case QueryDescriptionEntity e:
            {
                w.WriteString("@type", "queryDescription");
                w.WriteString("statementText", e.StatementText);
                var query = engine.Queries.FirstOrDefault(q => q.Id == e.QueryId);
                w.WriteStartObject("queryDescription");
                w.WriteString("id", e.QueryId);
                w.WriteString("statementText", query?.Sql ?? e.StatementText);
                w.WriteNull("windowType");
                w.WriteStartArray("fields");
                if (query is not null && engine.Sources.Find(query.Sink) is { } sink)
                {
                    foreach (var c in sink.Schema.Columns)
                    {
                        WriteField(w, c);
                    }
                }

                w.WriteEndArray();
                WriteStrings(w, "sources", query?.Sources ?? []);
                WriteStrings(w, "sinks", query is null ? [] : [query.Sink]);
                w.WriteString("topology", e.Text);
                w.WriteString("executionPlan", e.Text);
                w.WriteStartObject("overriddenProperties");
                w.WriteEndObject();
                w.WriteStartObject("ksqlHostQueryStatus");
                w.WriteEndObject();
                w.WriteString("queryType", "PERSISTENT");
                w.WriteStartArray("queryErrors");
                w.WriteEndArray();
                w.WriteStartArray("tasksMetadata");
                w.WriteEndArray();
                w.WriteString("state", query is null ? "UNKNOWN" : "RUNNING");
                w.WriteEndObject();
                break;
            }

            case PropertiesEntity p:
                w.WriteString("@type", "properties");
                w.WriteString("statementText", p.StatementText);
                w.WriteStartArray("properties");
                foreach (var (name, value) in p.Properties.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("name", name);
                    w.WriteString("scope", name.StartsWith("ksql.streams.", StringComparison.Ordinal) ? "STREAMS" : "KSQL");
                    w.WriteString("value", value);
                    w.WriteString("level", "SESSION");
                    w.WriteBoolean("editable", true);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("overwrittenProperties");
                w.WriteEndArray();
                w.WriteStartArray("defaultProperties");
                w.WriteEndArray();
                break;
            case TopicListEntity topics:
                w.WriteString("@type", topics.Extended ? "kafka_topics_extended" : "kafka_topics");
                w.WriteString("statementText", topics.StatementText);
                w.WriteStartArray("topics");
                foreach (var t in topics.Topics)
                {
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    if (topics.Extended)
                    {
                        w.WriteNumber("consumerCount", t.ConsumerCount);
                        w.WriteNumber("consumerGroupCount", t.ConsumerGroupCount);
                    }

                    w.WriteStartArray("replicaInfo");
                    foreach (var r in t.ReplicaInfo)
                    {
                        w.WriteNumberValue(r);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case FunctionListEntity functions:
                w.WriteString("@type", "function_names");
                w.WriteString("statementText", functions.StatementText);
                w.WriteStartArray("functions");
                foreach (var f in functions.Functions)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WriteString("type", f.Kind.ToString().ToUpperInvariant());
                    w.WriteString("category", f.Category);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case FunctionDescriptionEntity fd:
            {
                var f = fd.Function;
                w.WriteString("@type", "describe_function");
                w.WriteString("statementText", fd.StatementText);
                w.WriteString("name", f.Name);
                w.WriteString("description", f.Description);
                w.WriteString("author", f.Author);
                w.WriteString("version", f.Version);
                w.WriteString("path", f.Path);
                w.WriteString("type", f.Kind.ToString().ToUpperInvariant());
                w.WriteStartArray("functions");
                foreach (var o in f.Overloads)
                {
                    w.WriteStartObject();
                    w.WriteStartArray("arguments");
                    foreach (var a in o.Arguments)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", a.Name);
                        w.WriteString("type", a.Type);
                        w.WriteString("description", a.Description);
                        w.WriteBoolean("isVariadic", a.IsVariadic);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("returnType", o.ReturnType);
                    w.WriteString("description", o.Description);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            }

            case TypeListEntity types:
                w.WriteString("@type", "type_list");
                w.WriteString("statementText", types.StatementText);
                w.WriteStartObject("types");
                foreach (var (name, type) in types.Types.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(name);
                    WriteSchema(w, type);
                }

                w.WriteEndObject();
                break;
            default:
                WriteGeneric(w, entity);
                break;
        }

        w.WriteStartArray("warnings");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteGeneric(Utf8JsonWriter w, SqlEntity entity)
    {
        // Entities this server does not know yet keep their engine shape, under a @type named after the record.
        var name = entity.GetType().Name;
        if (name.EndsWith("Entity", StringComparison.Ordinal))
        {
            name = name[..^"Entity".Length];
        }

        w.WriteString("@type", char.ToLowerInvariant(name[0]) + name[1..]);
        w.WriteString("statementText", entity.StatementText);
        foreach (var property in entity.GetType().GetProperties())
        {
            if (property.Name is "StatementText" or "EqualityContract")
            {
                continue;
            }

            w.WritePropertyName(char.ToLowerInvariant(property.Name[0]) + property.Name[1..]);
            KsqlJson.WriteValue(w, property.GetValue(entity));
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void WriteSourceInfo(Utf8JsonWriter w, DataSource source)
    {
        w.WriteStartObject();
        w.WriteString("type", source.IsTable ? "TABLE" : "STREAM");
        w.WriteString("name", source.Name);
        w.WriteString("topic", source.Topic);
        w.WriteString("keyFormat", source.KeyFormat.Format);
        w.WriteString("valueFormat", source.ValueFormat.Format);
        w.WriteBoolean("isWindowed", source.Window is not null);
        w.WriteEndObject();
    }

    private static void WriteRunningQuery(Utf8JsonWriter w, PersistentQueryInfo q, SqlEngine engine)
    {
        w.WriteStartObject();
        w.WriteString("queryString", q.Sql);
        WriteStrings(w, "sinks", [q.Sink]);
        WriteStrings(w, "sinkKafkaTopics", engine.Sources.Find(q.Sink) is { } sink ? [sink.Topic] : []);
        w.WriteString("id", q.Id);
        w.WriteStartObject("statusCount");
        w.WriteNumber("RUNNING", 1);
        w.WriteEndObject();
        w.WriteString("queryType", "PERSISTENT");
        w.WriteString("state", "RUNNING");
        w.WriteEndObject();
    }

    private static void WriteSourceDescription(Utf8JsonWriter w, SourceDescriptionEntity d, SqlEngine engine)
    {
        var source = d.Source;
        w.WriteStartObject();
        w.WriteString("name", source.Name);
        if (source.Window is { } window)
        {
            w.WriteString("windowType", window.Type.ToString().ToUpperInvariant());
        }
        else
        {
            w.WriteNull("windowType");
        }

        foreach (var (name, ids) in new[] { ("readQueries", d.ReadQueries), ("writeQueries", d.WriteQueries) })
        {
            w.WriteStartArray(name);
            foreach (var id in ids)
            {
                if (engine.Queries.FirstOrDefault(q => q.Id == id) is { } q)
                {
                    WriteRunningQuery(w, q, engine);
                }
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("fields");
        foreach (var c in source.Schema.Columns)
        {
            WriteField(w, c);
        }

        w.WriteEndArray();
        w.WriteString("type", source.IsTable ? "TABLE" : "STREAM");
        w.WriteString("timestamp", source.TimestampColumn ?? string.Empty);
        w.WriteString("statistics", d.Statistics?.Text ?? string.Empty);
        w.WriteString("errorStats", string.Empty);
        w.WriteBoolean("extended", d.Extended);
        w.WriteString("keyFormat", source.KeyFormat.Format);
        w.WriteString("valueFormat", source.ValueFormat.Format);
        w.WriteString("topic", source.Topic);
        w.WriteNumber("partitions", d.Statistics?.Partitions ?? source.Partitions ?? 0);
        w.WriteNumber("replication", d.Statistics?.Replication ?? source.Replicas ?? 0);
        w.WriteString("statement", string.Empty);
        w.WriteStartArray("queryOffsetSummaries");
        w.WriteEndArray();
        w.WriteStartArray("sourceConstraints");
        w.WriteEndArray();
        w.WriteStartArray("clusterStatistics");
        w.WriteEndArray();
        w.WriteStartArray("clusterErrorStats");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One result column as ksqlDB's FieldInfo (the /ws/query schema message): name, schema, and <c>"type":"KEY"</c> for keys.</summary>
    public static void WriteFieldInfo(Utf8JsonWriter w, string name, SqlType type, bool key)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WritePropertyName("schema");
        WriteSchema(w, type);
        if (key)
        {
            w.WriteString("type", "KEY");
        }

        w.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter w, Column c)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WritePropertyName("schema");
        WriteSchema(w, c.Type);
        switch (c.Kind)
        {
            case ColumnKind.Key:
                w.WriteString("type", "KEY");
                break;
            case ColumnKind.Header:
                w.WriteString("type", "HEADER");
                if (c.HeaderKey is { } hk)
                {
                    w.WriteString("headerKey", hk);
                }

                break;
        }

        w.WriteEndObject();
    }

    private static void WriteSchema(Utf8JsonWriter w, SqlType type)
    {
        w.WriteStartObject();
        w.WriteString("type", type.BaseType.SqlName());
        if (type is SqlStructType st)
        {
            w.WriteStartArray("fields");
            foreach (var f in st.Fields)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WritePropertyName("schema");
                WriteSchema(w, f.Type);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("fields");
        }

        switch (type)
        {
            case SqlArrayType a:
                w.WritePropertyName("memberSchema");
                WriteSchema(w, a.ElementType);
                break;
            case SqlMapType m:
                w.WritePropertyName("memberSchema");
                WriteSchema(w, m.ValueType);
                break;
            default:
                w.WriteNull("memberSchema");
                break;
        }

        if (type is SqlDecimalType d)
        {
            w.WriteStartObject("parameters");
            w.WriteNumber("precision", d.Precision);
            w.WriteNumber("scale", d.Scale);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}

/// <summary>A push query running for a client, as SHOW QUERIES lists it.</summary>
/// <param name="QueryId">Its id.</param>
/// <param name="Sql">Its text.</param>
internal sealed record TransientQueryInfo(string QueryId, string Sql);
