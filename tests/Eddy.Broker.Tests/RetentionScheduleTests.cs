using Eddy.Protocol.Messages;

namespace Eddy.Broker.Tests;

/// <summary>The broker's background maintenance keeps Kafka's cadences: the cleaner every log.cleaner.backoff.ms, retention every log.retention.check.interval.ms.</summary>
public sealed class RetentionScheduleTests
{
    [Fact]
    public async Task Records_past_retention_survive_cleaner_passes_and_go_at_the_retention_check()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        var options = new BrokerOptions { DataDirectory = dir.Path, Port = 0, TimeProvider = time };
        options.Settings["log.cleaner.backoff.ms"] = "2000";
        options.Settings["log.retention.check.interval.ms"] = "60000";
        await using var broker = await KafkaBroker.StartAsync(options);
        await broker.CreateTopicAsync("old", 1);

        using var client = await WireClient.ConnectAsync(broker.Endpoints[0]);
        // Stamped 2023 while the clock says 2026: past the default retention.ms of 7 days from the start.
        var produced = await client.RoundTripAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 10_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = "old", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = Batches.Make(5, timestamp: 1_700_000_000_000) }] }],
        }, 7);
        Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);

        // 30 one-second ticks of the maintenance loop: many cleaner passes, no retention check yet.
        await TickAsync(time, 30);
        Assert.Equal(0, await LogStartAsync(client));

        // Past the retention check interval the expired records are deleted (the active segment rolls, as in Kafka).
        await TickAsync(time, 30);
        for (int extra = 0; await LogStartAsync(client) != 5; extra++)
        {
            Assert.True(extra < 120, "retention did not delete the expired records after the check interval");
            await TickAsync(time, 1);
        }
    }

    /// <summary>Advances the clock one second at a time, each time after the maintenance loop has finished its last tick and waits for the next.</summary>
    private static async Task TickAsync(ManualTime time, int seconds)
    {
        for (int i = 0; i < seconds; i++)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!time.HasTimerDueIn(TimeSpan.FromSeconds(1)))
            {
                Assert.True(DateTime.UtcNow < deadline, "the maintenance loop never waited for its next tick");
                await Task.Delay(5);
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<long> LogStartAsync(WireClient client)
    {
        var fetched = await client.RoundTripAsync<FetchResponse>(new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = "old", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = -1, LogStartOffset = -1 }] }],
        }, 11);
        return fetched.Responses[0].Partitions[0].LogStartOffset;
    }
}
