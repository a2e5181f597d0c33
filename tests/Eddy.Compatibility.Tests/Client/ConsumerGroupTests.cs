using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Xunit.Abstractions;
using static Eddy.Compatibility.Tests.Client.ClientTestHelpers;

namespace Eddy.Compatibility.Tests.Client;

public sealed class ConsumerGroupMockClusterTests(MockClusterFixture fixture, ITestOutputHelper output) : IClassFixture<MockClusterFixture>
{
    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    [InlineData("cooperative-sticky")]
    public async Task Two_members_split_partitions_rebalance_and_commit(string assignor)
    {
        var broker = fixture.Cluster;
        string topic = NewTopic("grp");
        string group = NewTopic("g");
        await ProduceAsync(broker.Bootstrap, topic, 400);
        ConsumerConfig Config() => new()
        {
            BootstrapServers = broker.Bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            PartitionAssignmentStrategy = assignor,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
            MaxPollRecords = 50,
        };

        var a = new Member("a", Config(), topic, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Debug, "a "));
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 4 && a.Records.Count >= 50, TimeSpan.FromSeconds(30), () => $"a: {a.Consumer.Assignment.Count} partitions, {a.Records.Count} records, {a.Error}");
        var b = new Member("b", Config(), topic, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Debug, "b "));
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 2 && b.Consumer.Assignment.Count == 2, TimeSpan.FromSeconds(60), () => $"a {a.Consumer.Assignment.Count}, b {b.Consumer.Assignment.Count}; {a.Error} {b.Error}; {string.Join(" | ", a.Events.Concat(b.Events))}");
        Assert.Empty(a.Consumer.Assignment.Intersect(b.Consumer.Assignment));
        await WaitUntilAsync(() => a.Records.Concat(b.Records).Select(r => r.Value).Distinct().Count() == 400, TimeSpan.FromSeconds(30), () => $"{a.Records.Count}+{b.Records.Count} records");

        // b leaves: a gets everything back.
        await b.DisposeAsync();
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 4, TimeSpan.FromSeconds(30), () => $"a has {a.Consumer.Assignment.Count}; {string.Join(" | ", a.Events)}");
        await ProduceAsync(broker.Bootstrap, topic, 40, i => $"late-{i}");
        await WaitUntilAsync(() => a.Records.Count(r => r.Key.StartsWith("late-", StringComparison.Ordinal)) >= 40, TimeSpan.FromSeconds(30), () => $"{a.Records.Count} records");
        Assert.Null(a.Error);
        Assert.Null(b.Error);
        output.WriteLine(string.Join("\n", a.Events.Concat(b.Events)));

        // Committed offsets equal the end of each partition.
        var all = a.Records.Concat(b.Records).ToList();
        var committed = await a.Consumer.CommittedAsync(Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, p)));
        foreach (var c in committed)
        {
            long end = all.Where(r => r.TopicPartition == c.TopicPartition).Max(r => r.Offset) + 1;
            Assert.Equal(end, c.Offset);
        }

        // Every record delivered, no offset skipped in any partition (redelivery after a rebalance is allowed: at-least-once).
        Assert.Equal(440, all.Select(r => r.Key).Distinct().Count());
        foreach (var byPartition in all.GroupBy(r => r.TopicPartition))
        {
            var offsets = byPartition.Select(r => r.Offset).Distinct().Order().ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets);
        }

        if (assignor == "cooperative-sticky")
        {
            Assert.Equal(RebalanceProtocol.Cooperative, a.Consumer.RebalanceProtocol);
        }

        await a.DisposeAsync();
    }
}
