using System.Buffers.Binary;

namespace Eddy.Client;

/// <summary>
/// Kafka's <c>range</c> assignor: per topic, members (ordered by group.instance.id, else member id)
/// get consecutive ranges of partitions, the first ones one extra when the count does not divide.
/// </summary>
/// <example>
/// <code>
/// var config = new ConsumerConfig { Assignors = [new RangeAssignor()] };
/// </code>
/// </example>
public sealed class RangeAssignor : IPartitionAssignor
{
    /// <inheritdoc />
    public string Name => "range";

    /// <inheritdoc />
    public IReadOnlyList<RebalanceProtocol> SupportedProtocols { get; } = [RebalanceProtocol.Eager];

    /// <inheritdoc />
    public byte[]? SubscriptionUserData(IReadOnlyCollection<string> topics) => null;

    /// <inheritdoc />
    public GroupAssignment Assign(IClusterView cluster, GroupSubscription group)
    {
        var result = AssignorHelpers.EmptyResult(group);
        var membersByTopic = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (member, subscription) in group.Members)
        {
            foreach (string topic in subscription.Topics)
            {
                if (!membersByTopic.TryGetValue(topic, out var list))
                {
                    membersByTopic[topic] = list = [];
                }

                if (!list.Contains(member))
                {
                    list.Add(member);
                }
            }
        }

        foreach (var (topic, members) in membersByTopic)
        {
            int partitions = cluster.PartitionCount(topic);
            if (partitions <= 0)
            {
                continue;
            }

            members.Sort(AssignorHelpers.MemberOrder(group));
            int per = partitions / members.Count;
            int extra = partitions % members.Count;
            for (int i = 0; i < members.Count; i++)
            {
                int start = (per * i) + Math.Min(i, extra);
                int length = per + (i < extra ? 1 : 0);
                for (int p = start; p < start + length; p++)
                {
                    result[members[i]].Add(new TopicPartition(topic, p));
                }
            }
        }

        return AssignorHelpers.Build(result);
    }

    /// <inheritdoc />
    public void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata)
    {
    }
}

/// <summary>
/// Kafka's <c>roundrobin</c> assignor: all partitions of all subscribed topics, ordered, dealt in turn
/// to the members (ordered by group.instance.id, else member id) that subscribe to each topic.
/// </summary>
/// <example>
/// <code>
/// var config = new ConsumerConfig { PartitionAssignmentStrategy = "roundrobin" };
/// </code>
/// </example>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    /// <inheritdoc />
    public string Name => "roundrobin";

    /// <inheritdoc />
    public IReadOnlyList<RebalanceProtocol> SupportedProtocols { get; } = [RebalanceProtocol.Eager];

    /// <inheritdoc />
    public byte[]? SubscriptionUserData(IReadOnlyCollection<string> topics) => null;

    /// <inheritdoc />
    public GroupAssignment Assign(IClusterView cluster, GroupSubscription group)
    {
        var result = AssignorHelpers.EmptyResult(group);
        var members = group.Members.Keys.ToList();
        members.Sort(AssignorHelpers.MemberOrder(group));
        if (members.Count == 0)
        {
            return AssignorHelpers.Build(result);
        }

        int cursor = 0;
        foreach (var tp in AssignorHelpers.AllPartitions(cluster, group))
        {
            for (int tries = 0; tries < members.Count; tries++)
            {
                string member = members[cursor];
                cursor = (cursor + 1) % members.Count;
                if (group.Members[member].Topics.Contains(tp.Topic))
                {
                    result[member].Add(tp);
                    break;
                }
            }
        }

        return AssignorHelpers.Build(result);
    }

    /// <inheritdoc />
    public void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata)
    {
    }
}

/// <summary>
/// Kafka's <c>cooperative-sticky</c> assignor (KIP-429): a balanced assignment (partition counts differ
/// by at most one between members that could take each other's partitions) that keeps as many owned
/// partitions in place as balance allows, run with the cooperative protocol so that only moved
/// partitions are revoked. Its user data is Java's: the member's generation as an INT32.
/// </summary>
/// <example>
/// <code>
/// var config = new ConsumerConfig { PartitionAssignmentStrategy = "cooperative-sticky" };
/// </code>
/// </example>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    private int _generation = -1;

    /// <inheritdoc />
    public string Name => "cooperative-sticky";

    /// <inheritdoc />
    public IReadOnlyList<RebalanceProtocol> SupportedProtocols { get; } = [RebalanceProtocol.Cooperative, RebalanceProtocol.Eager];

    /// <inheritdoc />
    public byte[]? SubscriptionUserData(IReadOnlyCollection<string> topics)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(data, Volatile.Read(ref _generation));
        return data;
    }

    /// <inheritdoc />
    public GroupAssignment Assign(IClusterView cluster, GroupSubscription group)
    {
        var result = AssignorHelpers.EmptyResult(group);
        var all = AssignorHelpers.AllPartitions(cluster, group);
        var valid = new HashSet<TopicPartition>(all);

        // Owned partitions; a partition claimed by several members goes to the highest generation (ties: nobody).
        var claims = new Dictionary<TopicPartition, (string Member, int Generation, bool Conflict)>();
        foreach (var (member, subscription) in group.Members)
        {
            int generation = subscription.GenerationId >= 0 ? subscription.GenerationId : GenerationFromUserData(subscription.UserData);
            foreach (var tp in subscription.OwnedPartitions)
            {
                if (!valid.Contains(tp) || !subscription.Topics.Contains(tp.Topic))
                {
                    continue;
                }

                if (claims.TryGetValue(tp, out var claim))
                {
                    claims[tp] = generation > claim.Generation ? (member, generation, false)
                        : generation == claim.Generation ? (claim.Member, claim.Generation, true)
                        : claim;
                }
                else
                {
                    claims[tp] = (member, generation, false);
                }
            }
        }

        var owner = new Dictionary<TopicPartition, string>();
        foreach (var (tp, claim) in claims)
        {
            if (!claim.Conflict)
            {
                owner[tp] = claim.Member;
                result[claim.Member].Add(tp);
            }
        }

        var order = AssignorHelpers.MemberOrder(group);
        var members = group.Members.Keys.ToList();
        members.Sort(order);

        // Unowned partitions go to the eligible member with the fewest partitions.
        foreach (var tp in all)
        {
            if (owner.ContainsKey(tp))
            {
                continue;
            }

            string? best = null;
            foreach (string member in members)
            {
                if (group.Members[member].Topics.Contains(tp.Topic) && (best is null || result[member].Count < result[best].Count))
                {
                    best = member;
                }
            }

            if (best is not null)
            {
                owner[tp] = best;
                result[best].Add(tp);
            }
        }

        // Balance: move partitions from the fullest member to an eligible member with at least two fewer.
        for (int rounds = 0; rounds < all.Count * 2 + 10; rounds++)
        {
            bool moved = false;
            var byLoad = members.OrderByDescending(m => result[m].Count).ThenBy(m => m, Comparer<string>.Create(order)).ToList();
            foreach (string from in byLoad)
            {
                var candidates = result[from];
                candidates.Sort();
                for (int i = candidates.Count - 1; i >= 0 && !moved; i--)
                {
                    var tp = candidates[i];
                    string? to = null;
                    foreach (string member in byLoad.AsEnumerable().Reverse())
                    {
                        if (member != from && group.Members[member].Topics.Contains(tp.Topic) && result[member].Count + 1 < candidates.Count
                            && (to is null || result[member].Count < result[to].Count))
                        {
                            to = member;
                        }
                    }

                    if (to is not null)
                    {
                        candidates.RemoveAt(i);
                        result[to].Add(tp);
                        moved = true;
                    }
                }

                if (moved)
                {
                    break;
                }
            }

            if (!moved)
            {
                break;
            }
        }

        return AssignorHelpers.Build(result);
    }

    /// <inheritdoc />
    public void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata) => Volatile.Write(ref _generation, metadata.GenerationId);

    private static int GenerationFromUserData(byte[]? userData) =>
        userData is { Length: 4 } ? BinaryPrimitives.ReadInt32BigEndian(userData) : -1;
}

internal static class AssignorHelpers
{
    public static Dictionary<string, List<TopicPartition>> EmptyResult(GroupSubscription group)
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (string member in group.Members.Keys)
        {
            result[member] = [];
        }

        return result;
    }

    public static GroupAssignment Build(Dictionary<string, List<TopicPartition>> result)
    {
        var assignments = new Dictionary<string, MemberAssignment>(StringComparer.Ordinal);
        foreach (var (member, partitions) in result)
        {
            partitions.Sort();
            assignments[member] = new MemberAssignment(partitions);
        }

        return new GroupAssignment(assignments);
    }

    /// <summary>Java's member order: static members by group.instance.id first, then member id.</summary>
    public static Comparison<string> MemberOrder(GroupSubscription group) => (a, b) =>
    {
        string? ia = group.Members[a].GroupInstanceId;
        string? ib = group.Members[b].GroupInstanceId;
        if (ia is not null && ib is not null)
        {
            return string.CompareOrdinal(ia, ib);
        }

        if (ia is not null)
        {
            return -1;
        }

        if (ib is not null)
        {
            return 1;
        }

        return string.CompareOrdinal(a, b);
    };

    public static List<TopicPartition> AllPartitions(IClusterView cluster, GroupSubscription group)
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var subscription in group.Members.Values)
        {
            topics.UnionWith(subscription.Topics);
        }

        var all = new List<TopicPartition>();
        foreach (string topic in topics)
        {
            int count = cluster.PartitionCount(topic);
            for (int p = 0; p < count; p++)
            {
                all.Add(new TopicPartition(topic, p));
            }
        }

        return all;
    }
}
