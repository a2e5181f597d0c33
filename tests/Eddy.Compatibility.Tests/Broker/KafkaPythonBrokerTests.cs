using System.Globalization;
using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol.Compression;

namespace Eddy.Compatibility.Tests.Broker;

/// <summary>kafka-python 2.0.2 against the embedded broker, including its old protocol versions (legacy message sets).</summary>
public sealed class KafkaPythonBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Script => Path.Combine(Peers.PythonPeers, "broker_kafka_python.py");

    [Fact]
    public async Task Kafka_python_producer_and_group_consumer_round_trip_and_commit()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("kp", 2);
        var produce = await Peers.RunAsync(Peers.Python, [Script, "produce", broker.Bootstrap, "kp", "500", "auto", "none"], Timeout);
        Assert.True(produce.ExitCode == 0, produce.ToString());
        var acked = ConfluentKafkaBrokerTests.ParseAcks(produce.Output);
        Assert.Equal(500, acked.Count);

        var consume = await Peers.RunAsync(Peers.Python, [Script, "group-consume", broker.Bootstrap, "kp", "kp-group", "500"], Timeout);
        Assert.True(consume.ExitCode == 0, consume.ToString());
        var lines = consume.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var records = lines.Where(l => l.StartsWith("record ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(500, records.Count);
        foreach (var r in records)
        {
            var key = (int.Parse(r[1], CultureInfo.InvariantCulture), long.Parse(r[2], CultureInfo.InvariantCulture));
            Assert.StartsWith(acked[key] + "-", r[3], StringComparison.Ordinal);
        }

        // Commits are visible to the group afterwards: the committed offset of each partition is its end.
        var committed = lines.Where(l => l.StartsWith("committed ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(2, committed.Count);
        foreach (var c in committed)
        {
            int partition = int.Parse(c[1], CultureInfo.InvariantCulture);
            Assert.Equal(acked.Keys.Count(k => k.Partition == partition), long.Parse(c[2], CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("0.10", "none", CompressionType.None)]
    [InlineData("0.10", "gzip", CompressionType.Gzip)]
    [InlineData("0.9", "none", CompressionType.None)]
    [InlineData("0.9", "snappy", CompressionType.Snappy)]
    [InlineData("0.8.2", "gzip", CompressionType.Gzip)]
    public async Task Kafka_python_on_an_old_protocol_sends_legacy_message_sets_that_are_stored_as_record_batches(string apiVersion, string codec, CompressionType stored)
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("legacy", 1);
        var produce = await Peers.RunAsync(Peers.Python, [Script, "produce", broker.Bootstrap, "legacy", "300", apiVersion, codec], Timeout);
        Assert.True(produce.ExitCode == 0, produce.ToString());
        var acked = ConfluentKafkaBrokerTests.ParseAcks(produce.Output);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), acked.Keys.Select(k => k.Offset).Order());

        // A modern client reads them back: same keys and values at the acknowledged offsets.
        var consume = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", "legacy", "-o", "beginning", "-e", "-q", "-f", "%o %k %s\n"], Timeout);
        var lines = consume.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(300, lines.Length);
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            long offset = long.Parse(parts[0], CultureInfo.InvariantCulture);
            string value = acked[(0, offset)];
            Assert.Equal("key-" + value["value-".Length..], parts[1]);
            Assert.StartsWith(value + "-", parts[2], StringComparison.Ordinal);
        }

        Assert.All(KcatBrokerTests.StoredCodecs(Path.Combine(broker.Directory, "legacy-0")), c => Assert.Equal(stored, c));
    }
}
