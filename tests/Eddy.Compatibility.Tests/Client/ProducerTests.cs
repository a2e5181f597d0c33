using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Eddy.Compatibility.Tests.Client;

public abstract class ProducerTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Idempotent_producer_delivers_every_record_once_in_order_per_partition()
    {
        var broker = fixture.Broker;
        string topic = "idem-" + Guid.NewGuid().ToString("N")[..8];
        var config = new ProducerConfig { BootstrapServers = broker.Bootstrap, LingerMs = 2 };
        await using var producer = new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8, new XunitLoggerFactory(output));
        var tasks = new List<Task<DeliveryResult<string, string>>>();
        for (int i = 0; i < 2000; i++)
        {
            tasks.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 37}", Value = $"v{i}" }));
        }

        var results = await Task.WhenAll(tasks).WaitAsync(Deadline);
        Assert.All(results, r => Assert.True(r.Offset >= 0));
        Assert.True(producer.ProducerIdAndEpoch.ProducerId >= 0);
        foreach (var group in results.GroupBy(r => r.Partition))
        {
            var offsets = group.Select(r => r.Offset).ToList();
            Assert.Equal(offsets.Count, offsets.Distinct().Count());
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets.Order());
            Assert.Equal(offsets, offsets.Order()); // order of sends kept within the partition
        }

        var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\n"], Deadline);
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        var lines = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        Assert.Equal(2000, lines.Select(l => l.Split(' ')[3]).Distinct().Count());
    }
}

/// <summary>Against librdkafka's mock cluster.</summary>
public sealed class ProducerMockClusterTests(MockClusterFixture fixture, ITestOutputHelper output) : ProducerTests<MockClusterFixture>(fixture, output);
