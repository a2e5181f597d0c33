using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Eddy.Server.Tests;

[Collection("server")]
public sealed class WebSocketQueryTests(ServerFixture fixture)
{
    private static readonly Dictionary<string, string> Earliest = new() { ["auto.offset.reset"] = "earliest" };

    private async Task<string> CreateStreamAsync(string prefix)
    {
        var name = ServerFixture.Name(prefix);
        await fixture.OkAsync($"CREATE STREAM {name} (ID INT KEY, PAGE STRING) WITH (kafka_topic='{name.ToLowerInvariant()}', value_format='JSON', partitions=1);");
        return name;
    }

    private Uri WsUri(string? request, string? version = null)
    {
        var http = new Uri(fixture.Server.Urls[0]);
        var query = new List<string>();
        if (request is not null)
        {
            query.Add("request=" + Uri.EscapeDataString(request));
        }

        if (version is not null)
        {
            query.Add("version=" + version);
        }

        return new Uri($"ws://{http.Authority}/ws/query{(query.Count > 0 ? "?" + string.Join('&', query) : string.Empty)}");
    }

    private static string Request(string ksql, object? streamsProperties = null, long? commandSequenceNumber = null, object? sessionVariables = null) =>
        JsonSerializer.Serialize(new { ksql, streamsProperties = streamsProperties ?? new Dictionary<string, string>(), commandSequenceNumber, sessionVariables = sessionVariables ?? new Dictionary<string, string>() });

    private static async Task<string?> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(text.ToArray());
            }
        }
    }

    /// <summary>Connects and reads every message until the server closes the socket.</summary>
    private async Task<(List<string> Messages, WebSocketCloseStatus? Status, string? Reason)> RunAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var messages = new List<string>();
        while (await ReceiveAsync(socket) is { } message)
        {
            messages.Add(message);
        }

        return (messages, socket.CloseStatus, socket.CloseStatusDescription);
    }

    [Fact]
    public async Task A_limited_push_query_sends_the_schema_then_one_message_per_row_and_closes_with_done()
    {
        var name = await CreateStreamAsync("WSPUSH");
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE) VALUES (1, 'home'); INSERT INTO {name} (ID, PAGE) VALUES (2, 'about');");

        var (messages, status, reason) = await RunAsync(WsUri(Request($"SELECT ID, PAGE FROM {name} EMIT CHANGES LIMIT 2;", Earliest), version: "1"));

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("done", reason);
        Assert.Equal(3, messages.Count);
        var schema = JsonDocument.Parse(messages[0]).RootElement;
        Assert.Equal(["ID", "PAGE"], schema.EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(["INTEGER", "STRING"], schema.EnumerateArray().Select(f => f.GetProperty("schema").GetProperty("type").GetString()));
        Assert.Equal("{\"row\":{\"columns\":[1,\"home\"]}}", messages[1]);
        Assert.Equal("{\"row\":{\"columns\":[2,\"about\"]}}", messages[2]);
        await ServerFixture.EventuallyAsync(() => Task.FromResult(fixture.Server.ActivePushQueries.Count == 0), TimeSpan.FromSeconds(10), "the push query to be closed");
    }

    [Fact]
    public async Task A_pull_query_marks_key_columns_in_its_schema_and_closes_with_done()
    {
        var name = await CreateStreamAsync("WSPULL");
        var table = name + "_N";
        await fixture.OkAsync($"CREATE TABLE {table} AS SELECT PAGE, COUNT(*) AS N FROM {name} GROUP BY PAGE;", Earliest);
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE) VALUES (1, 'home'); INSERT INTO {name} (ID, PAGE) VALUES (2, 'home');");

        List<string> messages = [];
        await ServerFixture.EventuallyAsync(async () =>
        {
            var (m, status, reason) = await RunAsync(WsUri(Request("SELECT * FROM ${source} WHERE PAGE='home';", sessionVariables: new { source = table })));
            Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
            Assert.Equal("done", reason);
            messages = m;
            return m.Count == 2 && m[1] == "{\"row\":{\"columns\":[\"home\",2]}}";
        }, TimeSpan.FromSeconds(60), "the pull query to see a count of 2");

        var schema = JsonDocument.Parse(messages[0]).RootElement;
        Assert.Equal("KEY", schema[0].GetProperty("type").GetString());
        Assert.Equal("PAGE", schema[0].GetProperty("name").GetString());
        Assert.False(schema[1].TryGetProperty("type", out _));
        Assert.Equal("BIGINT", schema[1].GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Closing_the_socket_ends_the_push_query_and_rows_arrive_while_it_runs()
    {
        var name = await CreateStreamAsync("WSLIVE");
        var earlier = fixture.Server.ActivePushQueries.ToHashSet();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(WsUri(Request($"SELECT * FROM {name} EMIT CHANGES;", Earliest)), CancellationToken.None);
        Assert.NotNull(await ReceiveAsync(socket));
        var queryId = Assert.Single(fixture.Server.ActivePushQueries, id => !earlier.Contains(id));
        Assert.StartsWith("transient_", queryId, StringComparison.Ordinal);

        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE) VALUES (7, 'live');");
        Assert.Equal("{\"row\":{\"columns\":[7,\"live\"]}}", await ReceiveAsync(socket));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(WebSocketState.Closed, socket.State);
        await ServerFixture.EventuallyAsync(() => Task.FromResult(!fixture.Server.ActivePushQueries.Contains(queryId)), TimeSpan.FromSeconds(15), "the server to drop the push query of the closed socket");
    }

    [Fact]
    public async Task Print_sends_the_format_lines_and_each_record_as_json_strings_without_a_schema()
    {
        var name = await CreateStreamAsync("WSPRINT");
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE) VALUES (3, 'printed');");

        var (messages, status, reason) = await RunAsync(WsUri(Request($"PRINT '{name.ToLowerInvariant()}' FROM BEGINNING LIMIT 1;")));

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("done", reason);
        var lines = messages.Select(m => JsonDocument.Parse(m).RootElement.GetString()!).ToList();
        Assert.StartsWith("Key format:", lines[0], StringComparison.Ordinal);
        var line = lines[^1];
        Assert.Contains("printed", line, StringComparison.Ordinal);
        Assert.Contains("key: 3", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "Error parsing request: missing request parameter")]
    [InlineData("{\"ksql\":\"\"}", null, "Error parsing request: \"ksql\" field of \"request\" must be populated")]
    [InlineData("{\"ksql\":", null, "Error parsing request:")]
    [InlineData("{\"ksql\":\"SELECT * FROM NO_SUCH_WS_STREAM EMIT CHANGES;\"}", null, "NO_SUCH_WS_STREAM")]
    [InlineData("{\"ksql\":\"SHOW STREAMS;\"}", null, "'/ksql' endpoint")]
    [InlineData("{\"ksql\":\"SELECT 1;\"}", "2", "Received invalid api version: 2")]
    public async Task Bad_requests_are_closed_with_a_reason_that_names_the_problem(string? request, string? version, string reason)
    {
        var (messages, status, actual) = await RunAsync(WsUri(request, version));
        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);
        Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_sequence_number_the_log_never_reaches_closes_with_try_again_later()
    {
        var name = await CreateStreamAsync("WSSEQ");
        var (messages, status, reason) = await RunAsync(WsUri(Request($"SELECT * FROM {name} EMIT CHANGES;", commandSequenceNumber: long.MaxValue / 2)));
        Assert.Empty(messages);
        Assert.Equal((WebSocketCloseStatus)1013, status);
        Assert.Contains("Timed out while waiting for a previous command to execute", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_get_without_an_upgrade_gets_a_clear_400()
    {
        var (status, body) = await GetAsync("/ws/query?request=%7B%7D");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("websocket", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
