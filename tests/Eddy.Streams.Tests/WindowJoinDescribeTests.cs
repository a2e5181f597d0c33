using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Tests;

/// <summary>Describe() of windowed aggregations, suppression and joins, byte for byte against Kafka Streams' own test texts.</summary>
public class WindowJoinDescribeTests
{
    private const string SingleAggregate =
        "Topologies:\n" +
        "   Sub-topology: 0\n" +
        "    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n" +
        "      --> KSTREAM-AGGREGATE-{0}\n" +
        "    Processor: KSTREAM-AGGREGATE-{0} (stores: [{1}])\n" +
        "      --> none\n" +
        "      <-- KSTREAM-SOURCE-0000000000\n\n";

    private static string Expected(string processorIndex, string store) => SingleAggregate.Replace("{0}", processorIndex, StringComparison.Ordinal).Replace("{1}", store, StringComparison.Ordinal);

    // apache/kafka streams/src/test/java/org/apache/kafka/streams/TopologyTest.java:
    // timeWindowZeroArgCountShouldPreserveTopologyStructure, timeWindowNamedMaterializedCountShouldPreserveTopologyStructure,
    // timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure and the session-window variants.
    [Fact]
    public void Time_window_count_describes_like_kafka()
    {
        var windows = TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(1));

        var zeroArg = new StreamsBuilder();
        zeroArg.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count();
        Assert.Equal(Expected("0000000002", "KSTREAM-AGGREGATE-STATE-STORE-0000000001"), zeroArg.Build().Describe().ToString());

        var named = new StreamsBuilder();
        named.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count(Materialized<string, long>.As("count-store"));
        Assert.Equal(Expected("0000000001", "count-store"), named.Build().Describe().ToString());

        var anonymous = new StreamsBuilder();
        anonymous.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count(Materialized.With<string, long>(null, Serdes.Int64()));
        Assert.Equal(Expected("0000000003", "KSTREAM-AGGREGATE-STATE-STORE-0000000002"), anonymous.Build().Describe().ToString());
    }

    [Fact]
    public void Session_window_count_describes_like_kafka()
    {
        var windows = SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMilliseconds(1));

        var zeroArg = new StreamsBuilder();
        zeroArg.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count();
        Assert.Equal(Expected("0000000002", "KSTREAM-AGGREGATE-STATE-STORE-0000000001"), zeroArg.Build().Describe().ToString());

        var named = new StreamsBuilder();
        named.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count(Materialized<string, long>.As("count-store"));
        Assert.Equal(Expected("0000000001", "count-store"), named.Build().Describe().ToString());

        var anonymous = new StreamsBuilder();
        anonymous.Stream<string, string>("input-topic").GroupByKey().WindowedBy(windows).Count(Materialized.With<string, long>(null, Serdes.Int64()));
        Assert.Equal(Expected("0000000003", "KSTREAM-AGGREGATE-STATE-STORE-0000000002"), anonymous.Build().Describe().ToString());
    }

    [Fact]
    public void Sliding_window_count_describes_like_time_windows()
    {
        // SlidingWindowedKStreamImpl names like TimeWindowedKStreamImpl (KSTREAM-AGGREGATE-STATE-STORE- then KSTREAM-AGGREGATE-).
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("input-topic").GroupByKey().WindowedBy(SlidingWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMilliseconds(5))).Count();
        Assert.Equal(Expected("0000000002", "KSTREAM-AGGREGATE-STATE-STORE-0000000001"), builder.Build().Describe().ToString());
    }

    private static string FinalTopology(string suppress, string store, string toStream, string map, string sink) =>
        "Topologies:\n" +
        "   Sub-topology: 0\n" +
        "    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n" +
        "      --> KSTREAM-KEY-SELECT-0000000001\n" +
        "    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n" +
        "      --> counts-repartition-filter\n" +
        "      <-- KSTREAM-SOURCE-0000000000\n" +
        "    Processor: counts-repartition-filter (stores: [])\n" +
        "      --> counts-repartition-sink\n" +
        "      <-- KSTREAM-KEY-SELECT-0000000001\n" +
        "    Sink: counts-repartition-sink (topic: counts-repartition)\n" +
        "      <-- counts-repartition-filter\n" +
        "\n" +
        "  Sub-topology: 1\n" +
        "    Source: counts-repartition-source (topics: [counts-repartition])\n" +
        "      --> KSTREAM-AGGREGATE-0000000002\n" +
        "    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n" +
        "      --> " + suppress + "\n" +
        "      <-- counts-repartition-source\n" +
        "    Processor: " + suppress + " (stores: [" + store + "])\n" +
        "      --> " + toStream + "\n" +
        "      <-- KSTREAM-AGGREGATE-0000000002\n" +
        "    Processor: " + toStream + " (stores: [])\n" +
        "      --> " + map + "\n" +
        "      <-- " + suppress + "\n" +
        "    Processor: " + map + " (stores: [])\n" +
        "      --> " + sink + "\n" +
        "      <-- " + toStream + "\n" +
        "    Sink: " + sink + " (topic: output-suppressed)\n" +
        "      <-- " + map + "\n" +
        "\n";

    private static void FinalResults(StreamsBuilder builder, Suppressed<Windowed<string>> suppressed)
        => builder.Stream("input", Consumed.With(Serdes.String(), Serdes.String()))
            .GroupBy((k, v) => k, Grouped.With(Serdes.String(), Serdes.String()))
            .WindowedBy(SessionWindows.OfInactivityGapAndGrace(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5)))
            .Count(Materialized<string, long>.As("counts").WithCachingDisabled())
            .Suppress(suppressed)
            .ToStream()
            .Map((k, v) => KeyValue.Pair(k.ToString(), v))
            .To("output-suppressed", Produced.With(Serdes.String(), Serdes.Int64()));

    // apache/kafka streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java:
    // ANONYMOUS_FINAL_TOPOLOGY, NAMED_FINAL_TOPOLOGY, ANONYMOUS_INTERMEDIATE_TOPOLOGY, NAMED_INTERMEDIATE_TOPOLOGY.
    [Fact]
    public void Final_results_suppression_describes_like_kafka()
    {
        var anonymous = new StreamsBuilder();
        FinalResults(anonymous, Suppressed<Windowed<string>>.UntilWindowCloses(BufferConfig.Unbounded()));
        Assert.Equal(FinalTopology("KTABLE-SUPPRESS-0000000006", "KTABLE-SUPPRESS-STATE-STORE-0000000007", "KTABLE-TOSTREAM-0000000008",
            "KSTREAM-MAP-0000000009", "KSTREAM-SINK-0000000010"), anonymous.Build().Describe().ToString());

        var named = new StreamsBuilder();
        FinalResults(named, Suppressed<Windowed<string>>.UntilWindowCloses(BufferConfig.Unbounded()).WithName("myname"));
        Assert.Equal(FinalTopology("myname", "myname-store", "KTABLE-TOSTREAM-0000000006", "KSTREAM-MAP-0000000007", "KSTREAM-SINK-0000000008"),
            named.Build().Describe().ToString());
    }

    private static string IntermediateTopology(string store, string suppress, string suppressStore, string toStream, string sink) =>
        "Topologies:\n" +
        "   Sub-topology: 0\n" +
        "    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n" +
        "      --> KSTREAM-AGGREGATE-0000000002\n" +
        "    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [" + store + "])\n" +
        "      --> " + suppress + "\n" +
        "      <-- KSTREAM-SOURCE-0000000000\n" +
        "    Processor: " + suppress + " (stores: [" + suppressStore + "])\n" +
        "      --> " + toStream + "\n" +
        "      <-- KSTREAM-AGGREGATE-0000000002\n" +
        "    Processor: " + toStream + " (stores: [])\n" +
        "      --> " + sink + "\n" +
        "      <-- " + suppress + "\n" +
        "    Sink: " + sink + " (topic: output)\n" +
        "      <-- " + toStream + "\n" +
        "\n";

    [Fact]
    public void Time_limit_suppression_describes_like_kafka()
    {
        var anonymous = new StreamsBuilder();
        anonymous.Stream("input", Consumed.With(Serdes.String(), Serdes.String())).GroupByKey().Count()
            .Suppress(Suppressed<string>.UntilTimeLimit(TimeSpan.FromSeconds(1), BufferConfig.Unbounded()))
            .ToStream().To("output", Produced.With(Serdes.String(), Serdes.Int64()));
        Assert.Equal(IntermediateTopology("KSTREAM-AGGREGATE-STATE-STORE-0000000001", "KTABLE-SUPPRESS-0000000003", "KTABLE-SUPPRESS-STATE-STORE-0000000004",
            "KTABLE-TOSTREAM-0000000005", "KSTREAM-SINK-0000000006"), anonymous.Build().Describe().ToString());

        var named = new StreamsBuilder();
        named.Stream("input", Consumed.With(Serdes.String(), Serdes.String())).GroupByKey().Count()
            .Suppress(Suppressed<string>.UntilTimeLimit(TimeSpan.FromSeconds(1), BufferConfig.Unbounded()).WithName("asdf"))
            .ToStream().To("output", Produced.With(Serdes.String(), Serdes.Int64()));
        Assert.Equal(IntermediateTopology("KSTREAM-AGGREGATE-STATE-STORE-0000000001", "asdf", "asdf-store", "KTABLE-TOSTREAM-0000000003", "KSTREAM-SINK-0000000004"),
            named.Build().Describe().ToString());
    }

    [Fact]
    public void Final_results_need_a_windowed_aggregation_upstream()
    {
        var builder = new StreamsBuilder();
        var table = builder.Stream<string, string>("in").GroupByKey().Count();
        var ex = Assert.Throws<Errors.TopologyException>(() => table.Suppress(Suppressed<string>.UntilWindowCloses(BufferConfig.Unbounded())));
        Assert.Contains("Window close time is only defined for windowed computations", ex.Message, StringComparison.Ordinal);
    }

    private const string JoinedTopology =
        "Topologies:\n" +
        "   Sub-topology: 0\n" +
        "    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n" +
        "      --> KSTREAM-WINDOWED-0000000002\n" +
        "    Source: KSTREAM-SOURCE-0000000001 (topics: [other-topic])\n" +
        "      --> KSTREAM-WINDOWED-0000000003\n" +
        "    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n" +
        "      --> KSTREAM-JOINTHIS-0000000004\n" +
        "      <-- KSTREAM-SOURCE-0000000000\n" +
        "    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n" +
        "      --> KSTREAM-JOINOTHER-0000000005\n" +
        "      <-- KSTREAM-SOURCE-0000000001\n" +
        "    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n" +
        "      --> KSTREAM-MERGE-0000000006\n" +
        "      <-- KSTREAM-WINDOWED-0000000003\n" +
        "    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n" +
        "      --> KSTREAM-MERGE-0000000006\n" +
        "      <-- KSTREAM-WINDOWED-0000000002\n" +
        "    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n" +
        "      --> {0}\n" +
        "      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n" +
        "{1}\n";

    private static string Joined(string next, string rest) => JoinedTopology.Replace("{0}", next, StringComparison.Ordinal).Replace("{1}", rest, StringComparison.Ordinal);

    // apache/kafka streams/src/test/java/org/apache/kafka/streams/kstream/internals/graph/StreamsGraphTest.java:
    // expectedJoinedTopology, expectedJoinedFilteredTopology and expectedFullTopology, built in steps as that test does.
    [Fact]
    public void Stream_stream_join_describes_like_kafka_at_every_build_step()
    {
        var builder = new StreamsBuilder();
        var stream = builder.Stream<string, string>("topic");
        var other = builder.Stream<string, string>("other-topic");
        var joined = stream.Join(other, (v, v2) => v + v2, JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromSeconds(5)));
        Assert.Equal(Joined("none", ""), builder.Build().Describe().ToString());

        var filtered = joined.Filter((k, v) => v == "foo");
        Assert.Equal(Joined("KSTREAM-FILTER-0000000007",
            "    Processor: KSTREAM-FILTER-0000000007 (stores: [])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-MERGE-0000000006\n"), builder.Build().Describe().ToString());

        filtered.MapValues(v => v + "some value").To("output-topic");
        Assert.Equal(Joined("KSTREAM-FILTER-0000000007",
            "    Processor: KSTREAM-FILTER-0000000007 (stores: [])\n" +
            "      --> KSTREAM-MAPVALUES-0000000008\n" +
            "      <-- KSTREAM-MERGE-0000000006\n" +
            "    Processor: KSTREAM-MAPVALUES-0000000008 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000009\n" +
            "      <-- KSTREAM-FILTER-0000000007\n" +
            "    Sink: KSTREAM-SINK-0000000009 (topic: output-topic)\n" +
            "      <-- KSTREAM-MAPVALUES-0000000008\n"), builder.Build().Describe().ToString());
    }

    // apache/kafka streams/src/test/java/org/apache/kafka/streams/StreamsBuilderTest.java:
    // shouldUseGeneratedStoreNamesForLeftJoinOperationBetweenKStreamAndKStream (KIP-633's shared outer store).
    [Fact]
    public void Named_left_join_uses_generated_store_names_and_suffixed_processor_names()
    {
        var builder = new StreamsBuilder();
        var one = builder.Stream<string, string>("stream-topic");
        var two = builder.Stream<string, string>("stream-topic-two");
        one.LeftJoin(two, (v1, v2) => v1, JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromHours(1)),
            StreamJoined.With(Serdes.String(), Serdes.String(), Serdes.String()).WithName("join-operation"));
        var topology = builder.Build();
        var nodes = topology.Describe().Subtopologies.Single().Nodes;
        Assert.Equal(
            ["KSTREAM-SOURCE-0000000000", "KSTREAM-SOURCE-0000000001", "join-operation-this-windowed", "join-operation-other-windowed",
             "join-operation-this-join", "join-operation-outer-other-join", "join-operation-merge"],
            topology.Builder.Nodes.Select(n => n.Name).ToList());
        var stores = nodes.SelectMany(n => n.Stores).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["KSTREAM-JOINTHIS-0000000004-store", "KSTREAM-OUTEROTHER-0000000005-store", "KSTREAM-OUTERSHARED-0000000004-store"], stores);
    }

    [Fact]
    public void Outer_join_names_follow_kip_633()
    {
        // KIP-633: an outer join's processors are KSTREAM-OUTERTHIS-/KSTREAM-OUTEROTHER- and its shared store
        // KSTREAM-OUTERSHARED-<this index>-store (as in Kafka's KStreamKStreamOuterJoinTest topologies).
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("left").OuterJoin(builder.Stream<string, string>("right"), (a, b) => a + b,
            JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMinutes(1))).To("out");
        var text = builder.Build().Describe().ToString();
        Assert.Contains("Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [", text, StringComparison.Ordinal);
        Assert.Contains("KSTREAM-OUTERSHARED-0000000004-store", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_table_join_names_merge_this_and_other_like_kafka()
    {
        // KTableImpl.doJoin: KTABLE-MERGE- first, then KTABLE-JOINTHIS-/KTABLE-JOINOTHER- (a generated materialized store
        // name comes before all three), as in published Describe outputs (KTABLE-MERGE-0000000009, -JOINTHIS-...10, -JOINOTHER-...11).
        var builder = new StreamsBuilder();
        var left = builder.Table<string, string>("left");
        var right = builder.Table<string, string>("right");
        left.Join(right, (a, b) => a + b).ToStream().To("out");
        var text = builder.Build().Describe().ToString();
        Assert.Contains("Processor: KTABLE-JOINTHIS-0000000007 (stores: [right-STATE-STORE-0000000003])", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KTABLE-JOINOTHER-0000000008 (stores: [left-STATE-STORE-0000000000])", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KTABLE-MERGE-0000000006 (stores: [])", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KTABLE-SOURCE-0000000002 (stores: [left-STATE-STORE-0000000000])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_table_join_materializes_the_table_and_connects_its_store()
    {
        var builder = new StreamsBuilder();
        var table = builder.Table<string, string>("table");
        builder.Stream<string, string>("stream").Join(table, (s, t) => s + t).To("out");
        var text = builder.Build().Describe().ToString();
        Assert.Contains("Processor: KSTREAM-JOIN-0000000004 (stores: [table-STATE-STORE-0000000000])", text, StringComparison.Ordinal);
        Assert.Contains("Processor: KTABLE-SOURCE-0000000002 (stores: [table-STATE-STORE-0000000000])", text, StringComparison.Ordinal);
    }
}

