using System.Net;
using System.Text.Json;

namespace Eddy.Server.Tests;

/// <summary>TERMINATE CLUSTER drops everything, so it runs on a server of its own.</summary>
public sealed class TerminateClusterTests
{
    [Fact]
    public async Task Terminate_cluster_drops_everything_deletes_sink_and_listed_topics_and_stays_terminated_after_a_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "eddy-terminate-" + Guid.NewGuid().ToString("N")[..8]);
        var earliest = new Dictionary<string, string> { ["auto.offset.reset"] = "earliest" };
        try
        {
            await using (var server = await ServerFixture.StartAsync(dir))
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
                await OkAsync(http, "CREATE STREAM CLICKS (ID INT KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON', partitions=1);");
                await OkAsync(http, "CREATE STREAM AUDIT (ID INT KEY, WHO STRING) WITH (kafka_topic='audit_log', value_format='JSON', partitions=1);");
                await OkAsync(http, "CREATE TABLE PAGE_COUNTS AS SELECT PAGE, COUNT(*) AS N FROM CLICKS GROUP BY PAGE;", earliest);
                await OkAsync(http, "CREATE TYPE ADDRESS AS STRUCT<STREET STRING>;");
                Assert.Contains("PAGE_COUNTS", await TopicsAsync(http));

                var (badStatus, bad) = await ServerFixture.PostAsync(http, "/ksql/terminate", new { deleteTopicList = new[] { "(unclosed" } });
                Assert.Equal(HttpStatusCode.BadRequest, badStatus);
                Assert.Equal("Invalid pattern: (unclosed", bad.GetProperty("message").GetString());
                Assert.NotEmpty(server.Engine.Queries);

                var (status, body) = await ServerFixture.PostAsync(http, "/ksql/terminate", new { deleteTopicList = new[] { "audit.*" } });
                Assert.Equal(HttpStatusCode.OK, status);
                var entity = Assert.Single(body.EnumerateArray());
                Assert.Equal("currentStatus", entity.GetProperty("@type").GetString());
                Assert.Equal("TERMINATE CLUSTER;", entity.GetProperty("statementText").GetString());
                Assert.Equal("SUCCESS", entity.GetProperty("commandStatus").GetProperty("status").GetString());
                Assert.Equal(server.Engine.LastAppliedCommandSequence, entity.GetProperty("commandSequenceNumber").GetInt64());

                Assert.Empty(server.Engine.Queries);
                Assert.Empty(server.Engine.Sources.SourceNames);
                var streams = await OkAsync(http, "SHOW STREAMS; SHOW TABLES; SHOW TYPES;");
                Assert.Empty(streams[0].GetProperty("streams").EnumerateArray());
                Assert.Empty(streams[1].GetProperty("tables").EnumerateArray());
                Assert.Empty(streams[2].GetProperty("types").EnumerateObject());

                // The sink the engine created and the topic named by a pattern go; a source topic not named stays.
                await ServerFixture.EventuallyAsync(async () =>
                {
                    var topics = await TopicsAsync(http);
                    return !topics.Contains("PAGE_COUNTS") && !topics.Contains("audit_log");
                }, TimeSpan.FromSeconds(30), "the sink and listed topics to be deleted");
                Assert.Contains("clicks", await TopicsAsync(http));
            }

            await using (var server = await ServerFixture.StartAsync(dir))
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
                Assert.Empty(server.Engine.Queries);
                Assert.Empty(server.Engine.Sources.SourceNames);
                var topics = await TopicsAsync(http);
                Assert.DoesNotContain("PAGE_COUNTS", topics);
                Assert.DoesNotContain("audit_log", topics);

                // A terminated cluster is usable again from scratch, and a bare POST (curl -X POST) terminates it again.
                await OkAsync(http, "CREATE STREAM CLICKS (ID INT KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON', partitions=1);");
                using var response = await http.PostAsync("/ksql/terminate", content: null);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Empty(server.Engine.Sources.SourceNames);
                Assert.Contains("clicks", await TopicsAsync(http));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<JsonElement> OkAsync(HttpClient http, string ksql, object? props = null)
    {
        var (status, body) = await ServerFixture.PostAsync(http, "/ksql", new { ksql, streamsProperties = props ?? new { } });
        Assert.True(status == HttpStatusCode.OK, $"{ksql} -> {body}");
        return body;
    }

    private static async Task<HashSet<string>> TopicsAsync(HttpClient http)
    {
        var body = await OkAsync(http, "SHOW TOPICS;");
        return body[0].GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
    }
}
