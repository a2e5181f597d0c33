using Eddy.Broker;
using Eddy.Client;
using Eddy.Sql.Engine;

namespace Eddy.Sql.Tests.Engine;

/// <summary>The command log on a Kafka topic of the embedded broker: written by one engine, replayed by the next.</summary>
public sealed class KafkaCommandLogTests
{
    [Fact]
    public async Task An_engine_restarted_on_the_command_topic_rebuilds_its_metastore()
    {
        var dir = Path.Combine(Path.GetTempPath(), "eddy-sql-commandlog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await using var broker = await KafkaBroker.StartAsync(new BrokerOptions { DataDirectory = dir, Port = 0 });
            var bootstrap = broker.Endpoints[0].ToString();
            await using (var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = bootstrap }))
            {
                await admin.CreateTopicsAsync([new NewTopic("_confluent-ksql-default__command_topic", 1, 1)]);
            }

            await using (var log = new KafkaCommandLog(bootstrap))
            {
                using var engine = new SqlEngine(log);
                await engine.StartAsync();
                await engine.ExecuteAsync("""
                    CREATE STREAM orders (id BIGINT KEY, item STRING, price DOUBLE) WITH (kafka_topic='orders', value_format='JSON');
                    CREATE TABLE totals AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item;
                    """);
            }

            await using (var log = new KafkaCommandLog(bootstrap))
            {
                using var engine = new SqlEngine(log);
                await engine.StartAsync();
                Assert.NotNull(engine.Sources.Find("ORDERS"));
                Assert.Equal("CTAS_TOTALS_1", Assert.Single(engine.Queries).Id);
                var next = Assert.IsType<CommandStatusEntity>(Assert.Single(await engine.ExecuteAsync("CREATE STREAM big AS SELECT * FROM orders WHERE price > 1;")));
                Assert.Equal(2, next.CommandSequenceNumber);
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
}
