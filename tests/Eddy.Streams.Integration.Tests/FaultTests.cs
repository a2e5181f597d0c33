using static Eddy.Streams.Integration.Tests.WordCountTests;

namespace Eddy.Streams.Integration.Tests;

/// <summary>Application instances as separate processes: kill -9 one mid-stream, restart it, restart the broker; nothing is lost.</summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Word_count_in_two_processes_survives_kill_9_of_an_instance_and_a_broker_restart()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        var dirA = cluster.StateDir();
        var dirB = cluster.StateDir();
        await using var a = ChildProcess.WordCountPeer(cluster.Bootstrap, "ft", dirA, 7401);
        var b = ChildProcess.WordCountPeer(cluster.Bootstrap, "ft", dirB, 7402);
        try
        {
            await a.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal), Long, "instance a running");
            await b.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal), Long, "instance b running");

            var lines = new List<string>();
            async Task Produce(int batches, int seed)
            {
                for (var i = 0; i < batches; i++)
                {
                    var batch = StreamsCluster.Lines(100, 300, seed * 1000 + i);
                    lines.AddRange(batch);
                    await cluster.ProduceLinesAsync("lines", batch);
                    await Task.Delay(30);
                }
            }

            await Produce(10, 1);
            b.Kill(); // SIGKILL mid-stream: no commit, no checkpoint, no LeaveGroup
            await Produce(10, 2);
            await b.DisposeAsync();
            b = ChildProcess.WordCountPeer(cluster.Bootstrap, "ft", dirB, 7402);
            await b.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal), Long, "instance b running again");
            await Produce(10, 3);
            await cluster.RestartBrokerAsync();
            await Produce(10, 4);

            var expected = StreamsCluster.Recount(lines);
            Dictionary<string, long> actual = [];
            await StreamsCluster.EventuallyAsync(async () =>
            {
                actual = await cluster.ReadLatestAsync("counts", 4);
                return expected.All(kv => actual.GetValueOrDefault(kv.Key) >= kv.Value);
            }, Long, () => "output after faults: " + Diff(expected, actual));

            // At least once: nothing lost; duplicates only from input processed in the interval a killed instance
            // did not commit (at most the 10 batches produced around the kill).
            Assert.Equal(expected.Count, actual.Count);
            var excess = actual.Sum(kv => kv.Value) - expected.Sum(kv => kv.Value);
            Assert.InRange(excess, 0, 10 * 100 * 3);
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_kill_9_of_the_active_instance_the_standby_takes_over_restoring_only_its_lag()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 2);
        await cluster.Broker.CreateTopicAsync("counts", 2);
        var a = ChildProcess.WordCountPeer(cluster.Bootstrap, "fs", cluster.StateDir(), 7801, standbys: 1);
        await using var b = ChildProcess.WordCountPeer(cluster.Bootstrap, "fs", cluster.StateDir(), 7802, standbys: 1);
        try
        {
            await a.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal) && l.Contains("standby=1_", StringComparison.Ordinal), Long, "a running with a standby");
            await b.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal) && l.Contains("standby=1_", StringComparison.Ordinal), Long, "b running with a standby");
            var lines = StreamsCluster.Lines(3000, 2000, seed: 11);
            await cluster.ProduceLinesAsync("lines", lines);
            var expected = StreamsCluster.Recount(lines);
            Dictionary<string, long> actual = [];
            await StreamsCluster.EventuallyAsync(async () =>
            {
                actual = await cluster.ReadLatestAsync("counts", 2);
                return Same(expected, actual);
            }, Long, () => Diff(expected, actual));
            var changelogEnd = 0L;
            await using (var consumer = new Eddy.Client.KafkaConsumer<byte[], byte[]>(new Eddy.Client.ConsumerConfig { BootstrapServers = cluster.Bootstrap },
                Eddy.Client.Deserializers.ByteArray, Eddy.Client.Deserializers.ByteArray))
            {
                for (var p = 0; p < 2; p++)
                {
                    changelogEnd += (await consumer.QueryWatermarkOffsetsAsync(new Eddy.Client.TopicPartition("fs-counts-store-changelog", p))).High;
                }
            }
            var linesBefore = b.Lines.Count;

            a.Kill();
            // b's session sees a expire, takes a's tasks from its standbys and is Running with both stateful tasks.
            await b.WaitForAsync(l => l.StartsWith("STATE Running", StringComparison.Ordinal) && l.Contains("active=0_0,0_1,1_0,1_1", StringComparison.Ordinal),
                Long, "b running all tasks", fromLine: linesBefore);
            var running = b.Lines.Skip(linesBefore).Last(l => l.Contains("active=0_0,0_1,1_0,1_1", StringComparison.Ordinal));
            var restored = long.Parse(running.Split(' ')[2]["restored=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(restored < changelogEnd / 2, $"b restored {restored} records; the changelog has {changelogEnd}");

            var more = StreamsCluster.Lines(300, 2000, seed: 12);
            lines.AddRange(more);
            await cluster.ProduceLinesAsync("lines", more);
            expected = StreamsCluster.Recount(lines);
            await StreamsCluster.EventuallyAsync(async () =>
            {
                actual = await cluster.ReadLatestAsync("counts", 2);
                return expected.All(kv => actual.GetValueOrDefault(kv.Key) >= kv.Value);
            }, Long, () => Diff(expected, actual));
            Assert.Equal(expected.Count, actual.Count);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }
}
