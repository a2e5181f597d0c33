using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol;
using Xunit.Abstractions;
using static Eddy.Compatibility.Tests.Client.ClientTestHelpers;

namespace Eddy.Compatibility.Tests.Client;

/// <summary>Connections cut mid-request, garbage and truncated responses, against librdkafka's mock cluster through a fault proxy.</summary>
public abstract class ClientFaultTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Idempotent_producer_retries_lost_responses_without_duplicates_or_reordering()
    {
        await using var proxy = FaultProxy.For(fixture.Broker.Bootstrap);
        // Every 4th Produce response is lost with its connection, after the broker wrote the batch.
        proxy.Policy = (api, n) => api == ApiKey.Produce && n % 4 == 0 ? ResponseFault.DropAndClose : ResponseFault.None;
        string topic = NewTopic("faults");
        var config = new ProducerConfig { BootstrapServers = proxy.Bootstrap, LingerMs = 1, BatchSize = 2000, ReconnectBackoffMs = 10, RetryBackoffMs = 10 };
        var results = new List<DeliveryResult<string, string>>();
        await using (var producer = new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Warning)))
        {
            var tasks = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < 3000; i++)
            {
                tasks.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 50}", Value = $"{i}" }));
                if (i % 100 == 0)
                {
                    await Task.Delay(2);
                }
            }

            results.AddRange(await Task.WhenAll(tasks).WaitAsync(Deadline));
        }

        Assert.True(proxy.Injected.Count >= 2, $"only {proxy.Injected.Count} faults were injected");
        output.WriteLine($"{proxy.Injected.Count} responses dropped");

        // Nothing is lost, and within each partition records first appear in send order. librdkafka
        // 2.0.2's mock cluster does not deduplicate retried batches by sequence (a Kafka broker, and the
        // embedded broker, do), so a retried batch whose first attempt was written appears twice here.
        var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", fixture.Broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\n"], Deadline);
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        var lines = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        Assert.Equal(3000, lines.Select(l => l[3]).Distinct().Count());
        output.WriteLine($"{lines.Count - 3000} duplicates written by {fixture.Broker.Name}");
        if (fixture.Broker.DeduplicatesIdempotentRetries)
        {
            Assert.Equal(3000, lines.Count);
        }
        foreach (var partition in lines.GroupBy(l => l[0]))
        {
            var firstSeen = new List<int>();
            var seen = new HashSet<int>();
            foreach (var l in partition.OrderBy(l => long.Parse(l[1], System.Globalization.CultureInfo.InvariantCulture)))
            {
                int value = int.Parse(l[3], System.Globalization.CultureInfo.InvariantCulture);
                if (seen.Add(value))
                {
                    firstSeen.Add(value);
                }
            }

            Assert.Equal(firstSeen.Order(), firstSeen);
        }

        // Every reported offset holds the record it was reported for.
        var valueAt = lines.ToDictionary(l => (int.Parse(l[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(l[1], System.Globalization.CultureInfo.InvariantCulture)), l => l[3]);
        Assert.All(results, r => Assert.Equal(r.Message.Value, valueAt[(r.Partition, r.Offset)]));
    }

    [Theory]
    [InlineData(ResponseFault.Garbage, "not a Kafka response")]
    [InlineData(ResponseFault.Truncate, "in the middle of a response")]
    [InlineData(ResponseFault.DropAndClose, "closed by the broker")]
    public async Task Bad_responses_give_a_clear_error_and_the_client_recovers(ResponseFault fault, string expected)
    {
        await using var proxy = FaultProxy.For(fixture.Broker.Bootstrap);
        bool armed = false;
        proxy.Policy = (api, _) => api == ApiKey.Metadata && Interlocked.Exchange(ref armed, false) ? fault : ResponseFault.None;
        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = proxy.Bootstrap, ReconnectBackoffMs = 10 });
        var before = await admin.DescribeClusterAsync();
        Assert.NotEmpty(before.Brokers);

        // The client's own first background refresh must be done before the fault is armed.
        await WaitUntilAsync(() => proxy.Count(ApiKey.Metadata) >= 2, Deadline, () => $"{proxy.Count(ApiKey.Metadata)} metadata responses");

        Volatile.Write(ref armed, true);
        var error = await Assert.ThrowsAsync<KafkaConnectionException>(async () =>
        {
            var d = await admin.DescribeClusterAsync();
            output.WriteLine($"unexpected success: {string.Join(",", d.Brokers)}; injected: {string.Join(",", proxy.Injected)}; armed {armed}");
        });
        output.WriteLine(error.Message);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.True(error.IsRetriable);

        var after = await admin.DescribeClusterAsync();
        Assert.Equal(before.Brokers.Select(b => b.Id), after.Brokers.Select(b => b.Id));
    }

    [Fact]
    public async Task Consumer_recovers_from_cut_fetches_and_reads_everything_once()
    {
        string topic = NewTopic("fetch-faults");
        await ProduceAsync(fixture.Broker.Bootstrap, topic, 1000);
        await using var proxy = FaultProxy.For(fixture.Broker.Bootstrap);
        // The mock cluster answers a fetch with the whole log, so the first fetches are the ones to break.
        proxy.Policy = (api, n) => api == ApiKey.Fetch && n <= 3 ? (n == 1 ? ResponseFault.Garbage : n == 2 ? ResponseFault.Truncate : ResponseFault.DropAndClose) : ResponseFault.None;
        var config = new ConsumerConfig { BootstrapServers = proxy.Bootstrap, AutoOffsetReset = AutoOffsetReset.Earliest, MaxPartitionFetchBytes = 4096, ReconnectBackoffMs = 10 };
        await using var consumer = new KafkaConsumer<string, string>(config, Deserializers.Utf8, Deserializers.Utf8);
        consumer.Assign(Enumerable.Range(0, fixture.Broker.AutoCreatePartitions).Select(p => new TopicPartition(topic, p)));
        var seen = new List<ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(Deadline);
        while (seen.Count < 1000)
        {
            seen.AddRange(await consumer.ConsumeAsync(cts.Token));
        }

        Assert.True(proxy.Injected.Count >= 2, $"{proxy.Injected.Count} faults; consumed {seen.Count}; {proxy.Count(ApiKey.Fetch)} fetch responses, {proxy.Count(ApiKey.Metadata)} metadata");
        Assert.Equal(1000, seen.Count);
        Assert.Equal(1000, seen.Select(r => r.Key).Distinct().Count());
    }
}

/// <summary>Against librdkafka's mock cluster.</summary>
public sealed class ClientFaultMockClusterTests(MockClusterFixture fixture, ITestOutputHelper output) : ClientFaultTests<MockClusterFixture>(fixture, output);

/// <summary>Against the embedded Eddy broker (one broker).</summary>
public sealed class ClientFaultEmbeddedBrokerTests(EmbeddedBrokerFixture fixture, ITestOutputHelper output) : ClientFaultTests<EmbeddedBrokerFixture>(fixture, output);

/// <summary>Against the embedded Eddy broker in 3-broker cluster mode (partition leaders spread over the brokers).</summary>
public sealed class ClientFaultEmbeddedClusterTests(EmbeddedClusterFixture fixture, ITestOutputHelper output) : ClientFaultTests<EmbeddedClusterFixture>(fixture, output);
