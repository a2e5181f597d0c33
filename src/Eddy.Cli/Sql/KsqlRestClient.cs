using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Eddy.Cli.Shell;

/// <summary>An error the server answered with (ksqlDB's KsqlErrorMessage: error_code and message).</summary>
internal sealed class KsqlServerException(int errorCode, string message, JsonElement? body = null) : Exception(message)
{
    public int ErrorCode { get; } = errorCode;

    /// <summary>The error object as the server sent it, for JSON output.</summary>
    public JsonElement? Body { get; } = body;
}

/// <summary>The server could not be reached or did not speak the REST API.</summary>
internal sealed class ServerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The few calls of ksqlDB's REST API the shell needs (/info, /ksql, /query-stream, /close-query),
/// written against the protocol rather than any one server so that the shell also talks to ksqlDB.
/// </summary>
internal sealed class KsqlRestClient : IDisposable
{
    private const string KsqlJson = "application/vnd.ksql.v1+json";
    private const string Delimited = "application/vnd.ksqlapi.delimited.v1";

    private readonly HttpClient _http;

    public KsqlRestClient(Uri server, HttpMessageHandler? handler = null)
    {
        Server = server;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = server,
            // Push queries run until stopped; each call sets its own limits instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri Server { get; }

    /// <summary>Parses a server address; a bare host:port gets http://.</summary>
    public static Uri ParseServer(string text)
    {
        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"'{text}' is not a server URL; expected e.g. http://localhost:8088");
        }
        return uri;
    }

    /// <summary>GET /info: the KsqlServerInfo object.</summary>
    public async Task<JsonElement> GetInfoAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var request = new HttpRequestMessage(HttpMethod.Get, "info");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(KsqlJson));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellationToken).ConfigureAwait(false);
        var body = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || body is not { ValueKind: JsonValueKind.Object } info || !info.TryGetProperty("KsqlServerInfo", out var serverInfo))
        {
            throw new ServerUnreachableException($"{Server} answered GET /info with HTTP {(int)response.StatusCode}; it does not look like a ksqlDB-compatible server");
        }
        return serverInfo;
    }

    /// <summary>POST /ksql with one statement: the entity array, or a <see cref="KsqlServerException"/>.</summary>
    public async Task<JsonElement> ExecuteAsync(string sql, IReadOnlyDictionary<string, string> properties, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["ksql"] = sql,
            ["streamsProperties"] = ToJson(properties),
            ["sessionVariables"] = ToJson(variables),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "ksql") { Content = JsonContent(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(KsqlJson));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken, cancellationToken).ConfigureAwait(false);
        var json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw ToError(response.StatusCode, json);
        }
        if (json is not { ValueKind: JsonValueKind.Array } entities)
        {
            throw new KsqlServerException(50000, $"The server answered POST /ksql with something other than an entity list: {json?.GetRawText() ?? "(empty)"}");
        }
        return entities;
    }

    /// <summary>POST /query-stream (HTTP/1.1 chunked, delimited): the header is read before this returns.</summary>
    public async Task<QueryStream> StreamQueryAsync(string sql, IReadOnlyDictionary<string, string> properties, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["sql"] = sql,
            ["properties"] = ToJson(properties),
            ["sessionVariables"] = ToJson(variables),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "query-stream") { Content = JsonContent(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Delimited));
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                throw ToError(response.StatusCode, await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false));
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var reader = new StreamReader(stream, Encoding.UTF8);
            var first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            return QueryStream.Start(response, reader, first);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>POST /close-query: best effort, since the server also closes a query whose client went away.</summary>
    public async Task CloseQueryAsync(string queryId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var request = new HttpRequestMessage(HttpMethod.Post, "close-query") { Content = JsonContent(new JsonObject { ["queryId"] = queryId }) };
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // The disconnect that follows closes the query as well.
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token, CancellationToken userToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException($"cannot reach the server at {Server}: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (OperationCanceledException e) when (!userToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException($"the server at {Server} did not answer in time", e);
        }
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page, say): keep the text so that the message shows it.
            return JsonSerializer.SerializeToElement(text);
        }
    }

    internal static KsqlServerException ToError(HttpStatusCode status, JsonElement? body)
    {
        if (body is { ValueKind: JsonValueKind.Object } error && error.TryGetProperty("message", out var message))
        {
            int code = error.TryGetProperty("error_code", out var c) && c.TryGetInt32(out int n) ? n : (int)status * 100;
            return new KsqlServerException(code, message.GetString() ?? string.Empty, error);
        }
        var detail = body is { ValueKind: JsonValueKind.String } s ? s.GetString() : body?.GetRawText();
        return new KsqlServerException((int)status * 100, $"HTTP {(int)status} {status}{(string.IsNullOrWhiteSpace(detail) ? string.Empty : ": " + detail.Trim())}", body);
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = value;
        }
        return json;
    }

    private static StringContent JsonContent(JsonNode body) =>
        new(body.ToJsonString(), Encoding.UTF8, KsqlJson);
}

/// <summary>
/// A running query's response: its metadata line, then one JSON array per row. PRINT answers with
/// plain text lines instead, which <see cref="ReadAsync"/> hands back as text.
/// </summary>
internal sealed class QueryStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private string? _pending;

    private QueryStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public string? QueryId { get; private set; }

    public IReadOnlyList<string> ColumnNames { get; private set; } = [];

    public IReadOnlyList<string> ColumnTypes { get; private set; } = [];

    /// <summary>The metadata line as received (printed as-is in JSON output).</summary>
    public string? HeaderText { get; private set; }

    /// <summary>False for PRINT and anything else that does not start with a metadata object.</summary>
    public bool IsTabular { get; private set; }

    internal static QueryStream Start(HttpResponseMessage response, StreamReader reader, string? first)
    {
        var stream = new QueryStream(response, reader);
        if (first is null)
        {
            return stream;
        }
        JsonElement header;
        try
        {
            using var document = JsonDocument.Parse(first);
            header = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            stream._pending = first;
            return stream;
        }
        if (header.ValueKind == JsonValueKind.Object && header.TryGetProperty("columnNames", out var names))
        {
            stream.IsTabular = true;
            stream.HeaderText = first;
            stream.QueryId = header.TryGetProperty("queryId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            stream.ColumnNames = [.. names.EnumerateArray().Select(n => n.GetString() ?? string.Empty)];
            stream.ColumnTypes = header.TryGetProperty("columnTypes", out var types) ? [.. types.EnumerateArray().Select(n => n.GetString() ?? string.Empty)] : [];
            return stream;
        }
        if (header.ValueKind == JsonValueKind.Object && header.TryGetProperty("message", out _))
        {
            response.Dispose();
            throw KsqlRestClient.ToError(HttpStatusCode.BadRequest, header);
        }
        stream._pending = first;
        return stream;
    }

    /// <summary>The next row (a JSON array) or text line; null at the end of the response.</summary>
    public async Task<QueryLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            string? line = _pending ?? await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            _pending = null;
            if (line is null)
            {
                return null;
            }
            if (!IsTabular)
            {
                return new QueryLine(null, line);
            }
            // Blank lines are keep-alives.
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return new QueryLine(null, line);
            }
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("message", out _))
            {
                throw KsqlRestClient.ToError(HttpStatusCode.InternalServerError, element);
            }
            return new QueryLine(element, line);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}

/// <summary>One line of a query response: a row (a JSON array) or, for PRINT, text.</summary>
internal readonly record struct QueryLine(JsonElement? Row, string Text);
