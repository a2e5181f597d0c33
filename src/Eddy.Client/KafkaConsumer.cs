using System.Text;
using System.Text.RegularExpressions;
using Eddy.Client.Internal;
using Eddy.Protocol;
using Eddy.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Eddy.Client;

/// <summary>A timestamp to look up in a partition (OffsetsForTimes).</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="TimestampMs">Unix milliseconds.</param>
public readonly record struct TopicPartitionTimestamp(TopicPartition TopicPartition, long TimestampMs);

/// <summary>A partition's low and high watermarks.</summary>
/// <param name="Low">The log start offset.</param>
/// <param name="High">The high watermark (the next offset to be written).</param>
public readonly record struct WatermarkOffsets(long Low, long High);

/// <summary>
/// A Kafka consumer: <see cref="Subscribe(IEnumerable{string}, IConsumerRebalanceListener?)"/> to join a
/// consumer group (topic names or a regex), or <see cref="Assign(IEnumerable{TopicPartition})"/>
/// partitions by hand; <see cref="ConsumeAsync(CancellationToken)"/> returns records in batches while a
/// background fetcher prefetches the next ones. Group work (joins, rebalance callbacks, auto commit)
/// happens inside ConsumeAsync, so call it at least every max.poll.interval.ms. One consuming flow at a
/// time; the other members (Seek, Pause, Commit...) may be called from other threads.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var config = new ConsumerConfig { BootstrapServers = "localhost:9092", GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest };
/// await using var consumer = new KafkaConsumer&lt;string, string&gt;(config, Deserializers.Utf8, Deserializers.Utf8);
/// consumer.Subscribe(["orders"]);
/// while (!ct.IsCancellationRequested)
/// {
///     foreach (var record in await consumer.ConsumeAsync(ct)) Handle(record);
/// }
/// </code>
/// </example>
public sealed class KafkaConsumer<TKey, TValue> : IAsyncDisposable
{
    private readonly ConsumerCore _core;
    private readonly GroupCoordinator? _group;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly ILogger _logger;
    private readonly int _maxPollRecords;
    private readonly SemaphoreSlim _pollLock = new(1, 1);
    private readonly DecompressionBuffer _decompression = new();
    private bool _manual;
    private int _closed;

    /// <summary>Creates a consumer; the settings are validated first (<see cref="KafkaConfigException"/>).</summary>
    /// <param name="config">The settings.</param>
    /// <param name="keyDeserializer">Deserializes keys.</param>
    /// <param name="valueDeserializer">Deserializes values.</param>
    /// <param name="loggerFactory">Where to log; nothing is logged without one.</param>
    /// <param name="timeProvider">The clock; null for the system clock.</param>
    public KafkaConsumer(ConsumerConfig config, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keyDeserializer);
        ArgumentNullException.ThrowIfNull(valueDeserializer);
        config.Validate();
        var context = new ClientContext(config, loggerFactory, timeProvider, "consumer");
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Consumer");
        _core = new ConsumerCore(config, context);
        if (!string.IsNullOrEmpty(config.GetNullableString("group.id")))
        {
            _group = new GroupCoordinator(config, _core);
        }

        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _maxPollRecords = config.GetIntOrDefault("max.poll.records");
    }

    /// <summary>The partitions currently assigned.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => _core.Assignment;

    /// <summary>The group member id (empty before the first join or without a group).</summary>
    public string MemberId => _group?.MemberId ?? string.Empty;

    /// <summary>The group generation (-1 outside a group).</summary>
    public int Generation => _group?.Generation ?? -1;

    /// <summary>The rebalance protocol in use (cooperative when every configured assignor supports it).</summary>
    public RebalanceProtocol RebalanceProtocol => _group?.Protocol ?? RebalanceProtocol.Eager;

    /// <summary>Joins the group for these topics; <paramref name="listener"/> hears about rebalances.</summary>
    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var group = RequireGroup("Subscribe");
        ThrowIfManual("Subscribe");
        var list = topics.ToList();
        if (list.Count == 0 || list.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Subscribe needs topic names; use Unsubscribe to stop", nameof(topics));
        }

        group.Subscribe(list, listener);
    }

    /// <summary>Joins the group for every topic matching <paramref name="pattern"/> (checked on every metadata refresh).</summary>
    public void Subscribe(Regex pattern, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var group = RequireGroup("Subscribe");
        ThrowIfManual("Subscribe");
        group.Subscribe(pattern, listener);
    }

    /// <summary>Leaves the group (revoking the assignment first).</summary>
    public async Task UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        if (_group is not null && _group.IsSubscribed)
        {
            await _group.UnsubscribeAsync(cancellationToken).ConfigureAwait(false);
        }

        _core.ClearAssignment();
    }

    /// <summary>Assigns partitions by hand (no group membership); positions come from committed offsets (with a group.id) or auto.offset.reset.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (_group?.IsSubscribed == true)
        {
            throw new InvalidOperationException("Assign cannot be used while subscribed: call UnsubscribeAsync first");
        }

        _manual = true;
        var list = partitions.ToList();
        _core.RemovePartitions(_core.Assignment.Except(list).ToList());
        _core.AddPartitions(list, _group is null ? _core.DefaultReset : ResetMode.Committed);
    }

    /// <summary>Assigns partitions by hand, each starting at the given offset (or <see cref="Offsets"/> constant).</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        Assign(list.Select(p => p.TopicPartition));
        foreach (var p in list)
        {
            Seek(p);
        }
    }

    /// <summary>Removes the manual assignment.</summary>
    public void Unassign()
    {
        _core.ClearAssignment();
        _manual = false;
    }

    /// <summary>Waits for records (or cancellation) and returns up to max.poll.records of them.</summary>
    public Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeAsync(CancellationToken cancellationToken = default) =>
        ConsumeAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Returns up to max.poll.records records, waiting at most <paramref name="timeout"/>; empty when none came.</summary>
    public async Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed != 0, this);
        await _pollLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long start = _core.Context.Time.GetTimestamp();
            var results = new List<ConsumeResult<TKey, TValue>>();
            while (true)
            {
                var arrived = _core.DataArrived;
                if (_group is not null)
                {
                    await _group.PollAsync(cancellationToken).ConfigureAwait(false);
                }

                await _core.UpdatePositionsAsync(_group, cancellationToken).ConfigureAwait(false);
                ThrowPartitionErrors();
                Drain(results);
                if (results.Count > 0)
                {
                    _core.Context.Metrics.Consumed(results.Count);
                    return results;
                }

                var remaining = timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromMilliseconds(500) : timeout - _core.Context.Time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    return results;
                }

                // Wake up for data, and at least every 500 ms for group work (rebalances, auto commit).
                var wait = remaining < TimeSpan.FromMilliseconds(500) ? remaining : TimeSpan.FromMilliseconds(500);
                try
                {
                    await arrived.WaitAsync(wait, _core.Context.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        finally
        {
            _pollLock.Release();
        }
    }

    private void ThrowPartitionErrors()
    {
        if (_core.OutOfRange.TryDequeue(out var outOfRange))
        {
            throw new ConsumeException(ErrorCode.OffsetOutOfRange, $"offset {outOfRange.Offset} is out of range for {outOfRange.Partition} and auto.offset.reset is none; Seek to a valid offset", outOfRange.Partition);
        }

        if (_core.PartitionErrors.TryDequeue(out var error))
        {
            throw new ConsumeException(error.Error, $"fetching {error.Partition} failed: {KafkaException.Describe(error.Error)}", error.Partition);
        }
    }

    private void Drain(List<ConsumeResult<TKey, TValue>> results)
    {
        while (results.Count < _maxPollRecords)
        {
            var fetch = _core.NextCompleted();
            if (fetch is null)
            {
                return;
            }

            if (Decode(fetch, results))
            {
                _core.Finished(fetch);
            }
        }
    }

    /// <summary>Decodes records at or after the partition's position; returns true when the fetch is used up.</summary>
    private bool Decode(CompletedFetch fetch, List<ConsumeResult<TKey, TValue>> results)
    {
        var state = fetch.State;
        var tp = state.Partition;
        long position = state.Position;
        var records = fetch.Data.Records!.Value.Span;
        var reader = new RecordBatchReader(records.Slice(fetch.ByteOffset));
        int consumed = fetch.ByteOffset;
        bool readCommitted = _core.IsolationLevel == 1;
        try
        {
            while (reader.TryReadNext(out var batch))
            {
                var header = batch.Header;
                int size = header.SizeInBytes;
                if (header.LastOffset < position)
                {
                    consumed += size;
                    continue;
                }

                if (_core.CheckCrcs)
                {
                    batch.EnsureValidCrc();
                }

                if (readCommitted && fetch.Aborted is { } aborted)
                {
                    // Producers whose aborted transactions started at or before this batch (KIP-98 consumer rule).
                    while (fetch.NextAborted < aborted.Count && aborted[fetch.NextAborted].FirstOffset <= header.LastOffset)
                    {
                        fetch.AbortedProducers!.Add(aborted[fetch.NextAborted].ProducerId);
                        fetch.NextAborted++;
                    }
                }

                if (header.IsControl)
                {
                    if (readCommitted && fetch.AbortedProducers is { } producers)
                    {
                        foreach (var record in batch.GetRecords(_decompression))
                        {
                            if (!record.IsKeyNull && ControlRecordKey.Read(record.Key).Type == ControlRecordType.Abort)
                            {
                                producers.Remove(header.ProducerId);
                            }
                        }
                    }

                    position = header.NextOffset;
                    consumed += size;
                    continue;
                }

                if (readCommitted && header.IsTransactional && fetch.AbortedProducers is { } abortedProducers && abortedProducers.Contains(header.ProducerId))
                {
                    position = header.NextOffset;
                    consumed += size;
                    continue;
                }

                bool complete = true;
                foreach (var record in batch.GetRecords(_decompression))
                {
                    if (record.Offset < position)
                    {
                        continue;
                    }

                    if (results.Count >= _maxPollRecords)
                    {
                        complete = false;
                        break;
                    }

                    results.Add(Build(tp, header, record));
                    position = record.Offset + 1;
                }

                if (!complete)
                {
                    return false;
                }

                // A batch's last records may have been compacted away: move past the whole batch.
                position = Math.Max(position, header.NextOffset);
                consumed += size;
            }

            return true;
        }
        catch (KafkaProtocolException e)
        {
            throw new ConsumeException(ErrorCode.CorruptMessage, $"corrupt record data in {tp} at offset {position}: {e.Message}", tp, e);
        }
        finally
        {
            fetch.ByteOffset = consumed;
            if (fetch.Epoch == state.Epoch)
            {
                state.Position = position;
            }
        }
    }

    private ConsumeResult<TKey, TValue> Build(TopicPartition tp, RecordBatchHeader header, RecordView record)
    {
        Headers? headers = null;
        if (record.HeaderCount > 0)
        {
            headers = [];
            foreach (var h in record.Headers)
            {
                headers.Add(Encoding.UTF8.GetString(h.Key), h.IsValueNull ? null : h.Value.ToArray());
            }
        }

        TKey key;
        TValue value;
        try
        {
            key = _keyDeserializer.Deserialize(record.Key, record.IsKeyNull, new SerializationContext(MessageComponent.Key, tp.Topic, headers));
            value = _valueDeserializer.Deserialize(record.Value, record.IsValueNull, new SerializationContext(MessageComponent.Value, tp.Topic, headers));
        }
        catch (Exception e) when (e is not KafkaException)
        {
            throw new ConsumeException(ErrorCode.InvalidRecord, $"deserializing the record at {tp}@{record.Offset} failed: {e.Message}", tp, e);
        }

        return new ConsumeResult<TKey, TValue>
        {
            TopicPartition = tp,
            Offset = record.Offset,
            Key = key,
            Value = value,
            TimestampMs = record.Timestamp,
            TimestampType = header.TimestampType,
            Headers = headers,
            LeaderEpoch = header.PartitionLeaderEpoch,
        };
    }

    /// <summary>Moves a partition's position: an offset, or <see cref="Offsets.Beginning"/>, <see cref="Offsets.End"/>, <see cref="Offsets.Stored"/>.</summary>
    public void Seek(TopicPartitionOffset offset)
    {
        var reset = offset.Offset switch
        {
            Offsets.Beginning => ResetMode.Earliest,
            Offsets.End => ResetMode.Latest,
            Offsets.Stored => ResetMode.Committed,
            < 0 => throw new ArgumentOutOfRangeException(nameof(offset), offset.Offset, "offsets are >= 0 or one of the Offsets constants"),
            _ => ResetMode.None,
        };
        _core.Seek(offset.TopicPartition, offset.Offset, reset);
    }

    /// <summary>Moves a partition's position.</summary>
    public void Seek(TopicPartition partition, long offset) => Seek(new TopicPartitionOffset(partition, offset));

    /// <summary>Moves partitions to their start.</summary>
    public void SeekToBeginning(IEnumerable<TopicPartition> partitions)
    {
        foreach (var p in partitions)
        {
            Seek(p, Offsets.Beginning);
        }
    }

    /// <summary>Moves partitions to their end.</summary>
    public void SeekToEnd(IEnumerable<TopicPartition> partitions)
    {
        foreach (var p in partitions)
        {
            Seek(p, Offsets.End);
        }
    }

    /// <summary>Stops returning records from these partitions (buffered data is kept; the group membership is not affected).</summary>
    public void Pause(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, true);

    /// <summary>Returns records from these partitions again.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, false);

    /// <summary>The paused partitions.</summary>
    public IReadOnlyCollection<TopicPartition> Paused
    {
        get
        {
            lock (_core.Lock)
            {
                return [.. _core.Assignment.Where(p => _core.State(p)?.Paused == true)];
            }
        }
    }

    private void SetPaused(IEnumerable<TopicPartition> partitions, bool paused)
    {
        lock (_core.Lock)
        {
            foreach (var p in partitions)
            {
                var state = _core.State(p) ?? throw new InvalidOperationException($"{p} is not assigned to this consumer");
                state.Paused = paused;
            }
        }

        _core.WakeFetcher();
    }

    /// <summary>The offset of the next record ConsumeAsync will return for a partition (looked up first when unknown).</summary>
    public async Task<long> PositionAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        var state = _core.State(partition) ?? throw new InvalidOperationException($"{partition} is not assigned to this consumer");
        if (!state.HasPosition)
        {
            await _core.UpdatePositionsAsync(_group, cancellationToken).ConfigureAwait(false);
        }

        return state.Position;
    }

    /// <summary>The position if known, else -1 (no broker call).</summary>
    public long Position(TopicPartition partition) => _core.State(partition) is { HasPosition: true } state ? state.Position : -1;

    /// <summary>Commits the current positions of every assigned partition and waits for the broker (Java's commitSync; retriable errors are retried).</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        RequireGroup("CommitAsync").CommitAsync(RequireGroup("CommitAsync").CurrentPositions(null), retry: true, cancellationToken);

    /// <summary>Commits the given offsets (the next offsets to read) and waits for the broker.</summary>
    public Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default) =>
        RequireGroup("CommitAsync").CommitAsync([.. offsets], retry: true, cancellationToken);

    /// <summary>Commits without waiting or retrying (Java's commitAsync); <paramref name="callback"/> gets the outcome.</summary>
    public void CommitInBackground(IEnumerable<TopicPartitionOffset>? offsets = null, Action<IReadOnlyCollection<TopicPartitionOffset>, KafkaException?>? callback = null)
    {
        var group = RequireGroup("CommitInBackground");
        IReadOnlyCollection<TopicPartitionOffset> list = offsets?.ToList() ?? group.CurrentPositions(null);
        _ = Task.Run(async () =>
        {
            try
            {
                await group.CommitAsync(list, retry: false, CancellationToken.None).ConfigureAwait(false);
                callback?.Invoke(list, null);
            }
            catch (KafkaException e)
            {
                _logger.LogDebug("Background commit failed: {Reason}", e.Message);
                callback?.Invoke(list, e);
            }
        });
    }

    /// <summary>The committed offsets of partitions (offset -1 when none).</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var list = partitions.ToList();
        var committed = await RequireGroup("CommittedAsync").FetchCommittedAsync(list, cancellationToken).ConfigureAwait(false);
        return [.. list.Select(p => committed.TryGetValue(p, out var o) ? o : new TopicPartitionOffset(p, -1))];
    }

    /// <summary>For each partition, the first offset whose timestamp is at least the given one (offset -1 when there is none).</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimesAsync(IEnumerable<TopicPartitionTimestamp> timestamps, CancellationToken cancellationToken = default)
    {
        var request = timestamps.ToDictionary(t => t.TopicPartition, t => t.TimestampMs);
        var result = await _core.ListOffsetsAsync(request, _core.IsolationLevel, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return [.. request.Keys.Select(p => result.TryGetValue(p, out var r) ? new TopicPartitionOffset(p, r.Offset, null, r.LeaderEpoch) : new TopicPartitionOffset(p, -1))];
    }

    /// <summary>Asks the leader for a partition's low and high watermarks.</summary>
    public async Task<WatermarkOffsets> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        var low = await _core.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [partition] = Offsets.Beginning }, _core.IsolationLevel, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        var high = await _core.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [partition] = Offsets.End }, _core.IsolationLevel, DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return new WatermarkOffsets(low[partition].Offset, high[partition].Offset);
    }

    /// <summary>The watermarks seen in the last fetch (-1 when unknown; no broker call).</summary>
    public WatermarkOffsets GetWatermarkOffsets(TopicPartition partition) =>
        _core.State(partition) is { } s ? new WatermarkOffsets(s.LogStartOffset, s.HighWatermark) : new WatermarkOffsets(-1, -1);

    private TimeSpan DefaultTimeout => TimeSpan.FromMilliseconds(_core.Context.Config.GetIntOrDefault("default.api.timeout.ms"));

    /// <summary>Commits (with auto commit), revokes, leaves the group, and closes connections.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        if (_group is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await _group.CloseAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("Consumer close timed out");
            }

            await _group.DisposeAsync().ConfigureAwait(false);
        }

        await _core.DisposeAsync().ConfigureAwait(false);
        await _pollLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        _decompression.Dispose();
        _pollLock.Release();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => CloseAsync();

    private GroupCoordinator RequireGroup(string operation) =>
        _group ?? throw new InvalidOperationException($"{operation} needs a consumer group: set group.id");

    private void ThrowIfManual(string operation)
    {
        if (_manual && _core.Assignment.Count > 0)
        {
            throw new InvalidOperationException($"{operation} cannot be used with a manual assignment: call Unassign first");
        }

        _manual = false;
    }
}
