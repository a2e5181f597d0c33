using Eddy.Client;
using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using static Eddy.Streams.Integration.Tests.WordCountTests;

namespace Eddy.Streams.Integration.Tests;

public sealed class LifecycleTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Internal_topics_are_created_with_upstream_partition_counts_and_compaction()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 3);
        var states = new List<KafkaStreamsState>();
        var streams = new KafkaStreams(StreamsCluster.WordCount(), cluster.Config("it", cluster.StateDir(), 7501));
        streams.StateChanged += (now, _) =>
        {
            lock (states)
            {
                states.Add(now);
            }
        };
        await streams.StartAsync();
        await streams.WaitForRunningAsync(Long);
        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = cluster.Bootstrap });
        var described = await admin.DescribeTopicsAsync(["it-counts-store-repartition", "it-counts-store-changelog"]);
        Assert.All(described, d => Assert.Equal(3, d.Partitions.Count));
        var configs = await admin.DescribeConfigsAsync([new ConfigResource(ConfigResourceType.Topic, "it-counts-store-changelog")]);
        Assert.Equal("compact", configs[0].Entries.Single(e => e.Name == "cleanup.policy").Value);
        Assert.True(await streams.CloseAsync(TimeSpan.FromSeconds(30)));
        lock (states)
        {
            Assert.Equal([KafkaStreamsState.Rebalancing, KafkaStreamsState.Running, KafkaStreamsState.PendingShutdown, KafkaStreamsState.NotRunning], states);
        }

        // A second start accepts the existing internal topics.
        var again = new KafkaStreams(StreamsCluster.WordCount(), cluster.Config("it", cluster.StateDir(), 7501));
        await again.StartAsync();
        await again.WaitForRunningAsync(Long);
        await again.CloseAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Start_fails_clearly_on_missing_sources_wrong_internal_topics_and_broken_co_partitioning()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        var missing = new KafkaStreams(StreamsCluster.WordCount(), cluster.Config("bad1", cluster.StateDir(), 7502));
        var e1 = await Assert.ThrowsAsync<StreamsException>(() => missing.StartAsync());
        Assert.Contains("Missing source topics: lines", e1.Message, StringComparison.Ordinal);
        Assert.Equal(KafkaStreamsState.Error, missing.State);

        await cluster.Broker.CreateTopicAsync("lines", 4);
        await cluster.Broker.CreateTopicAsync("bad2-counts-store-changelog", 2, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        var wrong = new KafkaStreams(StreamsCluster.WordCount(), cluster.Config("bad2", cluster.StateDir(), 7503));
        var e2 = await Assert.ThrowsAsync<StreamsException>(() => wrong.StartAsync());
        Assert.Contains("bad2-counts-store-changelog has invalid partitions: expected: 4; actual: 2", e2.Message, StringComparison.Ordinal);

        await cluster.Broker.CreateTopicAsync("left", 4);
        await cluster.Broker.CreateTopicAsync("right", 2);
        var builder = new StreamsBuilder();
        var left = builder.Stream<string, string>("left", Consumed.With(Serdes.String(), Serdes.String()));
        var right = builder.Stream<string, string>("right", Consumed.With(Serdes.String(), Serdes.String()));
        left.Join(right, (l, r) => l + r, JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMinutes(1)),
                StreamJoined.With(Serdes.String(), Serdes.String(), Serdes.String()))
            .To("joined", Produced.With(Serdes.String(), Serdes.String()));
        var join = new KafkaStreams(builder.Build(), cluster.Config("bad3", cluster.StateDir(), 7504));
        var e3 = await Assert.ThrowsAsync<TopologyException>(() => join.StartAsync());
        Assert.Contains("do not have the same number of partitions", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thread_that_dies_is_replaced_or_shuts_the_instance_down_as_the_handler_says()
    {
        await using var cluster = await StreamsCluster.StartAsync();
        await cluster.Broker.CreateTopicAsync("lines", 2);
        await cluster.Broker.CreateTopicAsync("counts", 2);
        var failures = 0;
        Topology Failing(bool always)
        {
            var builder = new StreamsBuilder();
            builder.Stream<string, string>("lines", Consumed.With(Serdes.String(), Serdes.String()))
                .MapValues(v => v == "boom" && (always || Interlocked.Increment(ref failures) == 1) ? throw new InvalidOperationException("boom") : v)
                .FlatMapValues(line => line.Split(' '))
                .GroupBy((_, w) => w, Grouped.With(Serdes.String(), Serdes.String()))
                .Count(Materialized<string, long>.As("counts-store").WithKeySerde(Serdes.String()).WithValueSerde(Serdes.Int64()))
                .ToStream().To("counts", Produced.With(Serdes.String(), Serdes.Int64()));
            return builder.Build();
        }

        var handled = new List<Exception>();
        var replacing = new KafkaStreams(Failing(always: false), cluster.Config("uh", cluster.StateDir(), 7601));
        replacing.SetUncaughtExceptionHandler(e =>
        {
            lock (handled)
            {
                handled.Add(e);
            }
            return StreamThreadExceptionResponse.ReplaceThread;
        });
        await replacing.StartAsync();
        await replacing.WaitForRunningAsync(Long);
        var lines = new List<string> { "a b", "boom", "a c" };
        await cluster.ProduceLinesAsync("lines", lines);
        var expected = StreamsCluster.Recount(lines);
        // At least once: "a b" may be counted twice if it was processed but not committed when the thread died.
        bool AtLeastOnce(Dictionary<string, long> actual) => expected.All(kv => actual.GetValueOrDefault(kv.Key) >= kv.Value)
            && actual["c"] == 1 && actual["boom"] == 1 && actual["a"] - 1 == actual["b"];
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(replacing.State == KafkaStreamsState.Running && AtLeastOnce(StreamsCluster.QueryAll([replacing]))), Long,
            () => $"{replacing.State}: " + Diff(expected, StreamsCluster.QueryAll([replacing])));
        lock (handled)
        {
            Assert.Single(handled);
            Assert.Contains("boom", handled[0].ToString(), StringComparison.Ordinal);
        }
        await replacing.CloseAsync(TimeSpan.FromSeconds(30));

        var shutdown = new KafkaStreams(Failing(always: true), cluster.Config("uh2", cluster.StateDir(), 7602));
        shutdown.SetUncaughtExceptionHandler(_ => StreamThreadExceptionResponse.ShutdownClient);
        await shutdown.StartAsync();
        await StreamsCluster.EventuallyAsync(() => Task.FromResult(shutdown.State == KafkaStreamsState.Error), Long, () => "state " + shutdown.State);
        Assert.Throws<InvalidStateStoreException>(() => shutdown.Store(StoreQueryParameters.FromNameAndType("counts-store", QueryableStoreTypes.KeyValueStore<string, long>())));
    }
}
