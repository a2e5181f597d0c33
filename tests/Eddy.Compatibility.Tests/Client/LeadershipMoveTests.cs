using System.Collections.Concurrent;
using Eddy.Client;
using Eddy.Compatibility.Tests.Infrastructure;
using Xunit.Abstractions;
using static Eddy.Compatibility.Tests.Client.ClientTestHelpers;

namespace Eddy.Compatibility.Tests.Client;

/// <summary>
/// The embedded broker in 3-broker cluster mode with partition leadership (and the group coordinator)
/// moved while an idempotent producer and a group consumer run: the clients see NOT_LEADER_OR_FOLLOWER
/// and NOT_COORDINATOR, refresh metadata and follow the leader.
/// </summary>
public sealed class LeadershipMoveTests(EmbeddedClusterFixture fixture, ITestOutputHelper output) : IClassFixture<EmbeddedClusterFixture>
{
    private const int Partitions = 6;
    private const int Records = 12_000;

    [Fact]
    public async Task Idempotent_producer_and_consumer_follow_leadership_moves_without_loss_duplicates_or_reordering()
    {
        var cluster = fixture.Embedded.Broker;
        string topic = NewTopic("moves");
        string group = NewTopic("moves-g");
        await cluster.CreateTopicAsync(topic, Partitions);
        var logs = new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Information);

        // A group consumer subscribed before anything is produced, reading while leaders move.
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = fixture.Broker.Bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 10000,
            HeartbeatIntervalMs = 500,
            RetryBackoffMs = 20,
        };
        await using var consumer = new Member("c", consumerConfig, topic, logs);
        await WaitUntilAsync(() => consumer.Consumer.Assignment.Count == Partitions, TimeSpan.FromSeconds(30), () => $"{consumer.Consumer.Assignment.Count} partitions; {consumer.Error}");

        var producerConfig = new ProducerConfig { BootstrapServers = fixture.Broker.Bootstrap, LingerMs = 2, BatchSize = 4096, RetryBackoffMs = 20 };
        var delivered = new ConcurrentQueue<DeliveryResult<string, string>>();
        var failures = new ConcurrentQueue<string>();
        int moves = 0;
        await using (var producer = new KafkaProducer<string, string>(producerConfig, Serializers.Utf8, Serializers.Utf8, logs))
        {
            for (int i = 0; i < Records; i++)
            {
                // Sends in order per partition: value i goes to partition i % Partitions.
                producer.Produce(new TopicPartition(topic, i % Partitions), new Message<string, string> { Key = $"k{i}", Value = $"{i}" }, r =>
                {
                    if (r.Exception is null)
                    {
                        delivered.Enqueue(r);
                    }
                    else
                    {
                        failures.Enqueue($"{r.Message.Value}: {r.Error} {r.Exception.Message}");
                    }
                });

                // Every 1,000 records: move the leaders of two partitions, and every 3,000 the group's
                // coordinator too, while batches are in flight.
                if (i % 1000 == 999)
                {
                    for (int p = (i / 1000) % Partitions, k = 0; k < 2; k++, p = (p + 3) % Partitions)
                    {
                        await cluster.MoveLeadershipAsync(topic, p, (cluster.LeaderOf(topic, p) + 1) % 3);
                        moves++;
                    }

                    if (i % 3000 == 2999)
                    {
                        // Every __consumer_offsets partition (4 in these tests), so the group's coordinator moves.
                        for (int p = 0; p < 4; p++)
                        {
                            await cluster.MoveLeadershipAsync("__consumer_offsets", p, (cluster.LeaderOf("__consumer_offsets", p) + 1) % 3);
                        }

                        moves++;
                    }

                }

                // Paced, so the moves land while the consumer is fetching too.
                if (i % 100 == 99)
                {
                    await Task.Delay(10);
                }
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        output.WriteLine($"{moves} leadership moves; {delivered.Count} delivered, {failures.Count} failed");
        Assert.Empty(failures);
        Assert.Equal(Records, delivered.Count);

        // The producer: every record once, at offsets that follow the send order within each partition.
        foreach (var partition in delivered.GroupBy(r => r.Partition))
        {
            var bySend = partition.OrderBy(r => int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture)).Select(r => r.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, Records / Partitions).Select(o => (long)o), bySend);
        }

        // The consumer kept consuming across the moves: everything, once per offset, in order.
        await WaitUntilAsync(() => consumer.Records.Count >= Records, TimeSpan.FromSeconds(60), () => $"consumed {consumer.Records.Count} of {Records}; {consumer.Error}; {string.Join(" | ", consumer.Events)}");
        Assert.Null(consumer.Error);
        var consumed = consumer.Records.ToList();
        Assert.Equal(Records, consumed.Count);
        foreach (var partition in consumed.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, Records / Partitions).Select(o => (long)o), partition.Select(r => r.Offset));
            Assert.Equal(partition.Select(r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture)).Order(), partition.Select(r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.All(partition, r => Assert.Equal(partition.Key, int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture) % Partitions));
        }

        // Commits reached the moved coordinator.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<TopicPartitionOffset> committed;
        while ((committed = await consumer.Consumer.CommittedAsync(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)))).Any(c => c.Offset != Records / Partitions)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.All(committed, c => Assert.Equal(Records / Partitions, c.Offset));
        output.WriteLine(string.Join("\n", consumer.Events));
    }

    [Fact]
    public async Task Idempotent_producer_retries_lost_responses_across_leadership_moves_without_duplicates()
    {
        var cluster = fixture.Embedded.Broker;
        string topic = NewTopic("moves-lost");
        await cluster.CreateTopicAsync(topic, Partitions);
        await using var proxy = FaultProxy.For(fixture.Broker.Bootstrap);

        // Every 5th Produce response is lost with its connection after the broker wrote the batch, and
        // leaders move meanwhile: a retry can reach the new leader, which must answer it as a duplicate.
        proxy.Policy = (api, n) => api == Eddy.Protocol.ApiKey.Produce && n % 5 == 0 ? ResponseFault.DropAndClose : ResponseFault.None;
        var config = new ProducerConfig { BootstrapServers = proxy.Bootstrap, LingerMs = 1, BatchSize = 2000, ReconnectBackoffMs = 10, RetryBackoffMs = 10 };
        const int count = 6000;
        var delivered = new ConcurrentQueue<DeliveryResult<string, string>>();
        var failures = new ConcurrentQueue<string>();
        await using (var producer = new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Warning)))
        {
            for (int i = 0; i < count; i++)
            {
                producer.Produce(new TopicPartition(topic, i % Partitions), new Message<string, string> { Key = $"k{i}", Value = $"{i}" }, r =>
                {
                    if (r.Exception is null)
                    {
                        delivered.Enqueue(r);
                    }
                    else
                    {
                        failures.Enqueue($"{r.Message.Value}: {r.Error} {r.Exception.Message}");
                    }
                });
                if (i % 500 == 499)
                {
                    int p = (i / 500) % Partitions;
                    await cluster.MoveLeadershipAsync(topic, p, (cluster.LeaderOf(topic, p) + 1) % 3);
                }

                if (i % 100 == 99)
                {
                    await Task.Delay(5);
                }
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        output.WriteLine($"{proxy.Injected.Count} responses dropped; {delivered.Count} delivered, {failures.Count} failed");
        Assert.Empty(failures);
        Assert.True(proxy.Injected.Count >= 3, $"only {proxy.Injected.Count} faults were injected");

        // The log holds every record exactly once, in send order within each partition, at the offsets reported.
        var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", fixture.Broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %s\n"], TimeSpan.FromSeconds(60));
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        var lines = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(l => (Partition: int.Parse(l[0], System.Globalization.CultureInfo.InvariantCulture), Offset: long.Parse(l[1], System.Globalization.CultureInfo.InvariantCulture), Value: int.Parse(l[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(count, lines.Count);
        Assert.Equal(count, lines.Select(l => l.Value).Distinct().Count());
        foreach (var partition in lines.GroupBy(l => l.Partition))
        {
            var values = partition.OrderBy(l => l.Offset).Select(l => l.Value).ToList();
            Assert.Equal(values.Order(), values);
            Assert.All(values, v => Assert.Equal(partition.Key, v % Partitions));
        }

        var valueAt = lines.ToDictionary(l => (l.Partition, l.Offset), l => l.Value);
        Assert.Equal(count, delivered.Count);
        Assert.All(delivered, r => Assert.Equal(int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture), valueAt[(r.Partition, r.Offset)]));
    }

    [Fact]
    public async Task Consumer_waits_for_new_metadata_after_a_leader_move_instead_of_asking_the_old_leader_again()
    {
        var cluster = fixture.Embedded.Broker;
        string topic = NewTopic("moves-fetch");
        var tp = new TopicPartition(topic, 0);
        await cluster.CreateTopicAsync(topic, 1);
        await ProduceAsync(fixture.Broker.Bootstrap, topic, 10, partition: 0);
        await using var proxy = FaultProxy.For(fixture.Broker.Bootstrap);
        var config = new ConsumerConfig { BootstrapServers = proxy.Bootstrap, AutoOffsetReset = AutoOffsetReset.Earliest, RetryBackoffMs = 1000 };
        await using var consumer = new KafkaConsumer<string, string>(config, Deserializers.Utf8, Deserializers.Utf8, new XunitLoggerFactory(output, Microsoft.Extensions.Logging.LogLevel.Debug));
        consumer.Assign([tp]);
        var records = new List<ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (records.Count < 10)
        {
            records.AddRange(await consumer.ConsumeAsync(cts.Token));
        }

        // Caught up and long-polling the leader. Move it: the old leader answers NOT_LEADER_OR_FOLLOWER,
        // and the consumer must wait for metadata naming the new one, not ask the old leader again in a
        // loop meanwhile. The second move comes right after the refresh the first one caused, so the
        // next refresh waits out retry.backoff.ms (1 s here): that is where a loop would show.
        for (int move = 1; move <= 2; move++)
        {
            int fetchesBefore = proxy.Count(Eddy.Protocol.ApiKey.Fetch);
            int metadataBefore = proxy.Count(Eddy.Protocol.ApiKey.Metadata);
            await cluster.MoveLeadershipAsync(topic, 0, (cluster.LeaderOf(topic, 0) + 1) % 3);
            await ProduceAsync(fixture.Broker.Bootstrap, topic, 1, _ => $"after-move-{move}", partition: 0);
            while (!records.Any(r => r.Key == $"after-move-{move}"))
            {
                records.AddRange(await consumer.ConsumeAsync(cts.Token));
            }

            int fetches = proxy.Count(Eddy.Protocol.ApiKey.Fetch) - fetchesBefore;
            int metadata = proxy.Count(Eddy.Protocol.ApiKey.Metadata) - metadataBefore;
            output.WriteLine($"move {move}: {fetches} fetch responses and {metadata} metadata responses from the move to the next record");
            Assert.True(fetches <= 2 * Math.Max(metadata, 1) + 2, $"move {move}: {fetches} fetches for {metadata} metadata refreshes: the consumer kept asking the old leader");
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(o => (long)o), records.Select(r => r.Offset));
    }
}
