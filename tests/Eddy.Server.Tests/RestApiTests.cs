using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Eddy.Server.Tests;

[Collection("server")]
public sealed class RestApiTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Info_reports_the_server_as_ksqlDB_does()
    {
        using var response = await Http.GetAsync("/info");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.ksql.v1+json", response.Content.Headers.ContentType?.MediaType);
        var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("KsqlServerInfo");
        Assert.Equal(EddyServer.Version, info.GetProperty("version").GetString());
        Assert.Equal(fixture.Server.KafkaClusterId, info.GetProperty("kafkaClusterId").GetString());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("kafkaClusterId").GetString()));
        Assert.Equal("default_", info.GetProperty("ksqlServiceId").GetString());
        Assert.Equal("RUNNING", info.GetProperty("serverStatus").GetString());
    }

    [Fact]
    public async Task Healthcheck_reports_metastore_and_kafka()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthcheck");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(health.GetProperty("isHealthy").GetBoolean());
        Assert.True(health.GetProperty("details").GetProperty("metastore").GetProperty("isHealthy").GetBoolean());
        Assert.True(health.GetProperty("details").GetProperty("kafka").GetProperty("isHealthy").GetBoolean());
    }

    [Fact]
    public async Task Create_show_and_describe_return_ksqlDB_entities_and_command_statuses()
    {
        var name = ServerFixture.Name("SHAPES");
        var body = await fixture.OkAsync(
            $"CREATE STREAM {name} (ID INT KEY, V STRING, D DECIMAL(4,2)) WITH (kafka_topic='{name.ToLowerInvariant()}', value_format='JSON', partitions=1);\nSHOW STREAMS;\nDESCRIBE {name};");
        Assert.Equal(3, body.GetArrayLength());

        var created = body[0];
        Assert.Equal("currentStatus", created.GetProperty("@type").GetString());
        Assert.Equal($"stream/`{name}`/create", created.GetProperty("commandId").GetString());
        Assert.Equal("SUCCESS", created.GetProperty("commandStatus").GetProperty("status").GetString());
        Assert.Equal("Stream created", created.GetProperty("commandStatus").GetProperty("message").GetString());
        Assert.True(created.GetProperty("commandSequenceNumber").GetInt64() >= 0);
        Assert.Equal(0, created.GetProperty("warnings").GetArrayLength());
        Assert.StartsWith("CREATE STREAM", created.GetProperty("statementText").GetString(), StringComparison.Ordinal);

        var streams = body[1];
        Assert.Equal("streams", streams.GetProperty("@type").GetString());
        var info = streams.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
        Assert.Equal("STREAM", info.GetProperty("type").GetString());
        Assert.Equal(name.ToLowerInvariant(), info.GetProperty("topic").GetString());
        Assert.Equal("KAFKA", info.GetProperty("keyFormat").GetString());
        Assert.Equal("JSON", info.GetProperty("valueFormat").GetString());
        Assert.False(info.GetProperty("isWindowed").GetBoolean());

        var described = body[2];
        Assert.Equal("sourceDescription", described.GetProperty("@type").GetString());
        var source = described.GetProperty("sourceDescription");
        Assert.Equal(name, source.GetProperty("name").GetString());
        var fields = source.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["ID", "V", "D"], fields.Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("KEY", fields[0].GetProperty("type").GetString());
        Assert.Equal("INTEGER", fields[0].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(2, fields[2].GetProperty("schema").GetProperty("parameters").GetProperty("scale").GetInt32());

        using var status = await Http.GetAsync($"/status/stream/{Uri.EscapeDataString($"`{name}`")}/create");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var statusBody = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("SUCCESS", statusBody.GetProperty("status").GetString());
        Assert.Equal("Stream created", statusBody.GetProperty("message").GetString());

        var all = JsonDocument.Parse(await Http.GetStringAsync("/status")).RootElement.GetProperty("commandStatuses");
        Assert.Equal("SUCCESS", all.GetProperty($"stream/`{name}`/create").GetString());

        using var missing = await Http.GetAsync("/status/stream/NOPE/create");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(40400, JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error_code").GetInt32());
    }

    [Fact]
    public async Task Show_topics_functions_and_types_and_describe_function_use_ksqlDB_entity_shapes()
    {
        var name = ServerFixture.Name("TOPICS");
        await fixture.OkAsync($"CREATE STREAM {name} (ID INT KEY, V STRING) WITH (kafka_topic='{name.ToLowerInvariant()}', value_format='JSON', partitions=2);");
        var body = await fixture.OkAsync("SHOW TOPICS; SHOW FUNCTIONS; DESCRIBE FUNCTION UCASE; SHOW TYPES;");
        Assert.Equal("kafka_topics", body[0].GetProperty("@type").GetString());
        var topicName = name.ToLowerInvariant();
        var topic = body[0].GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == topicName);
        Assert.Equal(2, topic.GetProperty("replicaInfo").GetArrayLength());

        Assert.Equal("function_names", body[1].GetProperty("@type").GetString());
        var ucase = body[1].GetProperty("functions").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "UCASE");
        Assert.Equal("SCALAR", ucase.GetProperty("type").GetString());

        Assert.Equal("describe_function", body[2].GetProperty("@type").GetString());
        Assert.Equal("UCASE", body[2].GetProperty("name").GetString());
        var overload = body[2].GetProperty("functions")[0];
        Assert.Equal("VARCHAR", overload.GetProperty("returnType").GetString());
        Assert.False(overload.GetProperty("arguments")[0].GetProperty("isVariadic").GetBoolean());

        Assert.Equal("type_list", body[3].GetProperty("@type").GetString());
        Assert.Equal(JsonValueKind.Object, body[3].GetProperty("types").ValueKind);
    }

    [Fact]
    public async Task Bad_sql_gets_a_statement_error_with_line_and_column()
    {
        var (status, body) = await fixture.KsqlAsync("SHOW STREAMS;\nCREATE STREM x (a INT) WITH (kafka_topic='x', value_format='JSON');");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("statement_error", body.GetProperty("@type").GetString());
        Assert.Equal(40001, body.GetProperty("error_code").GetInt32());
        Assert.Contains("line 2:8", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("entities").ValueKind);
    }

    [Fact]
    public async Task A_failing_statement_reports_the_entities_before_it()
    {
        var (status, body) = await fixture.KsqlAsync("SHOW STREAMS; DESCRIBE NO_SUCH_SOURCE;");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("DESCRIBE NO_SUCH_SOURCE;", body.GetProperty("statementText").GetString());
        Assert.Contains("NO_SUCH_SOURCE", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("streams", body.GetProperty("entities")[0].GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Queries_sent_to_ksql_are_told_to_use_the_query_endpoint()
    {
        var (status, body) = await fixture.KsqlAsync("SELECT * FROM X EMIT CHANGES;");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(40002, body.GetProperty("error_code").GetInt32());
        Assert.Contains("'/query'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_requests_get_generic_errors()
    {
        using var bad = await Http.PostAsync("/ksql", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var body = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("generic_error", body.GetProperty("@type").GetString());
        Assert.Equal(40000, body.GetProperty("error_code").GetInt32());

        var (status, missing) = await ServerFixture.PostAsync(Http, "/ksql", new { sql = "SHOW STREAMS;" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("ksql", missing.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var notFound = await Http.GetAsync("/no/such/endpoint");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/ksql") { Content = new StringContent("{\"ksql\":\"SHOW STREAMS;\"}") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var notAcceptable = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.StatusCode);
    }

    [Fact]
    public async Task Accept_application_json_is_answered_with_application_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ksql") { Content = new StringContent("{\"ksql\":\"SHOW TABLES;\"}", Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("tables", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement[0].GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Cluster_status_lists_this_host()
    {
        var body = JsonDocument.Parse(await Http.GetStringAsync("/clusterStatus")).RootElement.GetProperty("clusterStatus");
        var host = body.EnumerateObject().Single();
        Assert.True(host.Value.GetProperty("hostAlive").GetBoolean());
        Assert.Equal(JsonValueKind.Object, host.Value.GetProperty("activeStandbyPerQuery").ValueKind);
    }

    [Fact]
    public async Task Closing_an_unknown_query_is_a_bad_request()
    {
        var (status, body) = await ServerFixture.PostAsync(Http, "/close-query", new { queryId = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("nope", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
