using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Eddy.Server.Tests;

[Collection("server")]
public sealed class StreamingTests(ServerFixture fixture)
{
    private static readonly object Earliest = new Dictionary<string, string> { ["auto.offset.reset"] = "earliest" };

    private HttpClient Http => fixture.Http;

    private async Task<string> CreateStreamAsync(string prefix)
    {
        var name = ServerFixture.Name(prefix);
        await fixture.OkAsync($"CREATE STREAM {name} (ID INT KEY, PAGE STRING, AMOUNT DECIMAL(4,2)) WITH (kafka_topic='{name.ToLowerInvariant()}', value_format='JSON', partitions=1);");
        return name;
    }

    private static HttpRequestMessage Post(string path, object body, string? accept = null, bool http2 = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        if (http2)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return request;
    }

    [Fact]
    public async Task A_push_query_with_a_limit_streams_header_rows_and_final_message()
    {
        var name = await CreateStreamAsync("PUSH");
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (1, 'home', 1.50); INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (2, 'about', 2.25);");
        using var request = Post("/query", new { ksql = $"SELECT ID, PAGE, AMOUNT FROM {name} EMIT CHANGES LIMIT 2;", streamsProperties = Earliest });
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(4, frames.GetArrayLength());
        Assert.StartsWith("transient_", frames[0].GetProperty("header").GetProperty("queryId").GetString(), StringComparison.Ordinal);
        Assert.Equal("`ID` INTEGER, `PAGE` STRING, `AMOUNT` DECIMAL(4, 2)", frames[0].GetProperty("header").GetProperty("schema").GetString());
        Assert.Equal("[1,\"home\",1.50]", frames[1].GetProperty("row").GetProperty("columns").GetRawText());
        Assert.Equal("[2,\"about\",2.25]", frames[2].GetProperty("row").GetProperty("columns").GetRawText());
        Assert.Equal("Limit Reached", frames[3].GetProperty("finalMessage").GetString());
        await ServerFixture.EventuallyAsync(() => Task.FromResult(fixture.Server.ActivePushQueries.Count == 0), TimeSpan.FromSeconds(10), "the push query to be closed");
    }

    [Fact]
    public async Task A_push_query_delivers_rows_inserted_while_it_runs_and_closes_when_the_client_disconnects()
    {
        var name = await CreateStreamAsync("LIVE");
        using var request = Post("/query", new { ksql = $"SELECT * FROM {name} EMIT CHANGES;", streamsProperties = Earliest });
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var header = await reader.ReadLineAsync();
        Assert.Contains("\"header\"", header, StringComparison.Ordinal);
        var queryId = JsonDocument.Parse(header!.TrimStart('[').TrimEnd(',')).RootElement.GetProperty("header").GetProperty("queryId").GetString()!;
        Assert.Contains(queryId, fixture.Server.ActivePushQueries);
        var shown = await fixture.OkAsync("SHOW QUERIES;");
        Assert.Contains(shown[0].GetProperty("queries").EnumerateArray(), q => q.GetProperty("id").GetString() == queryId && q.GetProperty("queryType").GetString() == "PUSH");

        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (7, 'live', 0.5);");
        string? line;
        do
        {
            line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        while (line is not null && line.Trim().Length == 0);
        Assert.Equal("{\"row\":{\"columns\":[7,\"live\",0.50]}},", line);

        response.Dispose();
        await ServerFixture.EventuallyAsync(() => Task.FromResult(!fixture.Server.ActivePushQueries.Contains(queryId)), TimeSpan.FromSeconds(15), "the server to close the abandoned push query");
    }

    [Theory]
    [InlineData("application/vnd.ksqlapi.delimited.v1")]
    [InlineData("application/json")]
    public async Task Query_stream_over_http2_serves_push_queries_in_both_formats_and_close_query_ends_them(string accept)
    {
        var name = await CreateStreamAsync("H2");
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (1, 'a', 1.00);");
        using var request = Post("/query-stream", new { sql = $"SELECT ID, PAGE FROM {name} EMIT CHANGES;", properties = Earliest }, accept, http2: true);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal(accept, response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync();
        var text = new StringBuilder();
        var buffer = new byte[4096];
        var json = accept == "application/json";

        // Read until the metadata and the first row are in.
        while (!text.ToString().Contains("[1,\"a\"]", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(n > 0, $"stream ended early: {text}");
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        var metadataText = json ? text.ToString()[1..text.ToString().IndexOf("},", StringComparison.Ordinal)] + "}" : text.ToString().Split('\n')[0];
        var metadata = JsonDocument.Parse(metadataText).RootElement;
        Assert.Equal(["ID", "PAGE"], metadata.GetProperty("columnNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["INTEGER", "STRING"], metadata.GetProperty("columnTypes").EnumerateArray().Select(e => e.GetString()));
        var queryId = metadata.GetProperty("queryId").GetString()!;

        var (status, _) = await ServerFixture.PostAsync(Http, "/close-query", new { queryId });
        Assert.Equal(HttpStatusCode.OK, status);
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15))) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        if (json)
        {
            var all = JsonDocument.Parse(text.ToString()).RootElement;
            Assert.Equal("[1,\"a\"]", all[1].GetRawText());
        }
        else
        {
            Assert.Equal("[1,\"a\"]", text.ToString().Split('\n')[1]);
        }

        Assert.DoesNotContain(queryId, fixture.Server.ActivePushQueries);
    }

    [Fact]
    public async Task Pull_queries_read_a_materialized_aggregate_by_key_and_by_scan()
    {
        var name = await CreateStreamAsync("PULLSRC");
        var table = name + "_COUNTS";
        await fixture.OkAsync($"CREATE TABLE {table} AS SELECT PAGE, COUNT(*) AS N FROM {name} GROUP BY PAGE;", Earliest);
        await fixture.OkAsync($"INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (1, 'home', 1.00); INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (2, 'home', 1.00); INSERT INTO {name} (ID, PAGE, AMOUNT) VALUES (3, 'about', 1.00);");

        JsonElement frames = default;
        await ServerFixture.EventuallyAsync(async () =>
        {
            var (status, body) = await ServerFixture.PostAsync(Http, "/query", new { ksql = $"SELECT * FROM {table} WHERE PAGE='home';" });
            frames = body;
            return status == HttpStatusCode.OK && body.GetArrayLength() == 2 && body[1].GetProperty("row").GetProperty("columns")[1].GetInt64() == 2;
        }, TimeSpan.FromSeconds(60), "the aggregate to count two home rows");
        Assert.Equal("`PAGE` STRING KEY, `N` BIGINT", frames[0].GetProperty("header").GetProperty("schema").GetString());

        // A table scan over HTTP/2 with the delimited format.
        using var request = Post("/query-stream", new { sql = $"SELECT * FROM {table};" }, http2: true);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(["[\"about\",1]", "[\"home\",2]"], lines[1..].Order(StringComparer.Ordinal));

        var (missingStatus, missing) = await ServerFixture.PostAsync(Http, "/query", new { ksql = $"SELECT * FROM {table} WHERE PAGE='missing';" });
        Assert.Equal(HttpStatusCode.OK, missingStatus);
        Assert.Equal(1, missing.GetArrayLength());
    }

    [Fact]
    public async Task A_bad_query_gets_a_statement_error_before_any_streaming()
    {
        var (status, body) = await ServerFixture.PostAsync(Http, "/query", new { ksql = "SELECT * FROM NO_SUCH_STREAM EMIT CHANGES;" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(40001, body.GetProperty("error_code").GetInt32());
        Assert.Contains("NO_SUCH_STREAM", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (status2, body2) = await ServerFixture.PostAsync(Http, "/query-stream", new { sql = "SELEC 1;" });
        Assert.Equal(HttpStatusCode.BadRequest, status2);
        Assert.Contains("line 1:1", body2.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inserts_stream_acknowledges_each_row_and_reports_a_bad_row()
    {
        var name = await CreateStreamAsync("INS");
        var body = $"{{\"target\":\"{name}\"}}\n{{\"ID\":1,\"PAGE\":\"a\",\"AMOUNT\":1.5}}\n{{\"ID\":2,\"PAGE\":\"b\",\"AMOUNT\":2}}\n{{\"ID\":\"not a number\"}}\n";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/inserts-stream") { Content = new StringContent(body, Encoding.UTF8, "application/vnd.ksqlapi.delimited.v1") };
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var acks = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, acks.Count);
        Assert.Equal("{\"status\":\"ok\",\"seq\":0}", acks[0].GetRawText());
        Assert.Equal("{\"status\":\"ok\",\"seq\":1}", acks[1].GetRawText());
        Assert.Equal("error", acks[2].GetProperty("status").GetString());
        Assert.Equal(2, acks[2].GetProperty("seq").GetInt32());
        Assert.Contains("ID", acks[2].GetProperty("message").GetString(), StringComparison.Ordinal);

        using var query = Post("/query", new { ksql = $"SELECT ID, AMOUNT FROM {name} EMIT CHANGES LIMIT 2;", streamsProperties = Earliest });
        using var rows = await Http.SendAsync(query);
        var frames = JsonDocument.Parse(await rows.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("[1,1.50]", frames[1].GetProperty("row").GetProperty("columns").GetRawText());
        Assert.Equal("[2,2.00]", frames[2].GetProperty("row").GetProperty("columns").GetRawText());

        using var unknown = new HttpRequestMessage(HttpMethod.Post, "/inserts-stream") { Content = new StringContent("{\"target\":\"NOPE\"}\n{}\n") };
        using var unknownResponse = await Http.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.BadRequest, unknownResponse.StatusCode);
    }
}
