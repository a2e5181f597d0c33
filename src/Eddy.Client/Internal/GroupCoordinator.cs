using System.Text.RegularExpressions;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Client.Internal;

/// <summary>
/// Consumer group membership on the classic protocol (Kafka's AbstractCoordinator and
/// ConsumerCoordinator): coordinator discovery, JoinGroup (with MEMBER_ID_REQUIRED, KIP-394),
/// assignment on the leader through the chosen <see cref="IPartitionAssignor"/>, SyncGroup,
/// heartbeats on a background loop, eager and cooperative (KIP-429) rebalances, static membership
/// (KIP-345), offset commits and committed-offset fetches. Joins and rebalance callbacks run inside
/// <see cref="PollAsync"/>, i.e. on the consumer's own flow, as in the Java client.
/// </summary>
internal sealed class GroupCoordinator : IAsyncDisposable
{
    private readonly ConsumerCore _core;
    private readonly ClientContext _context;
    private readonly ILogger _logger;
    private readonly string _groupId;
    private readonly string? _instanceId;
    private readonly int _sessionTimeoutMs;
    private readonly int _rebalanceTimeoutMs;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _maxPollInterval;
    private readonly IReadOnlyList<IPartitionAssignor> _assignors;
    private readonly RebalanceProtocol _protocol;
    private readonly SemaphoreSlim _coordinatorLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeatLoop;
    private readonly bool _autoCommit;
    private readonly TimeSpan _autoCommitInterval;
    private readonly bool _excludeInternal;
    private int _coordinatorId = -1;
    private string _memberId = string.Empty;
    private int _generation = -1;
    private string? _protocolName;
    private bool _isLeader;
    private volatile bool _rejoinNeeded = true;
    private volatile bool _joined;
    private volatile bool _lost;
    private KafkaException? _fatal;
    private HashSet<TopicPartition> _owned = [];
    private HashSet<string> _subscription = new(StringComparer.Ordinal);
    private Regex? _pattern;
    private IConsumerRebalanceListener? _listener;
    private long _lastPoll;
    private long _lastAutoCommit;
    private long _lastHeartbeat;
    private Dictionary<string, int> _assignedMetadata = new(StringComparer.Ordinal);

    public GroupCoordinator(ConsumerConfig config, ConsumerCore core)
    {
        _core = core;
        _context = core.Context;
        _logger = _context.LoggerFactory.CreateLogger("Eddy.Client.Group");
        _groupId = config.GetString("group.id");
        _instanceId = config.GetNullableString("group.instance.id");
        _sessionTimeoutMs = config.GetIntOrDefault("session.timeout.ms");
        _rebalanceTimeoutMs = config.GetIntOrDefault("max.poll.interval.ms");
        _heartbeatInterval = TimeSpan.FromMilliseconds(config.GetIntOrDefault("heartbeat.interval.ms"));
        _maxPollInterval = TimeSpan.FromMilliseconds(_rebalanceTimeoutMs);
        _autoCommit = config.GetBoolOrDefault("enable.auto.commit");
        _autoCommitInterval = TimeSpan.FromMilliseconds(config.GetIntOrDefault("auto.commit.interval.ms"));
        _excludeInternal = config.GetBoolOrDefault("exclude.internal.topics");
        _assignors = config.Assignors ?? [.. config.GetString("partition.assignment.strategy")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => Assignors.ByName(n)!)];

        // The group's protocol is the best one every configured assignor supports (Java's ConsumerCoordinator).
        _protocol = _assignors.All(a => a.SupportedProtocols.Contains(RebalanceProtocol.Cooperative)) ? RebalanceProtocol.Cooperative : RebalanceProtocol.Eager;
        _lastPoll = _context.Time.GetTimestamp();
        _lastAutoCommit = _lastPoll;
        _heartbeatLoop = Task.Run(HeartbeatLoopAsync);
    }

    public string GroupId => _groupId;

    public bool AutoCommit => _autoCommit;

    public bool IsSubscribed => _subscription.Count > 0 || _pattern is not null;

    public RebalanceProtocol Protocol => _protocol;

    public int Generation => _generation;

    public string MemberId => _memberId;

    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener)
    {
        var set = new HashSet<string>(topics, StringComparer.Ordinal);
        lock (this)
        {
            _pattern = null;
            _listener = listener;
            if (!set.SetEquals(_subscription))
            {
                _subscription = set;
                _rejoinNeeded = true;
            }
        }

        _core.Cluster.SetTopics(set, all: false);
    }

    public void Subscribe(Regex pattern, IConsumerRebalanceListener? listener)
    {
        lock (this)
        {
            _pattern = pattern;
            _listener = listener;
            _subscription = [];
            _rejoinNeeded = true;
        }

        _core.Cluster.SetTopics([], all: true);
    }

    /// <summary>Asks for a rebalance at the next poll (Java's enforceRebalance; Streams' probing rebalances).</summary>
    public void RequestRejoin() => _rejoinNeeded = true;

    public async Task UnsubscribeAsync(CancellationToken cancellationToken)
    {
        if (_owned.Count > 0)
        {
            await RevokeAsync([.. _owned], cancellationToken).ConfigureAwait(false);
        }

        await LeaveAsync("unsubscribed", cancellationToken).ConfigureAwait(false);
        lock (this)
        {
            _subscription = [];
            _pattern = null;
            _listener = null;
        }
    }

    /// <summary>Does the group's work for one Consume call: fatal errors, lost partitions, joins, rebalance callbacks, auto commit.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        _lastPoll = _context.Time.GetTimestamp();
        if (_fatal is { } fatal)
        {
            throw fatal;
        }

        if (!IsSubscribed)
        {
            await MaybeAutoCommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_pattern is not null)
        {
            UpdatePatternSubscription();
        }

        if (_lost)
        {
            _lost = false;
            var lost = _owned.ToList();
            _owned = [];
            _core.ClearAssignment();
            if (lost.Count > 0)
            {
                _logger.LogWarning("Group {Group}: partitions lost: {Partitions}", _groupId, string.Join(", ", lost));
                if (_listener is { } listener)
                {
                    await InvokeListenerAsync(() => listener.OnPartitionsLostAsync(lost, cancellationToken), "lost").ConfigureAwait(false);
                }
            }
        }

        if (_isLeader && _joined && MetadataChangedSinceAssignment())
        {
            _logger.LogInformation("Group {Group}: subscribed topics' partitions changed; rebalancing", _groupId);
            _rejoinNeeded = true;
        }

        while (_rejoinNeeded || !_joined)
        {
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_listenerError is { } listenerError)
        {
            // As in Java: the rebalance completes, then the listener's exception reaches the caller.
            _listenerError = null;
            throw new KafkaException(ErrorCode.UnknownServerError, $"a rebalance listener threw: {listenerError.Message}", listenerError);
        }

        await MaybeAutoCommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Exception? _listenerError;
    private int _syncInvalidRequests;

    private async Task InvokeListenerAsync(Func<ValueTask> callback, string what)
    {
        try
        {
            await callback().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Group {Group}: the partitions-{What} listener threw", _groupId, what);
            _listenerError ??= e;
        }
    }

    private void UpdatePatternSubscription()
    {
        var metadata = _core.Cluster.Metadata;
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in metadata.Topics.Values)
        {
            if (topic.Error == ErrorCode.None && !(topic.IsInternal && _excludeInternal) && _pattern!.IsMatch(topic.Name))
            {
                matched.Add(topic.Name);
            }
        }

        lock (this)
        {
            if (!matched.SetEquals(_subscription))
            {
                _subscription = matched;
                _rejoinNeeded = true;
            }
        }
    }

    private bool MetadataChangedSinceAssignment()
    {
        var metadata = _core.Cluster.Metadata;
        foreach (var (topic, count) in _assignedMetadata)
        {
            int now = metadata.PartitionCount(topic);
            if (now >= 0 && now != count)
            {
                return true;
            }
        }

        return false;
    }

    private async Task MaybeAutoCommitAsync(CancellationToken cancellationToken)
    {
        if (!_autoCommit || _context.Time.GetElapsedTime(_lastAutoCommit) < _autoCommitInterval)
        {
            return;
        }

        _lastAutoCommit = _context.Time.GetTimestamp();
        var positions = CurrentPositions(null);
        if (positions.Count == 0)
        {
            return;
        }

        try
        {
            await CommitAsync(positions, retry: false, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _logger.LogWarning("Auto commit of {Count} offsets failed: {Reason}", positions.Count, e.Message);
        }
    }

    /// <summary>Current positions of assigned partitions (or only <paramref name="partitions"/>) as offsets to commit.</summary>
    public List<TopicPartitionOffset> CurrentPositions(IReadOnlyCollection<TopicPartition>? partitions)
    {
        var offsets = new List<TopicPartitionOffset>();
        lock (_core.Lock)
        {
            foreach (var tp in partitions ?? _core.Assignment)
            {
                if (_core.State(tp) is { } state && state.HasPosition)
                {
                    offsets.Add(new TopicPartitionOffset(tp, state.Position, null, state.LeaderEpoch));
                }
            }
        }

        return offsets;
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        if (_fatal is { } fatal)
        {
            throw fatal;
        }

        // Before joining: eager revokes everything (committing first with auto commit).
        if (_protocol == RebalanceProtocol.Eager && _owned.Count > 0)
        {
            await RevokeAsync([.. _owned], cancellationToken).ConfigureAwait(false);
        }

        var connection = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.RequireVersion(ApiKey.JoinGroup);
        if (_instanceId is not null && version < 5)
        {
            throw _fatal = new KafkaException(ErrorCode.UnsupportedVersion, $"static membership (group.instance.id) needs JoinGroup v5; broker {connection.Name} supports up to v{version}");
        }

        List<string> topics;
        lock (this)
        {
            topics = [.. _subscription.Order(StringComparer.Ordinal)];
        }

        var request = new JoinGroupRequest
        {
            GroupId = _groupId,
            SessionTimeoutMs = _sessionTimeoutMs,
            RebalanceTimeoutMs = _rebalanceTimeoutMs,
            MemberId = _memberId,
            GroupInstanceId = version >= 5 ? _instanceId : null,
            ProtocolType = "consumer",
        };
        var owned = _owned.ToList();
        owned.Sort();
        foreach (var assignor in _assignors)
        {
            var subscription = new ConsumerProtocolSubscription
            {
                Topics = topics,
                UserData = assignor.SubscriptionUserData(topics),
                OwnedPartitions = [.. owned.GroupBy(p => p.Topic).Select(g => new ConsumerProtocolSubscription.TopicPartition { Topic = g.Key, Partitions = [.. g.Select(p => p.Partition)] })],
            };
            request.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = assignor.Name, Metadata = ConsumerProtocol.Write(subscription) });
        }

        _joined = false;
        var timeout = TimeSpan.FromMilliseconds(_rebalanceTimeoutMs) + _context.RequestTimeout;
        JoinGroupResponse join;
        try
        {
            join = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(request, version, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.IsRetriable)
        {
            MarkCoordinatorUnknown(e.Message);
            await BackoffAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var error = (ErrorCode)join.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.MemberIdRequired:
                _memberId = join.MemberId;
                return;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                ResetMember(error);
                return;
            case ErrorCode.CoordinatorNotAvailable:
            case ErrorCode.NotCoordinator:
                MarkCoordinatorUnknown(error.ToString());
                await BackoffAsync(cancellationToken).ConfigureAwait(false);
                return;
            case ErrorCode.CoordinatorLoadInProgress:
            case ErrorCode.RebalanceInProgress:
                await BackoffAsync(cancellationToken).ConfigureAwait(false);
                return;
            default:
                throw _fatal = new KafkaException(error, $"joining group '{_groupId}' failed: {KafkaException.Describe(error)}");
        }

        _memberId = join.MemberId;
        _generation = join.GenerationId;
        _protocolName = join.ProtocolName;
        _isLeader = join.Leader == join.MemberId;
        _logger.LogInformation("Group {Group}: joined generation {Generation} as {Role} {Member} (protocol {Protocol})", _groupId, _generation, _isLeader ? "leader" : "member", _memberId, _protocolName);

        var assignments = new List<SyncGroupRequest.SyncGroupRequestAssignment>();
        if (_isLeader && !join.SkipAssignment)
        {
            assignments = await AssignAsync(join, cancellationToken).ConfigureAwait(false);
        }

        short syncVersion = connection.RequireVersion(ApiKey.SyncGroup);
        var sync = new SyncGroupRequest
        {
            GroupId = _groupId,
            GenerationId = _generation,
            MemberId = _memberId,
            GroupInstanceId = syncVersion >= 3 ? _instanceId : null,
            ProtocolType = syncVersion >= 5 ? "consumer" : null,
            ProtocolName = syncVersion >= 5 ? _protocolName : null,
            Assignments = assignments,
        };
        SyncGroupResponse syncResponse;
        try
        {
            var frame = await connection.SendRawAsync(sync, syncVersion, timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                syncResponse = DecodeSync(frame, syncVersion);
            }
            finally
            {
                frame.Return();
            }
        }
        catch (KafkaException e) when (e.IsRetriable)
        {
            MarkCoordinatorUnknown(e.Message);
            await BackoffAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        error = (ErrorCode)syncResponse.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.RebalanceInProgress:
                _logger.LogDebug("Group {Group}: SyncGroup answered REBALANCE_IN_PROGRESS; rejoining", _groupId);
                return;
            case ErrorCode.InvalidRequest when _syncInvalidRequests++ < 10:
                // librdkafka's mock cluster refuses a follower's SyncGroup that arrives after the leader's
                // (Kafka parks it); rejoining lets the next generation try again.
                _logger.LogWarning("Group {Group}: SyncGroup answered INVALID_REQUEST; rejoining", _groupId);
                _rejoinNeeded = true;
                return;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                ResetMember(error);
                return;
            case ErrorCode.CoordinatorNotAvailable:
            case ErrorCode.NotCoordinator:
                MarkCoordinatorUnknown(error.ToString());
                return;
            default:
                throw _fatal = new KafkaException(error, $"SyncGroup for group '{_groupId}' failed: {KafkaException.Describe(error)}");
        }

        ConsumerProtocolAssignment assignment;
        try
        {
            assignment = ConsumerProtocol.ReadAssignment(syncResponse.Assignment);
        }
        catch (KafkaProtocolException e)
        {
            throw _fatal = new KafkaException(ErrorCode.InconsistentGroupProtocol, $"group '{_groupId}': the leader sent an assignment we cannot read: {e.Message}");
        }

        var assigned = new HashSet<TopicPartition>();
        foreach (var t in assignment.AssignedPartitions)
        {
            foreach (int p in t.Partitions)
            {
                assigned.Add(new TopicPartition(t.Topic, p));
            }
        }

        _lastHeartbeat = _context.Time.GetTimestamp();
        _syncInvalidRequests = 0;
        _rejoinNeeded = false;
        _joined = true;
        _context.Metrics.Rebalanced();
        await OnJoinCompleteAsync(assigned, assignment.UserData, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Decodes a SyncGroup response. librdkafka's mock cluster answers a refused sync with a null
    /// assignment, which the protocol does not allow; the error code alone is then enough.
    /// </summary>
    private static SyncGroupResponse DecodeSync(ResponseFrame frame, short version)
    {
        var reader = new KafkaReader(frame.Memory);
        ResponseHeader.Read(ref reader, ApiKey.SyncGroup, version);
        int bodyStart = reader.Position;
        try
        {
            return SyncGroupResponse.Read(ref reader, version);
        }
        catch (KafkaProtocolException)
        {
            var body = frame.Memory.Span[bodyStart..];
            int at = version >= 1 ? 4 : 0;
            if (body.Length >= at + 2 && System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(body[at..]) is var code and not 0)
            {
                return new SyncGroupResponse { ErrorCode = code, Assignment = [] };
            }

            throw;
        }
    }

    private async Task OnJoinCompleteAsync(HashSet<TopicPartition> assigned, byte[]? userData, CancellationToken cancellationToken)
    {
        var assignor = _assignors.FirstOrDefault(a => a.Name == _protocolName) ?? _assignors[0];
        var sorted = assigned.ToList();
        sorted.Sort();
        assignor.OnAssignment(new MemberAssignment(sorted, userData), new GroupMemberMetadata(_groupId, _generation, _memberId, _instanceId));

        var added = assigned.Where(p => !_owned.Contains(p)).ToList();
        var revoked = _owned.Where(p => !assigned.Contains(p)).ToList();
        added.Sort();
        revoked.Sort();
        if (revoked.Count > 0)
        {
            // Cooperative: give up only what moved, then rejoin so it can be assigned to its new owner.
            await RevokeAsync(revoked, cancellationToken).ConfigureAwait(false);
            _rejoinNeeded = true;
        }

        _owned = assigned;
        _core.AddPartitions(added);
        _logger.LogInformation("Group {Group}: generation {Generation} assigned [{Partitions}]", _groupId, _generation, string.Join(", ", sorted));
        if (_listener is { } listener)
        {
            await InvokeListenerAsync(() => listener.OnPartitionsAssignedAsync(added, cancellationToken), "assigned").ConfigureAwait(false);
        }
    }

    private async Task RevokeAsync(List<TopicPartition> revoked, CancellationToken cancellationToken)
    {
        if (_autoCommit && _generation >= 0)
        {
            var offsets = CurrentPositions(revoked);
            if (offsets.Count > 0)
            {
                try
                {
                    await CommitAsync(offsets, retry: true, cancellationToken).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    _logger.LogWarning("Committing revoked partitions failed: {Reason}", e.Message);
                }
            }
        }

        if (_listener is { } listener)
        {
            await InvokeListenerAsync(() => listener.OnPartitionsRevokedAsync(revoked, cancellationToken), "revoked").ConfigureAwait(false);
        }

        _core.RemovePartitions(revoked);
        foreach (var tp in revoked)
        {
            _owned.Remove(tp);
        }
    }

    private async Task<List<SyncGroupRequest.SyncGroupRequestAssignment>> AssignAsync(JoinGroupResponse join, CancellationToken cancellationToken)
    {
        var assignor = _assignors.FirstOrDefault(a => a.Name == join.ProtocolName)
            ?? throw (_fatal = new KafkaException(ErrorCode.InconsistentGroupProtocol, $"the group chose assignor '{join.ProtocolName}', which this member does not have"));
        var members = new Dictionary<string, MemberSubscription>(StringComparer.Ordinal);
        var allTopics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in join.Members)
        {
            ConsumerProtocolSubscription subscription;
            try
            {
                subscription = ConsumerProtocol.ReadSubscription(member.Metadata);
            }
            catch (KafkaProtocolException e)
            {
                throw _fatal = new KafkaException(ErrorCode.InconsistentGroupProtocol, $"member {member.MemberId}'s subscription cannot be read: {e.Message}");
            }

            var owned = new List<TopicPartition>();
            foreach (var t in subscription.OwnedPartitions ?? [])
            {
                foreach (int p in t.Partitions)
                {
                    owned.Add(new TopicPartition(t.Topic, p));
                }
            }

            members[member.MemberId] = new MemberSubscription(subscription.Topics, subscription.UserData, owned, subscription.GenerationId, subscription.RackId, member.GroupInstanceId);
            allTopics.UnionWith(subscription.Topics);
        }

        // The leader assigns from fresh metadata covering every member's topics, not only its own
        // (as librdkafka does; it also lets followers' SyncGroups reach brokers that need them first).
        _core.Cluster.AddTopics(allTopics);
        var metadata = _core.Cluster.Metadata;
        try
        {
            metadata = await _core.Cluster.RefreshAsync(cancellationToken, allTopics).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _logger.LogWarning("Metadata refresh before assignment failed: {Reason}", e.Message);
        }

        var view = new ClusterView(metadata);
        var result = assignor.Assign(view, new GroupSubscription(members));
        _assignedMetadata = allTopics.ToDictionary(t => t, t => metadata.PartitionCount(t), StringComparer.Ordinal);

        if (_protocol == RebalanceProtocol.Cooperative)
        {
            result = WithholdMovingPartitions(members, result);
        }

        var assignments = new List<SyncGroupRequest.SyncGroupRequestAssignment>();
        foreach (string memberId in members.Keys)
        {
            var memberAssignment = result.Assignments.GetValueOrDefault(memberId) ?? new MemberAssignment([]);
            var encoded = new ConsumerProtocolAssignment
            {
                AssignedPartitions = [.. memberAssignment.Partitions.GroupBy(p => p.Topic).Select(g => new ConsumerProtocolAssignment.TopicPartition { Topic = g.Key, Partitions = [.. g.Select(p => p.Partition).Order()] })],
                UserData = memberAssignment.UserData,
            };
            assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = memberId, Assignment = ConsumerProtocol.Write(encoded) });
        }

        _logger.LogDebug("Group {Group}: leader assigned {Count} members with {Assignor}", _groupId, members.Count, assignor.Name);
        return assignments;
    }

    /// <summary>
    /// KIP-429: a partition moving from one member to another is left out of this round; its owner
    /// revokes it, rejoins, and the follow-up rebalance assigns it.
    /// </summary>
    private static GroupAssignment WithholdMovingPartitions(Dictionary<string, MemberSubscription> members, GroupAssignment result)
    {
        var ownerOf = new Dictionary<TopicPartition, string>();
        foreach (var (member, subscription) in members)
        {
            foreach (var tp in subscription.OwnedPartitions)
            {
                ownerOf.TryAdd(tp, member);
            }
        }

        var adjusted = new Dictionary<string, MemberAssignment>(StringComparer.Ordinal);
        foreach (var (member, assignment) in result.Assignments)
        {
            var kept = assignment.Partitions.Where(tp => !ownerOf.TryGetValue(tp, out var owner) || owner == member).ToList();
            adjusted[member] = assignment with { Partitions = kept };
        }

        return new GroupAssignment(adjusted);
    }

    private void ResetMember(ErrorCode reason)
    {
        _logger.LogInformation("Group {Group}: member {Member} reset after {Reason}", _groupId, _memberId, reason);
        if (reason == ErrorCode.UnknownMemberId || _instanceId is null)
        {
            _memberId = string.Empty;
        }

        _generation = -1;
        _joined = false;
        _rejoinNeeded = true;
        _lost = _owned.Count > 0;
    }

    private void MarkCoordinatorUnknown(string reason)
    {
        if (_coordinatorId >= 0)
        {
            _logger.LogInformation("Group {Group}: coordinator {Node} unavailable ({Reason}); rediscovering", _groupId, _coordinatorId, reason);
        }

        _coordinatorId = -1;
    }

    private Task BackoffAsync(CancellationToken cancellationToken) => Task.Delay(_context.RetryBackoff, _context.Time, cancellationToken);

    /// <summary>The coordinator's connection, finding the coordinator first when it is unknown.</summary>
    public async Task<BrokerConnection> CoordinatorAsync(CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int id = _coordinatorId;
            if (id >= 0)
            {
                try
                {
                    return await _core.Cluster.GetConnectionAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (KafkaException e) when (e.IsRetriable || e.Error == ErrorCode.BrokerNotAvailable)
                {
                    MarkCoordinatorUnknown(e.Message);
                }
            }

            await _coordinatorLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_coordinatorId >= 0)
                {
                    continue;
                }

                if (attempt++ > 0)
                {
                    await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
                }

                var connection = await _core.Cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
                short version = connection.RequireVersion(ApiKey.FindCoordinator);
                var response = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                    new FindCoordinatorRequest { Key = _groupId, KeyType = 0 }, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
                var error = (ErrorCode)response.ErrorCode;
                if (error == ErrorCode.None)
                {
                    if (!_core.Cluster.Metadata.Brokers.ContainsKey(response.NodeId))
                    {
                        await _core.Cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }

                    _coordinatorId = response.NodeId;
                    _logger.LogDebug("Group {Group}: coordinator is node {Node}", _groupId, response.NodeId);
                }
                else if (!error.IsRetriable())
                {
                    throw new KafkaException(error, $"finding the coordinator of group '{_groupId}' failed: {KafkaException.Describe(error)}");
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _logger.LogDebug("FindCoordinator failed: {Reason}", e.Message);
            }
            finally
            {
                _coordinatorLock.Release();
            }
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(_heartbeatInterval.TotalMilliseconds, 100)), _context.Time, token).ConfigureAwait(false);
                if (!_joined || _generation < 0)
                {
                    continue;
                }

                if (_context.Time.GetElapsedTime(_lastPoll) > _maxPollInterval)
                {
                    // KIP-62: the application stopped polling; leave so the group can move on.
                    _logger.LogWarning("Group {Group}: no Consume call for more than max.poll.interval.ms ({Interval} ms); leaving the group", _groupId, _maxPollInterval.TotalMilliseconds);
                    await LeaveAsync("consumer poll timeout has expired", token).ConfigureAwait(false);
                    continue;
                }

                if (_context.Time.GetElapsedTime(_lastHeartbeat) < _heartbeatInterval)
                {
                    continue;
                }

                _lastHeartbeat = _context.Time.GetTimestamp();
                await HeartbeatAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogDebug("Heartbeat failed: {Reason}", e.Message);
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        BrokerConnection connection;
        try
        {
            connection = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _logger.LogDebug("Heartbeat: no coordinator: {Reason}", e.Message);
            return;
        }

        int generation = _generation;
        short version = connection.RequireVersion(ApiKey.Heartbeat);
        HeartbeatResponse response;
        try
        {
            response = await connection.SendAsync<HeartbeatRequest, HeartbeatResponse>(
                new HeartbeatRequest { GroupId = _groupId, GenerationId = generation, MemberId = _memberId, GroupInstanceId = version >= 3 ? _instanceId : null },
                version,
                _context.RequestTimeout,
                cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.IsRetriable)
        {
            MarkCoordinatorUnknown(e.Message);
            return;
        }

        var error = (ErrorCode)response.ErrorCode;
        if (generation != _generation)
        {
            return;
        }

        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.RebalanceInProgress:
                _logger.LogInformation("Group {Group}: rebalance in progress; rejoining at the next Consume", _groupId);
                _rejoinNeeded = true;
                break;
            case ErrorCode.IllegalGeneration:
            case ErrorCode.UnknownMemberId:
                ResetMember(error);
                break;
            case ErrorCode.FencedInstanceId:
                _fatal = new KafkaException(error, $"group '{_groupId}': another member uses group.instance.id '{_instanceId}'");
                _joined = false;
                break;
            case ErrorCode.CoordinatorNotAvailable:
            case ErrorCode.NotCoordinator:
                MarkCoordinatorUnknown(error.ToString());
                break;
            default:
                _logger.LogWarning("Heartbeat for group {Group} failed: {Error}", _groupId, KafkaException.Describe(error));
                break;
        }
    }

    /// <summary>Leaves the group (dynamic members only: static members keep their place until session.timeout.ms, KIP-345).</summary>
    public async Task LeaveAsync(string reason, CancellationToken cancellationToken)
    {
        bool wasJoined = _joined;
        _joined = false;
        _rejoinNeeded = true;
        if (_owned.Count > 0 && wasJoined)
        {
            _lost = true;
        }

        if (_instanceId is not null || string.IsNullOrEmpty(_memberId) || _coordinatorId < 0)
        {
            _generation = -1;
            return;
        }

        try
        {
            var connection = await _core.Cluster.GetConnectionAsync(_coordinatorId, cancellationToken).ConfigureAwait(false);
            short version = connection.RequireVersion(ApiKey.LeaveGroup);
            var request = new LeaveGroupRequest { GroupId = _groupId };
            if (version >= 3)
            {
                request.Members.Add(new LeaveGroupRequest.MemberIdentity { MemberId = _memberId, Reason = version >= 5 ? reason : null });
            }
            else
            {
                request.MemberId = _memberId;
            }

            await connection.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Group {Group}: member {Member} left ({Reason})", _groupId, _memberId, reason);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            _logger.LogDebug("LeaveGroup failed: {Reason}", e.Message);
        }

        _memberId = string.Empty;
        _generation = -1;
    }

    /// <summary>
    /// Commits offsets. Inside a group, the commit carries the member id and generation, so a member
    /// that was rebalanced out gets <see cref="CommitFailedException"/>; with manual assignment it
    /// carries generation -1 (a "simple" commit).
    /// </summary>
    public async Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, bool retry, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0)
        {
            return;
        }

        int attempt = 0;
        long deadline = ApiDeadline();
        while (true)
        {
            attempt++;
            KafkaException? retriable = null;
            try
            {
                var connection = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
                short version = connection.RequireVersion(ApiKey.OffsetCommit);
                bool member = IsSubscribed && _generation >= 0;
                var request = new OffsetCommitRequest
                {
                    GroupId = _groupId,
                    GenerationIdOrMemberEpoch = member ? _generation : -1,
                    MemberId = member ? _memberId : string.Empty,
                    GroupInstanceId = version >= 7 && member ? _instanceId : null,
                    RetentionTimeMs = -1,
                };
                foreach (var topic in offsets.GroupBy(o => o.Topic))
                {
                    var t = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic.Key };
                    foreach (var o in topic)
                    {
                        t.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition
                        {
                            PartitionIndex = o.Partition,
                            CommittedOffset = o.Offset,
                            CommittedLeaderEpoch = version >= 6 ? o.LeaderEpoch : -1,
                            CommittedMetadata = o.Metadata ?? string.Empty,
                            CommitTimestamp = -1,
                        });
                    }

                    request.Topics.Add(t);
                }

                var response = await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
                foreach (var topic in response.Topics)
                {
                    foreach (var p in topic.Partitions)
                    {
                        var error = (ErrorCode)p.ErrorCode;
                        switch (error)
                        {
                            case ErrorCode.None:
                                continue;
                            case ErrorCode.CoordinatorNotAvailable:
                            case ErrorCode.NotCoordinator:
                            case ErrorCode.RequestTimedOut:
                                MarkCoordinatorUnknown(error.ToString());
                                retriable = new KafkaException(error, $"offset commit: {KafkaException.Describe(error)}");
                                break;
                            case ErrorCode.CoordinatorLoadInProgress:
                            case ErrorCode.UnknownTopicOrPartition:
                                retriable = new KafkaException(error, $"offset commit: {KafkaException.Describe(error)}");
                                break;
                            case ErrorCode.RebalanceInProgress:
                                // No forced rejoin here (Java requests one): a real rebalance is seen by the heartbeat,
                                // and a broker still completing the last one (librdkafka's mock, until every member
                                // synced) would otherwise be pushed into rebalancing forever.
                                throw new CommitFailedException(error, $"offset commit for group '{_groupId}' failed: the group is rebalancing; the partitions may be reassigned (commit again after the next Consume)");
                            case ErrorCode.IllegalGeneration:
                            case ErrorCode.UnknownMemberId:
                            case ErrorCode.FencedInstanceId:
                                ResetMember(error);
                                throw new CommitFailedException(error, $"offset commit for group '{_groupId}' failed ({error}): this member was rebalanced out and its partitions may belong to another member now");
                            default:
                                throw new KafkaException(error, $"offset commit for {topic.Name}-{p.PartitionIndex} failed: {KafkaException.Describe(error)}");
                        }
                    }
                }

                if (retriable is null)
                {
                    return;
                }
            }
            catch (KafkaException e) when (e.IsRetriable && e is not CommitFailedException)
            {
                retriable = e;
                MarkCoordinatorUnknown(e.Message);
            }

            // Like Java's commitSync: retriable errors (a coordinator moving, loading) are retried until
            // default.api.timeout.ms, not for a fixed number of attempts that a slow election can outlast.
            if (!retry || _context.Time.GetTimestamp() >= deadline)
            {
                throw retriable;
            }

            await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>When a blocking group call (a sync commit, a committed-offsets fetch) stops retrying: now plus default.api.timeout.ms.</summary>
    private long ApiDeadline() =>
        _context.Time.GetTimestamp() + (long)(_context.Config.GetIntOrDefault("default.api.timeout.ms") / 1000.0 * _context.Time.TimestampFrequency);

    /// <summary>The committed offsets of partitions (-1 for none).</summary>
    public async Task<Dictionary<TopicPartition, TopicPartitionOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        int attempt = 0;
        long deadline = ApiDeadline();
        while (true)
        {
            attempt++;
            try
            {
                var connection = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
                short version = connection.RequireVersion(ApiKey.OffsetFetch);
                var request = new OffsetFetchRequest
                {
                    GroupId = _groupId,
                    Topics = [.. partitions.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = g.Key, PartitionIndexes = [.. g.Select(p => p.Partition)] })],
                };
                var response = await connection.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
                var top = (ErrorCode)response.ErrorCode;
                if (top != ErrorCode.None)
                {
                    if (top is ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator)
                    {
                        MarkCoordinatorUnknown(top.ToString());
                    }

                    if (top.IsRetriable())
                    {
                        throw new KafkaException(top, $"OffsetFetch: {KafkaException.Describe(top)}");
                    }

                    throw new KafkaException(top, $"fetching committed offsets of group '{_groupId}' failed: {KafkaException.Describe(top)}");
                }

                var result = new Dictionary<TopicPartition, TopicPartitionOffset>();
                foreach (var topic in response.Topics)
                {
                    foreach (var p in topic.Partitions)
                    {
                        var error = (ErrorCode)p.ErrorCode;
                        var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                        if (error == ErrorCode.UnstableOffsetCommit || (error != ErrorCode.None && error.IsRetriable()))
                        {
                            throw new KafkaException(error, $"OffsetFetch {tp}: {KafkaException.Describe(error)}");
                        }

                        if (error != ErrorCode.None && error != ErrorCode.UnknownTopicOrPartition)
                        {
                            throw new KafkaException(error, $"fetching the committed offset of {tp} failed: {KafkaException.Describe(error)}");
                        }

                        result[tp] = new TopicPartitionOffset(tp, p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch);
                    }
                }

                return result;
            }
            catch (KafkaException e) when (e.IsRetriable && _context.Time.GetTimestamp() < deadline)
            {
                _logger.LogDebug("OffsetFetch failed, retrying: {Reason}", e.Message);
                await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes membership: commits (auto commit), revokes, leaves.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (IsSubscribed && _owned.Count > 0 && _joined)
            {
                await RevokeAsync([.. _owned], cancellationToken).ConfigureAwait(false);
            }
            else if (_autoCommit)
            {
                var positions = CurrentPositions(null);
                if (positions.Count > 0)
                {
                    await CommitAsync(positions, retry: true, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            _logger.LogWarning("Commit on close failed: {Reason}", e.Message);
        }

        if (IsSubscribed)
        {
            await LeaveAsync("the consumer is being closed", cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _heartbeatLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class ClusterView(MetadataSnapshot metadata) : IClusterView
    {
        public int PartitionCount(string topic) => metadata.PartitionCount(topic);

        public IReadOnlyList<int> Replicas(TopicPartition partition) =>
            metadata.Topics.TryGetValue(partition.Topic, out var t) && (uint)partition.Partition < (uint)t.Partitions.Length ? t.Partitions[partition.Partition].Replicas : [];

        public string? RackOf(int brokerId) => metadata.Brokers.TryGetValue(brokerId, out var b) ? b.Rack : null;
    }
}

/// <summary>The embedded consumer protocol: a version INT16, then the struct at that version (newer versions read as the newest we know).</summary>
internal static class ConsumerProtocol
{
    public const short SubscriptionVersion = 1;
    public const short AssignmentVersion = 1;

    public static byte[] Write(ConsumerProtocolSubscription subscription)
    {
        using var writer = new KafkaWriter(256);
        writer.WriteInt16(SubscriptionVersion);
        subscription.Write(writer, SubscriptionVersion);
        return writer.ToArray();
    }

    public static byte[] Write(ConsumerProtocolAssignment assignment)
    {
        using var writer = new KafkaWriter(256);
        writer.WriteInt16(AssignmentVersion);
        assignment.Write(writer, AssignmentVersion);
        return writer.ToArray();
    }

    public static ConsumerProtocolSubscription ReadSubscription(byte[] bytes)
    {
        var reader = new KafkaReader(bytes.AsSpan());
        short version = reader.ReadInt16();
        if (version < 0)
        {
            throw new KafkaProtocolException($"subscription version {version} is invalid");
        }

        return ConsumerProtocolSubscription.Read(ref reader, Math.Min(version, ConsumerProtocolSubscription.HighestVersion));
    }

    public static ConsumerProtocolAssignment ReadAssignment(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return new ConsumerProtocolAssignment();
        }

        var reader = new KafkaReader(bytes.AsSpan());
        short version = reader.ReadInt16();
        if (version < 0)
        {
            throw new KafkaProtocolException($"assignment version {version} is invalid");
        }

        return ConsumerProtocolAssignment.Read(ref reader, Math.Min(version, ConsumerProtocolAssignment.HighestVersion));
    }
}
