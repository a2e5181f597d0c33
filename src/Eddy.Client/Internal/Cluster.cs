using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Client.Internal;

/// <summary>A broker as metadata describes it.</summary>
internal sealed record BrokerNode(int Id, string Host, int Port, string? Rack)
{
    public BrokerAddress Address => new(Host, Port);
}

/// <summary>One partition's leader and replicas.</summary>
internal sealed record PartitionInfo(int Partition, int Leader, int LeaderEpoch, int[] Replicas, int[] Isr, int[] Offline, ErrorCode Error);

/// <summary>One topic's metadata.</summary>
internal sealed record TopicInfo(string Name, ErrorCode Error, bool IsInternal, Guid TopicId, PartitionInfo[] Partitions);

/// <summary>An immutable view of the cluster at one moment.</summary>
internal sealed class MetadataSnapshot
{
    public static readonly MetadataSnapshot Empty = new(new Dictionary<int, BrokerNode>(), new Dictionary<string, TopicInfo>(StringComparer.Ordinal), -1, null, 0);

    public MetadataSnapshot(IReadOnlyDictionary<int, BrokerNode> brokers, IReadOnlyDictionary<string, TopicInfo> topics, int controllerId, string? clusterId, long version)
    {
        Brokers = brokers;
        Topics = topics;
        ControllerId = controllerId;
        ClusterId = clusterId;
        Version = version;
    }

    public IReadOnlyDictionary<int, BrokerNode> Brokers { get; }

    public IReadOnlyDictionary<string, TopicInfo> Topics { get; }

    public int ControllerId { get; }

    public string? ClusterId { get; }

    /// <summary>Increases with every refresh.</summary>
    public long Version { get; }

    public int LeaderOf(TopicPartition tp) =>
        Topics.TryGetValue(tp.Topic, out var topic) && (uint)tp.Partition < (uint)topic.Partitions.Length ? topic.Partitions[tp.Partition].Leader : -1;

    public int PartitionCount(string topic) => Topics.TryGetValue(topic, out var info) && info.Error == ErrorCode.None ? info.Partitions.Length : -1;
}

/// <summary>
/// The client's view of the cluster: connections per broker (created on demand, with exponential
/// reconnect backoff), and a metadata cache that is refreshed on request (after errors such as
/// NOT_LEADER) and every metadata.max.age.ms, for the topics the client uses.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly ILogger _logger;
    private readonly int _maxInFlight;
    private readonly BrokerAddress[] _bootstrap;
    private readonly Dictionary<int, NodeSlot> _slots = [];
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshSignal = new(0, int.MaxValue);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _allowAutoCreate;
    private readonly Task _refreshLoop;
    private MetadataSnapshot _metadata = MetadataSnapshot.Empty;
    private TaskCompletionSource _updated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _updateRequested;
    private bool _allTopics;
    private long _lastRefresh;
    private int _bootstrapCursor;
    private int _refreshFailures;

    public Cluster(ClientContext context, int maxInFlight, bool allowAutoCreate)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Metadata");
        _maxInFlight = maxInFlight;
        _allowAutoCreate = allowAutoCreate;
        var bootstrap = new List<BrokerAddress>();
        foreach (string server in context.Config.GetString("bootstrap.servers").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (BrokerAddress.TryParse(server, out var address))
            {
                bootstrap.Add(address);
            }
        }

        _bootstrap = [.. bootstrap];
        _refreshLoop = Task.Run(RefreshLoopAsync);
    }

    public ClientContext Context => _context;

    public MetadataSnapshot Metadata => Volatile.Read(ref _metadata);

    /// <summary>Completes at the next metadata update.</summary>
    public Task NextUpdate => Volatile.Read(ref _updated).Task;

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Adds topics to those kept in metadata; returns true if any was new.</summary>
    public bool AddTopics(IEnumerable<string> topics)
    {
        bool added = false;
        lock (_topics)
        {
            foreach (string topic in topics)
            {
                added |= _topics.Add(topic);
            }
        }

        if (added)
        {
            RequestUpdate();
        }

        return added;
    }

    /// <summary>Replaces the topics kept in metadata; <paramref name="all"/> keeps every topic (regex subscriptions).</summary>
    public void SetTopics(IEnumerable<string> topics, bool all)
    {
        lock (_topics)
        {
            _topics.Clear();
            _topics.UnionWith(topics);
            _allTopics = all;
        }

        RequestUpdate();
    }

    public void RequestUpdate()
    {
        _updateRequested = true;
        _refreshSignal.Release();
    }

    /// <summary>Metadata for a topic with a leader for every partition, waiting (and auto-creating where allowed) up to <paramref name="timeout"/>.</summary>
    public async Task<TopicInfo> WaitForTopicAsync(string topic, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Metadata.Topics.TryGetValue(topic, out var known) && known.Error == ErrorCode.None && known.Partitions.Length > 0)
        {
            return known;
        }

        AddTopics([topic]);
        long start = _context.Time.GetTimestamp();
        while (true)
        {
            var next = NextUpdate;
            if (Metadata.Topics.TryGetValue(topic, out var info) && info.Error == ErrorCode.None && info.Partitions.Length > 0)
            {
                return info;
            }

            var remaining = timeout - _context.Time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                string reason = info is null ? "it is not in metadata" : $"metadata says {KafkaException.Describe(info.Error)}";
                throw new KafkaTimeoutException($"topic '{topic}' not available after {timeout.TotalMilliseconds:F0} ms: {reason}");
            }

            if (info is not null && info.Error is not (ErrorCode.None or ErrorCode.LeaderNotAvailable or ErrorCode.UnknownTopicOrPartition) && !info.Error.IsRetriable())
            {
                throw new KafkaException(info.Error, $"topic '{topic}': {KafkaException.Describe(info.Error)}");
            }

            RequestUpdate();
            await next.WaitAsync(remaining < _context.RetryBackoffMax ? remaining : _context.RetryBackoffMax, _context.Time, cancellationToken)
                .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Refreshes metadata now (for the tracked topics plus <paramref name="extraTopics"/>).</summary>
    public async Task<MetadataSnapshot> RefreshAsync(CancellationToken cancellationToken, IReadOnlyCollection<string>? extraTopics = null, bool? allTopics = null)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _updateRequested = false;
            List<string> topics;
            bool all;
            lock (_topics)
            {
                topics = [.. _topics];
                all = allTopics ?? _allTopics;
            }

            if (extraTopics is not null)
            {
                foreach (string t in extraTopics)
                {
                    if (!topics.Contains(t))
                    {
                        topics.Add(t);
                    }
                }
            }

            var connection = await GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
            short version = connection.RequireVersion(ApiKey.Metadata);
            var request = new MetadataRequest
            {
                AllowAutoTopicCreation = _allowAutoCreate,
                Topics = all || (topics.Count == 0 && version == 0) ? (version == 0 ? [] : null) : [.. topics.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t })],
            };
            if (version < 4 && !_allowAutoCreate)
            {
                request.AllowAutoTopicCreation = true; // cannot be expressed before v4; the broker decides
            }

            MetadataResponse response;
            try
            {
                response = await connection.SendAsync<MetadataRequest, MetadataResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _refreshFailures++;
                throw;
            }

            _refreshFailures = 0;
            var snapshot = Apply(response, all ? null : topics);
            _lastRefresh = _context.Time.GetTimestamp();
            return snapshot;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private MetadataSnapshot Apply(MetadataResponse response, List<string>? requested)
    {
        var previous = Metadata;
        var brokers = new Dictionary<int, BrokerNode>();
        foreach (var b in response.Brokers)
        {
            brokers[b.NodeId] = new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack);
        }

        var topics = new Dictionary<string, TopicInfo>(StringComparer.Ordinal);
        if (requested is not null)
        {
            HashSet<string> tracked;
            lock (_topics)
            {
                tracked = [.. _topics];
            }

            foreach (var (name, info) in previous.Topics)
            {
                if (tracked.Contains(name))
                {
                    topics[name] = info;
                }
            }
        }

        foreach (var t in response.Topics)
        {
            if (t.Name is null)
            {
                continue;
            }

            var partitions = new PartitionInfo[t.Partitions.Count];
            bool complete = true;
            foreach (var p in t.Partitions)
            {
                if ((uint)p.PartitionIndex >= (uint)partitions.Length)
                {
                    complete = false;
                    continue;
                }

                partitions[p.PartitionIndex] = new PartitionInfo(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, [.. p.ReplicaNodes], [.. p.IsrNodes], [.. p.OfflineReplicas ?? []], (ErrorCode)p.ErrorCode);
            }

            var error = (ErrorCode)t.ErrorCode;
            if (!complete || Array.IndexOf(partitions, null) >= 0)
            {
                error = error == ErrorCode.None ? ErrorCode.LeaderNotAvailable : error;
                partitions = [];
            }

            topics[t.Name] = new TopicInfo(t.Name, error, t.IsInternal, t.TopicId, partitions);
        }

        var snapshot = new MetadataSnapshot(brokers, topics, response.ControllerId, response.ClusterId, previous.Version + 1);
        Volatile.Write(ref _metadata, snapshot);
        var old = Interlocked.Exchange(ref _updated, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        old.TrySetResult();
        _logger.LogDebug("Metadata v{Version}: {Brokers} brokers, {Topics} topics", snapshot.Version, brokers.Count, topics.Count);
        return snapshot;
    }

    private async Task RefreshLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var sinceLast = _context.Time.GetElapsedTime(_lastRefresh);
                var maxAgeWait = _lastRefresh == 0 ? TimeSpan.Zero : _context.MetadataMaxAge - sinceLast;
                if (!_updateRequested && maxAgeWait > TimeSpan.Zero)
                {
                    await _refreshSignal.WaitAsync(maxAgeWait, token).ConfigureAwait(false);
                }

                // Never refresh more often than retry.backoff.ms (Kafka's Metadata.timeToNextUpdate).
                var backoff = _refreshFailures > 0
                    ? ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, _refreshFailures)
                    : _context.RetryBackoff;
                var wait = backoff - _context.Time.GetElapsedTime(_lastRefresh);
                if (_lastRefresh != 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _context.Time, token).ConfigureAwait(false);
                }

                while (_refreshSignal.CurrentCount > 0)
                {
                    _refreshSignal.Wait(0, CancellationToken.None);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_context.RequestTimeout + _context.ConnectTimeout);
                await RefreshAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _lastRefresh = _context.Time.GetTimestamp();
                _refreshFailures++;
                _updateRequested = true;
                _logger.LogWarning("Metadata refresh failed: {Reason}", e.Message);
            }
        }
    }

    /// <summary>A connection to the given broker, connecting (after any backoff) when needed.</summary>
    public async Task<BrokerConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<BrokerConnection> attempt;
            TimeSpan delay = TimeSpan.Zero;
            NodeSlot slot;
            lock (_slots)
            {
                if (!_slots.TryGetValue(nodeId, out slot!))
                {
                    slot = new NodeSlot();
                    _slots[nodeId] = slot;
                }

                if (slot.Current is { IsCompletedSuccessfully: true } done && !done.Result.IsFailed)
                {
                    return done.Result;
                }

                if (slot.Current is { IsCompleted: false } running)
                {
                    attempt = running;
                }
                else
                {
                    if (slot.Current is { IsCompletedSuccessfully: true } old)
                    {
                        _ = old.Result.DisposeAsync().AsTask();
                    }

                    if (slot.Failures > 0)
                    {
                        delay = ClientContext.Backoff(_context.ReconnectBackoff, _context.ReconnectBackoffMax, slot.Failures) - _context.Time.GetElapsedTime(slot.LastFailure);
                    }

                    if (delay <= TimeSpan.Zero)
                    {
                        var address = AddressOf(nodeId);
                        attempt = ConnectAsync(slot, nodeId, address);
                        slot.Current = attempt;
                    }
                    else
                    {
                        attempt = null!;
                    }
                }
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _context.Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return await attempt.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An open connection to the broker if there is one; otherwise starts connecting (after any backoff) and returns null.</summary>
    public BrokerConnection? TryGetConnection(int nodeId)
    {
        lock (_slots)
        {
            if (_slots.TryGetValue(nodeId, out var slot) && slot.Current is { IsCompletedSuccessfully: true } done && !done.Result.IsFailed)
            {
                return done.Result;
            }

            if (slot?.Current is { IsCompleted: false })
            {
                return null;
            }
        }

        _ = GetConnectionAsync(nodeId, _stop.Token).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return null;
    }

    private async Task<BrokerConnection> ConnectAsync(NodeSlot slot, int nodeId, BrokerAddress address)
    {
        try
        {
            var connection = await BrokerConnection.ConnectAsync(_context, nodeId, address, _maxInFlight, _stop.Token).ConfigureAwait(false);
            slot.Failures = 0;
            return connection;
        }
        catch (Exception e)
        {
            slot.Failures++;
            slot.LastFailure = _context.Time.GetTimestamp();
            _logger.LogDebug("Connecting to {Address} (node {Node}) failed: {Reason}", address, nodeId, e.Message);
            if (nodeId >= 0)
            {
                RequestUpdate();
            }

            throw;
        }
    }

    private BrokerAddress AddressOf(int nodeId)
    {
        if (nodeId < 0)
        {
            return _bootstrap[(-nodeId - 1) % _bootstrap.Length];
        }

        if (Metadata.Brokers.TryGetValue(nodeId, out var broker))
        {
            return broker.Address;
        }

        throw new KafkaException(ErrorCode.BrokerNotAvailable, $"broker {nodeId} is not in the cluster metadata");
    }

    /// <summary>
    /// A usable connection to any broker, preferring an open one with the fewest pending requests
    /// (Kafka's leastLoadedNode), then known brokers, then the bootstrap list.
    /// </summary>
    public async Task<BrokerConnection> GetAnyConnectionAsync(CancellationToken cancellationToken)
    {
        BrokerConnection? best = null;
        var candidates = new List<int>();
        lock (_slots)
        {
            foreach (var (id, slot) in _slots)
            {
                if (slot.Current is { IsCompletedSuccessfully: true } t && !t.Result.IsFailed && (id >= 0 || Metadata.Brokers.Count == 0))
                {
                    if (best is null || t.Result.PendingCount < best.PendingCount)
                    {
                        best = t.Result;
                    }
                }
            }
        }

        if (best is not null && (best.NodeId < 0 || Metadata.Brokers.ContainsKey(best.NodeId)))
        {
            return best;
        }

        foreach (var id in Metadata.Brokers.Keys)
        {
            candidates.Add(id);
        }

#pragma warning disable CA5394 // spreading load, not security
        candidates.Sort((a, b) => Random.Shared.Next(3) - 1);
#pragma warning restore CA5394
        int start = Interlocked.Increment(ref _bootstrapCursor);
        for (int i = 0; i < _bootstrap.Length; i++)
        {
            candidates.Add(-1 - ((start + i) % _bootstrap.Length));
        }

        Exception? last = null;
        foreach (int id in candidates)
        {
            if (IsBackingOff(id))
            {
                continue;
            }

            try
            {
                return await GetConnectionAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KafkaException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
        }

        // Everything is backing off or failed: wait for the first bootstrap broker's backoff and try it.
        try
        {
            return await GetConnectionAsync(candidates.Count > 0 ? candidates[^1] : -1, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw new KafkaConnectionException(string.Join(",", _bootstrap), $"no broker reachable (bootstrap.servers={string.Join(",", _bootstrap)}): {(last ?? e).Message}", last ?? e);
        }
    }

    private bool IsBackingOff(int nodeId)
    {
        lock (_slots)
        {
            return _slots.TryGetValue(nodeId, out var slot) && slot.Failures > 0
                && slot.Current is not { IsCompleted: false }
                && _context.Time.GetElapsedTime(slot.LastFailure) < ClientContext.Backoff(_context.ReconnectBackoff, _context.ReconnectBackoffMax, slot.Failures);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _refreshLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        List<Task<BrokerConnection>> connections = [];
        lock (_slots)
        {
            foreach (var slot in _slots.Values)
            {
                if (slot.Current is not null)
                {
                    connections.Add(slot.Current);
                }
            }

            _slots.Clear();
        }

        foreach (var task in connections)
        {
            try
            {
                var connection = await task.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A connection that never opened has nothing to close.
            }
        }

        _stop.Dispose();
    }

    private sealed class NodeSlot
    {
        public Task<BrokerConnection>? Current { get; set; }

        public int Failures { get; set; }

        public long LastFailure { get; set; }
    }
}
