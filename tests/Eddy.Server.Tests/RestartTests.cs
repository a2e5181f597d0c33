using System.Net;
using System.Text.Json;

namespace Eddy.Server.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task After_a_restart_on_the_same_data_dir_the_table_answers_the_same_and_keeps_updating()
    {
        var dir = Path.Combine(Path.GetTempPath(), "eddy-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var earliest = new Dictionary<string, string> { ["auto.offset.reset"] = "earliest" };
            await using (var server = await ServerFixture.StartAsync(dir))
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
                await OkAsync(http, "CREATE STREAM CLICKS (ID INT KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON', partitions=1);");
                await OkAsync(http, "CREATE TABLE PAGE_COUNTS AS SELECT PAGE, COUNT(*) AS N FROM CLICKS GROUP BY PAGE;", earliest);
                await OkAsync(http, "INSERT INTO CLICKS (ID, PAGE) VALUES (1, 'home'); INSERT INTO CLICKS (ID, PAGE) VALUES (2, 'home');");
                await ServerFixture.EventuallyAsync(async () => await CountAsync(http) == 2, TimeSpan.FromSeconds(60), "the count to reach 2");
            }

            await using (var server = await ServerFixture.StartAsync(dir))
            {
                using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
                await ServerFixture.EventuallyAsync(async () => await CountAsync(http) == 2, TimeSpan.FromSeconds(60), "the restarted table to answer 2");
                await OkAsync(http, "INSERT INTO CLICKS (ID, PAGE) VALUES (3, 'home');");
                await ServerFixture.EventuallyAsync(async () => await CountAsync(http) == 3, TimeSpan.FromSeconds(60), "the restarted query to count the new row");
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

    private static async Task OkAsync(HttpClient http, string ksql, object? props = null)
    {
        var (status, body) = await ServerFixture.PostAsync(http, "/ksql", new { ksql, streamsProperties = props ?? new { } });
        Assert.True(status == HttpStatusCode.OK, $"{ksql} -> {body}");
    }

    private static async Task<long> CountAsync(HttpClient http)
    {
        var (status, body) = await ServerFixture.PostAsync(http, "/query", new { ksql = "SELECT * FROM PAGE_COUNTS WHERE PAGE='home';" });
        return status == HttpStatusCode.OK && body.ValueKind == JsonValueKind.Array && body.GetArrayLength() == 2
            ? body[1].GetProperty("row").GetProperty("columns")[1].GetInt64()
            : -1;
    }
}
