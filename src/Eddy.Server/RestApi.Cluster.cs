using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Eddy.Sql.Engine;
using Microsoft.AspNetCore.Http;

namespace Eddy.Server;

/// <summary>TERMINATE CLUSTER, server metadata and the cluster-internal heartbeat and lag endpoints.</summary>
internal sealed partial class RestApi
{
    private const string TerminateClusterText = "TERMINATE CLUSTER;";
    private const string TerminateClusterCommandId = "cluster/TerminateCluster/terminate";

    // ---------------------------------------------------------------- POST /ksql/terminate

    /// <summary>
    /// TERMINATE CLUSTER: ends every push and persistent query and drops every stream, table and custom type,
    /// deleting the topics of query sinks (which the engine created) and of sources whose topic matches one of
    /// <c>deleteTopicList</c>'s patterns. It goes through the command log as ordinary TERMINATE/DROP commands,
    /// so a restart replays to the same empty metastore.
    /// </summary>
    private async Task TerminateClusterAsync(HttpContext ctx)
    {
        if (await NegotiateJsonAsync(ctx).ConfigureAwait(false) is not { } contentType)
        {
            return;
        }

        var patterns = new List<Regex>();

        // ksqlDB's clients send {} but curl -X POST sends nothing at all; both mean "no patterns".
        using var body = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (body.Length <= 1_048_576 && (read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted).ConfigureAwait(false)) > 0)
        {
            body.Write(chunk, 0, read);
        }

        if (body.Length > 1_048_576)
        {
            await WriteErrorAsync(ctx, 400, 40000, "The request body is longer than 1 MiB.").ConfigureAwait(false);
            return;
        }

        if (body.Length > 0 && body.GetBuffer().AsSpan(0, (int)body.Length).Trim(" \t\r\n"u8).Length > 0)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            }
            catch (JsonException e)
            {
                await WriteErrorAsync(ctx, 400, 40000, $"Invalid JSON in request: {e.Message}").ConfigureAwait(false);
                return;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    await WriteErrorAsync(ctx, 400, 40000, "The request must be a JSON object, e.g. {\"deleteTopicList\":[\"FOO\",\"bar.*\"]}.").ConfigureAwait(false);
                    return;
                }

                if (root.TryGetProperty("deleteTopicList", out var list) && list.ValueKind != JsonValueKind.Null)
                {
                    if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                    {
                        await WriteErrorAsync(ctx, 400, 40000, "\"deleteTopicList\" must be an array of topic name patterns (strings).").ConfigureAwait(false);
                        return;
                    }

                    foreach (var pattern in list.EnumerateArray().Select(e => e.GetString()!))
                    {
                        try
                        {
                            // Whole-name matches, as Java's Pattern.matches in ksqlDB; the timeout bounds a pathological pattern.
                            patterns.Add(new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
                        }
                        catch (ArgumentException)
                        {
                            await WriteErrorAsync(ctx, 400, 40000, $"Invalid pattern: {pattern}").ConfigureAwait(false);
                            return;
                        }
                    }
                }
            }
        }

        foreach (var query in ActiveQueries.Values.ToList())
        {
            query.ClosedByRequest = true;
            await query.CancelAsync().ConfigureAwait(false);
        }

        int queries, sources, topics;
        await _requestGate.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            var createdSinks = _engine.Queries.Where(q => !q.Id.StartsWith("INSERTQUERY_", StringComparison.Ordinal)).Select(q => q.Sink).ToHashSet(StringComparer.Ordinal);
            queries = _engine.Queries.Count;
            if (queries > 0)
            {
                await _engine.ExecuteAsync("TERMINATE ALL;", ctx.RequestAborted).ConfigureAwait(false);
            }

            var dropped = _engine.Sources.SourceNames.Select(n => _engine.Sources.Find(n)).OfType<Sql.Analysis.DataSource>().ToList();
            sources = dropped.Count;
            topics = 0;
            foreach (var source in dropped)
            {
                var deleteTopic = createdSinks.Contains(source.Name) || patterns.Any(p => Matches(p, source.Topic));
                topics += deleteTopic ? 1 : 0;
                await _engine.ExecuteAsync(
                    $"DROP {(source.IsTable ? "TABLE" : "STREAM")} IF EXISTS {Quote(source.Name)}{(deleteTopic ? " DELETE TOPIC" : string.Empty)};",
                    ctx.RequestAborted).ConfigureAwait(false);
            }

            var types = (await _engine.ExecuteAsync("SHOW TYPES;", ctx.RequestAborted).ConfigureAwait(false)).OfType<TypeListEntity>().SelectMany(t => t.Types.Keys).ToList();
            foreach (var type in types)
            {
                await _engine.ExecuteAsync($"DROP TYPE IF EXISTS {Quote(type)};", ctx.RequestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            _requestGate.Release();
        }

        var message = string.Create(CultureInfo.InvariantCulture, $"Cluster terminated: {queries} persistent queries terminated, {sources} sources dropped, {topics} topics deleted.");
        _commands[TerminateClusterCommandId] = ("SUCCESS", message);
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("@type", "currentStatus");
            w.WriteString("statementText", TerminateClusterText);
            w.WriteString("commandId", TerminateClusterCommandId);
            w.WriteStartObject("commandStatus");
            w.WriteString("status", "SUCCESS");
            w.WriteString("message", message);
            w.WriteNull("queryId");
            w.WriteEndObject();
            w.WriteNumber("commandSequenceNumber", _engine.LastAppliedCommandSequence);
            w.WriteStartArray("warnings");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }, contentType).ConfigureAwait(false);
    }

    private static bool Matches(Regex pattern, string topic)
    {
        try
        {
            return pattern.IsMatch(topic);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string Quote(string identifier) => $"`{identifier.Replace("`", "``", StringComparison.Ordinal)}`";

    // ---------------------------------------------------------------- GET /v1/metadata, /v1/metadata/id

    private Task MetadataAsync(HttpContext ctx) => WriteJsonAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("version", EddyServer.Version);
        w.WritePropertyName("clusterId");
        WriteClusterId(w);
        w.WriteEndObject();
    }, NegotiatedOrDefault(ctx));

    private Task MetadataIdAsync(HttpContext ctx) => WriteJsonAsync(ctx, 200, WriteClusterId, NegotiatedOrDefault(ctx));

    /// <summary>ksqlDB's ServerClusterId: the Kafka cluster id and the ksql service id under scope.clusters.</summary>
    private void WriteClusterId(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", string.Empty);
        w.WriteStartObject("scope");
        w.WriteStartArray("path");
        w.WriteEndArray();
        w.WriteStartObject("clusters");
        w.WriteString("kafka-cluster", _clusterId);
        w.WriteString("ksql-cluster", _options.ServiceId);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // ---------------------------------------------------------------- POST /heartbeat, /lag

    /// <summary>
    /// A peer's heartbeat (<c>{"hostInfo":{"host":..,"port":..},"timestamp":..}</c>). Eddy runs a single node, so
    /// there is no peer to track: a well-formed heartbeat is acknowledged as ksqlDB does and otherwise ignored.
    /// </summary>
    private Task HeartbeatAsync(HttpContext ctx) => AcknowledgeAsync(ctx, "timestamp");

    /// <summary>A peer's state-store lag report; acknowledged like a heartbeat (a single node has no peers' lags to keep).</summary>
    private Task LagAsync(HttpContext ctx) => AcknowledgeAsync(ctx, "hostPartitionStoreLags");

    private static async Task AcknowledgeAsync(HttpContext ctx, string requiredField)
    {
        if (await NegotiateJsonAsync(ctx).ConfigureAwait(false) is not { } contentType)
        {
            return;
        }

        if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not { } doc)
        {
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            var hostOk = root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("hostInfo", out var host) && host.ValueKind == JsonValueKind.Object
                && host.TryGetProperty("host", out var name) && name.ValueKind == JsonValueKind.String
                && host.TryGetProperty("port", out var port) && port.ValueKind == JsonValueKind.Number;
            if (!hostOk || !root.TryGetProperty(requiredField, out _))
            {
                await WriteErrorAsync(ctx, 400, 40000, $"The request must be a JSON object with \"hostInfo\" ({{\"host\":\"...\",\"port\":8088}}) and \"{requiredField}\" fields.").ConfigureAwait(false);
                return;
            }
        }

        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("isOk", true);
            w.WriteEndObject();
        }, contentType).ConfigureAwait(false);
    }
}
