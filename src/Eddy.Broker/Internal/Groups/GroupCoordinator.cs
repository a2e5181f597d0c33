using System.Collections.Concurrent;
using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Groups;

/// <summary>
/// The classic group coordinator (Kafka's GroupCoordinator.scala): join/sync/heartbeat/leave with the
/// state machine of kafka-protocol.md §3, static membership, KIP-394 member ids, protocol voting,
/// session and rebalance timeouts, and committed offsets. Offsets and group metadata are written to
/// the compacted <c>__consumer_offsets</c> topic (fsynced before the commit is answered) and read back
/// at startup.
/// </summary>
internal sealed partial class GroupCoordinator : IDisposable
{
    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly LogManager _logs;
    private readonly LogFlusher _flusher;
    private readonly BrokerConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _topicLock = new();
    private readonly ITimer _sweep;
    private TopicLog? _offsetsTopic;

    public GroupCoordinator(LogManager logs, LogFlusher flusher, BrokerConfig config, TimeProvider time, ILogger logger)
    {
        _logs = logs;
        _flusher = flusher;
        _config = config;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public int GroupCount => _groups.Count;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public int OffsetsPartitionFor(string groupId) => OffsetsTopicRecords.PartitionFor(groupId, OffsetsPartitions);

    public int OffsetsPartitions => _offsetsTopic?.Partitions.Length ?? _logs.GetTopic(OffsetsTopicRecords.TopicName)?.Partitions.Length ?? _config.OffsetsTopicPartitions;

    /// <summary>Creates the offsets topic on first use (as Kafka does on the first FindCoordinator).</summary>
    public TopicLog EnsureOffsetsTopic()
    {
        if (_offsetsTopic is { } existing)
        {
            return existing;
        }

        lock (_topicLock)
        {
            if (_offsetsTopic is { } again)
            {
                return again;
            }

            var topic = _logs.GetTopic(OffsetsTopicRecords.TopicName);
            if (topic is null)
            {
                var overrides = new Dictionary<string, string?>
                {
                    ["cleanup.policy"] = "compact",
                    ["segment.bytes"] = _config.Get("offsets.topic.segment.bytes"),
                    ["compression.type"] = "producer",
                };
                var (error, message, created) = _logs.CreateTopic(OffsetsTopicRecords.TopicName, _config.OffsetsTopicPartitions, overrides, validateOnly: false);
                topic = created ?? _logs.GetTopic(OffsetsTopicRecords.TopicName) ?? throw new InvalidOperationException($"cannot create {OffsetsTopicRecords.TopicName}: {error} {message}");
            }

            _offsetsTopic = topic;
            return topic;
        }
    }

    /// <summary>Reads the offsets topic back into groups (startup).</summary>
    public void Load()
    {
        var topic = _logs.GetTopic(OffsetsTopicRecords.TopicName);
        if (topic is null)
        {
            return;
        }

        _offsetsTopic = topic;
        long now = Now;
        using var decompression = new DecompressionBuffer();
        int records = 0;
        foreach (var partition in topic.Partitions)
        {
            long offset = partition.LogStartOffset;
            while (offset < partition.HighWatermark)
            {
                var error = partition.Read(offset, 1 << 20, partition.HighWatermark, out var slice);
                if (error != ErrorCode.None || slice is null)
                {
                    break;
                }

                using (slice)
                {
                    var bytes = new byte[slice.Length];
                    slice.Segment.Read(slice.Position, bytes);
                    var reader = new RecordBatchReader(bytes);
                    long next = offset;
                    while (reader.TryReadNext(out var batch))
                    {
                        next = batch.Header.NextOffset;
                        if (batch.Header.IsControl)
                        {
                            continue;
                        }

                        foreach (var record in batch.GetRecords(decompression))
                        {
                            if (record.Offset < offset || record.IsKeyNull)
                            {
                                continue;
                            }

                            Apply(record.Key, record.IsValueNull ? null : record.Value.ToArray(), now);
                            records++;
                        }
                    }

                    if (next <= offset)
                    {
                        break;
                    }

                    offset = next;
                }
            }
        }

        foreach (var group in _groups.Values)
        {
            if (group.State == GroupState.Dead || (group.Members.Count == 0 && group.Offsets.Count == 0 && group.GenerationId == 0))
            {
                _groups.TryRemove(group.GroupId, out _);
            }
        }

        if (records > 0)
        {
            _logger.LogInformation("Loaded {Groups} consumer groups from {Records} records of {Topic}", _groups.Count, records, OffsetsTopicRecords.TopicName);
        }
    }

    private void Apply(ReadOnlySpan<byte> keyBytes, byte[]? value, long now)
    {
        OffsetsTopicRecords.Key? parsed;
        try
        {
            parsed = OffsetsTopicRecords.ReadKey(keyBytes);
        }
        catch (KafkaProtocolException)
        {
            return;
        }

        if (parsed is not { } key)
        {
            return;
        }

        var group = _groups.GetOrAdd(key.Group, id => new ConsumerGroup(id, now));
        if (key.Topic is { } topic)
        {
            if (value is null)
            {
                group.Offsets.Remove((topic, key.Partition));
            }
            else
            {
                group.Offsets[(topic, key.Partition)] = OffsetsTopicRecords.ReadOffsetValue(value);
            }
        }
        else if (value is null)
        {
            group.Members.Clear();
            group.StaticMembers.Clear();
            group.TransitionTo(group.Offsets.Count == 0 ? GroupState.Dead : GroupState.Empty, now);
        }
        else
        {
            OffsetsTopicRecords.ReadGroupValue(value, group, now);
        }
    }

    /// <summary>Appends records to the group's offsets partition and waits until they are durable.</summary>
    private async Task<ErrorCode> WriteAsync(string groupId, List<(byte[] Key, byte[]? Value)> records)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }

        var topic = EnsureOffsetsTopic();
        var partition = topic.Partitions[OffsetsTopicRecords.PartitionFor(groupId, topic.Partitions.Length)];
        byte[] batch;
        using (var builder = new RecordBatchBuilder())
        {
            long now = Now;
            foreach (var (key, value) in records)
            {
                builder.Append(now, key, value is null ? NullableBytes.Null : value);
            }

            builder.Compression = CompressionType.None;
            batch = builder.ToArray();
        }

        try
        {
            partition.AppendInternal(batch);
            var flushed = _flusher.RequestFlush(partition);
            if (_config.FlushOnAck)
            {
                await flushed.ConfigureAwait(false);
            }

            return ErrorCode.None;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _logger.LogError(e, "Writing to {Topic} failed", OffsetsTopicRecords.TopicName);
            return ErrorCode.CoordinatorNotAvailable;
        }
    }

    private Task<ErrorCode> StoreGroupAsync(ConsumerGroup group) =>
        WriteAsync(group.GroupId, [(OffsetsTopicRecords.GroupKey(group.GroupId), OffsetsTopicRecords.GroupValue(group))]);

    public void Dispose() => _sweep.Dispose();
}
