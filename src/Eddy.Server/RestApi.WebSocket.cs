using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Eddy.Client;
using Eddy.Sql;
using Microsoft.AspNetCore.Http;

namespace Eddy.Server;

/// <summary>GET /ws/query: ksqlDB's websocket query endpoint (the one its web UI and older clients use).</summary>
internal sealed partial class RestApi
{
    // RFC 6455 close codes, as ksqlDB's WSQueryEndpoint and WebSocketSubscriber use them.
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private async Task WsQueryAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await WriteErrorAsync(ctx, 400, 40000, "/ws/query is a websocket endpoint: send a GET with an Upgrade: websocket header.").ConfigureAwait(false);
            return;
        }

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var version = ctx.Request.Query["version"].ToString();
        if (version.Length > 0 && version != "1")
        {
            await CloseAsync(socket, WebSocketCloseStatus.InvalidMessageType, $"Received invalid api version: {version}").ConfigureAwait(false);
            return;
        }

        var (request, requestError) = ParseWsRequest(ctx.Request.Query["request"].ToString());
        if (request is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.InvalidMessageType, $"Error parsing request: {requestError}").ConfigureAwait(false);
            return;
        }

        var (ksql, properties, variables, wanted) = request.Value;
        if (!await CommandAppliedAsync(wanted, ctx.RequestAborted).ConfigureAwait(false))
        {
            await CloseAsync(socket, TryAgainLater, CatchUpTimeoutMessage(wanted!.Value)).ConfigureAwait(false);
            return;
        }

        var (started, error, _) = await OpenQueryAsync(ksql, properties, variables, ctx.RequestAborted).ConfigureAwait(false);
        if (started is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.InvalidMessageType, error ?? "The query could not be started.").ConfigureAwait(false);
            return;
        }

        await using var query = started;

        // The client ends a push query by closing the socket; the only way to see that is to keep reading.
        var closedByClient = WatchForCloseAsync(socket, query);
        var (status, reason) = await StreamOverSocketAsync(socket, query).ConfigureAwait(false);
        await query.CancelAsync().ConfigureAwait(false);
        if (status is { } code)
        {
            await CloseAsync(socket, code, reason).ConfigureAwait(false);
        }

        try
        {
            await closedByClient.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The client never answered the close: drop the connection rather than wait forever.
            socket.Abort();
        }
    }

    /// <summary>Reads the <c>request</c> query parameter (a KsqlRequest as JSON); the error says what is wrong with it.</summary>
    private static ((string Ksql, Dictionary<string, string> Properties, Dictionary<string, string> Variables, long? Sequence)? Request, string Error) ParseWsRequest(string json)
    {
        if (json.Length == 0)
        {
            return (null, "missing request parameter");
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "the request must be a JSON object such as {\"ksql\":\"SELECT * FROM S EMIT CHANGES;\"}");
            }

            if (!root.TryGetProperty("ksql", out var k) || k.ValueKind != JsonValueKind.String || k.GetString()!.Trim().Length == 0)
            {
                return (null, "\"ksql\" field of \"request\" must be populated");
            }

            return TryReadSequence(root, out var sequence, out var sequenceError)
                ? ((k.GetString()!, StringMap(root, "streamsProperties"), StringMap(root, "sessionVariables"), sequence), string.Empty)
                : (null, sequenceError);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }

    private async Task<(WebSocketCloseStatus? Status, string Reason)> StreamOverSocketAsync(WebSocket socket, ActiveQuery query)
    {
        var token = query.Token;
        var buffer = new ArrayBufferWriter<byte>(1024);
        try
        {
            // PRINT sends its lines as JSON strings and no schema, as ksqlDB's PrintPublisher does.
            if (!query.IsPrint)
            {
                await SendAsync(socket, buffer, w =>
                {
                    w.WriteStartArray();
                    foreach (var c in query.Handle.Columns)
                    {
                        EntityJson.WriteFieldInfo(w, c.Name, c.Type, query.KeyColumns?.Contains(c.Name) == true);
                    }

                    w.WriteEndArray();
                }, token).ConfigureAwait(false);
            }

            await foreach (var row in query.Handle.ReadRowsAsync(token).ConfigureAwait(false))
            {
                await SendAsync(socket, buffer, w =>
                {
                    if (query.IsPrint)
                    {
                        w.WriteStringValue((row.Count > 0 ? row[0]?.ToString() : null) ?? string.Empty);
                        return;
                    }

                    WriteStreamedRow(w, row);
                }, token).ConfigureAwait(false);
            }

            return (WebSocketCloseStatus.NormalClosure, "done");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client closed the socket (answer its close), the server is stopping, or /close-query ended the query.
            return socket.State switch
            {
                WebSocketState.CloseReceived => (WebSocketCloseStatus.NormalClosure, "done"),
                WebSocketState.Open when _stopping.IsCancellationRequested => (WebSocketCloseStatus.EndpointUnavailable, "The server is shutting down"),
                WebSocketState.Open => (WebSocketCloseStatus.NormalClosure, "done"),
                _ => (null, string.Empty),
            };
        }
        catch (WebSocketException)
        {
            return (null, string.Empty);
        }
        catch (Exception e) when (e is SqlException or KafkaException or InvalidOperationException or IOException)
        {
            ServerLog.RequestFailed(_logger, e, query.QueryId);
            return (WebSocketCloseStatus.InternalServerError, e.Message);
        }
    }

    private static async Task SendAsync(WebSocket socket, ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
    }

    private static async Task WatchForCloseAsync(WebSocket socket, ActiveQuery query)
    {
        var scratch = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                // Anything the client sends other than a close is ignored, as ksqlDB does.
                var result = await socket.ReceiveAsync(scratch, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }

        await query.CancelAsync().ConfigureAwait(false);
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        // A close frame's reason is at most 123 bytes of UTF-8.
        var bytes = Encoding.UTF8.GetBytes(reason);
        if (bytes.Length > 123)
        {
            var cut = 120;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            reason = Encoding.UTF8.GetString(bytes, 0, cut) + "...";
        }

        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }
}
