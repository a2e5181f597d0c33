using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol;
using Xunit.Abstractions;
using static Eddy.Compatibility.Tests.Client.ClientTestHelpers;

namespace Eddy.Compatibility.Tests.Client;

public abstract class AdminTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Fact]
    public async Task Describes_topics_cluster_offsets_and_group_offsets()
    {
        var broker = fixture.Broker;
        string topic = NewTopic("admin");
        string group = NewTopic("admin-g");
        await ProduceAsync(broker.Bootstrap, topic, 100);
        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = broker.Bootstrap });

        var cluster = await admin.DescribeClusterAsync();
        Assert.NotEmpty(cluster.Brokers);
        var topics = await admin.DescribeTopicsAsync([topic, "no-such-topic-" + Guid.NewGuid().ToString("N")]);
        Assert.Equal(broker.AutoCreatePartitions, topics[0].Partitions.Count);
        Assert.All(topics[0].Partitions, p => Assert.Contains(p.Leader, cluster.Brokers.Select(b => b.Id)));
        Assert.Contains(topic, await admin.ListTopicsAsync());

        var partitions = Enumerable.Range(0, broker.AutoCreatePartitions).Select(p => new TopicPartition(topic, p)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => Offsets.End));
        Assert.Equal(100, ends.Sum(o => o.Offset));
        var starts = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => Offsets.Beginning));
        Assert.All(starts, o => Assert.Equal(0, o.Offset));

        // Group offsets: set, read back through the admin client and through a consumer.
        await admin.AlterConsumerGroupOffsetsAsync(group, ends.Select(o => new TopicPartitionOffset(o.TopicPartition, o.Offset / 2, "admin")));
        var committed = await admin.ListConsumerGroupOffsetsAsync(group, partitions);
        Assert.Equal(ends.Select(o => o.Offset / 2), committed.OrderBy(c => c.Partition).Select(c => c.Offset));
        Assert.All(committed, c => Assert.Equal("admin", c.Metadata));

        await using var consumer = new KafkaConsumer<string, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = group }, Deserializers.Utf8, Deserializers.Utf8);
        var seen = await consumer.CommittedAsync(partitions);
        Assert.Equal(committed.OrderBy(c => c.Partition).Select(c => c.Offset), seen.Select(c => c.Offset));

        // Manual assignment starts at the committed offsets.
        consumer.Assign(partitions);
        int expected = (int)ends.Sum(o => o.Offset - (o.Offset / 2));
        var records = new List<ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (records.Count < expected)
        {
            records.AddRange(await consumer.ConsumeAsync(cts.Token));
        }

        Assert.Equal(expected, records.Count);
        output.WriteLine($"{records.Count} records after the committed offsets");
    }

    [Fact]
    public async Task An_api_the_broker_lacks_fails_clearly()
    {
        if (fixture.Broker.HasAdminApis)
        {
            return;
        }

        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = fixture.Broker.Bootstrap });
        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic(NewTopic("x"), 1, 1)]));
        Assert.Equal(ErrorCode.UnsupportedVersion, e.Error);
        Assert.Contains("CreateTopics", e.Message, StringComparison.Ordinal);
        output.WriteLine(e.Message);
    }
}

/// <summary>Against librdkafka's mock cluster (no admin APIs: CreateTopics and friends fail clearly).</summary>
public sealed class AdminMockClusterTests(MockClusterFixture fixture, ITestOutputHelper output) : AdminTests<MockClusterFixture>(fixture, output);
