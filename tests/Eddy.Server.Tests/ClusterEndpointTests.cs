using System.Net;
using System.Text.Json;

namespace Eddy.Server.Tests;

[Collection("server")]
public sealed class ClusterEndpointTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Command_sequence_numbers_grow_with_each_logged_statement()
    {
        var a = ServerFixture.Name("SEQA");
        var b = ServerFixture.Name("SEQB");
        var body = await fixture.OkAsync(
            $"CREATE STREAM {a} (ID INT KEY, V STRING) WITH (kafka_topic='{a.ToLowerInvariant()}', value_format='JSON', partitions=1);" +
            $"CREATE STREAM {b} (ID INT KEY, V STRING) WITH (kafka_topic='{b.ToLowerInvariant()}', value_format='JSON', partitions=1);");
        var first = body[0].GetProperty("commandSequenceNumber").GetInt64();
        var second = body[1].GetProperty("commandSequenceNumber").GetInt64();
        Assert.True(second > first, $"{second} should follow {first}");
        Assert.Equal(second, fixture.Server.Engine.LastAppliedCommandSequence);

        var drop = await fixture.OkAsync($"DROP STREAM {b};");
        Assert.True(drop[0].GetProperty("commandSequenceNumber").GetInt64() > second);
    }

    [Fact]
    public async Task A_request_carrying_an_applied_command_sequence_number_runs_at_once()
    {
        var name = ServerFixture.Name("SEQOK");
        var created = await fixture.OkAsync($"CREATE STREAM {name} (ID INT KEY, V STRING) WITH (kafka_topic='{name.ToLowerInvariant()}', value_format='JSON', partitions=1);");
        var sequence = created[0].GetProperty("commandSequenceNumber").GetInt64();

        var (status, body) = await ServerFixture.PostAsync(Http, "/ksql", new { ksql = $"DESCRIBE {name};", commandSequenceNumber = sequence });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(name, body[0].GetProperty("sourceDescription").GetProperty("name").GetString());

        var (queryStatus, _) = await ServerFixture.PostAsync(Http, "/query", new { ksql = $"SELECT * FROM {name} EMIT CHANGES LIMIT 0;", commandSequenceNumber = sequence });
        Assert.Equal(HttpStatusCode.OK, queryStatus);
    }

    [Theory]
    [InlineData("/ksql", "ksql", "SHOW STREAMS;")]
    [InlineData("/query", "ksql", "SELECT * FROM NOTHING_YET EMIT CHANGES;")]
    [InlineData("/query-stream", "sql", "SELECT * FROM NOTHING_YET EMIT CHANGES;")]
    public async Task A_command_sequence_number_ahead_of_the_log_gets_503_after_the_timeout(string path, string field, string sql)
    {
        var ahead = fixture.Server.Engine.LastAppliedCommandSequence + 1000;
        var request = new Dictionary<string, object> { [field] = sql, ["commandSequenceNumber"] = ahead };
        var (status, body) = await ServerFixture.PostAsync(Http, path, request, accept: "application/json");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(50301, body.GetProperty("error_code").GetInt32());
        Assert.Equal($"Timed out while waiting for a previous command to execute. command sequence number: {ahead}", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_command_sequence_number_that_is_not_an_integer_is_rejected()
    {
        var (status, body) = await ServerFixture.PostAsync(Http, "/ksql", new { ksql = "SHOW STREAMS;", commandSequenceNumber = "soon" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("commandSequenceNumber", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_reports_the_version_kafka_cluster_and_service_id()
    {
        var (status, metadata) = await GetAsync("/v1/metadata");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(EddyServer.Version, metadata.GetProperty("version").GetString());
        var clusters = metadata.GetProperty("clusterId").GetProperty("scope").GetProperty("clusters");
        Assert.Equal(fixture.Server.KafkaClusterId, clusters.GetProperty("kafka-cluster").GetString());
        Assert.Equal("default_", clusters.GetProperty("ksql-cluster").GetString());
        Assert.Equal(0, metadata.GetProperty("clusterId").GetProperty("scope").GetProperty("path").GetArrayLength());

        var (idStatus, id) = await GetAsync("/v1/metadata/id");
        Assert.Equal(HttpStatusCode.OK, idStatus);
        Assert.Equal(metadata.GetProperty("clusterId").GetRawText(), id.GetRawText());
    }

    [Fact]
    public async Task Heartbeat_and_lag_reports_are_acknowledged_and_malformed_ones_rejected()
    {
        var (status, body) = await ServerFixture.PostAsync(Http, "/heartbeat", new { hostInfo = new { host = "10.0.0.2", port = 8088 }, timestamp = 1_700_000_000_000 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("isOk").GetBoolean());

        var lag = new { hostInfo = new { host = "10.0.0.2", port = 8088 }, hostPartitionStoreLags = new { stateStoreLags = new { }, updateTimeMs = 1 }, lastLagUpdateMs = 1 };
        var (lagStatus, lagBody) = await ServerFixture.PostAsync(Http, "/lag", lag);
        Assert.Equal(HttpStatusCode.OK, lagStatus);
        Assert.True(lagBody.GetProperty("isOk").GetBoolean());

        var (badStatus, bad) = await ServerFixture.PostAsync(Http, "/heartbeat", new { timestamp = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("hostInfo", bad.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (clusterStatus, cluster) = await GetAsync("/clusterStatus");
        Assert.Equal(HttpStatusCode.OK, clusterStatus);
        var host = Assert.Single(cluster.GetProperty("clusterStatus").EnumerateObject());
        Assert.True(host.Value.GetProperty("hostAlive").GetBoolean());
        Assert.Empty(host.Value.GetProperty("hostStoreLags").GetProperty("stateStoreLags").EnumerateObject());
    }
}
