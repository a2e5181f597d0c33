namespace Eddy.Streams.Integration.Tests;

public sealed class WordCountTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_instances_share_a_word_count_and_the_survivor_takes_over_when_one_stops()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        var topology = StreamsCluster.WordCount();
        var a = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("wc", cluster.StateDir(), 7001, c => c["repartition.purge.interval.ms"] = 100L));
        var b = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("wc", cluster.StateDir(), 7002));
        await Task.WhenAll(a.WaitForRunningAsync(Long), b.WaitForRunningAsync(Long));
        _ = topology;

        var first = StreamsCluster.Lines(2000, 50, seed: 1);
        await cluster.ProduceLinesAsync("lines", first);
        var expected = StreamsCluster.Recount(first);
        await StreamsCluster.EventuallyAsync(
            () => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b]))), Long,
            () => "counts after the first batch: " + Diff(expected, StreamsCluster.QueryAll([a, b])));

        // Committed repartition records are purged (DeleteRecords) by the instance that consumed them.
        await using (var consumer = new Eddy.Client.KafkaConsumer<byte[], byte[]>(new Eddy.Client.ConsumerConfig { BootstrapServers = cluster.Bootstrap },
            Eddy.Client.Deserializers.ByteArray, Eddy.Client.Deserializers.ByteArray))
        {
            var tps = new[] { 1, 3, 0, 2 }.Select(p => new Eddy.Client.TopicPartition("wc-counts-store-repartition", p)).ToList();
            await StreamsCluster.EventuallyAsync(async () =>
            {
                foreach (var tp in tps)
                {
                    if ((await consumer.QueryWatermarkOffsetsAsync(tp)).Low > 0)
                    {
                        return true;
                    }
                }
                return false;
            }, Long, () => "no repartition partition was purged");
        }

        // Both instances got work: the group split the tasks.
        Assert.NotEmpty(a.LocalTasks().Active);
        Assert.NotEmpty(b.LocalTasks().Active);

        // Stop one: its tasks move to the other and counting continues from the committed state.
        await b.CloseAsync(TimeSpan.FromSeconds(30));
        var second = StreamsCluster.Lines(2000, 50, seed: 2);
        await cluster.ProduceLinesAsync("lines", second);
        var expectedAll = StreamsCluster.Recount(first.Concat(second));
        await StreamsCluster.EventuallyAsync(
            () => Task.FromResult(Same(expectedAll, StreamsCluster.QueryAll([a]))), Long,
            () => "counts after failover: " + Diff(expectedAll, StreamsCluster.QueryAll([a])));
        // The store answers from its cache at once; the output topic gets the counts when the cache flushes
        // at the next commit, so it catches up a little later.
        Dictionary<string, long> output = [];
        await StreamsCluster.EventuallyAsync(async () =>
        {
            output = await cluster.ReadLatestAsync("counts", 4);
            return Same(expectedAll, output);
        }, Long, () => "output topic: " + Diff(expectedAll, output));
    }

    internal static bool Same(Dictionary<string, long> expected, Dictionary<string, long> actual)
        => expected.Count == actual.Count && expected.All(kv => actual.TryGetValue(kv.Key, out var v) && v == kv.Value);

    internal static string Diff(Dictionary<string, long> expected, Dictionary<string, long> actual)
        => $"{expected.Count} expected keys, {actual.Count} actual; first differences: " + string.Join(", ",
            expected.Where(kv => !actual.TryGetValue(kv.Key, out var v) || v != kv.Value).Take(5).Select(kv => $"{kv.Key}={kv.Value} vs {(actual.TryGetValue(kv.Key, out var v) ? v : -1)}"));
}
