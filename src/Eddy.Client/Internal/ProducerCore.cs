using System.Collections.Concurrent;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Messages;
using Eddy.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Eddy.Client.Internal;

/// <summary>
/// The untyped producer: a record accumulator (one open batch per partition, closed at batch.size or
/// after linger.ms), and one sender loop that drains ready batches per leader into Produce requests
/// (one batch per partition per request, as Produce v3+ requires), keeps at most
/// max.in.flight requests per broker, and handles each partition's response: success, retry with
/// backoff (metadata refresh for leader errors), or failure. With idempotence the producer id comes
/// from InitProducerId; sequences are given when a batch is first sent and kept across retries, and a
/// partition that has a batch to retry sends nothing newer until its in-flight batches are answered,
/// so order within the partition holds (Kafka's Sender/RecordAccumulator/TransactionManager rules).
/// </summary>
internal sealed class ProducerCore : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly Cluster _cluster;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ProducerBatch, byte> _incomplete = new();
    private readonly ConcurrentBag<RecordBatchBuilder> _builders = [];
    private readonly SemaphoreSlim _wakeup = new(0, int.MaxValue);
    private readonly Dictionary<int, int> _inFlightByNode = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly BufferMemory _memory;
    private readonly short _acks;
    private readonly long _lingerTicks;
    private readonly int _batchSize;
    private readonly CompressionType _compression;
    private readonly bool _idempotent;
    private readonly int _maxInFlight;
    private readonly int _retries;
    private readonly TimeSpan _deliveryTimeout;
    private readonly int _maxRequestSize;
    private long _producerId = RecordBatchHeader.NoProducerId;
    private short _producerEpoch = RecordBatchHeader.NoProducerEpoch;
    private int _producerIdFailures;
    private long _producerIdRetryAt;
    private bool _producerIdPending;
    private int _flushes;
    private volatile bool _closing;
    private volatile bool _wakeupPending;

    public ProducerCore(ProducerConfig config, ClientContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Producer");
        _acks = config.GetString("acks") switch { "0" => 0, "1" => 1, _ => -1 };
        _lingerTicks = (long)(config.GetLongOrDefault("linger.ms") * context.Time.TimestampFrequency / 1000.0);
        _batchSize = Math.Max(config.GetIntOrDefault("batch.size"), 1);
        _compression = config.GetString("compression.type").ToLowerInvariant() switch
        {
            "gzip" => CompressionType.Gzip,
            "snappy" => CompressionType.Snappy,
            "lz4" => CompressionType.Lz4,
            "zstd" => CompressionType.Zstd,
            _ => CompressionType.None,
        };
        _idempotent = config.IdempotenceEnabled;
        _maxInFlight = config.GetIntOrDefault("max.in.flight.requests.per.connection");
        _retries = config.GetIntOrDefault("retries");
        _deliveryTimeout = TimeSpan.FromMilliseconds(config.GetIntOrDefault("delivery.timeout.ms"));
        _maxRequestSize = config.GetIntOrDefault("max.request.size");
        MaxBlock = TimeSpan.FromMilliseconds(config.GetLongOrDefault("max.block.ms"));
        _memory = new BufferMemory(config.GetLongOrDefault("buffer.memory"));
        _cluster = new Cluster(context, _maxInFlight, config.GetBoolOrDefault("allow.auto.create.topics"));
        _sender = Task.Run(SenderLoopAsync);
    }

    public Cluster Cluster => _cluster;

    public TimeSpan MaxBlock { get; }

    public bool Idempotent => _idempotent;

    public (long ProducerId, short Epoch) ProducerIdAndEpoch => (_producerId, _producerEpoch);

    public ClientContext Context => _context;

    public BufferMemory Memory => _memory;

    public int BatchSize => _batchSize;

    /// <summary>Partition count of a topic from cached metadata, or -1.</summary>
    public int CachedPartitionCount(string topic) => _cluster.Metadata.PartitionCount(topic);

    public TopicState Topic(string topic) => _topics.GetOrAdd(topic, static t => new TopicState(t));

    /// <summary>Appends one record to its partition's open batch. The caller reserved buffer memory.</summary>
    public void Append(TopicPartition partition, long timestamp, NullableBytes key, NullableBytes value, ReadOnlySpan<RecordHeader> headers, int reservedBytes, IDeliveryHandler? handler, object? state, out bool batchClosed)
    {
        if (_closing)
        {
            _memory.Release(reservedBytes);
            throw new ObjectDisposedException("KafkaProducer", "the producer is closed");
        }

        var topic = Topic(partition.Topic);
        var ps = topic.Partition(partition.Partition);
        bool wake = false;
        batchClosed = false;
        lock (ps)
        {
            var batch = ps.Open;
            if (batch is not null && batch.RecordCount > 0 && batch.Builder.EstimatedSizeInBytes + batch.Builder.MeasureRecord(timestamp, key, value, headers) > _batchSize)
            {
                CloseOpen(ps);
                batchClosed = true;
                wake = true;
                batch = null;
            }

            if (batch is null)
            {
                batch = new ProducerBatch(partition, RentBuilder(), _context.Time.GetTimestamp());
                ps.Open = batch;
                _incomplete.TryAdd(batch, 0);
                wake = true;
            }

            batch.Builder.Append(timestamp, key, value, headers);
            batch.Thunks.Add(new DeliveryThunk(handler, state, timestamp));
            batch.ReservedBytes += reservedBytes;
            if (batch.Builder.EstimatedSizeInBytes >= _batchSize)
            {
                CloseOpen(ps);
                batchClosed = true;
                wake = true;
            }
        }

        if (wake)
        {
            Wake();
        }
    }

    private static void CloseOpen(PartitionState ps)
    {
        var batch = ps.Open!;
        batch.IsClosed = true;
        ps.Ready.Add(batch);
        ps.Open = null;
    }

    private RecordBatchBuilder RentBuilder()
    {
        if (!_builders.TryTake(out var builder))
        {
            builder = new RecordBatchBuilder(Math.Min(_batchSize + 1024, 1 << 20));
        }

        builder.Compression = _compression;
        return builder;
    }

    private void ReturnBuilder(RecordBatchBuilder builder)
    {
        builder.Reset();
        if (_builders.Count < 64)
        {
            _builders.Add(builder);
        }
        else
        {
            builder.Dispose();
        }
    }

    public void Wake()
    {
        if (!_wakeupPending)
        {
            _wakeupPending = true;
            _wakeup.Release();
        }
    }

    /// <summary>Sends everything buffered now and waits until every record appended before the call is answered.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var pending = _incomplete.Keys.Select(b => b.Done.Task).ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        Interlocked.Increment(ref _flushes);
        try
        {
            Wake();
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _flushes);
        }
    }

    public int PendingRecords
    {
        get
        {
            int n = 0;
            foreach (var batch in _incomplete.Keys)
            {
                n += batch.Thunks.Count;
            }

            return n;
        }
    }

    private async Task SenderLoopAsync()
    {
        var token = _stop.Token;
        while (true)
        {
            TimeSpan wait;
            try
            {
                wait = await RunOnceAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Producer sender loop error");
                wait = _context.RetryBackoff;
            }

            if (token.IsCancellationRequested && _incomplete.IsEmpty)
            {
                return;
            }

            _wakeupPending = false;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await _wakeup.WaitAsync(wait, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass: close lingering batches, expire old ones, drain ready ones per leader. Returns how long to sleep.</summary>
    private async Task<TimeSpan> RunOnceAsync()
    {
        long now = _context.Time.GetTimestamp();
        long nextWake = now + (long)(_context.Time.TimestampFrequency * 0.25);
        bool flushing = Volatile.Read(ref _flushes) > 0 || _closing || _memory.Exhausted;
        var metadata = _cluster.Metadata;
        bool needMetadata = false;

        if (_idempotent && _producerId < 0)
        {
            await EnsureProducerIdAsync().ConfigureAwait(false);
            if (_producerId < 0)
            {
                ExpireAll(now, includeOpen: true);
                return TimeSpan.FromMilliseconds(50);
            }
        }

        // Per node: the partitions whose head batch can go now.
        Dictionary<int, List<(PartitionState State, ProducerBatch Batch)>>? byNode = null;
        foreach (var topic in _topics.Values)
        {
            foreach (var ps in topic.Partitions)
            {
                if (ps is null)
                {
                    continue;
                }

                lock (ps)
                {
                    if (ps.Open is { } open)
                    {
                        long due = open.CreatedTicks + _lingerTicks;
                        if (flushing || due <= now)
                        {
                            CloseOpen(ps);
                        }
                        else if (due < nextWake)
                        {
                            nextWake = due;
                        }
                    }

                    ExpireReady(ps, now);
                    if (ps.Ready.Count == 0)
                    {
                        continue;
                    }

                    var head = ps.Ready[0];
                    if (head.RetryAfterTicks > now)
                    {
                        nextWake = Math.Min(nextWake, head.RetryAfterTicks);
                        continue;
                    }

                    // A batch being retried goes alone, after the partition's in-flight batches are answered.
                    if (head.BaseSequence >= 0 && _idempotent && ps.InFlight.Count > 0)
                    {
                        continue;
                    }

                    if (ps.InFlight.Count >= _maxInFlight)
                    {
                        continue;
                    }

                    int leader = metadata.LeaderOf(head.Partition);
                    if (leader < 0)
                    {
                        needMetadata = true;
                        continue;
                    }

                    byNode ??= [];
                    if (!byNode.TryGetValue(leader, out var list))
                    {
                        byNode[leader] = list = [];
                    }

                    list.Add((ps, head));
                }
            }
        }

        if (needMetadata)
        {
            _cluster.RequestUpdate();
        }

        if (byNode is not null)
        {
            foreach (var (node, candidates) in byNode)
            {
                await SendToNodeAsync(node, candidates).ConfigureAwait(false);
            }
        }

        now = _context.Time.GetTimestamp();
        long ticks = nextWake - now;
        return ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)ticks / _context.Time.TimestampFrequency);
    }

    private async Task SendToNodeAsync(int node, List<(PartitionState State, ProducerBatch Batch)> candidates)
    {
        lock (_inFlightByNode)
        {
            if (_inFlightByNode.TryGetValue(node, out int count) && count >= _maxInFlight)
            {
                return;
            }
        }

        var connection = _cluster.TryGetConnection(node);
        if (connection is null)
        {
            return;
        }

        short version;
        try
        {
            version = connection.RequireVersion(ApiKey.Produce, _compression == CompressionType.Zstd ? (short)7 : (short)3);
        }
        catch (KafkaException e)
        {
            foreach (var (ps, batch) in candidates)
            {
                lock (ps)
                {
                    ps.Ready.Remove(batch);
                }

                FinishBatch(batch, -1, -1, e);
            }

            return;
        }

        // Take the head batch of each partition, up to max.request.size.
        var sending = new List<(PartitionState State, ProducerBatch Batch)>();
        int size = 0;
        foreach (var (ps, batch) in candidates)
        {
            lock (ps)
            {
                if (ps.Ready.Count == 0 || ps.Ready[0] != batch)
                {
                    continue;
                }

                if (batch.BaseSequence < 0 || batch.Encoded.IsEmpty)
                {
                    if (_idempotent && batch.BaseSequence < 0)
                    {
                        batch.ProducerId = _producerId;
                        batch.ProducerEpoch = _producerEpoch;
                        batch.BaseSequence = ps.NextSequence;
                        ps.NextSequence = RecordBatchHeader.IncrementSequence(ps.NextSequence, batch.RecordCount);
                    }

                    batch.Encode();
                }

                if (sending.Count > 0 && size + batch.EncodedSize > _maxRequestSize)
                {
                    continue;
                }

                size += batch.EncodedSize;
                ps.Ready.RemoveAt(0);
                ps.InFlight.Add(batch);
                batch.Attempts++;
                sending.Add((ps, batch));
            }
        }

        if (sending.Count == 0)
        {
            return;
        }

        var request = new ProduceRequest { Acks = _acks, TimeoutMs = (int)_context.RequestTimeout.TotalMilliseconds };
        foreach (var group in sending.GroupBy(s => s.Batch.Partition.Topic))
        {
            var topicData = new ProduceRequest.TopicProduceData { Name = group.Key };
            foreach (var (_, batch) in group)
            {
                topicData.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = batch.Partition.Partition, Records = batch.Encoded });
            }

            request.TopicData.Add(topicData);
        }

        if (_acks == 0)
        {
            try
            {
                await connection.SendOneWayAsync(request, version, CancellationToken.None).ConfigureAwait(false);
                foreach (var (ps, batch) in sending)
                {
                    lock (ps)
                    {
                        ps.InFlight.Remove(batch);
                    }

                    FinishBatch(batch, -1, -1, null);
                }
            }
            catch (KafkaException e)
            {
                foreach (var (ps, batch) in sending)
                {
                    HandlePartitionError(ps, batch, ErrorCode.NetworkException, e.Message, e);
                }
            }

            return;
        }

        lock (_inFlightByNode)
        {
            _inFlightByNode[node] = _inFlightByNode.GetValueOrDefault(node) + 1;
        }

        Task<ResponseFrame> response;
        try
        {
            response = await connection.StartRequestAsync(request, version, _context.RequestTimeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            OnRequestDone(node);
            foreach (var (ps, batch) in sending)
            {
                HandlePartitionError(ps, batch, ErrorCode.NetworkException, e.Message, e as KafkaException);
            }

            return;
        }

        _ = response.ContinueWith(
            (t, s) => OnProduceResponse(connection, version, node, (List<(PartitionState, ProducerBatch)>)s!, t),
            sending,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnRequestDone(int node)
    {
        lock (_inFlightByNode)
        {
            _inFlightByNode[node] = Math.Max(0, _inFlightByNode.GetValueOrDefault(node) - 1);
        }

        Wake();
    }

    private void OnProduceResponse(BrokerConnection connection, short version, int node, List<(PartitionState State, ProducerBatch Batch)> sending, Task<ResponseFrame> task)
    {
        try
        {
            if (!task.IsCompletedSuccessfully)
            {
                var error = task.Exception?.InnerException as KafkaException;
                foreach (var (ps, batch) in sending)
                {
                    HandlePartitionError(ps, batch, error?.Error ?? ErrorCode.NetworkException, error?.Message ?? "request failed", error);
                }

                return;
            }

            var frame = task.Result;
            ProduceResponse response;
            try
            {
                response = connection.Decode<ProduceResponse>(frame, ApiKey.Produce, version);
            }
            catch (KafkaException e)
            {
                foreach (var (ps, batch) in sending)
                {
                    HandlePartitionError(ps, batch, ErrorCode.NetworkException, e.Message, e);
                }

                return;
            }
            finally
            {
                frame.Return();
            }

            foreach (var (ps, batch) in sending)
            {
                ProduceResponse.PartitionProduceResponse? result = null;
                foreach (var topic in response.Responses)
                {
                    if (topic.Name != batch.Partition.Topic)
                    {
                        continue;
                    }

                    foreach (var p in topic.PartitionResponses)
                    {
                        if (p.Index == batch.Partition.Partition)
                        {
                            result = p;
                        }
                    }
                }

                if (result is null)
                {
                    HandlePartitionError(ps, batch, ErrorCode.UnknownServerError, "the produce response has no result for this partition", null);
                    continue;
                }

                var code = (ErrorCode)result.ErrorCode;
                if (code == ErrorCode.None || code == ErrorCode.DuplicateSequenceNumber)
                {
                    lock (ps)
                    {
                        ps.InFlight.Remove(batch);
                    }

                    FinishBatch(batch, code == ErrorCode.None ? result.BaseOffset : -1, result.LogAppendTimeMs, null);
                }
                else
                {
                    HandlePartitionError(ps, batch, code, result.ErrorMessage, null);
                }
            }
        }
        finally
        {
            OnRequestDone(node);
        }
    }

    private void HandlePartitionError(PartitionState ps, ProducerBatch batch, ErrorCode code, string? message, KafkaException? cause)
    {
        bool deliveryExpired = _context.Time.GetElapsedTime(batch.CreatedTicks) >= _deliveryTimeout;
        bool retriable = code.IsRetriable() || cause is KafkaConnectionException or KafkaTimeoutException;
        bool resetProducer = false;
        lock (ps)
        {
            ps.InFlight.Remove(batch);
            if (_idempotent)
            {
                if (code == ErrorCode.OutOfOrderSequenceNumber && HasEarlierUnacked(ps, batch))
                {
                    // An earlier batch of this partition failed and will be retried first: so does this one.
                    retriable = true;
                }
                else if (code is ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId or ErrorCode.InvalidProducerEpoch or ErrorCode.ProducerFenced)
                {
                    // The broker lost or rejects our producer state: take a new producer id and renumber (KIP-360).
                    resetProducer = true;
                    retriable = true;
                }
            }

            if (retriable && !deliveryExpired && batch.Attempts <= _retries && !_stop.IsCancellationRequested)
            {
                batch.RetryAfterTicks = _context.Time.GetTimestamp() + (long)(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, batch.Attempts).TotalSeconds * _context.Time.TimestampFrequency);
                InsertInSequenceOrder(ps, batch);
                _context.Metrics.Retried();
                if (code is ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable or ErrorCode.UnknownTopicOrPartition or ErrorCode.NetworkException or ErrorCode.FencedLeaderEpoch or ErrorCode.KafkaStorageError)
                {
                    _cluster.RequestUpdate();
                }

                _logger.LogDebug("Retrying batch for {Partition} (attempt {Attempt}): {Error}", batch.Partition, batch.Attempts, code);
                if (!resetProducer)
                {
                    Wake();
                    return;
                }
            }
            else
            {
                retriable = false;
            }
        }

        if (resetProducer)
        {
            ResetProducerId(code);
            if (retriable)
            {
                Wake();
                return;
            }
        }

        var error = cause is not null && cause.Error == code ? cause
            : deliveryExpired && retriable ? new KafkaTimeoutException($"delivery.timeout.ms ({_deliveryTimeout.TotalMilliseconds:F0} ms) expired for {batch.RecordCount} records to {batch.Partition}: last error {KafkaException.Describe(code)}")
            : ProducerBatch.Error(code, message);
        if (deliveryExpired && retriable && error is not KafkaTimeoutException)
        {
            error = new KafkaTimeoutException($"delivery.timeout.ms ({_deliveryTimeout.TotalMilliseconds:F0} ms) expired for {batch.RecordCount} records to {batch.Partition}: {error.Message}", error);
        }

        FinishBatch(batch, -1, -1, error);
        Wake();
    }

    private static bool HasEarlierUnacked(PartitionState ps, ProducerBatch batch)
    {
        foreach (var other in ps.Ready)
        {
            if (other.BaseSequence >= 0 && other.BaseSequence < batch.BaseSequence && other.ProducerId == batch.ProducerId)
            {
                return true;
            }
        }

        foreach (var other in ps.InFlight)
        {
            if (other.BaseSequence < batch.BaseSequence && other.ProducerId == batch.ProducerId)
            {
                return true;
            }
        }

        return false;
    }

    private static void InsertInSequenceOrder(PartitionState ps, ProducerBatch batch)
    {
        int i = 0;
        while (i < ps.Ready.Count && ps.Ready[i].BaseSequence >= 0 && ps.Ready[i].BaseSequence < batch.BaseSequence)
        {
            i++;
        }

        ps.Ready.Insert(i, batch);
    }

    private void ResetProducerId(ErrorCode reason)
    {
        lock (_topics)
        {
            if (_producerIdPending)
            {
                return;
            }

            _logger.LogWarning("Resetting the idempotent producer id after {Error}; unacknowledged batches are renumbered", reason);
            _producerIdPending = true;
            _producerId = RecordBatchHeader.NoProducerId;
        }
    }

    private async Task EnsureProducerIdAsync()
    {
        if (_context.Time.GetTimestamp() < _producerIdRetryAt)
        {
            return;
        }

        try
        {
            var connection = await _cluster.GetAnyConnectionAsync(_stop.Token).ConfigureAwait(false);
            var response = await connection.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(
                new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue, ProducerId = -1, ProducerEpoch = -1 },
                connection.RequireVersion(ApiKey.InitProducerId),
                _context.RequestTimeout,
                _stop.Token).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error != ErrorCode.None)
            {
                throw new KafkaException(error, $"InitProducerId failed: {KafkaException.Describe(error)}");
            }

            // New producer id: every batch not yet acknowledged gets a sequence from 0 again.
            foreach (var topic in _topics.Values)
            {
                foreach (var ps in topic.Partitions)
                {
                    if (ps is null)
                    {
                        continue;
                    }

                    lock (ps)
                    {
                        ps.NextSequence = 0;
                        foreach (var batch in ps.Ready)
                        {
                            batch.BaseSequence = RecordBatchHeader.NoSequence;
                        }
                    }
                }
            }

            _producerEpoch = response.ProducerEpoch;
            _producerId = response.ProducerId;
            _producerIdPending = false;
            _producerIdFailures = 0;
            _logger.LogDebug("Producer id {ProducerId} epoch {Epoch}", _producerId, _producerEpoch);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            _producerIdFailures++;
            _producerIdRetryAt = _context.Time.GetTimestamp() + (long)(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, _producerIdFailures).TotalSeconds * _context.Time.TimestampFrequency);
            if (e is KafkaException { IsRetriable: false } k && k.Error == ErrorCode.UnsupportedVersion)
            {
                _logger.LogError("The broker does not support idempotence: {Reason}", e.Message);
            }
            else
            {
                _logger.LogDebug("InitProducerId failed: {Reason}", e.Message);
            }
        }
    }

    private void ExpireReady(PartitionState ps, long now)
    {
        for (int i = ps.Ready.Count - 1; i >= 0; i--)
        {
            var batch = ps.Ready[i];
            if (_context.Time.GetElapsedTime(batch.CreatedTicks, now) >= _deliveryTimeout && (batch.BaseSequence < 0 || !_idempotent || i == ps.Ready.Count - 1))
            {
                ps.Ready.RemoveAt(i);
                FinishBatch(batch, -1, -1, new KafkaTimeoutException($"delivery.timeout.ms ({_deliveryTimeout.TotalMilliseconds:F0} ms) expired before {batch.RecordCount} records to {batch.Partition} could be sent"));
            }
        }
    }

    private void ExpireAll(long now, bool includeOpen)
    {
        foreach (var topic in _topics.Values)
        {
            foreach (var ps in topic.Partitions)
            {
                if (ps is null)
                {
                    continue;
                }

                lock (ps)
                {
                    if (includeOpen && ps.Open is { } open && _context.Time.GetElapsedTime(open.CreatedTicks, now) >= _deliveryTimeout)
                    {
                        CloseOpen(ps);
                    }

                    ExpireReady(ps, now);
                }
            }
        }
    }

    private void FinishBatch(ProducerBatch batch, long baseOffset, long logAppendTime, KafkaException? error)
    {
        lock (batch)
        {
            if (batch.IsCompleted)
            {
                return;
            }

            batch.IsCompleted = true;
        }

        if (error is null)
        {
            _context.Metrics.Produced(batch.RecordCount, batch.Partition.Topic);
        }
        else
        {
            _context.Metrics.ProduceFailed(batch.RecordCount, batch.Partition.Topic);
        }

        batch.Complete(baseOffset, logAppendTime, error);
        _memory.Release(batch.ReservedBytes);
        batch.Release();
        ReturnBuilder(batch.Builder);
        _incomplete.TryRemove(batch, out _);
        batch.Done.TrySetResult();
    }

    public async ValueTask CloseAsync(TimeSpan timeout)
    {
        _closing = true;
        Wake();
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Producer closed with {Count} records undelivered after {Timeout} ms", PendingRecords, timeout.TotalMilliseconds);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var batch in _incomplete.Keys.ToList())
        {
            FinishBatch(batch, -1, -1, new KafkaException(ErrorCode.UnknownServerError, "the producer was closed before the record was delivered"));
        }

        Wake();
        try
        {
            await _sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _cluster.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => CloseAsync(TimeSpan.FromSeconds(30));
}

/// <summary>Per-topic state: partitions, and the sticky partition for records without a key (KIP-480).</summary>
internal sealed class TopicState(string name)
{
    private PartitionState?[] _partitions = [];

    public string Name { get; } = name;

    public int StickyPartition { get; set; } = -1;

    public PartitionState?[] Partitions => Volatile.Read(ref _partitions);

    public PartitionState Partition(int partition)
    {
        var partitions = Partitions;
        if ((uint)partition < (uint)partitions.Length && partitions[partition] is { } existing)
        {
            return existing;
        }

        lock (this)
        {
            partitions = _partitions;
            if (partition >= partitions.Length)
            {
                Array.Resize(ref partitions, partition + 1);
            }

            var state = partitions[partition] ??= new PartitionState();
            Volatile.Write(ref _partitions, partitions);
            return state;
        }
    }
}

/// <summary>One partition's batches: the open one, those ready to send, those in flight, and its next sequence.</summary>
internal sealed class PartitionState
{
    public ProducerBatch? Open { get; set; }

    public List<ProducerBatch> Ready { get; } = [];

    public List<ProducerBatch> InFlight { get; } = [];

    public int NextSequence { get; set; }
}
