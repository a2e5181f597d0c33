using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Internal.Groups;

/// <summary>One partition of an OffsetCommit.</summary>
internal readonly record struct OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

/// <summary>A group as DescribeGroups and ListGroups show it.</summary>
internal sealed record GroupSummary(string GroupId, string State, string ProtocolType, string Protocol, List<(GroupMember Member, byte[] Metadata, byte[] Assignment)> Members);

internal sealed partial class GroupCoordinator
{
    /// <summary>
    /// OffsetCommit with Kafka's validation (validateOffsetCommit): simple commits (generation &lt; 0) to
    /// an empty or missing group, otherwise the member and generation must match and the group must not
    /// be completing a rebalance. Returns the group-level error, and per-partition errors for the rest.
    /// </summary>
    public async Task<(ErrorCode Error, Dictionary<(string, int), ErrorCode> Partitions)> CommitOffsetsAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId, List<OffsetCommitEntry> offsets, Func<string, int, bool> partitionExists)
    {
        var partitionErrors = new Dictionary<(string, int), ErrorCode>();
        if (string.IsNullOrEmpty(groupId))
        {
            return (ErrorCode.InvalidGroupId, partitionErrors);
        }

        EnsureOffsetsTopic();
        ConsumerGroup group;
        if (!_groups.TryGetValue(groupId, out var existing))
        {
            if (generationId >= 0)
            {
                return (ErrorCode.IllegalGeneration, partitionErrors);
            }

            group = _groups.GetOrAdd(groupId, id => new ConsumerGroup(id, Now));
        }
        else
        {
            group = existing;
        }

        var records = new List<(byte[] Key, byte[]? Value)>();
        var accepted = new List<(string Topic, int Partition, CommittedOffset Offset)>();
        lock (group.Lock)
        {
            var error = ValidateCommit(group, generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None)
            {
                return (error, partitionErrors);
            }

            long now = Now;
            foreach (var entry in offsets)
            {
                if (!partitionExists(entry.Topic, entry.Partition))
                {
                    partitionErrors[(entry.Topic, entry.Partition)] = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (entry.Metadata is { } metadata && metadata.Length > _config.OffsetMetadataMaxBytes)
                {
                    partitionErrors[(entry.Topic, entry.Partition)] = ErrorCode.OffsetMetadataTooLarge;
                    continue;
                }

                var committed = new CommittedOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata ?? string.Empty, now);
                records.Add((OffsetsTopicRecords.OffsetKey(groupId, entry.Topic, entry.Partition), OffsetsTopicRecords.OffsetValue(committed)));
                accepted.Add((entry.Topic, entry.Partition, committed));
            }

            if (group.Members.TryGetValue(memberId, out var member))
            {
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            }
        }

        var stored = await WriteAsync(groupId, records).ConfigureAwait(false);
        lock (group.Lock)
        {
            foreach (var (topic, partition, committed) in accepted)
            {
                if (stored == ErrorCode.None)
                {
                    group.Offsets[(topic, partition)] = committed;
                }

                partitionErrors[(topic, partition)] = stored;
            }
        }

        return (ErrorCode.None, partitionErrors);
    }

    private static ErrorCode ValidateCommit(ConsumerGroup group, int generationId, string memberId, string? groupInstanceId)
    {
        if (group.State == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (generationId < 0 && group.State == GroupState.Empty)
        {
            return ErrorCode.None;
        }

        if (generationId < 0 && memberId.Length == 0)
        {
            return ErrorCode.UnknownMemberId;
        }

        var error = ValidateMember(group, memberId, groupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (generationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        return group.State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>OffsetFetch: committed offsets whatever the group state; -1 for partitions without one. Null topics = all.</summary>
    public List<(string Topic, int Partition, CommittedOffset? Offset)> FetchOffsets(string groupId, List<(string Topic, List<int> Partitions)>? topics)
    {
        var result = new List<(string, int, CommittedOffset?)>();
        _groups.TryGetValue(groupId, out var group);
        if (group is null)
        {
            if (topics is not null)
            {
                foreach (var (topic, partitions) in topics)
                {
                    foreach (int p in partitions)
                    {
                        result.Add((topic, p, null));
                    }
                }
            }

            return result;
        }

        lock (group.Lock)
        {
            if (topics is null)
            {
                foreach (var ((topic, partition), offset) in group.Offsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition))
                {
                    result.Add((topic, partition, offset));
                }
            }
            else
            {
                foreach (var (topic, partitions) in topics)
                {
                    foreach (int p in partitions)
                    {
                        result.Add((topic, p, group.Offsets.TryGetValue((topic, p), out var o) ? o : null));
                    }
                }
            }
        }

        return result;
    }

    public GroupSummary Describe(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new GroupSummary(groupId, nameof(GroupState.Dead), string.Empty, string.Empty, []);
        }

        lock (group.Lock)
        {
            var members = new List<(GroupMember, byte[], byte[])>();
            foreach (var m in group.Members.Values)
            {
                bool stable = group.State == GroupState.Stable;
                members.Add((m, stable ? m.MetadataFor(group.ProtocolName) : [], stable ? m.Assignment : []));
            }

            return new GroupSummary(
                groupId,
                ConsumerGroup.StateName(group.State),
                group.ProtocolType ?? string.Empty,
                group.State == GroupState.Stable || group.State == GroupState.CompletingRebalance ? group.ProtocolName ?? string.Empty : string.Empty,
                members);
        }
    }

    public List<(string GroupId, string ProtocolType, string State)> ListGroups()
    {
        var list = new List<(string, string, string)>();
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                if (group.State != GroupState.Dead)
                {
                    list.Add((group.GroupId, group.ProtocolType ?? string.Empty, ConsumerGroup.StateName(group.State)));
                }
            }
        }

        return list;
    }

    /// <summary>DeleteGroups: only empty groups; their offsets and metadata get tombstones.</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return ErrorCode.GroupIdNotFound;
        }

        var records = new List<(byte[] Key, byte[]? Value)>();
        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.GroupIdNotFound;
            }

            if (group.State != GroupState.Empty)
            {
                return ErrorCode.NonEmptyGroup;
            }

            foreach (var (topic, partition) in group.Offsets.Keys)
            {
                records.Add((OffsetsTopicRecords.OffsetKey(groupId, topic, partition), null));
            }

            records.Add((OffsetsTopicRecords.GroupKey(groupId), null));
            group.Offsets.Clear();
            group.TransitionTo(GroupState.Dead, Now);
            _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(groupId, group));
        }

        return await WriteAsync(groupId, records).ConfigureAwait(false);
    }

    /// <summary>
    /// OffsetDelete: removes committed offsets of partitions the group does not consume
    /// (GROUP_SUBSCRIBED_TO_TOPIC for topics a consumer-protocol member subscribes to).
    /// </summary>
    public async Task<(ErrorCode Error, Dictionary<(string, int), ErrorCode> Partitions)> DeleteOffsetsAsync(string groupId, List<(string Topic, int Partition)> partitions)
    {
        var errors = new Dictionary<(string, int), ErrorCode>();
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return (ErrorCode.GroupIdNotFound, errors);
        }

        var records = new List<(byte[] Key, byte[]? Value)>();
        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                return (ErrorCode.GroupIdNotFound, errors);
            }

            var subscribed = SubscribedTopics(group);
            if (subscribed is null && group.State != GroupState.Empty)
            {
                return (ErrorCode.NonEmptyGroup, errors);
            }

            foreach (var (topic, partition) in partitions)
            {
                if (subscribed is not null && subscribed.Contains(topic))
                {
                    errors[(topic, partition)] = ErrorCode.GroupSubscribedToTopic;
                    continue;
                }

                if (group.Offsets.Remove((topic, partition)))
                {
                    records.Add((OffsetsTopicRecords.OffsetKey(groupId, topic, partition), null));
                }

                errors[(topic, partition)] = ErrorCode.None;
            }
        }

        var stored = await WriteAsync(groupId, records).ConfigureAwait(false);
        return (stored, errors);
    }

    /// <summary>Topics the members subscribe to, for consumer-protocol groups; empty for an empty group; null when unknown.</summary>
    private static HashSet<string>? SubscribedTopics(ConsumerGroup group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        if (group.State == GroupState.Empty)
        {
            return topics;
        }

        if (group.ProtocolType != "consumer")
        {
            return null;
        }

        foreach (var member in group.Members.Values)
        {
            var metadata = member.MetadataFor(group.ProtocolName);
            try
            {
                var reader = new KafkaReader(metadata);
                short version = reader.ReadInt16();
                var subscription = ConsumerProtocolSubscription.Read(ref reader, version);
                foreach (var topic in subscription.Topics)
                {
                    topics.Add(topic);
                }
            }
            catch (KafkaProtocolException)
            {
                return null;
            }
        }

        return topics;
    }
}
