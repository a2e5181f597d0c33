using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Tests;

/// <summary>Topology.Describe() must print Kafka Streams' text byte for byte (visualizers parse it).</summary>
public class DescribeTests
{
    [Fact]
    public void Word_count_describes_exactly_like_kafka_streams()
    {
        // The WordCount of Kafka's tutorial (apache/kafka docs/streams/tutorial.html):
        // flatMapValues -> groupBy -> count(Materialized.as("counts-store")) -> toStream -> to.
        // Expected text: its Topology.describe() output on Kafka Streams 2.3+ (repartition nodes named
        // "<topic>-filter/-sink/-source" per KStreamImpl.createRepartitionedSource), as printed in a public
        // Kafka Streams WordCount project's README.
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("streams-plaintext-input")
            .FlatMapValues(value => value.ToLowerInvariant().Split(' '))
            .GroupBy((key, value) => value)
            .Count(Materialized<string, long>.As("counts-store"))
            .ToStream()
            .To("streams-wordcount-output", Produced.With(Serdes.String(), Serdes.Int64()));

        const string expected =
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])\n" +
            "      --> KSTREAM-FLATMAPVALUES-0000000001\n" +
            "    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])\n" +
            "      --> KSTREAM-KEY-SELECT-0000000002\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n" +
            "    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])\n" +
            "      --> counts-store-repartition-filter\n" +
            "      <-- KSTREAM-FLATMAPVALUES-0000000001\n" +
            "    Processor: counts-store-repartition-filter (stores: [])\n" +
            "      --> counts-store-repartition-sink\n" +
            "      <-- KSTREAM-KEY-SELECT-0000000002\n" +
            "    Sink: counts-store-repartition-sink (topic: counts-store-repartition)\n" +
            "      <-- counts-store-repartition-filter\n" +
            "\n" +
            "  Sub-topology: 1\n" +
            "    Source: counts-store-repartition-source (topics: [counts-store-repartition])\n" +
            "      --> KSTREAM-AGGREGATE-0000000003\n" +
            "    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])\n" +
            "      --> KTABLE-TOSTREAM-0000000007\n" +
            "      <-- counts-store-repartition-source\n" +
            "    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000008\n" +
            "      <-- KSTREAM-AGGREGATE-0000000003\n" +
            "    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)\n" +
            "      <-- KTABLE-TOSTREAM-0000000007\n" +
            "\n";
        Assert.Equal(expected, builder.Build().Describe().ToString());
    }

    [Fact]
    public void Stream_group_by_key_count_describes_exactly_like_kafka_streams()
    {
        // apache/kafka streams/src/test/java/org/apache/kafka/streams/TopologyTest.java,
        // builder.stream("input-topic").groupByKey().count() (expected text at l.1177-1195 of the 2024-10 trunk).
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("input-topic").GroupByKey().Count();
        const string expected =
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n" +
            "      --> KSTREAM-AGGREGATE-0000000002\n" +
            "    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n" +
            "\n";
        Assert.Equal(expected, builder.Build().Describe().ToString());
    }

    [Fact]
    public void Table_aggregation_with_repartition_describes_exactly_like_kafka_streams()
    {
        // apache/kafka TopologyTest.tableZeroArgCountShouldPreserveTopologyStructure (l.1887-1920):
        // builder.table("input-topic").groupBy((k, v) -> null).count().
        var builder = new StreamsBuilder();
        builder.Table<string, string>("input-topic")
            .GroupBy((k, v) => KeyValue.Pair<string, string>(null!, null!))
            .Count();
        const string expected =
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n" +
            "      --> KTABLE-SELECT-0000000003\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n" +
            "    Processor: KTABLE-SELECT-0000000003 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000005\n" +
            "      <-- KTABLE-SOURCE-0000000002\n" +
            "    Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)\n" +
            "      <-- KTABLE-SELECT-0000000003\n" +
            "\n" +
            "  Sub-topology: 1\n" +
            "    Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])\n" +
            "      --> KTABLE-AGGREGATE-0000000007\n" +
            "    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000006\n" +
            "\n";
        Assert.Equal(expected, builder.Build().Describe().ToString());
    }

    [Fact]
    public void Branch_and_merge_with_aggregation_describes_exactly_like_kafka_streams()
    {
        // A payments topology (peek, filter, peek, branch into two, map one branch, merge, peek, branch again to two
        // sinks, and a map + groupByKey(Grouped.as("balance")) + aggregate(Materialized.as("balance"))). Expected
        // text: its Kafka Streams Topology.describe() as printed in the README of lydtechconsulting/kafka-streams v1.3.0.
        var builder = new StreamsBuilder();
        var branches = builder.Stream<string, string>("payment-topic")
            .Peek((k, v) => { })
            .Filter((k, v) => v is not null)
            .Peek((k, v) => { })
            .Branch((k, v) => v.StartsWith('f'), (k, v) => v.StartsWith('b'));
        var merged = branches[0].Merge(branches[1].MapValues(v => v));
        var peeked = merged.Peek((k, v) => { });
        peeked.Map((k, v) => KeyValue.Pair(k, (long)v.Length))
            .GroupByKey(Grouped<string, long>.As("balance"))
            .Aggregate(() => 0L, (k, v, agg) => agg + v, materialized: Materialized<string, long>.As("balance"));
        var railsBranches = peeked.Branch((k, v) => v.StartsWith('f'), (k, v) => v.StartsWith('b'));
        railsBranches[0].To("rails-foo-topic");
        railsBranches[1].To("rails-bar-topic");

        const string expected =
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [payment-topic])\n" +
            "      --> KSTREAM-PEEK-0000000001\n" +
            "    Processor: KSTREAM-PEEK-0000000001 (stores: [])\n" +
            "      --> KSTREAM-FILTER-0000000002\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n" +
            "    Processor: KSTREAM-FILTER-0000000002 (stores: [])\n" +
            "      --> KSTREAM-PEEK-0000000003\n" +
            "      <-- KSTREAM-PEEK-0000000001\n" +
            "    Processor: KSTREAM-PEEK-0000000003 (stores: [])\n" +
            "      --> KSTREAM-BRANCH-0000000004\n" +
            "      <-- KSTREAM-FILTER-0000000002\n" +
            "    Processor: KSTREAM-BRANCH-0000000004 (stores: [])\n" +
            "      --> KSTREAM-BRANCHCHILD-0000000006, KSTREAM-BRANCHCHILD-0000000005\n" +
            "      <-- KSTREAM-PEEK-0000000003\n" +
            "    Processor: KSTREAM-BRANCHCHILD-0000000006 (stores: [])\n" +
            "      --> KSTREAM-MAPVALUES-0000000007\n" +
            "      <-- KSTREAM-BRANCH-0000000004\n" +
            "    Processor: KSTREAM-BRANCHCHILD-0000000005 (stores: [])\n" +
            "      --> KSTREAM-MERGE-0000000008\n" +
            "      <-- KSTREAM-BRANCH-0000000004\n" +
            "    Processor: KSTREAM-MAPVALUES-0000000007 (stores: [])\n" +
            "      --> KSTREAM-MERGE-0000000008\n" +
            "      <-- KSTREAM-BRANCHCHILD-0000000006\n" +
            "    Processor: KSTREAM-MERGE-0000000008 (stores: [])\n" +
            "      --> KSTREAM-PEEK-0000000009\n" +
            "      <-- KSTREAM-BRANCHCHILD-0000000005, KSTREAM-MAPVALUES-0000000007\n" +
            "    Processor: KSTREAM-PEEK-0000000009 (stores: [])\n" +
            "      --> KSTREAM-BRANCH-0000000015, KSTREAM-MAP-0000000010\n" +
            "      <-- KSTREAM-MERGE-0000000008\n" +
            "    Processor: KSTREAM-BRANCH-0000000015 (stores: [])\n" +
            "      --> KSTREAM-BRANCHCHILD-0000000016, KSTREAM-BRANCHCHILD-0000000017\n" +
            "      <-- KSTREAM-PEEK-0000000009\n" +
            "    Processor: KSTREAM-MAP-0000000010 (stores: [])\n" +
            "      --> balance-repartition-filter\n" +
            "      <-- KSTREAM-PEEK-0000000009\n" +
            "    Processor: KSTREAM-BRANCHCHILD-0000000016 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000018\n" +
            "      <-- KSTREAM-BRANCH-0000000015\n" +
            "    Processor: KSTREAM-BRANCHCHILD-0000000017 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000019\n" +
            "      <-- KSTREAM-BRANCH-0000000015\n" +
            "    Processor: balance-repartition-filter (stores: [])\n" +
            "      --> balance-repartition-sink\n" +
            "      <-- KSTREAM-MAP-0000000010\n" +
            "    Sink: KSTREAM-SINK-0000000018 (topic: rails-foo-topic)\n" +
            "      <-- KSTREAM-BRANCHCHILD-0000000016\n" +
            "    Sink: KSTREAM-SINK-0000000019 (topic: rails-bar-topic)\n" +
            "      <-- KSTREAM-BRANCHCHILD-0000000017\n" +
            "    Sink: balance-repartition-sink (topic: balance-repartition)\n" +
            "      <-- balance-repartition-filter\n" +
            "\n" +
            "  Sub-topology: 1\n" +
            "    Source: balance-repartition-source (topics: [balance-repartition])\n" +
            "      --> KSTREAM-AGGREGATE-0000000011\n" +
            "    Processor: KSTREAM-AGGREGATE-0000000011 (stores: [balance])\n" +
            "      --> none\n" +
            "      <-- balance-repartition-source\n" +
            "\n";
        Assert.Equal(expected, builder.Build().Describe().ToString());
    }

    [Fact]
    public void Split_names_branches_after_the_splitter_like_kafka_streams()
    {
        // BranchedKStreamImpl: children are splitterName + index (1-based; the default branch is 0).
        var builder = new StreamsBuilder();
        var result = builder.Stream<string, int>("in").Split()
            .Branch((k, v) => v > 0)
            .DefaultBranch();
        Assert.Equal(["KSTREAM-BRANCH-00000000011", "KSTREAM-BRANCH-00000000010"], result.Keys.Order(StringComparer.Ordinal).Reverse().ToArray());
        var text = builder.Build().Describe().ToString();
        Assert.Contains("Processor: KSTREAM-BRANCH-0000000001 (stores: [])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Global_store_is_described_as_a_sub_topology_that_generates_no_tasks()
    {
        var builder = new StreamsBuilder();
        builder.GlobalTable<string, string>("countries");
        var text = builder.Build().Describe().ToString();
        Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0 for global store (will not generate tasks)\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [countries])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [countries-STATE-STORE-0000000000])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n", text);
    }
}

public class TopicGroupTests
{
    [Fact]
    public void Topic_groups_list_what_each_sub_topology_reads_and_writes()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("lines")
            .GroupBy((k, v) => v, Grouped<string, string>.As("words"))
            .Count(Materialized<string, long>.As("counts"))
            .ToStream().To("out");
        builder.Stream<string, string>("other").Repartition(Repartitioned<string, string>.As("fixed").WithNumberOfPartitions(6)).To("out2");
        var topology = builder.Build();
        topology.Builder.ApplicationId = "app";
        var groups = topology.Builder.TopicGroups();
        Assert.Equal(4, groups.Count);
        Assert.Equal(["lines"], groups[0].SourceTopics);
        Assert.Equal(["app-words-repartition"], groups[0].SinkTopics);
        Assert.Equal(["app-words-repartition"], groups[1].RepartitionSourceTopics.Keys);
        Assert.Equal(["app-counts-changelog"], groups[1].StateChangelogTopics);
        Assert.Equal(["out"], groups[1].SinkTopics);
        Assert.Equal(6, groups[3].RepartitionSourceTopics["app-fixed-repartition"]);
    }
}

public class NamingTests
{
    private static IEnumerable<string> Names(Topology t) => t.Describe().Subtopologies.SelectMany(s => s.Nodes).Select(n => n.Name).Order(StringComparer.Ordinal);

    [Fact]
    public void Unnamed_repartition_uses_generated_names_for_its_topic_and_nodes()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").SelectKey((k, v) => v).Repartition().To("out");
        var t = builder.Build();
        Assert.Equal(
            ["KSTREAM-FILTER-0000000004", "KSTREAM-KEY-SELECT-0000000001", "KSTREAM-SINK-0000000003", "KSTREAM-SINK-0000000006", "KSTREAM-SOURCE-0000000000", "KSTREAM-SOURCE-0000000005"],
            Names(t));
        Assert.Contains("(topic: KSTREAM-REPARTITION-0000000002-repartition)", t.Describe().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void User_names_replace_generated_ones_without_burning_indexes()
    {
        var builder = new StreamsBuilder();
        builder.Table("users", Consumed<string, string>.As("users-source"))
            .Filter((k, v) => true, Named.As("active"))
            .ToStream(Named.As("to-stream"))
            .Peek((k, v) => { }, Named.As("log"))
            .To("out", Produced<string, string>.As("write"));
        builder.Stream<string, string>("in").MapValues(v => v);
        Assert.Equal(["KSTREAM-MAPVALUES-0000000002", "KSTREAM-SOURCE-0000000001", "active", "log", "to-stream", "users-source", "users-source-table-source", "write"], Names(builder.Build()));
    }

    [Fact]
    public void Count_with_a_named_store_names_the_changelog_after_it()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count(Materialized<string, long>.As("my-counts"));
        Assert.Equal(["app-my-counts-changelog"], builder.Build().InternalTopics("app"));
    }
}

/// <summary>
/// More texts from apache/kafka streams/src/test/java/org/apache/kafka/streams/TopologyTest.java (the test named
/// in each case), compared byte for byte.
/// </summary>
public class KafkaTopologyTestTexts
{
    private static string Describe(Action<StreamsBuilder> build)
    {
        var builder = new StreamsBuilder();
        build(builder);
        return builder.Build().Describe().ToString();
    }

    [Fact]
    public void KGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n" +
            "      --> KSTREAM-AGGREGATE-0000000001\n" +
            "    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n\n",
            Describe(b => b.Stream<string, string>("input-topic").GroupByKey().Count(Materialized<string, long>.As("count-store"))));

    [Fact]
    public void KGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n" +
            "      --> KSTREAM-AGGREGATE-0000000003\n" +
            "    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n\n",
            Describe(b => b.Stream<string, string>("input-topic").GroupByKey().Count(Materialized.With<string, long>(null, Serdes.Int64()))));

    [Fact]
    public void TableNamedMaterializedCountShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n" +
            "      --> KTABLE-SELECT-0000000003\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n" +
            "    Processor: KTABLE-SELECT-0000000003 (stores: [])\n" +
            "      --> KSTREAM-SINK-0000000004\n" +
            "      <-- KTABLE-SOURCE-0000000002\n" +
            "    Sink: KSTREAM-SINK-0000000004 (topic: count-store-repartition)\n" +
            "      <-- KTABLE-SELECT-0000000003\n" +
            "\n" +
            "  Sub-topology: 1\n" +
            "    Source: KSTREAM-SOURCE-0000000005 (topics: [count-store-repartition])\n" +
            "      --> KTABLE-AGGREGATE-0000000006\n" +
            "    Processor: KTABLE-AGGREGATE-0000000006 (stores: [count-store])\n" +
            "      --> none\n" +
            "      <-- KSTREAM-SOURCE-0000000005\n" +
            "\n",
            Describe(b => b.Table<string, string>("input-topic").GroupBy((k, v) => KeyValue.Pair<string, string>(null!, null!)).Count(Materialized<string, long>.As("count-store"))));

    [Fact]
    public void TableAnonymousMaterializedCountShouldPreserveTopologyStructure()
        => Assert.Contains(
            "    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])\n",
            Describe(b => b.Table<string, string>("input-topic").GroupBy((k, v) => KeyValue.Pair<string, string>(null!, null!)).Count(Materialized.With<string, long>(null, Serdes.Int64()))),
            StringComparison.Ordinal);

    [Fact]
    public void KTableNonMaterializedMapValuesShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n" +
            "      --> KTABLE-MAPVALUES-0000000003\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n" +
            "    Processor: KTABLE-MAPVALUES-0000000003 (stores: [])\n" +
            "      --> none\n" +
            "      <-- KTABLE-SOURCE-0000000002\n\n",
            Describe(b => b.Table<string, string>("input-topic").MapValues((k, v) => (string?)null)));

    [Fact]
    public void KTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n" +
            "      --> KTABLE-MAPVALUES-0000000004\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n" +
            "    Processor: KTABLE-MAPVALUES-0000000004 (stores: [])\n" +
            "      --> none\n" +
            "      <-- KTABLE-SOURCE-0000000002\n" +
            "\n",
            Describe(b => b.Table<string, string>("input-topic").MapValues((k, v) => v, materialized: Materialized.With<string, string>(null, null))));

    [Fact]
    public void KTableNamedMaterializedFilterShouldPreserveTopologyStructure()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n" +
            "      --> KTABLE-SOURCE-0000000002\n" +
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n" +
            "      --> KTABLE-FILTER-0000000003\n" +
            "      <-- KSTREAM-SOURCE-0000000001\n" +
            "    Processor: KTABLE-FILTER-0000000003 (stores: [store-name])\n" +
            "      --> none\n" +
            "      <-- KTABLE-SOURCE-0000000002\n" +
            "\n",
            Describe(b => b.Table<string, string>("input-topic").Filter((k, v) => false, materialized: Materialized<string, string>.As("store-name"))));

    [Fact]
    public void KTableAnonymousMaterializedFilterShouldPreserveTopologyStructure()
        => Assert.Contains(
            "      --> KTABLE-FILTER-0000000004\n",
            Describe(b => b.Table<string, string>("input-topic").Filter((k, v) => false, materialized: Materialized.With<string, string>(null, null))),
            StringComparison.Ordinal);

    private sealed class Extractor : Processors.ITopicNameExtractor<string, string>
    {
        public string Extract(string key, string value, Processors.RecordContext context) => context.Topic + "-" + key;

        public override string ToString() => "anonymous topic name extractor. topic is [recordContext.topic()]-[key]";
    }

    [Fact]
    public void TopologyWithDynamicRoutingShouldDescribeExtractorClass()
        => Assert.Equal(
            "Topologies:\n" +
            "   Sub-topology: 0\n" +
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n" +
            "      --> KSTREAM-SINK-0000000001\n" +
            "    Sink: KSTREAM-SINK-0000000001 (extractor class: anonymous topic name extractor. topic is [recordContext.topic()]-[key])\n" +
            "      <-- KSTREAM-SOURCE-0000000000\n\n",
            Describe(b => b.Stream<string, string>("input-topic").To(new Extractor())));
}
