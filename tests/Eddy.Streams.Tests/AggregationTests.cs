using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

public class AggregationTests
{
    private static StreamsConfig Config(long cacheBytes = StreamsConfig.DefaultStateStoreCacheMaxBytes)
        => new() { ApplicationId = "app", StateStoreCacheMaxBytes = cacheBytes };

    [Fact]
    public void GroupByKey_count_emits_a_running_count_per_key_with_the_latest_timestamp()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count(Materialized<string, long>.As("counts")).ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "x", 10);
        input.PipeInput("b", "x", 5);
        input.PipeInput("a", "y", 7);
        var output = driver.CreateOutputTopic<string, long>("out");
        Assert.Equal(new TestRecord<string, long>("a", 1, 10), output.ReadRecord());
        Assert.Equal(new TestRecord<string, long>("b", 1, 5), output.ReadRecord());
        // The aggregate's timestamp is the largest timestamp that contributed to it.
        Assert.Equal(new TestRecord<string, long>("a", 2, 10), output.ReadRecord());
        Assert.Equal(2L, driver.GetKeyValueStore<string, long>("counts")!.Get("a"));
        Assert.Equal(ValueAndTimestampOf(2L, 10), driver.GetTimestampedKeyValueStore<string, long>("counts")!.Get("a"));
    }

    private static State.ValueAndTimestamp<long> ValueAndTimestampOf(long v, long ts) => State.ValueAndTimestamp.Make(v, ts);

    [Fact]
    public void GroupBy_count_repartitions_through_an_internal_topic_and_counts_words()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("lines")
            .FlatMapValues(v => v.ToLowerInvariant().Split(' '))
            .GroupBy((k, w) => w)
            .Count()
            .ToStream()
            .To("counts", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("lines");
        input.PipeInput("1", "Hello Kafka Streams");
        input.PipeInput("2", "hello eddy");
        var counts = driver.CreateOutputTopic<string, long>("counts").ReadKeyValuesToMap();
        Assert.Equal(2, counts["hello"]);
        Assert.Equal(1, counts["eddy"]);
        Assert.Contains("app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition", driver.ProducedTopicNames);
        Assert.Contains("app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog", driver.ProducedTopicNames);
    }

    [Fact]
    public void Reduce_combines_values_and_Aggregate_starts_from_the_initializer()
    {
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey();
        grouped.Reduce((a, b) => a + b).ToStream().To("sum");
        grouped.Aggregate(() => "", (k, v, agg) => agg + v, Materialized.With(Serdes.String(), Serdes.String())).ToStream().To("concat");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, long>("in");
        input.PipeInput("k", 1L);
        input.PipeInput("k", 2L);
        input.PipeInput("k", 3L);
        Assert.Equal([1L, 3L, 6L], driver.CreateOutputTopic<string, long>("sum").ReadValuesToList());
        Assert.Equal(["1", "12", "123"], driver.CreateOutputTopic<string, string>("concat").ReadValuesToList());
    }

    [Fact]
    public void Store_changelog_records_carry_the_aggregate_and_its_timestamp()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count(Materialized<string, long>.As("counts"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("a", "x", 3);
        var changelog = driver.CreateOutputTopic<string, long>("app-counts-changelog");
        // Timestamped stores log the plain value with the stored timestamp as record timestamp, as Kafka does.
        Assert.Equal(new TestRecord<string, long>("a", 1, 3), changelog.ReadRecord());
    }

    [Fact]
    public void Logging_disabled_writes_no_changelog()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count(Materialized<string, long>.As("counts").WithLoggingDisabled());
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("a", "x", 3);
        Assert.DoesNotContain("app-counts-changelog", driver.ProducedTopicNames);
    }

    [Fact]
    public void Table_source_is_materialized_only_when_named_or_needed()
    {
        var builder = new StreamsBuilder();
        builder.Table<string, string>("t").ToStream().To("out");
        Assert.DoesNotContain("STATE-STORE", builder.Build().Describe().ToString(), StringComparison.Ordinal);
        var named = new StreamsBuilder();
        named.Table("t", materialized: Materialized<string, string>.As("t-store"));
        Assert.Contains("(stores: [t-store])", named.Build().Describe().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Table_filter_turns_rows_that_stop_matching_into_tombstones()
    {
        var builder = new StreamsBuilder();
        builder.Table<string, string?>("t", materialized: Materialized<string, string?>.As("t").WithCachingDisabled())
            .Filter((k, v) => v!.StartsWith('a'))
            .ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string?>("t");
        input.PipeInput("k", "apple", 1);
        input.PipeInput("k", "banana", 2);
        input.PipeInput("k", null, 3);
        var output = driver.CreateOutputTopic<string, string?>("out");
        Assert.Equal(new TestRecord<string, string?>("k", "apple", 1), output.ReadRecord());
        Assert.Equal(new TestRecord<string, string?>("k", null, 2), output.ReadRecord());
        Assert.Equal(new TestRecord<string, string?>("k", null, 3), output.ReadRecord());
        Assert.True(output.IsEmpty);
    }

    [Fact]
    public void Table_mapValues_and_filterNot_with_a_materialized_result_are_queryable()
    {
        var builder = new StreamsBuilder();
        builder.Table<string, string>("t")
            .MapValues(v => v.Length, materialized: Materialized<string, int>.As("lengths").WithValueSerde(Serdes.Int32()))
            .FilterNot((k, v) => v > 3, materialized: Materialized<string, int>.As("short").WithValueSerde(Serdes.Int32()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("t");
        input.PipeInput("a", "xy");
        input.PipeInput("b", "xyzzy");
        Assert.Equal(5, driver.GetKeyValueStore<string, int>("lengths")!.Get("b"));
        Assert.True(driver.GetKeyValueStore<string, int>("short")!.TryGet("a", out var a));
        Assert.Equal(2, a);
        Assert.False(driver.GetKeyValueStore<string, int>("short")!.TryGet("b", out _));
    }

    [Fact]
    public void Rekeying_a_table_subtracts_from_the_old_group_and_adds_to_the_new_one()
    {
        // users: id -> region; count users per region, moving users between regions.
        var builder = new StreamsBuilder();
        builder.Table<string, string?>("users")
            .GroupBy((id, region) => KeyValue.Pair(region!, id))
            .Count(Materialized<string, long>.As("per-region").WithCachingDisabled())
            .ToStream()
            .To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string?>("users");
        input.PipeInput("alice", "eu", 1);
        input.PipeInput("bob", "eu", 2);
        input.PipeInput("alice", "us", 3);
        input.PipeInput("bob", null, 4);
        var output = driver.CreateOutputTopic<string, long>("out");
        Assert.Equal(
            [
                new TestRecord<string, long>("eu", 1, 1),
                new TestRecord<string, long>("eu", 2, 2),
                new TestRecord<string, long>("eu", 1, 3),
                new TestRecord<string, long>("us", 1, 3),
                new TestRecord<string, long>("eu", 0, 4),
            ], output.ReadRecordsToList());
        var store = driver.GetKeyValueStore<string, long>("per-region")!;
        Assert.Equal(0L, store.Get("eu"));
        Assert.Equal(1L, store.Get("us"));
    }

    [Fact]
    public void Rekeying_to_the_same_group_applies_subtractor_then_adder_in_one_update()
    {
        var builder = new StreamsBuilder();
        builder.Table("scores", Consumed.With(Serdes.String(), Serdes.Int64()))
            .GroupBy((player, score) => KeyValue.Pair("team", score), Grouped.With(Serdes.String(), Serdes.Int64()))
            .Reduce((agg, v) => agg + v, (agg, v) => agg - v, Materialized<string, long>.As("total").WithCachingDisabled())
            .ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, long>("scores");
        input.PipeInput("p1", 10L);
        input.PipeInput("p2", 5L);
        input.PipeInput("p1", 20L);
        Assert.Equal([10L, 15L, 25L], driver.CreateOutputTopic<string, long>("out").ReadValuesToList());
    }

    [Fact]
    public void Table_aggregate_uses_initializer_adder_and_subtractor()
    {
        var builder = new StreamsBuilder();
        builder.Table<string, string>("t")
            .GroupBy((k, v) => KeyValue.Pair(v, k))
            .Aggregate(() => "", (g, k, agg) => agg + "+" + k, (g, k, agg) => agg + "-" + k, Materialized<string, string>.As("agg").WithCachingDisabled())
            .ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("t");
        input.PipeInput("x", "g1");
        input.PipeInput("x", "g2");
        var map = driver.CreateOutputTopic<string, string>("out").ReadKeyValuesToMap();
        Assert.Equal("+x-x", map["g1"]);
        Assert.Equal("+x", map["g2"]);
    }

    [Fact]
    public void Cogroup_aggregates_several_grouped_streams_into_one_table()
    {
        var builder = new StreamsBuilder();
        var clicks = builder.Stream<string, string>("clicks").GroupByKey();
        var buys = builder.Stream("buys", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey();
        clicks.Cogroup<long>((k, v, agg) => agg + 1)
            .Cogroup(buys, (k, v, agg) => agg + (v * 100))
            .Aggregate(() => 0L, Materialized<string, long>.As("score").WithValueSerde(Serdes.Int64()).WithCachingDisabled())
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        var topology = builder.Build();
        Assert.Contains("COGROUPKSTREAM-AGGREGATE-", topology.Describe().ToString(), StringComparison.Ordinal);
        Assert.Contains("COGROUPKSTREAM-MERGE-", topology.Describe().ToString(), StringComparison.Ordinal);
        using var driver = new TopologyTestDriver(topology, Config());
        driver.CreateInputTopic<string, string>("clicks").PipeInput("u", "c", 1);
        driver.CreateInputTopic<string, long>("buys").PipeInput("u", 2L, 2);
        driver.CreateInputTopic<string, string>("clicks").PipeInput("u", "c", 3);
        Assert.Equal([1L, 201L, 202L], driver.CreateOutputTopic<string, long>("out").ReadValuesToList());
    }

    [Fact]
    public void Caching_deduplicates_updates_per_key_until_commit()
    {
        // The driver commits after every input record; a processor that updates a key twice per record
        // shows the cache forwarding only the latest value at commit.
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .FlatMapValues(v => new[] { v, v })
            .GroupByKey()
            .Count(Materialized<string, long>.As("c"))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v");
        Assert.Equal([2L], driver.CreateOutputTopic<string, long>("out").ReadValuesToList());
        Assert.Single(driver.CreateOutputTopic<string, long>("app-c-changelog").ReadValuesToList());
    }

    [Fact]
    public void Caching_off_forwards_every_update()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .FlatMapValues(v => new[] { v, v })
            .GroupByKey()
            .Count(Materialized<string, long>.As("c"))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config(cacheBytes: 0));
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v");
        Assert.Equal([1L, 2L], driver.CreateOutputTopic<string, long>("out").ReadValuesToList());
        Assert.Equal(2, driver.CreateOutputTopic<string, long>("app-c-changelog").QueueSize);
    }

    [Fact]
    public void Global_table_is_read_only_and_readable_from_any_processor()
    {
        var builder = new StreamsBuilder();
        var countries = builder.GlobalTable<string, string>("countries", materialized: Materialized<string, string>.As("countries"));
        builder.Stream<string, string>("orders").ProcessValues(() => new CountryLookup(countries.QueryableStoreName)).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("countries").PipeInput("fr", "France");
        driver.CreateInputTopic<string, string>("orders").PipeInput("o1", "fr");
        Assert.Equal("France", driver.CreateOutputTopic<string, string>("out").ReadValue());
        Assert.Equal("France", driver.GetKeyValueStore<string, string>("countries")!.Get("fr"));
    }

    private sealed class CountryLookup(string store) : Processors.IFixedKeyProcessor<string, string, string>
    {
        private Processors.IFixedKeyProcessorContext<string, string> _ctx = null!;
        private State.ITimestampedKeyValueStore<string, string> _countries = null!;

        public void Init(Processors.IFixedKeyProcessorContext<string, string> context)
        {
            _ctx = context;
            _countries = context.GetStateStore<State.ITimestampedKeyValueStore<string, string>>(store);
            Assert.Throws<InvalidOperationException>(() => _countries.Put("x", State.ValueAndTimestamp.Make("y", 0)));
        }

        public void Process(Processors.FixedKeyRecord<string, string> record)
            => _ctx.Forward(record.WithValue(_countries.Get(record.Value).Value ?? "?"));
    }
}

public class CacheEvictionTests
{
    [Fact]
    public void A_full_cache_evicts_and_forwards_while_processing_and_final_counts_stay_exact()
    {
        // A tiny cache (a few entries) forces evictions in the middle of processing a record.
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .FlatMapValues(v => v.Split(' '))
            .GroupBy((k, w) => w)
            .Count(Materialized<string, long>.As("counts"))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "evict", StateStoreCacheMaxBytes = 400 });
        var input = driver.CreateInputTopic<string, string>("in");
        var random = new Random(3);
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < 200; i++)
        {
            var words = Enumerable.Range(0, 8).Select(_ => "w" + random.Next(30)).ToArray();
            foreach (var w in words)
            {
                expected[w] = expected.GetValueOrDefault(w) + 1;
            }
            input.PipeInput("line", string.Join(' ', words));
        }
        Assert.Equal(expected, driver.CreateOutputTopic<string, long>("out").ReadKeyValuesToMap());
        var store = driver.GetKeyValueStore<string, long>("counts")!;
        Assert.All(expected, kv => Assert.Equal(kv.Value, store.Get(kv.Key)));
        using var all = store.All();
        Assert.Equal(expected.Count, all.Count());
    }
}
