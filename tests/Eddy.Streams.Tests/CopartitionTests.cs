using System.Text.RegularExpressions;
using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Topology;

namespace Eddy.Streams.Tests;

public class CopartitionTests
{
    [Fact]
    public void Joins_record_co_partition_groups_of_their_source_topics()
    {
        var builder = new StreamsBuilder();
        var table = builder.Table<string, string>("table");
        var stream = builder.Stream<string, string>("stream");
        stream.Join(table, (s, t) => s + t).To("out");
        stream.SelectKey((k, v) => v).Join(builder.Stream<string, string>("other"), (a, b) => a + b,
            JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromSeconds(1))).To("out2");
        var topology = builder.Build();
        topology.Builder.ApplicationId = "app";
        var groups = topology.Builder.CopartitionTopicGroups().Select(g => string.Join(",", g)).ToList();
        Assert.Contains("stream,table", groups);
        Assert.Contains(groups, g => g.EndsWith("-repartition,other", StringComparison.Ordinal) && g.StartsWith("app-KSTREAM-KEY-SELECT-", StringComparison.Ordinal));
    }

    [Fact]
    public void Repartition_topics_with_different_fixed_partition_counts_cannot_be_joined()
    {
        var builder = new StreamsBuilder();
        var left = builder.Stream<string, string>("left").Repartition(Repartitioned<string, string>.As("l").WithNumberOfPartitions(4));
        var right = builder.Stream<string, string>("right").Repartition(Repartitioned<string, string>.As("r").WithNumberOfPartitions(6));
        left.Join(right, (a, b) => a + b, JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromSeconds(1))).To("out");
        var ex = Assert.Throws<TopologyException>(() => builder.Build());
        Assert.Contains("Following topics do not have the same number of partitions: [l-repartition=4, r-repartition=6]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pattern_sources_cannot_be_joined()
    {
        var builder = new StreamsBuilder();
        var left = builder.Stream<string, string>(new Regex("left-.*"));
        left.Join(builder.Table<string, string>("table"), (s, t) => s + t).To("out");
        var ex = Assert.Throws<TopologyException>(() => builder.Build());
        Assert.Contains("cannot be joined", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_enforcer_requires_equal_source_partitions_and_sizes_repartition_topics_to_match()
    {
        var counts = new Dictionary<string, int> { ["orders"] = 6, ["customers"] = 6, ["other"] = 3 };
        var repartition = new Dictionary<string, int> { ["app-x-repartition"] = 1 };
        CopartitionedTopicsEnforcer.Enforce(["orders", "customers", "app-x-repartition"], repartition, new HashSet<string>(), t => counts.GetValueOrDefault(t));
        Assert.Equal(6, repartition["app-x-repartition"]);

        var ex = Assert.Throws<TopologyException>(() =>
            CopartitionedTopicsEnforcer.Enforce(["orders", "other"], new Dictionary<string, int>(), new HashSet<string>(), t => counts.GetValueOrDefault(t)));
        Assert.EndsWith("Following topics do not have the same number of partitions: [orders=6, other=3]", ex.Message, StringComparison.Ordinal);

        var fixedCount = new Dictionary<string, int> { ["app-y-repartition"] = 4 };
        ex = Assert.Throws<TopologyException>(() =>
            CopartitionedTopicsEnforcer.Enforce(["orders", "app-y-repartition"], fixedCount, new HashSet<string> { "app-y-repartition" }, t => counts.GetValueOrDefault(t)));
        Assert.Contains("doesn't match number of partitions [6] of the source topic", ex.Message, StringComparison.Ordinal);

        var onlyRepartition = new Dictionary<string, int> { ["a-repartition"] = 2, ["b-repartition"] = 5 };
        CopartitionedTopicsEnforcer.Enforce(["a-repartition", "b-repartition"], onlyRepartition, new HashSet<string>(), _ => null);
        Assert.Equal(5, onlyRepartition["a-repartition"]);

        Assert.Throws<TopologyException>(() =>
            CopartitionedTopicsEnforcer.Enforce(["missing"], new Dictionary<string, int>(), new HashSet<string>(), _ => null));
    }
}
