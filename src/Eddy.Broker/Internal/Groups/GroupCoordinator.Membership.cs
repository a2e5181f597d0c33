using Eddy.Protocol;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Groups;

/// <summary>A JoinGroup request as the coordinator needs it.</summary>
internal sealed record JoinRequest(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolType,
    List<(string Name, byte[] Metadata)> Protocols,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ClientId,
    string ClientHost,
    bool RequireKnownMemberId);

internal sealed partial class GroupCoordinator
{
    /// <summary>JoinGroup: returns when the join phase completes (or at once for errors and KIP-394 member ids).</summary>
    public Task<JoinResult> JoinAsync(JoinRequest request)
    {
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InvalidGroupId, request.MemberId));
        }

        if (request.SessionTimeoutMs < _config.GroupMinSessionTimeoutMs || request.SessionTimeoutMs > _config.GroupMaxSessionTimeoutMs)
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InvalidSessionTimeout, request.MemberId));
        }

        bool isUnknown = request.MemberId.Length == 0;
        if (!isUnknown && !_groups.ContainsKey(request.GroupId))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.UnknownMemberId, request.MemberId));
        }

        EnsureOffsetsTopic();
        var group = _groups.GetOrAdd(request.GroupId, id => new ConsumerGroup(id, Now));
        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                // Deleted meanwhile: let the client retry (it will get a fresh group).
                _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(group.GroupId, group));
                return Task.FromResult(JoinResult.Failed(ErrorCode.CoordinatorNotAvailable, request.MemberId));
            }

            if (!group.SupportsProtocols(request.ProtocolType, request.Protocols))
            {
                return Task.FromResult(JoinResult.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId));
            }

            return isUnknown ? JoinNewMember(group, request) : JoinCurrentMember(group, request);
        }
    }

    private Task<JoinResult> JoinNewMember(ConsumerGroup group, JoinRequest request)
    {
        string memberId = $"{request.ClientId}-{Guid.NewGuid():D}";
        if (request.GroupInstanceId is { } instanceId)
        {
            if (group.StaticMembers.TryGetValue(instanceId, out var oldMemberId) && group.Members.TryGetValue(oldMemberId, out var oldMember))
            {
                return ReplaceStaticMember(group, request, oldMember, memberId);
            }

            return AddMemberAndRebalance(group, request, memberId);
        }

        if (request.RequireKnownMemberId)
        {
            // KIP-394: hand out an id and ask the member to join again with it.
            group.PendingMembers.Add(memberId);
            _pendingDeadlines[(group.GroupId, memberId)] = Now + request.SessionTimeoutMs;
            return Task.FromResult(JoinResult.Failed(ErrorCode.MemberIdRequired, memberId));
        }

        if (group.Members.Count >= _config.GroupMaxSize)
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.GroupMaxSizeReached, string.Empty));
        }

        return AddMemberAndRebalance(group, request, memberId);
    }

    private Task<JoinResult> JoinCurrentMember(ConsumerGroup group, JoinRequest request)
    {
        string memberId = request.MemberId;
        if (group.PendingMembers.Remove(memberId))
        {
            _pendingDeadlines.TryRemove((group.GroupId, memberId), out _);
            if (group.Members.Count >= _config.GroupMaxSize)
            {
                return Task.FromResult(JoinResult.Failed(ErrorCode.GroupMaxSizeReached, memberId));
            }

            return AddMemberAndRebalance(group, request, memberId);
        }

        var error = ValidateMember(group, memberId, request.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return Task.FromResult(JoinResult.Failed(error, memberId));
        }

        var member = group.Members[memberId];
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(group, member, request);
            case GroupState.CompletingRebalance:
                if (member.MatchesProtocols(request.Protocols))
                {
                    // The member missed the join response: give it the current generation again.
                    return Task.FromResult(CurrentGeneration(group, member));
                }

                return UpdateMemberAndRebalance(group, member, request);
            case GroupState.Stable:
                if (group.IsLeader(memberId) || !member.MatchesProtocols(request.Protocols))
                {
                    return UpdateMemberAndRebalance(group, member, request);
                }

                member.SessionDeadlineMs = Now + member.SessionTimeoutMs;
                return Task.FromResult(CurrentGeneration(group, member));
            default:
                return Task.FromResult(JoinResult.Failed(ErrorCode.UnknownMemberId, memberId));
        }
    }

    private static JoinResult CurrentGeneration(ConsumerGroup group, GroupMember member) => new(
        ErrorCode.None,
        group.GenerationId,
        group.ProtocolType,
        group.ProtocolName,
        group.LeaderId ?? string.Empty,
        member.MemberId,
        group.IsLeader(member.MemberId) ? [.. group.Members.Values] : []);

    /// <summary>validateCurrentMember: unknown member, or a static member with a stale member id (FENCED_INSTANCE_ID).</summary>
    private static ErrorCode ValidateMember(ConsumerGroup group, string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null)
        {
            if (group.StaticMembers.TryGetValue(groupInstanceId, out var current))
            {
                return current == memberId ? ErrorCode.None : ErrorCode.FencedInstanceId;
            }

            return group.Members.ContainsKey(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }

        return group.Members.ContainsKey(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    private Task<JoinResult> AddMemberAndRebalance(ConsumerGroup group, JoinRequest request, string memberId)
    {
        var member = new GroupMember(memberId, request.GroupInstanceId, request.ClientId, request.ClientHost)
        {
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = request.RebalanceTimeoutMs,
            ProtocolType = request.ProtocolType,
            Protocols = request.Protocols,
            IsNew = true,
            SessionDeadlineMs = Now + request.SessionTimeoutMs,
            AwaitingJoin = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        if (group.Members.Count == 0)
        {
            group.ProtocolType = request.ProtocolType;
        }

        group.Members[memberId] = member;
        if (request.GroupInstanceId is { } instanceId)
        {
            group.StaticMembers[instanceId] = memberId;
        }

        group.NewMemberAdded = true;
        var task = member.AwaitingJoin.Task;
        MaybePrepareRebalance(group, $"adding new member {memberId}");
        TryCompleteJoin(group);
        return task;
    }

    private Task<JoinResult> UpdateMemberAndRebalance(ConsumerGroup group, GroupMember member, JoinRequest request)
    {
        member.Protocols = request.Protocols;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        member.SessionDeadlineMs = Now + request.SessionTimeoutMs;
        member.AwaitingJoin?.TrySetResult(JoinResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        member.AwaitingJoin = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = member.AwaitingJoin.Task;
        MaybePrepareRebalance(group, $"updating metadata of member {member.MemberId}");
        TryCompleteJoin(group);
        return task;
    }

    /// <summary>A static member rejoining with a new member id replaces the old id (KIP-345).</summary>
    private Task<JoinResult> ReplaceStaticMember(ConsumerGroup group, JoinRequest request, GroupMember old, string newMemberId)
    {
        string oldMemberId = old.MemberId;
        group.Members.Remove(old.MemberId);
        bool wasLeader = group.IsLeader(old.MemberId);
        old.AwaitingJoin?.TrySetResult(JoinResult.Failed(ErrorCode.FencedInstanceId, old.MemberId));
        old.AwaitingSync?.TrySetResult((ErrorCode.FencedInstanceId, []));
        old.MemberId = newMemberId;
        old.ClientId = request.ClientId;
        old.ClientHost = request.ClientHost;
        old.SessionTimeoutMs = request.SessionTimeoutMs;
        old.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        old.SessionDeadlineMs = Now + request.SessionTimeoutMs;
        old.AwaitingJoin = null;
        old.AwaitingSync = null;
        group.Members[newMemberId] = old;
        group.StaticMembers[request.GroupInstanceId!] = newMemberId;
        if (wasLeader)
        {
            group.LeaderId = newMemberId;
        }

        if (group.State == GroupState.Stable && old.MatchesProtocols(request.Protocols))
        {
            // No rebalance: the member keeps its assignment; the old leader id is returned so it does not re-assign.
            var returnedLeader = wasLeader ? oldMemberId : group.LeaderId ?? string.Empty;
            _ = StoreGroupAsync(group);
            return Task.FromResult(new JoinResult(ErrorCode.None, group.GenerationId, group.ProtocolType, group.ProtocolName, returnedLeader, newMemberId, []));
        }

        old.Protocols = request.Protocols;
        old.AwaitingJoin = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = old.AwaitingJoin.Task;
        MaybePrepareRebalance(group, $"static member {request.GroupInstanceId} rejoined with a new member id");
        TryCompleteJoin(group);
        return task;
    }

    private void MaybePrepareRebalance(ConsumerGroup group, string reason)
    {
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty)
        {
            PrepareRebalance(group, reason);
        }
    }

    private void PrepareRebalance(ConsumerGroup group, string reason)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            foreach (var m in group.Members.Values)
            {
                m.AwaitingSync?.TrySetResult((ErrorCode.RebalanceInProgress, []));
                m.AwaitingSync = null;
            }
        }

        bool initial = group.State == GroupState.Empty;
        group.TransitionTo(GroupState.PreparingRebalance, Now);
        group.JoinTimer?.Dispose();
        int phase = ++group.JoinPhase;
        _logger.LogInformation("Preparing to rebalance group {Group} in state PreparingRebalance with old generation {Generation} (reason: {Reason})", group.GroupId, group.GenerationId, reason);
        if (initial && _config.GroupInitialRebalanceDelayMs == 0)
        {
            // No initial delay: the join phase ends as soon as the members present have joined (tests, KafkaJS's suite).
            group.InInitialDelay = false;
            group.JoinTimer = _time.CreateTimer(_ => OnJoinTimeout(group, phase), null, TimeSpan.FromMilliseconds(Math.Max(1, group.MaxRebalanceTimeoutMs())), Timeout.InfiniteTimeSpan);
        }
        else if (initial)
        {
            // InitialDelayedJoin: wait group.initial.rebalance.delay.ms, extended while members keep arriving, up to the rebalance timeout.
            int delay = _config.GroupInitialRebalanceDelayMs;
            group.NewMemberAdded = false;
            group.InInitialDelay = true;
            group.InitialDelayRemainingMs = Math.Max(group.MaxRebalanceTimeoutMs() - delay, 0);
            group.JoinTimer = _time.CreateTimer(_ => OnInitialDelay(group, phase, delay), null, TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
        }
        else
        {
            group.InInitialDelay = false;
            group.JoinTimer = _time.CreateTimer(_ => OnJoinTimeout(group, phase), null, TimeSpan.FromMilliseconds(group.MaxRebalanceTimeoutMs()), Timeout.InfiniteTimeSpan);
        }
    }

    private void OnInitialDelay(ConsumerGroup group, int phase, int delay)
    {
        lock (group.Lock)
        {
            if (group.JoinPhase != phase || group.State != GroupState.PreparingRebalance)
            {
                return;
            }

            if (group.NewMemberAdded && group.InitialDelayRemainingMs > 0)
            {
                group.NewMemberAdded = false;
                int next = Math.Min(delay, group.InitialDelayRemainingMs);
                group.InitialDelayRemainingMs -= next;
                group.JoinTimer?.Dispose();
                group.JoinTimer = _time.CreateTimer(_ => OnInitialDelay(group, phase, delay), null, TimeSpan.FromMilliseconds(next), Timeout.InfiniteTimeSpan);
                return;
            }

            CompleteJoin(group);
        }
    }

    private void OnJoinTimeout(ConsumerGroup group, int phase)
    {
        lock (group.Lock)
        {
            if (group.JoinPhase == phase && group.State == GroupState.PreparingRebalance)
            {
                CompleteJoin(group);
            }
        }
    }

    /// <summary>DelayedJoin.tryComplete: the join phase ends early once every known member has rejoined (not during the initial delay).</summary>
    private void TryCompleteJoin(ConsumerGroup group)
    {
        if (group.State == GroupState.PreparingRebalance && !group.InInitialDelay && group.HasAllMembersJoined())
        {
            CompleteJoin(group);
        }
    }

    /// <summary>onCompleteJoin: drop members that did not rejoin, start the next generation, answer the parked joins.</summary>
    private void CompleteJoin(ConsumerGroup group)
    {
        group.JoinTimer?.Dispose();
        group.JoinTimer = null;
        group.InInitialDelay = false;
        group.JoinPhase++;
        long now = Now;
        foreach (var member in group.Members.Values.ToList())
        {
            if (member.AwaitingJoin is null && member.GroupInstanceId is null)
            {
                RemoveMember(group, member);
            }
        }

        group.PendingMembers.Clear();
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.LeaderId = null;
            group.TransitionTo(GroupState.Empty, now);
            var record = OffsetsTopicRecords.GroupValue(group);
            _ = WriteAsync(group.GroupId, [(OffsetsTopicRecords.GroupKey(group.GroupId), record)]);
            return;
        }

        group.ProtocolName = group.SelectProtocol();
        if (group.LeaderId is null || !group.Members.TryGetValue(group.LeaderId, out var currentLeader) || currentLeader.AwaitingJoin is null)
        {
            GroupMember? leader = null;
            foreach (var m in group.Members.Values)
            {
                if (m.AwaitingJoin is not null)
                {
                    leader = m;
                    break;
                }
            }

            group.LeaderId = (leader ?? group.Members.Values.First()).MemberId;
        }

        group.TransitionTo(GroupState.CompletingRebalance, now);
        _logger.LogInformation("Stabilized group {Group} generation {Generation} with {Members} members (protocol {Protocol})", group.GroupId, group.GenerationId, group.Members.Count, group.ProtocolName);
        var all = group.Members.Values.ToList();
        foreach (var member in all)
        {
            member.IsNew = false;
            member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            var join = member.AwaitingJoin;
            member.AwaitingJoin = null;
            join?.TrySetResult(new JoinResult(
                ErrorCode.None,
                group.GenerationId,
                group.ProtocolType,
                group.ProtocolName,
                group.LeaderId!,
                member.MemberId,
                group.IsLeader(member.MemberId) ? all : []));
        }
    }

    private static void RemoveMember(ConsumerGroup group, GroupMember member)
    {
        group.Members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instanceId)
        {
            group.StaticMembers.Remove(instanceId);
        }

        member.AwaitingJoin?.TrySetResult(JoinResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.AwaitingSync?.TrySetResult((ErrorCode.UnknownMemberId, []));
        member.AwaitingJoin = null;
        member.AwaitingSync = null;
        if (group.LeaderId == member.MemberId)
        {
            group.LeaderId = null;
        }
    }

    /// <summary>A member left or expired: rebalance, or finish the join phase if it was the last one missing.</summary>
    private void RemoveMemberAndUpdateGroup(ConsumerGroup group, GroupMember member, string reason)
    {
        RemoveMember(group, member);
        switch (group.State)
        {
            case GroupState.Stable:
            case GroupState.CompletingRebalance:
                PrepareRebalance(group, reason);

                // DelayedJoin.tryComplete: with the last member gone (or everyone else already waiting) it ends now.
                TryCompleteJoin(group);
                break;
            case GroupState.PreparingRebalance:
                if (group.HasAllMembersJoined())
                {
                    CompleteJoin(group);
                }

                break;
        }
    }

    /// <summary>SyncGroup: the leader's assignment is stored and handed out; followers wait for it.</summary>
    public async Task<(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)> SyncAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId, string? protocolType, string? protocolName, Dictionary<string, byte[]> assignments)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return (ErrorCode.UnknownMemberId, null, null, []);
        }

        Task<(ErrorCode Error, byte[] Assignment)> wait;
        byte[]? toStore = null;
        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                return (ErrorCode.CoordinatorNotAvailable, null, null, []);
            }

            var error = ValidateMember(group, memberId, groupInstanceId);
            if (error != ErrorCode.None)
            {
                return (error, null, null, []);
            }

            if (generationId != group.GenerationId)
            {
                return (ErrorCode.IllegalGeneration, null, null, []);
            }

            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
            {
                return (ErrorCode.InconsistentGroupProtocol, null, null, []);
            }

            var member = group.Members[memberId];
            member.SessionDeadlineMs = Now + member.SessionTimeoutMs;
            switch (group.State)
            {
                case GroupState.Empty:
                    return (ErrorCode.UnknownMemberId, null, null, []);
                case GroupState.PreparingRebalance:
                    return (ErrorCode.RebalanceInProgress, null, null, []);
                case GroupState.Stable:
                    return (ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment);
            }

            member.AwaitingSync?.TrySetResult((ErrorCode.RebalanceInProgress, []));
            var tcs = new TaskCompletionSource<(ErrorCode Error, byte[] Assignment)>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.AwaitingSync = tcs;
            wait = tcs.Task;
            if (group.IsLeader(memberId))
            {
                foreach (var m in group.Members.Values)
                {
                    m.Assignment = assignments.TryGetValue(m.MemberId, out var a) ? a : [];
                }

                toStore = OffsetsTopicRecords.GroupValue(group);
            }
        }

        if (toStore is not null)
        {
            int generation = generationId;
            var stored = await WriteAsync(groupId, [(OffsetsTopicRecords.GroupKey(groupId), toStore)]).ConfigureAwait(false);
            lock (group.Lock)
            {
                if (group.State == GroupState.CompletingRebalance && group.GenerationId == generation)
                {
                    foreach (var m in group.Members.Values)
                    {
                        var sync = m.AwaitingSync;
                        m.AwaitingSync = null;
                        sync?.TrySetResult(stored == ErrorCode.None ? (ErrorCode.None, m.Assignment) : (stored, []));
                    }

                    if (stored == ErrorCode.None)
                    {
                        group.TransitionTo(GroupState.Stable, Now);
                    }
                    else
                    {
                        PrepareRebalance(group, "storing the group failed");
                    }
                }
            }
        }

        var (syncError, assignment) = await wait.ConfigureAwait(false);
        lock (group.Lock)
        {
            return (syncError, group.ProtocolType, group.ProtocolName, assignment);
        }
    }

    /// <summary>Heartbeat: keeps the session alive and tells the member whether a rebalance is under way.</summary>
    public ErrorCode Heartbeat(string groupId, string memberId, string? groupInstanceId, int generationId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return ErrorCode.UnknownMemberId;
        }

        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }

            var error = ValidateMember(group, memberId, groupInstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }

            if (group.State == GroupState.Empty)
            {
                return ErrorCode.UnknownMemberId;
            }

            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }

            var member = group.Members[memberId];
            member.SessionDeadlineMs = Now + member.SessionTimeoutMs;
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>LeaveGroup for one or more members (v3+ batches); returns the group-level and per-member errors.</summary>
    public (ErrorCode Error, List<(string MemberId, string? InstanceId, ErrorCode Error)> Members) Leave(string groupId, List<(string MemberId, string? InstanceId)> leaving)
    {
        var results = new List<(string, string?, ErrorCode)>();
        if (!_groups.TryGetValue(groupId, out var group))
        {
            foreach (var (memberId, instanceId) in leaving)
            {
                results.Add((memberId, instanceId, ErrorCode.UnknownMemberId));
            }

            return (ErrorCode.UnknownMemberId, results);
        }

        lock (group.Lock)
        {
            if (group.State == GroupState.Dead)
            {
                return (ErrorCode.CoordinatorNotAvailable, results);
            }

            foreach (var (memberId, instanceId) in leaving)
            {
                string id = memberId;
                if (id.Length == 0 && instanceId is not null && group.StaticMembers.TryGetValue(instanceId, out var byInstance))
                {
                    id = byInstance;
                }

                if (group.PendingMembers.Remove(id))
                {
                    _pendingDeadlines.TryRemove((groupId, id), out _);
                    results.Add((memberId, instanceId, ErrorCode.None));
                    if (group.State == GroupState.PreparingRebalance && group.HasAllMembersJoined())
                    {
                        CompleteJoin(group);
                    }

                    continue;
                }

                var error = ValidateMember(group, id, instanceId);
                if (error != ErrorCode.None)
                {
                    results.Add((memberId, instanceId, error));
                    continue;
                }

                _logger.LogInformation("Member {Member} left group {Group}", id, groupId);
                RemoveMemberAndUpdateGroup(group, group.Members[id], $"removing member {id} on LeaveGroup");
                results.Add((memberId, instanceId, ErrorCode.None));
            }
        }

        return (ErrorCode.None, results);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Group, string Member), long> _pendingDeadlines = new();
    private long _lastOffsetExpiry;

    /// <summary>
    /// offsets.retention.minutes: committed offsets of an empty group expire that long after their commit
    /// (Kafka 2.1+ semantics for groups without members); a group left with nothing is removed.
    /// </summary>
    private void ExpireOffsets(long now)
    {
        foreach (var group in _groups.Values)
        {
            var records = new List<(byte[] Key, byte[]? Value)>();
            lock (group.Lock)
            {
                if (group.State != GroupState.Empty)
                {
                    continue;
                }

                foreach (var (key, offset) in group.Offsets.ToList())
                {
                    if (now - offset.CommitTimestamp > _config.OffsetsRetentionMs)
                    {
                        group.Offsets.Remove(key);
                        records.Add((OffsetsTopicRecords.OffsetKey(group.GroupId, key.Topic, key.Partition), null));
                    }
                }

                if (group.Offsets.Count == 0 && group.Members.Count == 0 && records.Count > 0)
                {
                    records.Add((OffsetsTopicRecords.GroupKey(group.GroupId), null));
                    group.TransitionTo(GroupState.Dead, now);
                    _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(group.GroupId, group));
                }
            }

            if (records.Count > 0)
            {
                _logger.LogInformation("Expired {Count} committed offsets of group {Group} (offsets.retention.minutes)", records.Count, group.GroupId);
                _ = WriteAsync(group.GroupId, records);
            }
        }
    }

    /// <summary>Expires sessions and pending member ids; runs every 250 ms on the injected clock.</summary>
    public void Sweep()
    {
        long now = Now;
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                foreach (var member in group.Members.Values.ToList())
                {
                    // Members parked in JoinGroup or SyncGroup are kept alive (Kafka's shouldKeepAlive).
                    if (member.AwaitingJoin is null && member.AwaitingSync is null && now > member.SessionDeadlineMs)
                    {
                        _logger.LogInformation("Member {Member} in group {Group} has failed (session timeout {Timeout} ms)", member.MemberId, group.GroupId, member.SessionTimeoutMs);
                        RemoveMemberAndUpdateGroup(group, member, $"removing member {member.MemberId} on heartbeat expiration");
                    }
                }
            }
        }

        if (now - _lastOffsetExpiry >= 60_000)
        {
            _lastOffsetExpiry = now;
            ExpireOffsets(now);
        }

        foreach (var ((groupId, memberId), deadline) in _pendingDeadlines)
        {
            if (now > deadline && _groups.TryGetValue(groupId, out var group))
            {
                lock (group.Lock)
                {
                    _pendingDeadlines.TryRemove((groupId, memberId), out _);
                    if (group.PendingMembers.Remove(memberId) && group.State == GroupState.PreparingRebalance && group.HasAllMembersJoined())
                    {
                        CompleteJoin(group);
                    }
                }
            }
        }
    }
}
