namespace Eddy.Client;

/// <summary>How a group moves partitions between members during a rebalance.</summary>
public enum RebalanceProtocol
{
    /// <summary>Every member gives up all its partitions before the group rejoins.</summary>
    Eager,

    /// <summary>Members keep the partitions that stay with them; moved ones are revoked, then assigned in a follow-up rebalance (KIP-429).</summary>
    Cooperative,
}

/// <summary>
/// A partition assignor for the classic consumer group protocol, run by the group leader (Kafka's
/// <c>ConsumerPartitionAssignor</c>). Every member offers its assignors by <see cref="Name"/> in
/// JoinGroup with its subscription (topics, <see cref="SubscriptionUserData"/>, owned partitions,
/// generation, rack); the broker picks the name all members support; the leader's assignor
/// <see cref="Assign"/>s partitions (with per-member user data) and every member gets its share back
/// in <see cref="OnAssignment"/>. Names and encodings are Java's, so groups can mix Eddy, Java and
/// librdkafka members that use the same assignor.
/// </summary>
/// <example>
/// <code>
/// public sealed class EverythingToTheLeader : IPartitionAssignor
/// {
///     public string Name =&gt; "everything";
///     public IReadOnlyList&lt;RebalanceProtocol&gt; SupportedProtocols =&gt; [RebalanceProtocol.Eager];
///     public byte[]? SubscriptionUserData(IReadOnlyCollection&lt;string&gt; topics) =&gt; null;
///     public GroupAssignment Assign(IClusterView cluster, GroupSubscription group) { ... }
///     public void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata) { }
/// }
/// var config = new ConsumerConfig { Assignors = [new EverythingToTheLeader()] };
/// </code>
/// </example>
public interface IPartitionAssignor
{
    /// <summary>The protocol name sent in JoinGroup, e.g. <c>range</c>.</summary>
    string Name { get; }

    /// <summary>Rebalance protocols this assignor can work with, preferred first; the first is used.</summary>
    IReadOnlyList<RebalanceProtocol> SupportedProtocols { get; }

    /// <summary>User data to put in this member's subscription (null for none).</summary>
    byte[]? SubscriptionUserData(IReadOnlyCollection<string> topics);

    /// <summary>Computes every member's assignment (called on the leader only).</summary>
    GroupAssignment Assign(IClusterView cluster, GroupSubscription group);

    /// <summary>Receives this member's assignment after each rebalance (on every member).</summary>
    void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata);
}

/// <summary>What the leader knows about topics when it assigns.</summary>
/// <example>
/// <code>
/// int partitions = cluster.PartitionCount("orders"); // -1 when the topic does not exist
/// </code>
/// </example>
public interface IClusterView
{
    /// <summary>The number of partitions of <paramref name="topic"/>, or -1 when it is unknown.</summary>
    int PartitionCount(string topic);

    /// <summary>The replicas (broker ids) of a partition, empty when unknown; for rack-aware assignors.</summary>
    IReadOnlyList<int> Replicas(TopicPartition partition);

    /// <summary>The rack of a broker, or null.</summary>
    string? RackOf(int brokerId);
}

/// <summary>One member's subscription as the leader sees it (Kafka's ConsumerProtocolSubscription).</summary>
/// <param name="Topics">The topics the member subscribes to.</param>
/// <param name="UserData">The member's assignor user data, or null.</param>
/// <param name="OwnedPartitions">Partitions the member owns now (subscription v1+; cooperative rebalancing relies on it).</param>
/// <param name="GenerationId">The generation in which the member got its owned partitions, or -1 (v2+).</param>
/// <param name="RackId">The member's client.rack, or null (v3+).</param>
/// <param name="GroupInstanceId">The member's static id (group.instance.id), or null.</param>
/// <example>
/// <code>
/// foreach (var (memberId, subscription) in group.Members) Console.WriteLine($"{memberId}: {string.Join(",", subscription.Topics)}");
/// </code>
/// </example>
public sealed record MemberSubscription(
    IReadOnlyList<string> Topics,
    byte[]? UserData,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId = -1,
    string? RackId = null,
    string? GroupInstanceId = null);

/// <summary>Every member's subscription, by member id.</summary>
/// <param name="Members">The subscriptions by member id.</param>
/// <example>
/// <code>
/// var all = group.Members.Values.SelectMany(s =&gt; s.Topics).Distinct();
/// </code>
/// </example>
public sealed record GroupSubscription(IReadOnlyDictionary<string, MemberSubscription> Members);

/// <summary>One member's assignment (Kafka's ConsumerProtocolAssignment).</summary>
/// <param name="Partitions">The partitions assigned.</param>
/// <param name="UserData">Assignor user data for the member, or null.</param>
/// <example>
/// <code>
/// var assignment = new MemberAssignment([new TopicPartition("orders", 0)]);
/// </code>
/// </example>
public sealed record MemberAssignment(IReadOnlyList<TopicPartition> Partitions, byte[]? UserData = null);

/// <summary>The leader's result: an assignment per member id (members left out get nothing).</summary>
/// <param name="Assignments">Assignments by member id.</param>
/// <example>
/// <code>
/// return new GroupAssignment(new Dictionary&lt;string, MemberAssignment&gt; { [memberId] = new([new TopicPartition("t", 0)]) });
/// </code>
/// </example>
public sealed record GroupAssignment(IReadOnlyDictionary<string, MemberAssignment> Assignments);

/// <summary>This member's view of the group after a rebalance.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="GenerationId">The new generation.</param>
/// <param name="MemberId">This member's id.</param>
/// <param name="GroupInstanceId">This member's static id, or null.</param>
/// <example>
/// <code>
/// void OnAssignment(MemberAssignment a, GroupMemberMetadata m) =&gt; _generation = m.GenerationId;
/// </code>
/// </example>
public sealed record GroupMemberMetadata(string GroupId, int GenerationId, string MemberId, string? GroupInstanceId);
