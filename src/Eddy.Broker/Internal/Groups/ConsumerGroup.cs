using Eddy.Protocol;

namespace Eddy.Broker.Internal.Groups;

/// <summary>Group states of the classic protocol (Kafka GroupMetadata.scala); the names are what DescribeGroups reports.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>What a parked JoinGroup gets back when the join phase completes.</summary>
internal sealed record JoinResult(ErrorCode Error, int GenerationId, string? ProtocolType, string? ProtocolName, string LeaderId, string MemberId, List<GroupMember>? Members)
{
    public static JoinResult Failed(ErrorCode error, string memberId = "") => new(error, -1, null, null, string.Empty, memberId, null);
}

/// <summary>One member of a group.</summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
    }

    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public string ProtocolType { get; set; } = string.Empty;

    /// <summary>The member's protocols in its order of preference, with their metadata.</summary>
    public List<(string Name, byte[] Metadata)> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    public TaskCompletionSource<JoinResult>? AwaitingJoin { get; set; }

    public TaskCompletionSource<(ErrorCode Error, byte[] Assignment)>? AwaitingSync { get; set; }

    /// <summary>When the session expires unless the member heartbeats (ms since the epoch).</summary>
    public long SessionDeadlineMs { get; set; }

    public bool IsNew { get; set; }

    public byte[] MetadataFor(string? protocol)
    {
        foreach (var (name, metadata) in Protocols)
        {
            if (name == protocol)
            {
                return metadata;
            }
        }

        return [];
    }

    public bool MatchesProtocols(List<(string Name, byte[] Metadata)> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }

        for (int i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A committed offset as stored.</summary>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp);

/// <summary>A consumer group (classic protocol): members, generation, protocol and committed offsets.</summary>
internal sealed class ConsumerGroup
{
    public ConsumerGroup(string groupId, long nowMs)
    {
        GroupId = groupId;
        CurrentStateTimestamp = nowMs;
    }

    public string GroupId { get; }

    public object Lock { get; } = new();

    public GroupState State { get; private set; } = GroupState.Empty;

    public long CurrentStateTimestamp { get; private set; }

    public int GenerationId { get; set; }

    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>group.instance.id to member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394).</summary>
    public HashSet<string> PendingMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Topic, int Partition), CommittedOffset> Offsets { get; } = [];

    /// <summary>The timer of the join phase (initial delay or rebalance timeout).</summary>
    public ITimer? JoinTimer { get; set; }

    /// <summary>Bumped on each rebalance so a stale timer does nothing.</summary>
    public int JoinPhase { get; set; }

    /// <summary>For the initial delayed join: whether a member joined during the delay, and the time left.</summary>
    public bool NewMemberAdded { get; set; }

    public int InitialDelayRemainingMs { get; set; }

    /// <summary>Whether the join phase is the initial delayed join, which ends only on its timer.</summary>
    public bool InInitialDelay { get; set; }

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public void TransitionTo(GroupState state, long nowMs)
    {
        State = state;
        CurrentStateTimestamp = nowMs;
    }

    public bool HasAllMembersJoined()
    {
        if (PendingMembers.Count > 0)
        {
            return false;
        }

        foreach (var member in Members.Values)
        {
            if (member.AwaitingJoin is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a member with these protocols may join (GroupMetadata.supportsProtocols).</summary>
    public bool SupportsProtocols(string protocolType, List<(string Name, byte[] Metadata)> protocols)
    {
        if (Members.Count == 0)
        {
            return !string.IsNullOrEmpty(protocolType) && protocols.Count > 0;
        }

        if (ProtocolType != protocolType)
        {
            return false;
        }

        foreach (var (name, _) in protocols)
        {
            if (CandidateCount(name) == Members.Count)
            {
                return true;
            }
        }

        return false;
    }

    private int CandidateCount(string protocol)
    {
        int count = 0;
        foreach (var member in Members.Values)
        {
            foreach (var (name, _) in member.Protocols)
            {
                if (name == protocol)
                {
                    count++;
                    break;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Kafka's selectProtocol: candidates are the protocols every member supports; each member votes for
    /// its first candidate in its own order; the most votes win (ties: the first candidate seen).
    /// </summary>
    public string SelectProtocol()
    {
        var candidates = new List<string>();
        foreach (var member in Members.Values)
        {
            foreach (var (name, _) in member.Protocols)
            {
                if (!candidates.Contains(name) && CandidateCount(name) == Members.Count)
                {
                    candidates.Add(name);
                }
            }
        }

        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
        {
            foreach (var (name, _) in member.Protocols)
            {
                if (candidates.Contains(name))
                {
                    votes[name] = votes.GetValueOrDefault(name) + 1;
                    break;
                }
            }
        }

        string best = candidates[0];
        foreach (var candidate in candidates)
        {
            if (votes.GetValueOrDefault(candidate) > votes.GetValueOrDefault(best))
            {
                best = candidate;
            }
        }

        return best;
    }

    public int MaxRebalanceTimeoutMs()
    {
        int max = 0;
        foreach (var member in Members.Values)
        {
            max = Math.Max(max, member.RebalanceTimeoutMs);
        }

        return max;
    }

    public static string StateName(GroupState state) => state.ToString();
}
