using System.Globalization;
using System.Text.Json;
using Eddy.Compatibility.Tests.Infrastructure;

namespace Eddy.Compatibility.Tests.Broker;

/// <summary>KafkaJS 2.2.4 (npm, pinned by package-lock.json) against the embedded broker.</summary>
public sealed class KafkaJsBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Script => Path.Combine(Peers.NodePeers, "broker_kafkajs.js");

    [Fact]
    public async Task KafkaJs_idempotent_producer_gets_consecutive_offsets_and_producer_ids_on_disk()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("js-idempotent", 2);
        var result = await Peers.RunAsync(Peers.Node, [Script, "idempotent-produce", broker.Bootstrap, "js-idempotent", "2000"], Timeout, workingDirectory: Peers.NodePeers);
        Assert.True(result.ExitCode == 0, result.ToString());
        var next = new Dictionary<int, long>();
        long total = 0;
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            int partition = int.Parse(parts[0], CultureInfo.InvariantCulture);
            long baseOffset = long.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.True(baseOffset >= next.GetValueOrDefault(partition), $"partition {partition}: base offset {baseOffset} went backwards");
            next[partition] = baseOffset + 1;
            total++;
        }

        Assert.True(total >= 20);
        var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", "js-idempotent", "-o", "beginning", "-e", "-q", "-f", "%s\n"], Timeout);
        Assert.Equal(2000, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count());
        Assert.Equal(2000, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        for (int p = 0; p < 2; p++)
        {
            Assert.All(ConfluentKafkaBrokerTests.StoredHeaders(Path.Combine(broker.Directory, $"js-idempotent-{p}")), h => Assert.True(h.ProducerId >= 0 && h.BaseSequence >= 0));
        }
    }

    [Fact]
    public async Task KafkaJs_group_of_two_splits_partitions_and_rebalances_when_one_leaves()
    {
        const int partitions = 4;
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("js-group", partitions);
        await using var peer = new PeerProcess(Peers.Node, [Script, "group", broker.Bootstrap, "js-group", "js-group-id"], workingDirectory: Peers.NodePeers);
        await peer.WaitUntilAsync((lines, _) => Assigned(lines, "a").Count + Assigned(lines, "b").Count == partitions && Assigned(lines, "b").Count > 0 && Assigned(lines, "a").Count > 0, Timeout, "both members to share the partitions");
        var a = Assigned(peer.Lines, "a");
        var b = Assigned(peer.Lines, "b");
        Assert.Empty(a.Intersect(b));

        await ConfluentKafkaBrokerTests.ProduceAsync(broker.Bootstrap, "js-group", 0, 200);
        await peer.WaitUntilAsync((lines, _) => Records(lines).Count >= 200, Timeout, "200 records");
        Assert.All(Records(peer.Lines), r => Assert.Contains(r.Partition, r.Member == "a" ? a : b));

        await peer.WriteLineAsync("leave");
        await peer.WaitUntilAsync((lines, _) => lines.Contains("left b") && Assigned(lines, "a").Count == partitions, Timeout, "the remaining member to own every partition");
        await ConfluentKafkaBrokerTests.ProduceAsync(broker.Bootstrap, "js-group", 200, 100);
        await peer.WaitUntilAsync((lines, _) => Records(lines).Select(r => r.Value).Distinct().Count() >= 300, Timeout, "300 distinct records");
        await peer.WriteLineAsync("quit");
        await peer.WaitForLineAsync(l => l == "closed", Timeout, "the consumer to disconnect");
    }

    [Fact]
    public async Task KafkaJs_admin_creates_and_deletes_topics_and_fetches_topic_and_group_offsets()
    {
        await using var broker = await TestBroker.StartAsync();
        var result = await Peers.RunAsync(Peers.Node, [Script, "admin", broker.Bootstrap, "js-admin", "js-admin-group"], Timeout, workingDirectory: Peers.NodePeers);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("created").GetBoolean());
        Assert.True(root.GetProperty("listed").GetBoolean());
        var offsets = root.GetProperty("topicOffsets");
        Assert.Equal("2", offsets[0].GetProperty("high").GetString());
        Assert.Equal("0", offsets[0].GetProperty("low").GetString());
        Assert.Equal("1", offsets[1].GetProperty("high").GetString());
        var group = root.GetProperty("groupOffsets");
        Assert.Equal("1", group[0].GetProperty("offset").GetString());
        Assert.Equal("1", group[1].GetProperty("offset").GetString());
        Assert.True(root.GetProperty("deleted").GetBoolean());
    }

    private static HashSet<int> Assigned(List<string> lines, string member)
    {
        var last = lines.LastOrDefault(l => l.StartsWith($"assigned {member} ", StringComparison.Ordinal) || l == $"assigned {member}");
        if (last is null || last.Length <= $"assigned {member} ".Length)
        {
            return [];
        }

        return [.. last[$"assigned {member} ".Length..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }

    private static List<(string Member, int Partition, string Value)> Records(List<string> lines) =>
        lines.Where(l => l.StartsWith("record ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(p => (p[1], int.Parse(p[2], CultureInfo.InvariantCulture), p[4]))
            .ToList();
}
