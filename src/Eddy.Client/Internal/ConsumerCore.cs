using System.Diagnostics.Metrics;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Client.Internal;

/// <summary>How a partition without a position gets one.</summary>
internal enum ResetMode
{
    None,
    Committed,
    Earliest,
    Latest,
}

/// <summary>One assigned partition's consuming state.</summary>
internal sealed class PartitionConsumeState(TopicPartition partition)
{
    public TopicPartition Partition { get; } = partition;

    /// <summary>The next offset to return; -1 until known.</summary>
    public long Position { get; set; } = -1;

    public int LeaderEpoch { get; set; } = -1;

    /// <summary>Bumped by seeks and resets, so data fetched for an older position is dropped.</summary>
    public int Epoch { get; set; }

    public ResetMode Reset { get; set; } = ResetMode.Committed;

    public bool Paused { get; set; }

    public long HighWatermark { get; set; } = -1;

    public long LastStableOffset { get; set; } = -1;

    public long LogStartOffset { get; set; } = -1;

    public bool FetchInFlight { get; set; }

    /// <summary>Completed fetches not yet consumed, oldest first (at most <see cref="ConsumerCore.MaxBufferedFetches"/>).</summary>
    public List<CompletedFetch> Buffered { get; } = [];

    /// <summary>Where the next fetch starts: after the buffered data when there is some, else the position.</summary>
    public long NextFetchOffset => Buffered.Count > 0 ? Buffered[^1].NextOffset : Position;

    public bool Revoked { get; set; }

    public bool HasPosition => Position >= 0 && Reset == ResetMode.None;
}

/// <summary>A fetch response frame shared by the partitions it carries; returned to the pool when all are consumed.</summary>
internal sealed class SharedFrame(ResponseFrame frame, int references)
{
    private int _references = references;

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            frame.Return();
        }
    }
}

/// <summary>One partition's data from one fetch response, decoded lazily as records are consumed.</summary>
internal sealed class CompletedFetch(PartitionConsumeState state, int epoch, FetchResponse.PartitionData data, SharedFrame frame, long nextOffset)
{
    /// <summary>The offset after the last whole batch in this fetch: where a prefetch continues.</summary>
    public long NextOffset { get; } = nextOffset;

    public PartitionConsumeState State { get; } = state;

    public int Epoch { get; } = epoch;

    public FetchResponse.PartitionData Data { get; } = data;

    public SharedFrame Frame { get; } = frame;

    /// <summary>Bytes of the records blob already consumed (whole batches).</summary>
    public int ByteOffset { get; set; }

    public HashSet<long>? AbortedProducers { get; set; }

    public int NextAborted { get; set; }

    public List<FetchResponse.AbortedTransaction>? Aborted { get; set; }

    public bool Released { get; private set; }

    public void Release()
    {
        if (!Released)
        {
            Released = true;
            Frame.Release();
        }
    }
}

/// <summary>
/// The untyped consumer: assignment and positions, the background fetcher (one fetch in flight per
/// leader, the next fetch for a partition only once its buffered data is consumed: prefetching
/// without unbounded buffering), offset resets through ListOffsets, and the group coordinator.
/// </summary>
internal sealed class ConsumerCore : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, PartitionConsumeState> _assignment = [];
    private readonly LinkedList<CompletedFetch> _completed = new();
    private readonly SemaphoreSlim _fetchSignal = new(0, int.MaxValue);
    private readonly HashSet<int> _nodesInFlight = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _fetchLoop;
    private readonly Func<IEnumerable<Measurement<long>>> _lagSource;
    private TaskCompletionSource _dataArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _fetchSignalPending;

    public ConsumerCore(ConsumerConfig config, ClientContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Consumer");
        Cluster = new Cluster(context, 5, config.GetBoolOrDefault("allow.auto.create.topics"));
        FetchMinBytes = config.GetIntOrDefault("fetch.min.bytes");
        FetchMaxBytes = config.GetIntOrDefault("fetch.max.bytes");
        FetchMaxWaitMs = config.GetIntOrDefault("fetch.max.wait.ms");
        PartitionMaxBytes = config.GetIntOrDefault("max.partition.fetch.bytes");
        IsolationLevel = config.GetString("isolation.level").Equals("read_committed", StringComparison.OrdinalIgnoreCase) ? (sbyte)1 : (sbyte)0;
        DefaultReset = config.GetString("auto.offset.reset").ToLowerInvariant() switch
        {
            "earliest" => ResetMode.Earliest,
            "none" => ResetMode.None,
            _ => ResetMode.Latest,
        };
        CheckCrcs = config.GetBoolOrDefault("check.crcs");
        Rack = config.GetString("client.rack");
        _fetchLoop = Task.Run(FetchLoopAsync);
        _lagSource = ObserveLag;
        ClientMetrics.AddLagSource(_lagSource);
    }

    public Cluster Cluster { get; }

    public ClientContext Context => _context;

    public int FetchMinBytes { get; }

    public int FetchMaxBytes { get; }

    public int FetchMaxWaitMs { get; }

    public int PartitionMaxBytes { get; }

    public sbyte IsolationLevel { get; }

    public ResetMode DefaultReset { get; }

    public bool CheckCrcs { get; }

    public string Rack { get; }

    public object Lock => _lock;

    /// <summary>Completes when fetched data arrives.</summary>
    public Task DataArrived
    {
        get
        {
            lock (_lock)
            {
                return _dataArrived.Task;
            }
        }
    }

    public IReadOnlyCollection<TopicPartition> Assignment
    {
        get
        {
            lock (_lock)
            {
                return [.. _assignment.Keys];
            }
        }
    }

    public PartitionConsumeState? State(TopicPartition partition)
    {
        lock (_lock)
        {
            return _assignment.GetValueOrDefault(partition);
        }
    }

    public void AddPartitions(IEnumerable<TopicPartition> partitions, ResetMode initial = ResetMode.Committed)
    {
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (!_assignment.ContainsKey(tp))
                {
                    _assignment[tp] = new PartitionConsumeState(tp) { Reset = initial };
                }
            }
        }

        Cluster.AddTopics(partitions.Select(p => p.Topic).Distinct());
        WakeFetcher();
    }

    public void RemovePartitions(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (_assignment.Remove(tp, out var state))
                {
                    state.Revoked = true;
                    DropBuffered(state);
                }
            }
        }
    }

    public void ClearAssignment() => RemovePartitions(Assignment);

    /// <summary>Moves a partition's position; buffered data for the old position is dropped.</summary>
    public void Seek(TopicPartition partition, long offset, ResetMode reset = ResetMode.None)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(partition, out var state))
            {
                throw new InvalidOperationException($"cannot seek {partition}: it is not assigned to this consumer");
            }

            state.Epoch++;
            state.Position = reset == ResetMode.None ? offset : -1;
            state.Reset = reset;
            DropBuffered(state);
        }

        WakeFetcher();
    }

    private void DropBuffered(PartitionConsumeState state)
    {
        foreach (var buffered in state.Buffered)
        {
            _completed.Remove(buffered);
            buffered.Release();
        }

        state.Buffered.Clear();
    }

    /// <summary>Takes the next completed fetch whose partition is still current, not paused, and positioned.</summary>
    public CompletedFetch? NextCompleted()
    {
        lock (_lock)
        {
            for (var node = _completed.First; node is not null;)
            {
                var next = node.Next;
                var fetch = node.Value;
                var state = fetch.State;
                if (state.Revoked || fetch.Epoch != state.Epoch || !state.HasPosition)
                {
                    _completed.Remove(node);
                    fetch.Release();
                    state.Buffered.Remove(fetch);
                }
                else if (!state.Paused)
                {
                    return fetch;
                }

                node = next;
            }

            return null;
        }
    }

    /// <summary>The consumer finished with a completed fetch: it is dropped and the partition can be fetched again.</summary>
    public void Finished(CompletedFetch fetch)
    {
        lock (_lock)
        {
            _completed.Remove(fetch);
            fetch.State.Buffered.Remove(fetch);
            fetch.Release();
        }

        WakeFetcher();
    }

    public bool HasUnfinishedFetchFor(PartitionConsumeState state)
    {
        lock (_lock)
        {
            return state.Buffered.Count > 0;
        }
    }

    public void WakeFetcher()
    {
        if (!_fetchSignalPending)
        {
            _fetchSignalPending = true;
            _fetchSignal.Release();
        }
    }

    private async Task FetchLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                SendFetches();
                _fetchSignalPending = false;
                await _fetchSignal.WaitAsync(TimeSpan.FromMilliseconds(200), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Fetcher error");
                await Task.Delay(_context.RetryBackoff, _context.Time, token).ConfigureAwait(false);
            }
        }
    }

    private void SendFetches()
    {
        var metadata = Cluster.Metadata;
        var byNode = new Dictionary<int, List<(PartitionConsumeState State, long Offset, int Epoch)>>();
        bool needMetadata = false;
        lock (_lock)
        {
            foreach (var state in _assignment.Values)
            {
                // Prefetch: fetch ahead of the consumer while fewer than MaxBufferedFetches responses wait for it.
                if (!state.HasPosition || state.Paused || state.FetchInFlight || state.Buffered.Count >= MaxBufferedFetches)
                {
                    continue;
                }

                int leader = metadata.LeaderOf(state.Partition);
                if (leader < 0)
                {
                    needMetadata = true;
                    continue;
                }

                if (_nodesInFlight.Contains(leader))
                {
                    continue;
                }

                if (!byNode.TryGetValue(leader, out var list))
                {
                    byNode[leader] = list = [];
                }

                list.Add((state, state.NextFetchOffset, state.Epoch));
            }
        }

        if (needMetadata)
        {
            Cluster.RequestUpdate();
        }

        foreach (var (node, partitions) in byNode)
        {
            var connection = Cluster.TryGetConnection(node);
            if (connection is null)
            {
                continue;
            }

            short version = connection.PickVersion(ApiKey.Fetch);
            if (version < 0)
            {
                _logger.LogError("Broker {Broker} has no Fetch version Eddy.Client can use", connection.Name);
                continue;
            }

            var request = new FetchRequest
            {
                ReplicaId = -1,
                MaxWaitMs = FetchMaxWaitMs,
                MinBytes = FetchMinBytes,
                MaxBytes = FetchMaxBytes,
                IsolationLevel = IsolationLevel,
                SessionId = 0,
                SessionEpoch = -1,
                RackId = Rack,
            };
            lock (_lock)
            {
                _nodesInFlight.Add(node);
                foreach (var group in partitions.GroupBy(p => p.State.Partition.Topic))
                {
                    var topic = new FetchRequest.FetchTopic { Topic = group.Key };
                    foreach (var (state, offset, _) in group)
                    {
                        state.FetchInFlight = true;
                        topic.Partitions.Add(new FetchRequest.FetchPartition
                        {
                            Partition = state.Partition.Partition,
                            FetchOffset = offset,
                            CurrentLeaderEpoch = version >= 9 ? state.LeaderEpoch : -1,
                            LogStartOffset = -1,
                            PartitionMaxBytes = PartitionMaxBytes,
                        });
                    }

                    request.Topics.Add(topic);
                }
            }

            _ = FetchAsync(connection, node, version, request, partitions);
        }
    }

    private async Task FetchAsync(BrokerConnection connection, int node, short version, FetchRequest request, List<(PartitionConsumeState State, long Offset, int Epoch)> partitions)
    {
        ResponseFrame? frame = null;
        try
        {
            var timeout = _context.RequestTimeout + TimeSpan.FromMilliseconds(FetchMaxWaitMs);
            var pending = await connection.StartRequestAsync(request, version, timeout).ConfigureAwait(false);
            frame = await pending.ConfigureAwait(false);
            _logger.LogTrace("Fetch v{Version} from {Broker} at {Offsets}: {Bytes} bytes", version, connection.Name, string.Join(",", partitions.Select(p => $"{p.State.Partition}@{p.Offset}")), frame.Length);
            var response = connection.Decode<FetchResponse>(frame, ApiKey.Fetch, version);
            HandleFetchResponse(response, frame, partitions);
            frame = null;
        }
        catch (Exception e)
        {
            _logger.LogDebug("Fetch from {Broker} failed: {Reason}", connection.Name, e.Message);
            Cluster.RequestUpdate();
            await Task.Delay(_context.RetryBackoff, _context.Time, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            frame?.Return();
            lock (_lock)
            {
                _nodesInFlight.Remove(node);
                foreach (var (state, _, _) in partitions)
                {
                    state.FetchInFlight = false;
                }
            }

            WakeFetcher();
        }
    }

    private void HandleFetchResponse(FetchResponse response, ResponseFrame frame, List<(PartitionConsumeState State, long Offset, int Epoch)> partitions)
    {
        if ((ErrorCode)response.ErrorCode != ErrorCode.None)
        {
            frame.Return();
            _logger.LogDebug("Fetch failed: {Error}", (ErrorCode)response.ErrorCode);
            return;
        }

        var results = new List<(PartitionConsumeState State, int Epoch, FetchResponse.PartitionData Data)>();
        foreach (var topic in response.Responses)
        {
            foreach (var data in topic.Partitions)
            {
                foreach (var (state, offset, epoch) in partitions)
                {
                    if (state.Partition.Partition == data.PartitionIndex && state.Partition.Topic == topic.Topic)
                    {
                        results.Add((state, epoch, data));
                    }
                }
            }
        }

        var withData = new List<CompletedFetch>();
        var shared = new SharedFrame(frame, results.Count + 1);
        bool wake = false;
        lock (_lock)
        {
            foreach (var (state, epoch, data) in results)
            {
                var error = (ErrorCode)data.ErrorCode;
                if (state.Revoked || state.Epoch != epoch)
                {
                    shared.Release();
                    continue;
                }

                if (error == ErrorCode.None)
                {
                    state.HighWatermark = data.HighWatermark;
                    state.LastStableOffset = data.LastStableOffset;
                    state.LogStartOffset = data.LogStartOffset;
                    long next = data.Records is { Length: > 0 } records ? NextOffsetAfter(records.Span, state.NextFetchOffset) : -1;
                    if (next > state.NextFetchOffset)
                    {
                        var fetch = new CompletedFetch(state, epoch, data, shared, next);
                        if (IsolationLevel == 1 && data.AbortedTransactions is { Count: > 0 } aborted)
                        {
                            fetch.Aborted = [.. aborted.OrderBy(a => a.FirstOffset)];
                            fetch.AbortedProducers = [];
                        }

                        state.Buffered.Add(fetch);
                        _completed.AddLast(fetch);
                        wake = true;
                        continue;
                    }
                }
                else if (error == ErrorCode.OffsetOutOfRange)
                {
                    _logger.LogInformation("Fetch offset {Offset} is out of range for {Partition}; resetting ({Reset})", state.Position, state.Partition, DefaultReset);
                    state.Epoch++;
                    if (DefaultReset == ResetMode.None)
                    {
                        OutOfRange.Enqueue((state.Partition, state.Position));
                        wake = true;
                    }
                    else
                    {
                        state.Reset = DefaultReset;
                        state.Position = -1;
                    }
                }
                else if (error is ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.KafkaStorageError or ErrorCode.OffsetNotAvailable)
                {
                    Cluster.RequestUpdate();
                }
                else
                {
                    _logger.LogWarning("Fetch for {Partition} failed: {Error}", state.Partition, KafkaException.Describe(error));
                    PartitionErrors.Enqueue((state.Partition, error));
                    wake = true;
                }

                shared.Release();
            }

            if (wake)
            {
                var arrived = _dataArrived;
                _dataArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived.TrySetResult();
            }
        }

        shared.Release();
    }

    /// <summary>Responses a partition may have waiting for the consumer before it is fetched again.</summary>
    public const int MaxBufferedFetches = 2;

    /// <summary>The offset after the last whole batch in a records blob (headers only; no decoding), or <paramref name="fallback"/>.</summary>
    private static long NextOffsetAfter(ReadOnlySpan<byte> records, long fallback)
    {
        long next = fallback;
        try
        {
            var reader = new Eddy.Protocol.Records.RecordBatchReader(records);
            while (reader.TryReadNext(out var batch))
            {
                next = Math.Max(next, batch.Header.NextOffset);
            }
        }
        catch (KafkaProtocolException)
        {
            // The consumer reports the corruption when it decodes the data.
            return fallback + 1;
        }

        return next;
    }

    /// <summary>Partitions that went out of range with auto.offset.reset=none, to report from Consume.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(TopicPartition Partition, long Offset)> OutOfRange { get; } = new();

    /// <summary>Partition errors to report from Consume.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(TopicPartition Partition, ErrorCode Error)> PartitionErrors { get; } = new();

    /// <summary>Lists offsets (by timestamp, or -1 latest / -2 earliest) from each partition's leader.</summary>
    public async Task<Dictionary<TopicPartition, (long Offset, long Timestamp, int LeaderEpoch)>> ListOffsetsAsync(
        IReadOnlyDictionary<TopicPartition, long> timestamps, sbyte isolationLevel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new Dictionary<TopicPartition, (long, long, int)>();
        var remaining = new Dictionary<TopicPartition, long>(timestamps);
        long start = _context.Time.GetTimestamp();
        int attempt = 0;
        Cluster.AddTopics(remaining.Keys.Select(k => k.Topic).Distinct());
        while (remaining.Count > 0)
        {
            if (_context.Time.GetElapsedTime(start) > timeout)
            {
                throw new KafkaTimeoutException($"ListOffsets for {string.Join(", ", remaining.Keys)} did not complete within {timeout.TotalMilliseconds:F0} ms");
            }

            if (attempt++ > 0)
            {
                await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
            }

            var metadata = Cluster.Metadata;
            var byLeader = remaining.GroupBy(kv => metadata.LeaderOf(kv.Key)).ToList();
            if (byLeader.Any(g => g.Key < 0))
            {
                await Cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var group in byLeader)
            {
                try
                {
                    var connection = await Cluster.GetConnectionAsync(group.Key, cancellationToken).ConfigureAwait(false);
                    short version = connection.RequireVersion(ApiKey.ListOffsets);
                    var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = isolationLevel };
                    foreach (var topic in group.GroupBy(kv => kv.Key.Topic))
                    {
                        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = topic.Key };
                        foreach (var (tp, ts) in topic)
                        {
                            t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = ts, CurrentLeaderEpoch = -1 });
                        }

                        request.Topics.Add(t);
                    }

                    var response = await connection.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
                    foreach (var topic in response.Topics)
                    {
                        foreach (var p in topic.Partitions)
                        {
                            var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                            var error = (ErrorCode)p.ErrorCode;
                            if (error == ErrorCode.None)
                            {
                                result[tp] = (p.Offset, p.Timestamp, p.LeaderEpoch);
                                remaining.Remove(tp);
                            }
                            else if (!error.IsRetriable())
                            {
                                throw new KafkaException(error, $"ListOffsets for {tp}: {KafkaException.Describe(error)}");
                            }
                            else
                            {
                                Cluster.RequestUpdate();
                            }
                        }
                    }
                }
                catch (KafkaException e) when (e.IsRetriable)
                {
                    _logger.LogDebug("ListOffsets failed, retrying: {Reason}", e.Message);
                    Cluster.RequestUpdate();
                }
            }
        }

        return result;
    }

    /// <summary>Gives a position to every assigned partition that needs one: committed offsets first, then auto.offset.reset.</summary>
    public async Task UpdatePositionsAsync(GroupCoordinator? coordinator, CancellationToken cancellationToken)
    {
        List<PartitionConsumeState> needCommitted = [];
        lock (_lock)
        {
            foreach (var state in _assignment.Values)
            {
                if (state.Reset == ResetMode.Committed)
                {
                    needCommitted.Add(state);
                }
            }
        }

        if (needCommitted.Count > 0)
        {
            if (coordinator is null)
            {
                lock (_lock)
                {
                    foreach (var state in needCommitted)
                    {
                        state.Reset = DefaultReset == ResetMode.None ? ResetMode.None : DefaultReset;
                    }
                }
            }
            else
            {
                var committed = await coordinator.FetchCommittedAsync([.. needCommitted.Select(s => s.Partition)], cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    foreach (var state in needCommitted)
                    {
                        if (state.Reset != ResetMode.Committed || state.Revoked)
                        {
                            continue;
                        }

                        state.Epoch++;
                        if (committed.TryGetValue(state.Partition, out var offset) && offset.Offset >= 0)
                        {
                            state.Position = offset.Offset;
                            state.LeaderEpoch = offset.LeaderEpoch;
                            state.Reset = ResetMode.None;
                        }
                        else if (DefaultReset == ResetMode.None)
                        {
                            throw new ConsumeException(ErrorCode.OffsetOutOfRange, $"{state.Partition} has no committed offset and auto.offset.reset is none", state.Partition);
                        }
                        else
                        {
                            state.Reset = DefaultReset;
                        }
                    }
                }
            }
        }

        Dictionary<TopicPartition, long> toReset = [];
        lock (_lock)
        {
            foreach (var state in _assignment.Values)
            {
                if (state.Reset is ResetMode.Earliest or ResetMode.Latest)
                {
                    toReset[state.Partition] = state.Reset == ResetMode.Earliest ? Offsets.Beginning : Offsets.End;
                }
                else if (state.Reset == ResetMode.None && state.Position < 0)
                {
                    throw new ConsumeException(ErrorCode.OffsetOutOfRange, $"{state.Partition} has no valid position and auto.offset.reset is none", state.Partition);
                }
            }
        }

        if (toReset.Count == 0)
        {
            return;
        }

        var offsets = await ListOffsetsAsync(toReset, IsolationLevel, TimeSpan.FromMilliseconds(_context.Config.GetIntOrDefault("default.api.timeout.ms")), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (tp, (offset, _, epoch)) in offsets)
            {
                if (_assignment.TryGetValue(tp, out var state) && state.Reset is ResetMode.Earliest or ResetMode.Latest)
                {
                    state.Epoch++;
                    state.Position = offset;
                    state.LeaderEpoch = epoch;
                    state.Reset = ResetMode.None;
                }
            }
        }

        WakeFetcher();
    }

    private List<Measurement<long>> ObserveLag()
    {
        var measurements = new List<Measurement<long>>();
        lock (_lock)
        {
            foreach (var state in _assignment.Values)
            {
                long end = IsolationLevel == 1 && state.LastStableOffset >= 0 ? state.LastStableOffset : state.HighWatermark;
                if (end >= 0 && state.Position >= 0)
                {
                    measurements.Add(new Measurement<long>(
                        Math.Max(0, end - state.Position),
                        _context.Metrics.ClientTag,
                        new("messaging.destination.name", state.Partition.Topic),
                        new("messaging.destination.partition.id", state.Partition.Partition)));
                }
            }
        }

        return measurements;
    }

    public async ValueTask DisposeAsync()
    {
        ClientMetrics.RemoveLagSource(_lagSource);
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _fetchLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_lock)
        {
            foreach (var fetch in _completed)
            {
                fetch.Release();
            }

            _completed.Clear();
        }

        await Cluster.DisposeAsync().ConfigureAwait(false);
    }
}
