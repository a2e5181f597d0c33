using Eddy.Client.Internal;
using Eddy.Protocol.Messages;

namespace Eddy.Client.Tests;

public class AssignorTests
{
    private sealed class Cluster(Dictionary<string, int> partitions) : IClusterView
    {
        public int PartitionCount(string topic) => partitions.GetValueOrDefault(topic, -1);

        public IReadOnlyList<int> Replicas(TopicPartition partition) => [];

        public string? RackOf(int brokerId) => null;
    }

    private static GroupSubscription Group(params (string Member, string[] Topics, TopicPartition[] Owned)[] members) =>
        new(members.ToDictionary(m => m.Member, m => new MemberSubscription(m.Topics, null, m.Owned)));

    private static string Show(GroupAssignment a) =>
        string.Join(" | ", a.Assignments.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {string.Join(",", kv.Value.Partitions.Select(p => $"{p.Topic}{p.Partition}"))}"));

    [Fact]
    public void Range_gives_consecutive_ranges_per_topic_with_extras_first()
    {
        var cluster = new Cluster(new() { ["t"] = 5, ["u"] = 2 });
        var result = new RangeAssignor().Assign(cluster, Group(("m1", ["t", "u"], []), ("m2", ["t", "u"], [])));
        Assert.Equal("m1: t0,t1,t2,u0 | m2: t3,t4,u1", Show(result));
    }

    [Fact]
    public void Roundrobin_deals_partitions_across_topics_to_subscribers()
    {
        var cluster = new Cluster(new() { ["t"] = 3, ["u"] = 3 });
        var result = new RoundRobinAssignor().Assign(cluster, Group(("m1", ["t", "u"], []), ("m2", ["t", "u"], [])));
        Assert.Equal("m1: t0,t2,u1 | m2: t1,u0,u2", Show(result));
    }

    [Fact]
    public void Static_members_are_ordered_by_instance_id()
    {
        var group = new GroupSubscription(new Dictionary<string, MemberSubscription>
        {
            ["a-member"] = new(["t"], null, [], GroupInstanceId: "z"),
            ["b-member"] = new(["t"], null, [], GroupInstanceId: "y"),
        });
        var result = new RangeAssignor().Assign(new Cluster(new() { ["t"] = 2 }), group);
        Assert.Equal("a-member: t1 | b-member: t0", Show(result));
    }

    [Fact]
    public void Cooperative_sticky_keeps_owned_partitions_and_balances()
    {
        var cluster = new Cluster(new() { ["t"] = 6 });
        var tp = (int p) => new TopicPartition("t", p);
        // m1 owned everything; m2 joins: m1 keeps 3 of its own, m2 gets the other 3.
        var result = new CooperativeStickyAssignor().Assign(cluster, Group(("m1", ["t"], [tp(0), tp(1), tp(2), tp(3), tp(4), tp(5)]), ("m2", ["t"], [])));
        var m1 = result.Assignments["m1"].Partitions;
        var m2 = result.Assignments["m2"].Partitions;
        Assert.Equal(3, m1.Count);
        Assert.Equal(3, m2.Count);
        Assert.Empty(m1.Intersect(m2));

        // Stable when nothing changes.
        var again = new CooperativeStickyAssignor().Assign(cluster, Group(("m1", ["t"], [.. m1]), ("m2", ["t"], [.. m2])));
        Assert.Equal(m1, again.Assignments["m1"].Partitions);
        Assert.Equal(m2, again.Assignments["m2"].Partitions);
    }

    [Fact]
    public void Cooperative_sticky_respects_different_subscriptions()
    {
        var cluster = new Cluster(new() { ["t"] = 4, ["u"] = 2 });
        var result = new CooperativeStickyAssignor().Assign(cluster, Group(("m1", ["t"], []), ("m2", ["t", "u"], [])));
        Assert.All(result.Assignments["m1"].Partitions, p => Assert.Equal("t", p.Topic));
        Assert.Equal(6, result.Assignments.Values.Sum(a => a.Partitions.Count));
        Assert.InRange(result.Assignments["m1"].Partitions.Count, 2, 4);
    }

    [Fact]
    public void Consumer_protocol_round_trips_with_a_version_prefix_and_reads_newer_versions()
    {
        var subscription = new ConsumerProtocolSubscription
        {
            Topics = ["t", "u"],
            UserData = [1, 2, 3],
            OwnedPartitions = [new ConsumerProtocolSubscription.TopicPartition { Topic = "t", Partitions = [0, 2] }],
        };
        byte[] bytes = ConsumerProtocol.Write(subscription);
        Assert.Equal(new byte[] { 0, 1 }, bytes[..2]);
        var read = ConsumerProtocol.ReadSubscription(bytes);
        Assert.Equal(["t", "u"], read.Topics);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.UserData);
        Assert.Equal([0, 2], read.OwnedPartitions[0].Partitions);

        // A newer version (v9 from some future client) is read with the fields we know (as v3).
        using var writer = new Eddy.Protocol.KafkaWriter();
        writer.WriteInt16(9);
        subscription.Write(writer, 3);
        Assert.Equal(["t", "u"], ConsumerProtocol.ReadSubscription(writer.ToArray()).Topics);

        Assert.Empty(ConsumerProtocol.ReadAssignment([]).AssignedPartitions);
    }
}
