using Eddy.Streams.SerDes;
using static Eddy.Streams.Integration.Tests.WordCountTests;

namespace Eddy.Streams.Integration.Tests;

public sealed class RecoveryTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_restarted_instance_restores_from_its_checkpoint_plus_the_changelog_tail_not_from_scratch()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        var dirB = cluster.StateDir();
        var a = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("rs", cluster.StateDir(), 7101));
        var b = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("rs", dirB, 7102));
        await Task.WhenAll(a.WaitForRunningAsync(Long), b.WaitForRunningAsync(Long));
        var lines = StreamsCluster.Lines(3000, 200, seed: 3);
        await cluster.ProduceLinesAsync("lines", lines);
        var expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([a, b])));

        var hadState = b.LocalTasks().Active.Where(t => t.Subtopology == 1).Select(t => "rs-counts-store-changelog-" + t.Partition).ToHashSet();
        Assert.NotEmpty(hadState);
        await b.CloseAsync(TimeSpan.FromSeconds(30));
        var more = StreamsCluster.Lines(300, 200, seed: 4);
        lines.AddRange(more);
        await cluster.ProduceLinesAsync("lines", more);
        expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([a])));

        var listener = new CountingRestoreListener();
        var b2 = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("rs", dirB, 7102), listener);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(b2.LocalTasks().Active.Any(t => t.Subtopology == 1) && b2.State == KafkaStreamsState.Running),
            Long, () => $"b2 never got stateful tasks back: {string.Join(",", b2.LocalTasks().Active)}");
        var last = StreamsCluster.Lines(300, 200, seed: 5);
        lines.AddRange(last);
        await cluster.ProduceLinesAsync("lines", last);
        expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b2]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([a, b2])));

        // The changelog partitions b had state for were restored from its checkpoint (not offset 0): only the tail was read.
        var own = listener.Ranges.Where(r => hadState.Contains(r.Key)).ToList();
        Assert.NotEmpty(own);
        Assert.All(own, r => Assert.True(r.Value.Start > 0, $"{r.Key}: restore started at {r.Value.Start}, end {r.Value.End}"));
        var tail = listener.Ranges.Values.Sum(r => r.End - r.Start);
        Assert.Equal(tail, listener.Total);
        Assert.True(own.Sum(r => listener.Restored.GetValueOrDefault(r.Key)) < own.Sum(r => r.Value.End), "restored the whole changelog");
    }

    [Fact]
    public async Task A_standby_replica_keeps_up_and_takes_over_without_replaying_the_whole_changelog()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        var listener = new CountingRestoreListener();
        var a = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("sb", cluster.StateDir(), 7201, c => c.NumStandbyReplicas = 1));
        var b = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("sb", cluster.StateDir(), 7202, c => c.NumStandbyReplicas = 1), listener);
        await Task.WhenAll(a.WaitForRunningAsync(Long), b.WaitForRunningAsync(Long));
        var lines = StreamsCluster.Lines(3000, 200, seed: 6);
        await cluster.ProduceLinesAsync("lines", lines);
        var expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([a, b])));

        // b holds standbys of a's stateful tasks, and they catch up: stale queries on b see every count.
        Assert.Equal(a.LocalTasks().Active.Where(t => t.Subtopology == 1).Order(), b.LocalTasks().Standby.Order());
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, QueryWithStandbys(b))), Long,
            () => "standby view: " + Diff(expected, QueryWithStandbys(b)));
        var restoredBefore = listener.Total;

        await a.CloseAsync(TimeSpan.FromSeconds(30));
        var more = StreamsCluster.Lines(300, 200, seed: 7);
        lines.AddRange(more);
        await cluster.ProduceLinesAsync("lines", more);
        expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([b]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([b])));

        // The promoted tasks restored at most the standby's lag: here the standbys were current, so (nearly) nothing.
        var promoted = listener.Ranges.Where(r => r.Value.End > 0).ToList();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, r => Assert.True(r.Value.Start > 0, $"{r.Key} restored from {r.Value.Start}"));
        var whole = promoted.Sum(r => r.Value.End);
        Assert.True(listener.Total - restoredBefore < whole / 10, $"restored {listener.Total - restoredBefore} of {whole}");
    }

    [Fact]
    public async Task Query_metadata_routes_each_key_to_the_instance_whose_local_store_has_it()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        var a = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("iq", cluster.StateDir(), 7301));
        var b = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("iq", cluster.StateDir(), 7302));
        await Task.WhenAll(a.WaitForRunningAsync(Long), b.WaitForRunningAsync(Long));
        var lines = StreamsCluster.Lines(1000, 100, seed: 8);
        await cluster.ProduceLinesAsync("lines", lines);
        var expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b]))), Long,
            () => Diff(expected, StreamsCluster.QueryAll([a, b])));

        var byPort = new Dictionary<int, KafkaStreams> { [7301] = a, [7302] = b };
        var hosts = new HashSet<int>();
        foreach (var (word, count) in expected)
        {
            var md = b.QueryMetadataForKey("counts-store", word, Serdes.String());
            Assert.Equal(md, a.QueryMetadataForKey("counts-store", word, Serdes.String()));
            hosts.Add(md.ActiveHost.Port);
            var owner = byPort[md.ActiveHost.Port];
            var other = byPort[md.ActiveHost.Port == 7301 ? 7302 : 7301];
            var store = owner.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.KeyValueStore<string, long>()));
            Assert.True(store.TryGet(word, out var n), $"{word} not on {md.ActiveHost}");
            Assert.Equal(count, n);
            Assert.False(other.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.KeyValueStore<string, long>())).TryGet(word, out _));
            var partitionStore = owner.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.KeyValueStore<string, long>()).WithPartition(md.Partition));
            Assert.Equal(count, partitionStore.Get(word));
        }
        Assert.Equal(2, hosts.Count);
        var all = a.MetadataForAllStreamsClients();
        Assert.Equal(2, all.Count);
        Assert.All(all, m => Assert.Contains("counts-store", m.StateStoreNames));
        Assert.Equal(8, all.Sum(m => m.TopicPartitions.Count));
        Assert.Throws<Errors.InvalidStateStoreException>(() => a.Store(StoreQueryParameters.FromNameAndType("no-such-store", QueryableStoreTypes.KeyValueStore<string, long>())));
        Assert.Throws<Errors.InvalidStateStoreException>(() => a.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.WindowStore<string, long>())));
    }

    private static Dictionary<string, long> QueryWithStandbys(KafkaStreams s)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        var view = s.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.KeyValueStore<string, long>()).EnableStaleStores());
        using var all = view.All();
        while (all.MoveNext())
        {
            result[all.Current.Key] = all.Current.Value;
        }
        return result;
    }
}

public sealed class WarmupTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_new_instance_warms_up_before_stateful_tasks_move_to_it_through_a_probing_rebalance()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("counts", 4);
        static void Configure(StreamsConfig c)
        {
            c.AcceptableRecoveryLag = 5;
            c.ProbingRebalanceInterval = TimeSpan.FromSeconds(1);
            c.MaxWarmupReplicas = 4;
        }
        var a = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("wu", cluster.StateDir(), 7701, Configure));
        await a.WaitForRunningAsync(Long);
        var lines = StreamsCluster.Lines(2000, 300, seed: 9);
        await cluster.ProduceLinesAsync("lines", lines);
        var expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a]))), Long, () => Diff(expected, StreamsCluster.QueryAll([a])));

        var b = await cluster.StartInstanceAsync(StreamsCluster.WordCount(), cluster.Config("wu", cluster.StateDir(), 7702, Configure));
        // First b only gets stateless tasks plus warm-up replicas of stateful ones (it has no state, the lag is far above 5)...
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(b.LocalTasks().Standby.Count > 0), Long, () => $"b tasks: {string.Join(",", b.LocalTasks().Active)} / {string.Join(",", b.LocalTasks().Standby)}");
        // ...then, once they caught up, a probing rebalance moves stateful tasks to it.
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(b.LocalTasks().Active.Count(t => t.Subtopology == 1) == 2 && a.LocalTasks().Active.Count(t => t.Subtopology == 1) == 2),
            Long, () => $"a: {string.Join(",", a.LocalTasks().Active)}; b: {string.Join(",", b.LocalTasks().Active)} / {string.Join(",", b.LocalTasks().Standby)}");
        var more = StreamsCluster.Lines(200, 300, seed: 10);
        lines.AddRange(more);
        await cluster.ProduceLinesAsync("lines", more);
        expected = StreamsCluster.Recount(lines);
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(Same(expected, StreamsCluster.QueryAll([a, b]))), Long, () => Diff(expected, StreamsCluster.QueryAll([a, b])));
    }
}
