using Eddy.Protocol;

namespace Eddy.Broker.Internal.Groups;

/// <summary>
/// The records of the internal <c>__consumer_offsets</c> topic, in Kafka's own schemas so Kafka tools
/// can read them: OffsetCommitKey v1 (group, topic, partition) with OffsetCommitValue v3 (offset, leader
/// epoch, metadata, commit timestamp), and GroupMetadataKey v2 (group) with GroupMetadataValue v3. A null
/// value is a tombstone.
/// </summary>
internal static class OffsetsTopicRecords
{
    public const string TopicName = "__consumer_offsets";

    /// <summary>Kafka's partitionFor: abs(groupId.hashCode) % partitions, with Java's String.hashCode.</summary>
    public static int PartitionFor(string groupId, int partitions)
    {
        int hash = 0;
        foreach (char c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }

        return (hash & 0x7fffffff) % partitions;
    }

    public static byte[] OffsetKey(string group, string topic, int partition)
    {
        using var w = new KafkaWriter(64);
        w.WriteInt16(1);
        w.WriteString(group);
        w.WriteString(topic);
        w.WriteInt32(partition);
        return w.ToArray();
    }

    public static byte[] OffsetValue(CommittedOffset offset)
    {
        using var w = new KafkaWriter(64);
        w.WriteInt16(3);
        w.WriteInt64(offset.Offset);
        w.WriteInt32(offset.LeaderEpoch);
        w.WriteString(offset.Metadata ?? string.Empty);
        w.WriteInt64(offset.CommitTimestamp);
        return w.ToArray();
    }

    public static byte[] GroupKey(string group)
    {
        using var w = new KafkaWriter(64);
        w.WriteInt16(2);
        w.WriteString(group);
        return w.ToArray();
    }

    public static byte[] GroupValue(ConsumerGroup group)
    {
        using var w = new KafkaWriter(256);
        w.WriteInt16(3);
        w.WriteString(group.ProtocolType ?? string.Empty);
        w.WriteInt32(group.GenerationId);
        w.WriteNullableString(group.ProtocolName);
        w.WriteNullableString(group.LeaderId);
        w.WriteInt64(group.CurrentStateTimestamp);
        w.WriteInt32(group.Members.Count);
        foreach (var m in group.Members.Values)
        {
            w.WriteString(m.MemberId);
            w.WriteNullableString(m.GroupInstanceId);
            w.WriteString(m.ClientId);
            w.WriteString(m.ClientHost);
            w.WriteInt32(m.RebalanceTimeoutMs);
            w.WriteInt32(m.SessionTimeoutMs);
            w.WriteBytes(m.MetadataFor(group.ProtocolName));
            w.WriteBytes(m.Assignment);
        }

        return w.ToArray();
    }

    /// <summary>A decoded key: an offset commit (topic set) or group metadata (topic null).</summary>
    public readonly record struct Key(string Group, string? Topic, int Partition);

    public static Key? ReadKey(ReadOnlySpan<byte> bytes)
    {
        var r = new KafkaReader(bytes);
        short version = r.ReadInt16();
        return version switch
        {
            0 or 1 => new Key(r.ReadString(), r.ReadString(), r.ReadInt32()),
            2 => new Key(r.ReadString(), null, -1),
            _ => null,
        };
    }

    public static CommittedOffset ReadOffsetValue(ReadOnlySpan<byte> bytes)
    {
        var r = new KafkaReader(bytes);
        short version = r.ReadInt16();
        long offset = r.ReadInt64();
        int epoch = version >= 3 ? r.ReadInt32() : -1;
        string metadata = r.ReadString();
        long timestamp = r.ReadInt64();
        return new CommittedOffset(offset, epoch, metadata, timestamp);
    }

    /// <summary>Restores a group's membership (loaded groups start Stable, or Empty without members).</summary>
    public static void ReadGroupValue(ReadOnlySpan<byte> bytes, ConsumerGroup group, long nowMs)
    {
        var r = new KafkaReader(bytes);
        short version = r.ReadInt16();
        group.ProtocolType = r.ReadString();
        group.GenerationId = r.ReadInt32();
        group.ProtocolName = r.ReadNullableString();
        group.LeaderId = r.ReadNullableString();
        if (version >= 2)
        {
            r.ReadInt64();
        }

        group.Members.Clear();
        group.StaticMembers.Clear();
        int count = r.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            string memberId = r.ReadString();
            string? instanceId = version >= 3 ? r.ReadNullableString() : null;
            string clientId = r.ReadString();
            string clientHost = r.ReadString();
            int rebalanceTimeout = version >= 1 ? r.ReadInt32() : 0;
            int sessionTimeout = r.ReadInt32();
            byte[] subscription = r.ReadBytes();
            byte[] assignment = r.ReadBytes();
            var member = new GroupMember(memberId, instanceId, clientId, clientHost)
            {
                SessionTimeoutMs = sessionTimeout,
                RebalanceTimeoutMs = rebalanceTimeout == 0 ? sessionTimeout : rebalanceTimeout,
                ProtocolType = group.ProtocolType,
                Protocols = [(group.ProtocolName ?? string.Empty, subscription)],
                Assignment = assignment,
                SessionDeadlineMs = nowMs + sessionTimeout,
            };
            group.Members[memberId] = member;
            if (instanceId is not null)
            {
                group.StaticMembers[instanceId] = memberId;
            }
        }

        group.TransitionTo(group.Members.Count == 0 ? GroupState.Empty : GroupState.Stable, nowMs);
    }
}
