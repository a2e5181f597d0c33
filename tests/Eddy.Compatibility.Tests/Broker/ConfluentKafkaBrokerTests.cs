using System.Globalization;
using System.Text;
using System.Text.Json;
using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol.Records;

namespace Eddy.Compatibility.Tests.Broker;

/// <summary>python3-confluent-kafka (librdkafka 2.0.2) against the embedded broker.</summary>
public sealed class ConfluentKafkaBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Script => Path.Combine(Peers.PythonPeers, "broker_confluent.py");

    [Fact]
    public async Task Confluent_idempotent_producer_gets_every_record_acknowledged_once_at_consecutive_offsets()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("idempotent", 3);
        var result = await Peers.RunAsync(Peers.Python, [Script, "idempotent-produce", broker.Bootstrap, "idempotent", "3000"], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        var acked = ParseAcks(result.Output);
        Assert.Equal(3000, acked.Count);
        Assert.Equal(3000, acked.Values.Distinct().Count());
        foreach (var partition in acked.Keys.GroupBy(k => k.Partition))
        {
            var offsets = partition.Select(k => k.Offset).Order().ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
        }

        // What a consumer reads at each acknowledged offset is what was acknowledged there.
        var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", "idempotent", "-o", "beginning", "-e", "-q", "-f", "%p %o %s\n"], Timeout);
        Assert.Equal(acked, ParseAcks(consumed.Output));

        // The producer really was idempotent: its batches carry a producer id and sequences.
        for (int p = 0; p < 3; p++)
        {
            foreach (var header in StoredHeaders(Path.Combine(broker.Directory, $"idempotent-{p}")))
            {
                Assert.True(header.ProducerId >= 0, "batch without producer id");
                Assert.True(header.BaseSequence >= 0, "batch without sequence");
            }
        }
    }

    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    public async Task Confluent_consumer_group_splits_partitions_rebalances_when_a_member_leaves_and_commits(string assignor)
    {
        const int partitions = 4;
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("members", partitions);
        string group = "group-" + assignor;
        await using var first = new PeerProcess(Peers.Python, [Script, "group-member", broker.Bootstrap, "members", group, assignor]);
        await first.WaitForLineAsync(l => l == "assigned 0,1,2,3", Timeout, "the first member to own every partition");
        await using var second = new PeerProcess(Peers.Python, [Script, "group-member", broker.Bootstrap, "members", group, assignor]);
        await second.WaitUntilAsync((lines, _) => LastAssignment(lines).Count == 2 && LastAssignment(first.Lines).Count == 2, Timeout, "two partitions each");
        var firstOwns = LastAssignment(first.Lines);
        var secondOwns = LastAssignment(second.Lines);
        Assert.Empty(firstOwns.Intersect(secondOwns));

        await ProduceAsync(broker.Bootstrap, "members", 0, 200);
        await first.WaitUntilAsync((lines, _) => Records(lines).Count + Records(second.Lines).Count >= 200, Timeout, "200 records across both members");
        Assert.All(Records(first.Lines), r => Assert.Contains(r.Partition, firstOwns));
        Assert.All(Records(second.Lines), r => Assert.Contains(r.Partition, secondOwns));

        // The second member leaves; the first takes every partition over and continues from the commits.
        second.CloseInput();
        await second.WaitForLineAsync(l => l == "closed", Timeout, "the second member to leave");
        await first.WaitUntilAsync((lines, _) => LastAssignment(lines).Count == partitions, Timeout, "the first member to own every partition again");
        await ProduceAsync(broker.Bootstrap, "members", 200, 100);
        // At least once: records the second member read but had not committed when it left are read again.
        await first.WaitUntilAsync((lines, _) => Records(lines).Concat(Records(second.Lines)).Select(r => r.Value).Distinct().Count() >= 300, Timeout, "300 distinct records in all");
        var all = Records(first.Lines).Concat(Records(second.Lines)).Select(r => r.Value).ToList();
        Assert.Equal(300, all.Distinct().Count());
        first.CloseInput();
        await first.WaitForLineAsync(l => l == "closed", Timeout, "the first member to leave");

        var committed = await Peers.RunAsync(Peers.Python, [Script, "committed", broker.Bootstrap, "members", group, partitions.ToString(CultureInfo.InvariantCulture)], Timeout);
        Assert.True(committed.ExitCode == 0, committed.ToString());
        long total = committed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(l => long.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
        Assert.Equal(300, total);
    }

    [Fact]
    public async Task Confluent_admin_client_creates_describes_and_deletes_topics()
    {
        await using var broker = await TestBroker.StartAsync();
        var result = await Peers.RunAsync(Peers.Python, [Script, "admin", broker.Bootstrap, "admin-topic"], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("created").GetBoolean());
        Assert.Equal(3, root.GetProperty("partitions").GetInt32());
        Assert.Equal("TOPIC_ALREADY_EXISTS", root.GetProperty("duplicate").GetString());
        var configs = root.GetProperty("configs");
        var retention = configs.GetProperty("retention.ms");
        Assert.Equal("3600000", retention.GetProperty("value").GetString());
        Assert.False(retention.GetProperty("default").GetBoolean());
        Assert.Equal(1, retention.GetProperty("source").GetInt32()); // DYNAMIC_TOPIC_CONFIG
        var cleanup = configs.GetProperty("cleanup.policy");
        Assert.Equal("delete", cleanup.GetProperty("value").GetString());
        Assert.True(cleanup.GetProperty("default").GetBoolean());
        Assert.Equal(5, cleanup.GetProperty("source").GetInt32()); // DEFAULT_CONFIG
        Assert.True(configs.EnumerateObject().Count() >= 20, "every topic config is described");
        Assert.True(root.GetProperty("deleted").GetBoolean());
    }

    internal static async Task ProduceAsync(string bootstrap, string topic, int from, int count)
    {
        var input = new StringBuilder();
        for (int i = from; i < from + count; i++)
        {
            input.Append("key-").Append(i).Append(":value-").Append(i).Append('\n');
        }

        var produce = await Peers.RunAsync(Peers.Kcat, ["-b", bootstrap, "-P", "-t", topic, "-K:", "-X", "acks=all"], Timeout, input.ToString());
        Assert.True(produce.ExitCode == 0, produce.ToString());
    }

    internal static Dictionary<(int Partition, long Offset), string> ParseAcks(string output)
    {
        var acks = new Dictionary<(int, long), string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            acks.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture)), parts[2]);
        }

        return acks;
    }

    internal static List<RecordBatchHeader> StoredHeaders(string partitionDirectory)
    {
        var headers = new List<RecordBatchHeader>();
        foreach (var file in Directory.GetFiles(partitionDirectory, "*.log").Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            var reader = new RecordBatchReader(bytes);
            while (reader.TryReadNext(out var batch))
            {
                headers.Add(batch.Header);
            }
        }

        return headers;
    }

    private static HashSet<int> LastAssignment(List<string> lines)
    {
        var last = lines.LastOrDefault(l => l.StartsWith("assigned", StringComparison.Ordinal));
        if (last is null || last.Length <= "assigned ".Length)
        {
            return [];
        }

        return [.. last["assigned ".Length..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }

    private static List<(int Partition, long Offset, string Value)> Records(List<string> lines) =>
        lines.Where(l => l.StartsWith("record ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(p => (int.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture), p[3]))
            .ToList();
}
