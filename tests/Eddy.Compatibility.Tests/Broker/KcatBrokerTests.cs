using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Compatibility.Tests.Broker;

/// <summary>kcat (librdkafka 2.0.2) against the embedded broker: what kcat itself observes.</summary>
public sealed partial class KcatBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Kcat_metadata_lists_the_broker_topics_and_partition_leaders()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("meta-topic", 3);
        var result = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-L", "-J", "-t", "meta-topic"], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var brokers = json.RootElement.GetProperty("brokers");
        Assert.Equal(1, brokers.GetArrayLength());
        Assert.Equal(broker.Bootstrap, brokers[0].GetProperty("name").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("controllerid").GetInt32());
        var topic = json.RootElement.GetProperty("topics")[0];
        Assert.Equal("meta-topic", topic.GetProperty("topic").GetString());
        Assert.Equal(3, topic.GetProperty("partitions").GetArrayLength());
        foreach (var partition in topic.GetProperty("partitions").EnumerateArray())
        {
            Assert.Equal(0, partition.GetProperty("leader").GetInt32());
        }
    }

    [Fact]
    public async Task Kcat_produces_100000_keyed_messages_and_consumes_them_back_with_keys_partitions_and_order()
    {
        const int count = 100_000;
        const int partitions = 4;
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("keyed", partitions);
        var input = new StringBuilder(count * 24);
        for (int i = 0; i < count; i++)
        {
            input.Append("key-").Append(i % 1000).Append(':').Append("value-").Append(i).Append('\n');
        }

        var produce = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-P", "-t", "keyed", "-K:", "-X", "acks=all", "-X", "linger.ms=5"], Timeout, input.ToString());
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var consume = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", "keyed", "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%k\t%s\n"], Timeout);
        Assert.True(consume.ExitCode == 0, consume.ToString());
        var lines = consume.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(count, lines.Length);
        var lastValue = new int[partitions];
        var nextOffset = new long[partitions];
        Array.Fill(lastValue, -1);
        var seen = new HashSet<int>();
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            int partition = int.Parse(parts[0], CultureInfo.InvariantCulture);
            long offset = long.Parse(parts[1], CultureInfo.InvariantCulture);
            string key = parts[2];
            int value = int.Parse(parts[3]["value-".Length..], CultureInfo.InvariantCulture);

            // Key and value travel together; the key decides the partition (librdkafka's consistent_random: crc32 % n).
            Assert.Equal($"key-{value % 1000}", key);
            Assert.Equal((int)(Crc32(Encoding.UTF8.GetBytes(key)) % partitions), partition);

            // Within a partition: the production order, at consecutive offsets from 0.
            Assert.True(value > lastValue[partition], $"partition {partition}: value {value} after {lastValue[partition]}");
            Assert.Equal(nextOffset[partition], offset);
            lastValue[partition] = value;
            nextOffset[partition] = offset + 1;
            Assert.True(seen.Add(value));
        }
    }

    [Fact]
    public async Task Kcat_balanced_consumer_group_of_two_members_splits_the_partitions()
    {
        const int partitions = 4;
        await using var broker = await TestBroker.StartAsync();
        await broker.Broker.CreateTopicAsync("grouped", partitions);
        string[] Args() => ["-u", "-b", broker.Bootstrap, "-G", "kcat-group", "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=10000", "-f", "%p %o %s\n", "grouped"];
        await using var first = new PeerProcess(Peers.Kcat, Args());
        await first.WaitUntilAsync((_, err) => AssignedPartitions(err).Count == partitions, Timeout, "the first member to get all partitions");
        await using var second = new PeerProcess(Peers.Kcat, Args());
        await second.WaitUntilAsync((_, err) => AssignedPartitions(err).Count > 0, Timeout, "the second member to get partitions");
        await first.WaitUntilAsync(
            (_, err) => AssignedPartitions(err) is { Count: > 0 and < partitions } mine && mine.Union(AssignedPartitions(second.Errors)).Count() == partitions,
            Timeout,
            "the two members to split the partitions");

        var firstPartitions = AssignedPartitions(first.Errors);
        var secondPartitions = AssignedPartitions(second.Errors);
        Assert.Empty(firstPartitions.Intersect(secondPartitions));
        Assert.Equal(partitions, firstPartitions.Union(secondPartitions).Count());

        // Data produced now is split the same way: each member sees exactly its partitions.
        var input = new StringBuilder();
        for (int i = 0; i < 400; i++)
        {
            input.Append('k').Append(i).Append(":v").Append(i).Append('\n');
        }

        var produce = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-P", "-t", "grouped", "-K:"], Timeout, input.ToString());
        Assert.True(produce.ExitCode == 0, produce.ToString());
        await first.WaitUntilAsync((lines, _) => lines.Count + second.Lines.Count >= 400, Timeout, "400 records across both members");
        foreach (var line in first.Lines)
        {
            Assert.Contains(int.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture), firstPartitions);
        }

        foreach (var line in second.Lines)
        {
            Assert.Contains(int.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture), secondPartitions);
        }

        Assert.Equal(400, first.Lines.Concat(second.Lines).Select(l => l.Split(' ')[2]).Distinct().Count());
    }

    [Theory]
    [InlineData("none", CompressionType.None)]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public async Task Kcat_produces_and_consumes_with_every_compression_codec(string codec, CompressionType expected)
    {
        await using var broker = await TestBroker.StartAsync();
        string topic = "codec-" + codec;
        await broker.Broker.CreateTopicAsync(topic, 1);
        var input = new StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            input.Append("key-").Append(i).Append(':').Append(string.Concat(Enumerable.Repeat("compressible ", 10))).Append(i).Append('\n');
        }

        var produce = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=50"], Timeout, input.ToString());
        Assert.True(produce.ExitCode == 0, produce.ToString());
        var consume = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s\n"], Timeout);
        Assert.Equal(input.ToString().Replace(':', '='), consume.Output);

        // The batches on disk are stored as the producer compressed them.
        var codecs = StoredCodecs(Path.Combine(broker.Directory, topic + "-0"));
        Assert.Contains(expected, codecs);
        Assert.All(codecs, c => Assert.Equal(expected, c));
    }

    internal static List<CompressionType> StoredCodecs(string partitionDirectory)
    {
        var codecs = new List<CompressionType>();
        foreach (var file in Directory.GetFiles(partitionDirectory, "*.log"))
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
                codecs.Add(batch.Header.Compression);
            }
        }

        return codecs;
    }

    private static HashSet<int> AssignedPartitions(string stderr)
    {
        // "% Group g rebalanced (memberid ...): assigned: grouped [0], grouped [2]"; the last assignment counts.
        var last = new HashSet<int>();
        foreach (var line in stderr.Split('\n'))
        {
            if (line.Contains("rebalanced", StringComparison.Ordinal) && line.Contains("assigned:", StringComparison.Ordinal))
            {
                last = [.. PartitionPattern().Matches(line).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
            }
            else if (line.Contains("rebalanced", StringComparison.Ordinal) && line.Contains("revoked:", StringComparison.Ordinal))
            {
                last = [];
            }
        }

        return last;
    }

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex PartitionPattern();

    /// <summary>CRC-32 (zlib), librdkafka's consistent partitioner hash.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
