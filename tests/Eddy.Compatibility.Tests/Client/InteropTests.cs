using System.Text;
using System.Text.Json;
using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Xunit.Abstractions;
using static Eddy.Compatibility.Tests.Client.ClientTestHelpers;

namespace Eddy.Compatibility.Tests.Client;

/// <summary>Eddy.Client and real clients (kcat, KafkaJS, kafka-python, confluent-kafka-python) on the same broker.</summary>
public abstract class ClientInteropTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    // Recent timestamps: records stamped years ago are past retention.ms (7 days) and a broker may delete
    // them at its next retention check, between our produce and the peer's read.
    private static readonly long BaseTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;

    // What produce.py and produce.js stamp (fixed, as the golden captures need); read back at once, well
    // inside the broker's five-minute retention check.
    private const long PeerTimestamp = 1700000000000;

    private static async Task ProduceWithEddyAsync(string bootstrap, string topic, string codec, int count)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, CompressionType = codec, LingerMs = 20 };
        await using var producer = new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8);
        var tasks = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            var headers = new Headers { { "h", $"{i}" }, { "codec", codec } };
            tasks.Add(producer.ProduceAsync(topic, new Message<string, string>
            {
                Key = $"key-{i}",
                Value = $"value-{i}-" + string.Concat(Enumerable.Repeat("abcdefghij", 20)),
                Headers = headers,
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(BaseTimestamp + i),
            }));
        }

        await Task.WhenAll(tasks).WaitAsync(Deadline);
    }

    private static void AssertRecords(IEnumerable<JsonElement> records, int count, string codec, bool headers = true)
    {
        var byKey = records.ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(count, byKey.Count);
        for (int i = 0; i < count; i++)
        {
            var r = byKey[$"key-{i}"];
            Assert.Equal($"value-{i}-" + string.Concat(Enumerable.Repeat("abcdefghij", 20)), r.GetProperty("value").GetString());
            var ts = r.GetProperty("timestamp");
            Assert.Equal(BaseTimestamp + i, ts.ValueKind == JsonValueKind.String ? long.Parse(ts.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : ts.GetInt64());
            if (headers)
            {
                Assert.Equal($"{i}", r.GetProperty("headers").GetProperty("h").GetString());
                Assert.Equal(codec, r.GetProperty("headers").GetProperty("codec").GetString());
            }
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_from_Eddy_are_read_by_kcat_and_kafka_python(string codec)
    {
        var broker = fixture.Broker;
        string topic = NewTopic("eddy-out-" + codec);
        await ProduceWithEddyAsync(broker.Bootstrap, topic, codec, 60);

        var kcat = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"], Deadline);
        Assert.True(kcat.ExitCode == 0, kcat.ToString());
        var kcatRecords = kcat.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Select(e => JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            key = e.GetProperty("key").GetString(),
            value = e.GetProperty("payload").GetString(),
            timestamp = e.GetProperty("ts").GetInt64(),
            headers = ToHeaderMap(e),
        })).RootElement).ToList();
        AssertRecords(kcatRecords, 60, codec);

        var python = await Peers.RunAsync(Peers.Python, [Path.Combine(Peers.PythonPeers, "consume.py"), broker.Bootstrap, topic, "60"], Deadline);
        Assert.True(python.ExitCode == 0, python.ToString());
        AssertRecords(python.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement), 60, codec);
    }

    private static Dictionary<string, string?> ToHeaderMap(JsonElement kcatRecord)
    {
        var map = new Dictionary<string, string?>();
        if (kcatRecord.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Array)
        {
            var items = headers.EnumerateArray().ToList();
            for (int i = 0; i + 1 < items.Count; i += 2)
            {
                map[items[i].GetString()!] = items[i + 1].ValueKind == JsonValueKind.Null ? null : items[i + 1].GetString();
            }
        }

        return map;
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task Records_from_Eddy_are_read_by_KafkaJS(string codec)
    {
        // KafkaJS 2.2.4 ships only gzip; snappy, lz4 and zstd need codec plugins it does not bundle.
        var broker = fixture.Broker;
        string topic = NewTopic("eddy-js-" + codec);
        await ProduceWithEddyAsync(broker.Bootstrap, topic, codec, 40);
        var node = await Peers.RunAsync(Peers.Node, [Path.Combine(Peers.NodePeers, "consume.js"), broker.Bootstrap.Split(',')[0], topic, "40"], Deadline);
        Assert.True(node.ExitCode == 0, node.ToString());
        AssertRecords(node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement), 40, codec);
    }

    private async Task<List<ConsumeResult<string, string>>> ConsumeWithEddyAsync(string bootstrap, string topic, int count)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, AutoOffsetReset = AutoOffsetReset.Earliest };
        await using var consumer = new KafkaConsumer<string, string>(config, Deserializers.Utf8, Deserializers.Utf8, new XunitLoggerFactory(output));
        consumer.Assign(Enumerable.Range(0, fixture.Broker.AutoCreatePartitions).Select(p => new TopicPartition(topic, p)));
        var records = new List<ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(Deadline);
        while (records.Count < count)
        {
            records.AddRange(await consumer.ConsumeAsync(cts.Token));
        }

        return records;
    }

    private static void AssertEddyRecords(List<ConsumeResult<string, string>> records, int count, bool headers = true)
    {
        var byKey = records.ToDictionary(r => r.Key);
        Assert.Equal(count, byKey.Count);
        for (int i = 0; i < count; i++)
        {
            var r = byKey[$"key-{i}"];
            Assert.Equal($"value-{i}-" + string.Concat(Enumerable.Repeat("abcdefghij", 20)), r.Value);
            Assert.Equal(PeerTimestamp + i, r.TimestampMs);
            if (headers)
            {
                Assert.Equal($"{i}", Encoding.UTF8.GetString(r.Headers!.GetLastValue("h")!));
            }
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_from_kafka_python_are_read_by_Eddy(string codec)
    {
        var broker = fixture.Broker;
        string topic = NewTopic("py-in-" + codec);
        var produced = await Peers.RunAsync(Peers.Python, [Path.Combine(Peers.PythonPeers, "produce.py"), broker.Bootstrap, topic, codec, "50"], Deadline);
        Assert.True(produced.ExitCode == 0, produced.ToString());
        AssertEddyRecords(await ConsumeWithEddyAsync(broker.Bootstrap, topic, 50), 50);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task Records_from_KafkaJS_are_read_by_Eddy(string codec)
    {
        var broker = fixture.Broker;
        string topic = NewTopic("js-in-" + codec);
        var produced = await Peers.RunAsync(Peers.Node, [Path.Combine(Peers.NodePeers, "produce.js"), broker.Bootstrap.Split(',')[0], topic, codec, "50"], Deadline);
        Assert.True(produced.ExitCode == 0, produced.ToString());
        AssertEddyRecords(await ConsumeWithEddyAsync(broker.Bootstrap, topic, 50), 50);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_from_kcat_are_read_by_Eddy(string codec)
    {
        var broker = fixture.Broker;
        string topic = NewTopic("kcat-in-" + codec);
        var input = new StringBuilder();
        for (int i = 0; i < 50; i++)
        {
            input.Append($"key-{i}:value-{i}-{string.Concat(Enumerable.Repeat("abcdefghij", 20))}\n");
        }

        // kcat sets one header for all records (-H) and stamps CreateTime itself.
        var produced = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-P", "-t", topic, "-K", ":", "-z", codec, "-H", "h=kcat", "-X", "message.timeout.ms=20000"], Deadline, standardInput: input.ToString());
        Assert.True(produced.ExitCode == 0, produced.ToString());
        var records = await ConsumeWithEddyAsync(broker.Bootstrap, topic, 50);
        Assert.Equal(50, records.Select(r => r.Key).Distinct().Count());
        Assert.All(records, r => Assert.Equal("kcat", Encoding.UTF8.GetString(r.Headers!.GetLastValue("h")!)));
        Assert.All(records, r => Assert.Equal($"value-{r.Key[4..]}-{string.Concat(Enumerable.Repeat("abcdefghij", 20))}", r.Value));
    }

    [Fact]
    public async Task Same_key_goes_to_the_same_partition_as_kcat_murmur2_random()
    {
        var broker = fixture.Broker;
        string kcatTopic = NewTopic("part-kcat");
        string eddyTopic = NewTopic("part-eddy");
        var keys = Enumerable.Range(0, 200).Select(i => i % 7 == 0 ? $"{i}" : $"user-{i * 7919}").Append(string.Empty).ToList();
        var produced = await Peers.RunAsync(
            Peers.Kcat,
            ["-b", broker.Bootstrap, "-P", "-t", kcatTopic, "-K", "\t", "-X", "partitioner=murmur2_random", "-X", "message.timeout.ms=20000"],
            Deadline,
            standardInput: string.Concat(keys.Where(k => k.Length > 0).Select(k => $"{k}\tv\n")));
        Assert.True(produced.ExitCode == 0, produced.ToString());
        await ProduceAsync(broker.Bootstrap, eddyTopic, keys.Count, i => keys[i]);

        async Task<Dictionary<string, int>> PartitionsOf(string topic)
        {
            var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%p\n"], Deadline);
            Assert.True(consumed.ExitCode == 0, consumed.ToString());
            return consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        var byKcat = await PartitionsOf(kcatTopic);
        var byEddy = await PartitionsOf(eddyTopic);
        Assert.Equal(keys.Count - 1, byKcat.Count);
        foreach (var (key, partition) in byKcat)
        {
            Assert.True(byEddy[key] == partition, $"key '{key}': kcat chose {partition}, Eddy {byEddy[key]}");
        }

        Assert.True(byKcat.Values.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    [InlineData("cooperative-sticky")]
    public async Task Mixed_group_with_a_librdkafka_member_splits_partitions_and_hands_over(string assignor)
    {
        var broker = fixture.Broker;
        string topic = NewTopic("mixed");
        string group = NewTopic("mixed-g");
        await ProduceAsync(broker.Bootstrap, topic, 200);
        var config = new ConsumerConfig
        {
            BootstrapServers = broker.Bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            PartitionAssignmentStrategy = assignor,
            SessionTimeoutMs = 10000,
            HeartbeatIntervalMs = 500,
            MaxPollRecords = 20,
        };
        await using var eddy = new Member("eddy", config, topic, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Information, "eddy "));
        await WaitUntilAsync(() => eddy.Consumer.Assignment.Count == broker.AutoCreatePartitions, Deadline, () => $"eddy has {eddy.Consumer.Assignment.Count}: {eddy.Error}");

        await using var rdkafka = new QueuedPeerProcess(Peers.Python, ["-u", Path.Combine(Peers.PythonPeers, "group_member.py"), broker.Bootstrap, topic, group, assignor]);
        HashSet<string> PeerAssignment()
        {
            var owned = new HashSet<string>();
            foreach (var line in rdkafka.Lines)
            {
                var parts = line.Split(' ', 2);
                var items = parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
                if (parts[0] == "assigned")
                {
                    if (assignor != "cooperative-sticky")
                    {
                        owned.Clear();
                    }

                    owned.UnionWith(items);
                }
                else if (parts[0] == "revoked")
                {
                    owned.ExceptWith(items);
                }
            }

            return owned;
        }

        await WaitUntilAsync(
            () => eddy.Consumer.Assignment.Count > 0 && PeerAssignment().Count > 0 && eddy.Consumer.Assignment.Count + PeerAssignment().Count == broker.AutoCreatePartitions,
            TimeSpan.FromSeconds(90),
            () => $"eddy {string.Join(",", eddy.Consumer.Assignment)}; librdkafka {string.Join(",", PeerAssignment())}; {eddy.Error}\n{rdkafka}");
        Assert.Empty(eddy.Consumer.Assignment.Select(p => p.ToString()).Intersect(PeerAssignment()));

        // Everything is consumed by one or the other.
        await WaitUntilAsync(
            () => eddy.Records.Select(r => r.Key).Distinct().Count() + rdkafka.Lines.Count(l => l.StartsWith("record ", StringComparison.Ordinal)) >= 200,
            Deadline,
            () => $"eddy {eddy.Records.Count}; {rdkafka}");

        // The librdkafka member leaves: its partitions come back to Eddy.
        await rdkafka.WriteLineAsync("leave");
        await rdkafka.WaitForExitAsync(Deadline);
        await WaitUntilAsync(() => eddy.Consumer.Assignment.Count == broker.AutoCreatePartitions, TimeSpan.FromSeconds(90), () => $"eddy has {string.Join(",", eddy.Consumer.Assignment)}; {eddy.Error}");
        Assert.Null(eddy.Error);
        output.WriteLine(string.Join("\n", eddy.Events));
        output.WriteLine(rdkafka.ToString());
    }
}

/// <summary>Against librdkafka's mock cluster.</summary>
public sealed class ClientInteropMockClusterTests(MockClusterFixture fixture, ITestOutputHelper output) : ClientInteropTests<MockClusterFixture>(fixture, output);

/// <summary>Against the embedded Eddy broker (one broker).</summary>
public sealed class ClientInteropEmbeddedBrokerTests(EmbeddedBrokerFixture fixture, ITestOutputHelper output) : ClientInteropTests<EmbeddedBrokerFixture>(fixture, output);

/// <summary>Against the embedded Eddy broker in 3-broker cluster mode (partition leaders spread over the brokers).</summary>
public sealed class ClientInteropEmbeddedClusterTests(EmbeddedClusterFixture fixture, ITestOutputHelper output) : ClientInteropTests<EmbeddedClusterFixture>(fixture, output);
