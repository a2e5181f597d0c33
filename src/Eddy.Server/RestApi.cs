using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Eddy.Client;
using Eddy.Sql;
using Eddy.Sql.Ast;
using Eddy.Sql.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Eddy.Server;

/// <summary>The HTTP endpoints of ksqlDB's REST API over an <see cref="SqlEngine"/>.</summary>
internal sealed partial class RestApi : IDisposable
{
    public const string KsqlV1Json = "application/vnd.ksql.v1+json";
    public const string Json = "application/json";
    public const string Delimited = "application/vnd.ksqlapi.delimited.v1";

    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SqlEngine _engine;
    private readonly EddyServerOptions _options;
    private readonly string _bootstrap;
    private readonly string _clusterId;
    private readonly CancellationToken _stopping;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (string Status, string Message)> _commands = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _requestGate = new(1, 1);
    private int _pullCounter;

    public RestApi(SqlEngine engine, EddyServerOptions options, string bootstrap, string clusterId, ILogger logger, CancellationToken stopping)
    {
        _engine = engine;
        _options = options;
        _bootstrap = bootstrap;
        _clusterId = clusterId;
        _stopping = stopping;
        _logger = logger;
    }

    public void Dispose() => _requestGate.Dispose();

    /// <summary>The push queries streaming now, by id.</summary>
    public ConcurrentDictionary<string, ActiveQuery> ActiveQueries { get; } = new(StringComparer.Ordinal);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/ksql", Guard(KsqlAsync));
        app.MapPost("/query", Guard(QueryAsync));
        app.MapPost("/query-stream", Guard(QueryStreamAsync));
        app.MapPost("/inserts-stream", Guard(InsertsStreamAsync));
        app.MapPost("/close-query", Guard(CloseQueryAsync));
        app.MapGet("/info", Guard(InfoAsync));
        app.MapGet("/healthcheck", Guard(HealthAsync));
        app.MapGet("/status", Guard(StatusListAsync));
        app.MapGet("/status/{type}/{entity}/{action}", Guard(StatusAsync));
        app.MapGet("/clusterStatus", Guard(ClusterStatusAsync));
        app.MapGet("/ws/query", Guard(WsQueryAsync));
        app.MapPost("/ksql/terminate", Guard(TerminateClusterAsync));
        app.MapGet("/v1/metadata", Guard(MetadataAsync));
        app.MapGet("/v1/metadata/id", Guard(MetadataIdAsync));
        app.MapPost("/heartbeat", Guard(HeartbeatAsync));
        app.MapPost("/lag", Guard(LagAsync));
        app.MapGet("/is_valid_property/{property}", Guard(IsValidPropertyAsync));
        app.MapGet("/chc/ready", ctx => WriteJsonAsync(ctx, 200, w => w.WriteStartObject(), end: true));
        app.MapGet("/chc/live", ctx => WriteJsonAsync(ctx, 200, w => w.WriteStartObject(), end: true));
        app.MapGet("/", ctx =>
        {
            ctx.Response.Redirect("/info");
            return Task.CompletedTask;
        });
        app.MapFallback(ctx => WriteErrorAsync(ctx, 404, 40400, $"Not Found: {ctx.Request.Method} {ctx.Request.Path}"));
    }

    private RequestDelegate Guard(Func<HttpContext, Task> handler) => async ctx =>
    {
        try
        {
            await handler(ctx).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ServerLog.RequestFailed(_logger, e, ctx.Request.Path);
            if (!ctx.Response.HasStarted)
            {
                await WriteErrorAsync(ctx, 500, 50000, e.Message).ConfigureAwait(false);
            }
        }
    };

    // ---------------------------------------------------------------- /ksql

    private async Task KsqlAsync(HttpContext ctx)
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
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ksql", out var ksqlElement) || ksqlElement.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(ctx, 400, 40000, "The request must be a JSON object with a \"ksql\" string field.").ConfigureAwait(false);
                return;
            }

            if (!TryReadSequence(root, out var sequence, out var sequenceError))
            {
                await WriteErrorAsync(ctx, 400, 40000, sequenceError).ConfigureAwait(false);
                return;
            }

            if (!await WaitForCommandAsync(ctx, sequence).ConfigureAwait(false))
            {
                return;
            }

            var ksql = ksqlElement.GetString()!;
            var variables = StringMap(root, "sessionVariables");
            var streamsProperties = StringMap(root, "streamsProperties");
            IReadOnlyList<ParsedStatement> statements;
            try
            {
                statements = SqlParser.ParseStatements(ksql, variables);
            }
            catch (SqlException e)
            {
                await WriteStatementErrorAsync(ctx, 400, 40001, e.Message, ksql, contentType, null).ConfigureAwait(false);
                return;
            }

            var results = new List<(SqlEntity Entity, string CommandId)>();

            // SET and streamsProperties last for this request only (ksqlDB's REST semantics), so the session
            // properties are put back once the statements ran; requests take turns to keep them apart.
            await _requestGate.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
            try
            {
                var before = await SessionPropertiesAsync(ctx.RequestAborted).ConfigureAwait(false);
                try
                {
                    foreach (var (key, value) in streamsProperties)
                    {
                        await _engine.ExecuteAsync($"SET '{key.Replace("'", "''", StringComparison.Ordinal)}'='{value.Replace("'", "''", StringComparison.Ordinal)}';", ctx.RequestAborted).ConfigureAwait(false);
                    }

                    foreach (var parsed in statements)
                    {
                        if (parsed.Statement is Query or PrintTopic)
                        {
                            await WriteStatementErrorAsync(ctx, 400, 40002,
                                "The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT",
                                parsed.Text, contentType, results).ConfigureAwait(false);
                            return;
                        }

                        IReadOnlyList<SqlEntity> entities;
                        try
                        {
                            entities = await _engine.ExecuteAsync(parsed.Text, ctx.RequestAborted).ConfigureAwait(false);
                        }
                        catch (SqlException e)
                        {
                            await WriteStatementErrorAsync(ctx, 400, 40001, e.Message, parsed.Text, contentType, results).ConfigureAwait(false);
                            return;
                        }
                        catch (Exception e) when (e is KafkaException or IOException or InvalidOperationException or TimeoutException)
                        {
                            await WriteStatementErrorAsync(ctx, 500, 50000, e.Message, parsed.Text, contentType, results).ConfigureAwait(false);
                            return;
                        }

                        var commandId = EntityJson.CommandId(parsed.Statement);
                        foreach (var entity in entities)
                        {
                            if (entity is CommandStatusEntity status)
                            {
                                _commands[commandId] = ("SUCCESS", status.Message);
                            }

                            results.Add((entity, commandId));
                        }
                    }
                }
                finally
                {
                    await RestorePropertiesAsync(before).ConfigureAwait(false);
                }
            }
            finally
            {
                _requestGate.Release();
            }

            await WriteJsonAsync(ctx, 200, w =>
            {
                w.WriteStartArray();
                WriteEntities(w, results);
                w.WriteEndArray();
            }, contentType).ConfigureAwait(false);
        }
    }

    private void WriteEntities(Utf8JsonWriter w, IEnumerable<(SqlEntity Entity, string CommandId)> results)
    {
        var transient = ActiveQueries.Values.Select(q => new TransientQueryInfo(q.QueryId, q.Sql)).ToList();
        foreach (var (entity, commandId) in results)
        {
            EntityJson.Write(w, entity, commandId, _engine, transient);
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> SessionPropertiesAsync(CancellationToken ct)
    {
        var result = await _engine.ExecuteAsync("SHOW PROPERTIES;", ct).ConfigureAwait(false);
        return result.OfType<PropertiesEntity>().FirstOrDefault()?.Properties ?? new Dictionary<string, string>();
    }

    private async Task RestorePropertiesAsync(IReadOnlyDictionary<string, string> before)
    {
        var now = await SessionPropertiesAsync(CancellationToken.None).ConfigureAwait(false);
        var sql = new StringBuilder();
        foreach (var (key, value) in now)
        {
            if (!before.TryGetValue(key, out var old))
            {
                sql.Append(CultureInfo.InvariantCulture, $"UNSET '{key.Replace("'", "''", StringComparison.Ordinal)}';");
            }
            else if (old != value)
            {
                sql.Append(CultureInfo.InvariantCulture, $"SET '{key.Replace("'", "''", StringComparison.Ordinal)}'='{old.Replace("'", "''", StringComparison.Ordinal)}';");
            }
        }

        foreach (var (key, value) in before)
        {
            if (!now.ContainsKey(key))
            {
                sql.Append(CultureInfo.InvariantCulture, $"SET '{key.Replace("'", "''", StringComparison.Ordinal)}'='{value.Replace("'", "''", StringComparison.Ordinal)}';");
            }
        }

        if (sql.Length > 0)
        {
            await _engine.ExecuteAsync(sql.ToString(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Task WriteStatementErrorAsync(HttpContext ctx, int status, int code, string message, string statementText, string contentType, List<(SqlEntity, string)>? entities) =>
        WriteJsonAsync(ctx, status, w => KsqlJson.WriteError(w, code, message, statementText, entities is null ? null : ew => WriteEntities(ew, entities)), contentType);

    // ---------------------------------------------------------------- /query and /query-stream

    private async Task QueryAsync(HttpContext ctx)
    {
        if (await NegotiateJsonAsync(ctx).ConfigureAwait(false) is not { } contentType)
        {
            return;
        }

        if (await StartQueryAsync(ctx, "ksql", "streamsProperties", contentType).ConfigureAwait(false) is not { } started)
        {
            return;
        }

        await using var query = started;

        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = contentType;
        DisableBuffering(ctx);
        var body = response.BodyWriter;

        // ksqlDB's framing: "[" then every frame followed by ",\n", the last one (finalMessage or
        // errorMessage) by "]\n". A pull query's rows are all known at once, so its last row ends the array.
        var pull = query.Handle.IsPull;
        await WriteFrameAsync(body, "["u8.ToArray(), w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("header");
            w.WriteString("queryId", query.QueryId);
            w.WriteString("schema", KsqlJson.Schema(query.Handle.Columns, query.KeyColumns));
            w.WriteEndObject();
            w.WriteEndObject();
        }, query.Token, pull ? null : ",\n"u8.ToArray()).ConfigureAwait(false);
        var outcome = await PumpAsync(query, body, row => w => WriteStreamedRow(w, row), pull ? ",\n"u8.ToArray() : [], keepAlive: !pull, suffix: pull ? null : ",\n"u8.ToArray()).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            await WriteFrameAsync(body, pull ? ",\n"u8.ToArray() : [], w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("errorMessage");
                KsqlJson.WriteError(w, 50000, error);
                w.WriteEndObject();
            }, CancellationToken.None, "]\n"u8.ToArray()).ConfigureAwait(false);
        }
        else if (!outcome.Cancelled && !pull)
        {
            await WriteFrameAsync(body, [], w =>
            {
                w.WriteStartObject();
                w.WriteString("finalMessage", query.HasLimit ? "Limit Reached" : "Query Completed");
                w.WriteEndObject();
            }, CancellationToken.None, "]\n"u8.ToArray()).ConfigureAwait(false);
        }
        else if (pull || query.ClosedByRequest)
        {
            await body.WriteAsync(pull ? "]\n"u8.ToArray() : "{\"finalMessage\":\"Query Completed\"}]\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task QueryStreamAsync(HttpContext ctx)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        string contentType;
        if (accept.Length == 0 || accept.Contains(Delimited, StringComparison.OrdinalIgnoreCase) || accept.Contains("*/*", StringComparison.Ordinal))
        {
            contentType = Delimited;
        }
        else if (accept.Contains(Json, StringComparison.OrdinalIgnoreCase) || accept.Contains(KsqlV1Json, StringComparison.OrdinalIgnoreCase))
        {
            contentType = accept.Contains(KsqlV1Json, StringComparison.OrdinalIgnoreCase) ? KsqlV1Json : Json;
        }
        else
        {
            await WriteErrorAsync(ctx, 406, 40600, $"Cannot produce '{accept}': /query-stream serves {Delimited} and {Json}.").ConfigureAwait(false);
            return;
        }

        if (PreferDelimitedFirst(accept))
        {
            contentType = Delimited;
        }

        if (await StartQueryAsync(ctx, "sql", "properties", Json).ConfigureAwait(false) is not { } started)
        {
            return;
        }

        await using var query = started;

        var delimited = contentType == Delimited;
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = contentType;
        DisableBuffering(ctx);
        var body = response.BodyWriter;
        await WriteFrameAsync(body, delimited ? [] : "["u8.ToArray(), w =>
        {
            w.WriteStartObject();
            w.WriteString("queryId", query.QueryId);
            w.WriteStartArray("columnNames");
            foreach (var c in query.Handle.Columns)
            {
                w.WriteStringValue(c.Name);
            }

            w.WriteEndArray();
            w.WriteStartArray("columnTypes");
            foreach (var c in query.Handle.Columns)
            {
                w.WriteStringValue(c.Type.ToString());
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }, query.Token, delimited ? NewLine : null).ConfigureAwait(false);
        var outcome = await PumpAsync(query, body, row => w => KsqlJson.WriteRow(w, row), delimited ? [] : ","u8.ToArray(), keepAlive: false, suffix: delimited ? NewLine : null, flushEachRow: delimited).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            await WriteFrameAsync(body, delimited ? [] : ","u8.ToArray(), w => KsqlJson.WriteError(w, 50000, error), CancellationToken.None, delimited ? NewLine : null).ConfigureAwait(false);
        }

        if (!delimited && (!outcome.Cancelled || query.ClosedByRequest))
        {
            await body.WriteAsync("]"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>PRINT: one plain text line per record, as ksqlDB writes them, until LIMIT or the client leaves.</summary>
    private static async Task PrintAsync(HttpContext ctx, ActiveQuery query)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Delimited;
        DisableBuffering(ctx);
        var body = ctx.Response.BodyWriter;
        await body.FlushAsync(query.Token).ConfigureAwait(false);
        try
        {
            await foreach (var row in query.Handle.ReadRowsAsync(query.Token).ConfigureAwait(false))
            {
                body.Write(Encoding.UTF8.GetBytes((row.Count > 0 ? row[0]?.ToString() : null) ?? string.Empty));
                body.Write(NewLine);
                await body.FlushAsync(query.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (query.Token.IsCancellationRequested)
        {
        }
    }

    private static bool PreferDelimitedFirst(string accept)
    {
        // With several types listed, the first one (or the highest q) wins, as in ksqlDB's negotiation.
        var best = accept.Split(',').Select(Media).OrderByDescending(m => m.Q).FirstOrDefault();
        return best.Type is not null && best.Type.Equals(Delimited, StringComparison.OrdinalIgnoreCase);
    }

    private static (string? Type, double Q) Media(string part)
    {
        var pieces = part.Split(';', StringSplitOptions.TrimEntries);
        var q = 1.0;
        foreach (var p in pieces.Skip(1))
        {
            if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase) && double.TryParse(p[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                q = v;
            }
        }

        return (pieces[0], q);
    }

    /// <summary>
    /// Reads a /query or /query-stream request and starts its query. Returns null when the response is already
    /// written: a bad request or statement (the error), or a PRINT (served here, the same on both endpoints).
    /// </summary>
    private async Task<ActiveQuery?> StartQueryAsync(HttpContext ctx, string sqlField, string propertiesField, string errorContentType)
    {
        if (await ReadQueryRequestAsync(ctx, sqlField, propertiesField).ConfigureAwait(false) is not { } request)
        {
            return null;
        }

        var (sql, properties, variables) = request;
        var (query, error, statementText) = await OpenQueryAsync(sql, properties, variables, ctx.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await WriteJsonAsync(ctx, 400, w => KsqlJson.WriteError(w, 40001, error, statementText), errorContentType).ConfigureAwait(false);
        }

        if (query is { IsPrint: true })
        {
            await using (query)
            {
                await PrintAsync(ctx, query).ConfigureAwait(false);
            }

            return null;
        }

        return query;
    }

    /// <summary>Parses and starts one SELECT or PRINT; on bad input returns the error and the statement it concerns instead.</summary>
    private async Task<(ActiveQuery? Query, string? Error, string StatementText)> OpenQueryAsync(string sql, Dictionary<string, string> properties, Dictionary<string, string> variables, CancellationToken aborted)
    {
        IReadOnlyList<ParsedStatement> statements;
        try
        {
            statements = SqlParser.ParseStatements(sql, variables);
        }
        catch (SqlException e)
        {
            return (null, e.Message, sql);
        }

        if (statements.Count != 1)
        {
            return (null, $"Expected exactly one statement, got {statements.Count}.", sql);
        }

        var parsed = statements[0];
        if (parsed.Statement is not (Query or PrintTopic))
        {
            return (null, "The following statement types should be issued to the '/ksql' endpoint: every statement other than SELECT and PRINT.", parsed.Text);
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stopping);
        IQueryHandle handle;
        try
        {
            handle = await _engine.ExecuteQueryAsync(parsed.Text, properties, cts.Token).ConfigureAwait(false);
        }
        catch (SqlException e)
        {
            cts.Dispose();
            return (null, e.Message, parsed.Text);
        }
        catch
        {
            cts.Dispose();
            throw;
        }

        var id = handle.QueryId;
        if (handle.IsPull && string.IsNullOrEmpty(id))
        {
            id = $"pull_{Interlocked.Increment(ref _pullCounter)}";
        }

        var q = parsed.Statement as Query;
        var active = new ActiveQuery(id, parsed.Text, handle, cts, q?.Limit is not null || parsed.Statement is PrintTopic { Limit: not null }, this)
        {
            IsPrint = parsed.Statement is PrintTopic,
        };

        // A pull query's header marks the table's key columns with KEY, as ksqlDB's does.
        if (handle.IsPull && q?.From is AliasedRelation from && _engine.Sources.Find(from.Source) is { } source)
        {
            var keys = source.Schema.Key.Where(k => handle.Columns.Any(c => c.Name == k.Name && c.Type == k.Type)).Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
            if (source.Window is not null)
            {
                keys.UnionWith(handle.Columns.Select(c => c.Name).Where(n => n is "WINDOWSTART" or "WINDOWEND"));
            }

            active.KeyColumns = keys;
        }

        if (!handle.IsPull)
        {
            ActiveQueries[id] = active;
        }

        return (active, null, parsed.Text);
    }

    private readonly record struct PumpOutcome(bool Cancelled, string? Error);

    /// <summary>One row as ksqlDB's StreamedRow JSON (<c>{"row":{"columns":[...]}}</c>, plus <c>"tombstone":true</c> for a deleted table row), as /query and /ws/query send it.</summary>
    internal static void WriteStreamedRow(Utf8JsonWriter w, IReadOnlyList<object?> row)
    {
        w.WriteStartObject();
        w.WriteStartObject("row");
        w.WritePropertyName("columns");
        KsqlJson.WriteRow(w, row);
        if (row is QueryRow { IsTombstone: true })
        {
            w.WriteBoolean("tombstone", true);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private async Task<PumpOutcome> PumpAsync(ActiveQuery query, PipeWriter body, Func<IReadOnlyList<object?>, Action<Utf8JsonWriter>> frame, byte[] separator, bool keepAlive, byte[]? suffix = null, bool flushEachRow = false)
    {
        var token = query.Token;

        // Rows go through a small bounded channel so that a slow client slows the query down instead of
        // buffering without bound, and so a quiet push query can still send keep-alives (which is also
        // how a vanished HTTP/1.1 client is noticed).
        var rows = Channel.CreateBounded<IReadOnlyList<object?>>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var row in query.Handle.ReadRowsAsync(token).ConfigureAwait(false))
                {
                    await rows.Writer.WriteAsync(row, token).ConfigureAwait(false);
                }

                rows.Writer.TryComplete();
            }
            catch (Exception e)
            {
                rows.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (true)
            {
                bool more;
                if (keepAlive)
                {
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(token);
                    tick.CancelAfter(_options.KeepAliveInterval);
                    try
                    {
                        more = await rows.Reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        await body.WriteAsync(NewLine, token).ConfigureAwait(false);
                        continue;
                    }
                }
                else
                {
                    more = await rows.Reader.WaitToReadAsync(token).ConfigureAwait(false);
                }

                if (!more)
                {
                    break;
                }

                while (rows.Reader.TryRead(out var row))
                {
                    WriteFrame(body, separator, frame(row), suffix);

                    // Clients of the delimited format (ksqldb-client among them) parse each HTTP/2 data
                    // frame as one row, so each row gets its own flush there.
                    if (flushEachRow)
                    {
                        await body.FlushAsync(token).ConfigureAwait(false);
                    }
                }

                var flush = await body.FlushAsync(token).ConfigureAwait(false);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    return new PumpOutcome(true, null);
                }
            }

            return new PumpOutcome(false, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return new PumpOutcome(true, null);
        }
        catch (ChannelClosedException e) when (e.InnerException is { } inner)
        {
            return inner is OperationCanceledException && token.IsCancellationRequested ? new PumpOutcome(true, null) : new PumpOutcome(false, inner.Message);
        }
        catch (Exception e) when (e is SqlException or KafkaException or InvalidOperationException or IOException)
        {
            ServerLog.RequestFailed(_logger, e, query.QueryId);
            return new PumpOutcome(false, e.Message);
        }
        finally
        {
            await query.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _frameBuffer;

    private static void WriteFrame(PipeWriter body, ReadOnlySpan<byte> prefix, Action<Utf8JsonWriter> write, byte[]? suffix)
    {
        // The frame is serialized into a buffer of its own and then copied: Utf8JsonWriter writing straight
        // into Kestrel's response PipeWriter failed under bursts ("could not provide an output buffer").
        var buffer = _frameBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        body.Write(prefix);
        body.Write(buffer.WrittenSpan);
        if (suffix is not null)
        {
            body.Write(suffix);
        }
    }

    private static async Task WriteFrameAsync(PipeWriter body, byte[] prefix, Action<Utf8JsonWriter> write, CancellationToken ct, byte[]? suffix = null)
    {
        WriteFrame(body, prefix, write, suffix);
        try
        {
            await body.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static void DisableBuffering(HttpContext ctx) => ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

    // ---------------------------------------------------------------- /close-query

    private async Task CloseQueryAsync(HttpContext ctx)
    {
        if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not { } doc)
        {
            return;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("queryId", out var idElement) || idElement.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(ctx, 400, 40000, "The request must be a JSON object with a \"queryId\" string field.").ConfigureAwait(false);
                return;
            }

            var id = idElement.GetString()!;
            if (!ActiveQueries.TryGetValue(id, out var query))
            {
                await WriteErrorAsync(ctx, 400, 40000, $"No query with id {id}").ConfigureAwait(false);
                return;
            }

            query.ClosedByRequest = true;
            await query.CancelAsync().ConfigureAwait(false);
            ctx.Response.StatusCode = 200;
        }
    }

    // ---------------------------------------------------------------- /inserts-stream

    private async Task InsertsStreamAsync(HttpContext ctx)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        var json = accept.Contains(Json, StringComparison.OrdinalIgnoreCase) && !PreferDelimitedFirst(accept);
        var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var ct = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping).Token;
        var first = await ReadLineAsync(reader, ct).ConfigureAwait(false);
        string target;
        try
        {
            using var doc = JsonDocument.Parse(first ?? string.Empty);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("target", out var t) || t.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(ctx, 400, 40000, "The first line must be a JSON object with a \"target\" string field, e.g. {\"target\":\"PAGEVIEWS\"}.").ConfigureAwait(false);
                return;
            }

            target = t.GetString()!;
        }
        catch (JsonException e)
        {
            await WriteErrorAsync(ctx, 400, 40000, $"Invalid JSON in the first line of the request: {e.Message}").ConfigureAwait(false);
            return;
        }

        var source = _engine.Sources.Find(target) ?? _engine.Sources.Find(target.ToUpperInvariant());
        if (source is null)
        {
            await WriteErrorAsync(ctx, 400, 40000, $"Cannot insert values into an unknown stream: {target}").ConfigureAwait(false);
            return;
        }

        if (source.IsTable)
        {
            await WriteErrorAsync(ctx, 400, 40000, $"Cannot insert into {source.Name}: inserts-stream only accepts streams, and {source.Name} is a table.").ConfigureAwait(false);
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = json ? Json : Delimited;
        DisableBuffering(ctx);
        var body = ctx.Response.BodyWriter;
        if (json)
        {
            body.Write("["u8);
        }

        long seq = 0;
        try
        {
            while (await ReadLineAsync(reader, ct).ConfigureAwait(false) is { } line)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                string? error = null;
                try
                {
                    using var row = JsonDocument.Parse(line);
                    if (row.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        error = "Each row must be a JSON object of column names to values.";
                    }
                    else
                    {
                        await _engine.InsertRowAsync(source.Name, row.RootElement, ct).ConfigureAwait(false);
                    }
                }
                catch (JsonException e)
                {
                    error = $"Invalid JSON in row {seq}: {e.Message}";
                }
                catch (Exception e) when (e is SqlException or KafkaException or ArgumentException or InvalidOperationException or FormatException)
                {
                    error = e.Message;
                }

                var s = seq++;
                WriteFrame(body, json && s > 0 ? ","u8 : [], w =>
                {
                    w.WriteStartObject();
                    w.WriteString("status", error is null ? "ok" : "error");
                    w.WriteNumber("seq", s);
                    if (error is not null)
                    {
                        w.WriteNumber("error_code", 40000);
                        w.WriteString("message", error);
                    }

                    w.WriteEndObject();
                }, json ? null : NewLine);
                await body.FlushAsync(ct).ConfigureAwait(false);
                if (error is not null)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        if (json)
        {
            body.Write("]"u8);
        }

        await body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (line is { Length: > 1_048_576 })
        {
            throw new InvalidDataException("A line of the request is longer than 1 MiB.");
        }

        return line;
    }

    // ---------------------------------------------------------------- info, health, status

    private Task InfoAsync(HttpContext ctx) => WriteJsonAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("KsqlServerInfo");
        w.WriteString("version", EddyServer.Version);
        w.WriteString("kafkaClusterId", _clusterId);
        w.WriteString("ksqlServiceId", _options.ServiceId);
        w.WriteString("serverStatus", _stopping.IsCancellationRequested ? "TERMINATING" : "RUNNING");
        w.WriteEndObject();
        w.WriteEndObject();
    }, NegotiatedOrDefault(ctx));

    private async Task HealthAsync(HttpContext ctx)
    {
        var kafka = await KafkaHealthyAsync(ctx.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(ctx, kafka ? 200 : 503, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("isHealthy", kafka);
            w.WriteStartObject("details");
            w.WriteStartObject("metastore");
            w.WriteBoolean("isHealthy", true);
            w.WriteEndObject();
            w.WriteStartObject("kafka");
            w.WriteBoolean("isHealthy", kafka);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("serverState", _stopping.IsCancellationRequested ? "TERMINATING" : "READY");
            w.WriteEndObject();
        }, NegotiatedOrDefault(ctx)).ConfigureAwait(false);
    }

    private long _healthCheckedAt = long.MinValue;
    private bool _healthy;

    private async Task<bool> KafkaHealthyAsync(CancellationToken ct)
    {
        // Cached for a few seconds so that load balancers polling /healthcheck do not load the cluster.
        var now = _options.Time.GetTimestamp();
        if (_healthCheckedAt != long.MinValue && _options.Time.GetElapsedTime(_healthCheckedAt, now) < TimeSpan.FromSeconds(5))
        {
            return _healthy;
        }

        try
        {
            await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = _bootstrap, DefaultApiTimeoutMs = 3000 });
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await admin.DescribeClusterAsync(timeout.Token).ConfigureAwait(false);
            _healthy = true;
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            _healthy = false;
        }

        _healthCheckedAt = now;
        return _healthy;
    }

    private Task StatusListAsync(HttpContext ctx) => WriteJsonAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("commandStatuses");
        foreach (var (id, status) in _commands.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteString(id, status.Status);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }, NegotiatedOrDefault(ctx));

    private Task StatusAsync(HttpContext ctx)
    {
        var id = $"{ctx.Request.RouteValues["type"]}/{ctx.Request.RouteValues["entity"]}/{ctx.Request.RouteValues["action"]}";
        if (!_commands.TryGetValue(id, out var status))
        {
            // Clients may leave out the backquotes around the entity name.
            var parts = id.Split('/');
            var quoted = $"{parts[0]}/`{parts[1]}`/{parts[2]}";
            if (!_commands.TryGetValue(quoted, out status))
            {
                return WriteErrorAsync(ctx, 404, 40400, $"Command not found: {id}");
            }
        }

        return WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", status.Status);
            w.WriteString("message", status.Message);
            w.WriteEndObject();
        }, NegotiatedOrDefault(ctx));
    }

    private Task ClusterStatusAsync(HttpContext ctx)
    {
        var now = _options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var host = ctx.Request.Host.HasValue ? ctx.Request.Host.Value : "localhost:8088";
        return WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("clusterStatus");
            w.WriteStartObject(host);
            w.WriteBoolean("hostAlive", true);
            w.WriteNumber("lastStatusUpdateMs", now);
            w.WriteStartObject("activeStandbyPerQuery");
            foreach (var q in _engine.Queries)
            {
                w.WriteStartObject(q.Id);
                w.WriteStartArray("activeStores");
                w.WriteEndArray();
                w.WriteStartArray("activePartitions");
                w.WriteEndArray();
                w.WriteStartArray("standByStores");
                w.WriteEndArray();
                w.WriteStartArray("standByPartitions");
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("hostStoreLags");
            w.WriteStartObject("stateStoreLags");
            w.WriteEndObject();
            w.WriteNumber("updateTimeMs", now);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }, NegotiatedOrDefault(ctx));
    }

    private Task IsValidPropertyAsync(HttpContext ctx)
    {
        var property = ctx.Request.RouteValues["property"]?.ToString() ?? string.Empty;
        if (property.StartsWith("ksql.", StringComparison.Ordinal) || property.Contains('.', StringComparison.Ordinal))
        {
            return WriteJsonAsync(ctx, 200, w => w.WriteBooleanValue(true), NegotiatedOrDefault(ctx));
        }

        return WriteErrorAsync(ctx, 400, 40000, $"Not recognizable as ksql, streams, consumer, or producer property: '{property}'");
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The JSON content type to answer with, or null (after a 406 answer) when the request cannot be served.</summary>
    private static async Task<string?> NegotiateJsonAsync(HttpContext ctx)
    {
        // Like ksqlDB, the request body is read as JSON whatever Content-Type says (curl -d sends a form type).
        var type = NegotiatedOrDefault(ctx, out var acceptable);
        if (!acceptable)
        {
            await WriteErrorAsync(ctx, 406, 40600, $"Cannot produce any of '{ctx.Request.Headers.Accept}': this endpoint serves {KsqlV1Json} and {Json}.").ConfigureAwait(false);
            return null;
        }

        return type;
    }

    private static string NegotiatedOrDefault(HttpContext ctx) => NegotiatedOrDefault(ctx, out _);

    private static string NegotiatedOrDefault(HttpContext ctx, out bool acceptable)
    {
        acceptable = true;
        var accept = ctx.Request.Headers.Accept.ToString();
        if (accept.Length == 0)
        {
            return KsqlV1Json;
        }

        foreach (var (type, _) in accept.Split(',').Select(Media).Where(m => m.Q > 0).OrderByDescending(m => m.Q))
        {
            if (string.Equals(type, KsqlV1Json, StringComparison.OrdinalIgnoreCase))
            {
                return KsqlV1Json;
            }

            if (string.Equals(type, Json, StringComparison.OrdinalIgnoreCase))
            {
                return Json;
            }

            if (type is "*/*" or "application/*")
            {
                return KsqlV1Json;
            }
        }

        acceptable = false;
        return KsqlV1Json;
    }

    private static async Task<JsonDocument?> ReadBodyAsync(HttpContext ctx)
    {
        try
        {
            return await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await WriteErrorAsync(ctx, 400, 40000, $"Invalid JSON in request: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Reads a query request body: the SQL text from <paramref name="sqlField"/>, properties from
    /// <paramref name="propertiesField"/> (plus /query's <c>streamsProperties</c>, which some clients, such as
    /// ksqldb-client for Node, send to /query-stream too) and <c>sessionVariables</c>. Null after answering 400.
    /// </summary>
    private async Task<(string Sql, Dictionary<string, string> Properties, Dictionary<string, string> Variables)?> ReadQueryRequestAsync(HttpContext ctx, string sqlField, string propertiesField)
    {
        if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not { } doc)
        {
            return null;
        }

        (string Sql, Dictionary<string, string> Properties, Dictionary<string, string> Variables) request;
        long? sequence;
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(sqlField, out var k) || k.ValueKind != JsonValueKind.String)
            {
                await WriteErrorAsync(ctx, 400, 40000, $"The request must be a JSON object with a \"{sqlField}\" string field.").ConfigureAwait(false);
                return null;
            }

            if (!TryReadSequence(root, out sequence, out var sequenceError))
            {
                await WriteErrorAsync(ctx, 400, 40000, sequenceError).ConfigureAwait(false);
                return null;
            }

            var properties = StringMap(root, propertiesField);
            foreach (var (name, value) in StringMap(root, "streamsProperties"))
            {
                properties.TryAdd(name, value);
            }

            request = (k.GetString()!, properties, StringMap(root, "sessionVariables"));
        }

        return await WaitForCommandAsync(ctx, sequence).ConfigureAwait(false) ? request : null;
    }

    /// <summary>Reads the optional <c>commandSequenceNumber</c> of a request: absent or null is fine, anything but an integer is not.</summary>
    private static bool TryReadSequence(JsonElement root, out long? sequence, out string error)
    {
        sequence = null;
        error = string.Empty;
        if (!root.TryGetProperty("commandSequenceNumber", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value))
        {
            sequence = value;
            return true;
        }

        error = $"\"commandSequenceNumber\" must be an integer, got {element.GetRawText()}.";
        return false;
    }

    /// <summary>
    /// Waits until the command log has been applied up to <paramref name="sequence"/> (ksqlDB's
    /// <c>commandSequenceNumber</c>, which lets a client read its own writes); false after answering 503 when
    /// that takes longer than <see cref="EddyServerOptions.CommandResponseTimeout"/>.
    /// </summary>
    private async Task<bool> WaitForCommandAsync(HttpContext ctx, long? sequence)
    {
        if (await CommandAppliedAsync(sequence, ctx.RequestAborted).ConfigureAwait(false))
        {
            return true;
        }

        await WriteErrorAsync(ctx, 503, 50301, CatchUpTimeoutMessage(sequence!.Value)).ConfigureAwait(false);
        return false;
    }

    private static string CatchUpTimeoutMessage(long sequence) =>
        $"Timed out while waiting for a previous command to execute. command sequence number: {sequence.ToString(CultureInfo.InvariantCulture)}";

    private async Task<bool> CommandAppliedAsync(long? sequence, CancellationToken ct)
    {
        if (sequence is not { } wanted)
        {
            return true;
        }

        // The engine applies each command right after logging it, so a number not yet applied belongs to a
        // statement still executing here (or to no command at all, which then times out as in ksqlDB).
        var started = _options.Time.GetTimestamp();
        while (_engine.LastAppliedCommandSequence < wanted)
        {
            if (_options.Time.GetElapsedTime(started) >= _options.CommandResponseTimeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), _options.Time, ct).ConfigureAwait(false);
        }

        return true;
    }

    private static Dictionary<string, string> StringMap(JsonElement root, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty(name, out var obj) && obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in obj.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return map;
    }

    private static Task WriteErrorAsync(HttpContext ctx, int status, int code, string message) =>
        WriteJsonAsync(ctx, status, w => KsqlJson.WriteError(w, code, message), NegotiatedOrDefault(ctx));

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write, string contentType = KsqlV1Json, bool end = false)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
            if (end)
            {
                writer.WriteEndObject();
            }
        }

        ctx.Response.ContentLength = buffer.Length;
        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A push or pull query streaming to one client.</summary>
    internal sealed class ActiveQuery : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly RestApi _api;
        private int _disposed;

        public ActiveQuery(string queryId, string sql, IQueryHandle handle, CancellationTokenSource cts, bool hasLimit, RestApi api)
        {
            QueryId = queryId;
            Sql = sql;
            Handle = handle;
            _cts = cts;
            HasLimit = hasLimit;
            _api = api;
            Token = cts.Token;
        }

        public string QueryId { get; }

        public string Sql { get; }

        public IQueryHandle Handle { get; }

        public bool HasLimit { get; }

        public CancellationToken Token { get; }

        public bool ClosedByRequest { get; set; }

        public IReadOnlySet<string>? KeyColumns { get; set; }

        public bool IsPrint { get; init; }

        public async Task CancelAsync()
        {
            try
            {
                await _cts.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _api.ActiveQueries.TryRemove(QueryId, out _);
            await CancelAsync().ConfigureAwait(false);
            await Handle.DisposeAsync().ConfigureAwait(false);
            _cts.Dispose();
        }
    }
}
