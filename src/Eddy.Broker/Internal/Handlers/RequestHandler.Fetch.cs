using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Eddy.Broker.Internal.Network;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Internal.Handlers;

internal sealed partial class RequestHandler
{
    /// <summary>
    /// Fetch: whole batches straight from the segment files, up to the high watermark (read_uncommitted)
    /// or the last stable offset (read_committed). If fewer than min.bytes are available it waits for the
    /// partitions' high watermarks to move, or max.wait.ms, without polling.
    /// </summary>
    private async ValueTask<ResponseBody?> FetchAsync(ConnectionContext context, short version, FetchRequest request)
    {
        bool readCommitted = version >= 4 && request.IsolationLevel == 1;
        long deadline = _core.NowMs + Math.Max(0, request.MaxWaitMs);
        int maxBytes = version >= 3 ? request.MaxBytes : int.MaxValue;
        var partitions = new List<(string Topic, FetchRequest.FetchPartition Request, PartitionLog? Log, ErrorCode Error)>();
        foreach (var topic in request.Topics)
        {
            var topicLog = _core.Logs.GetTopic(topic.Topic);
            foreach (var p in topic.Partitions)
            {
                var log = topicLog is not null && (uint)p.Partition < (uint)topicLog.Partitions.Length ? topicLog.Partitions[p.Partition] : null;
                var error = log is null ? ErrorCode.UnknownTopicOrPartition
                    : !IsLeader(context, topic.Topic, p.Partition) ? ErrorCode.NotLeaderOrFollower
                    : p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch < _core.LeaderEpochOf(topic.Topic, p.Partition) ? ErrorCode.FencedLeaderEpoch
                    : p.CurrentLeaderEpoch > _core.LeaderEpochOf(topic.Topic, p.Partition) ? ErrorCode.UnknownLeaderEpoch
                    : ErrorCode.None;
                partitions.Add((topic.Topic, p, log, error));
            }
        }

        if (version >= 7 && request.SessionId != 0)
        {
            // Eddy does not keep fetch sessions (KIP-227 allows refusing them); a client that thinks it has one must start over.
            return new FetchResponseBody(ErrorCode.FetchSessionIdNotFound, [], readCommitted);
        }

        TaskCompletionSource? signal = null;
        Action? listener = null;
        try
        {
            while (true)
            {
                if (signal is null && request.MaxWaitMs > 0 && request.MinBytes > 0)
                {
                    signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    var s = signal;
                    listener = () => s.TrySetResult();
                    foreach (var (_, _, log, error) in partitions)
                    {
                        if (error == ErrorCode.None)
                        {
                            log!.AddListener(listener);
                        }
                    }
                }

                var results = new List<FetchPartitionResult>(partitions.Count);
                long total = 0;
                bool anyError = false;
                foreach (var (topic, p, log, error) in partitions)
                {
                    var r = new FetchPartitionResult(topic, p.Partition);
                    results.Add(r);
                    if (error != ErrorCode.None || log!.IsClosed)
                    {
                        r.Error = error != ErrorCode.None ? error : ErrorCode.NotLeaderOrFollower;
                        anyError = true;
                        continue;
                    }

                    r.HighWatermark = log.HighWatermark;
                    r.LastStableOffset = log.LastStableOffset;
                    r.LogStartOffset = log.LogStartOffset;
                    long upper = readCommitted ? r.LastStableOffset : r.HighWatermark;
                    int budget = (int)Math.Max(0, Math.Min(p.PartitionMaxBytes, maxBytes - total));
                    if (budget == 0 && total > 0)
                    {
                        continue;
                    }

                    r.Error = log.Read(p.FetchOffset, Math.Max(budget, 1), upper, out var slice);
                    if (r.Error != ErrorCode.None)
                    {
                        anyError = true;
                    }

                    r.Slice = slice;
                    total += slice?.Length ?? 0;
                }

                long now = _core.NowMs;
                if (total >= request.MinBytes || anyError || now >= deadline || signal is null)
                {
                    _core.Metrics.FetchedBytes.Add(total);
                    return new FetchResponseBody(ErrorCode.None, results, readCommitted);
                }

                foreach (var r in results)
                {
                    r.Slice?.Dispose();
                }

                var wait = signal.Task;
                await Task.WhenAny(wait, Task.Delay(TimeSpan.FromMilliseconds(deadline - now), _core.Time)).ConfigureAwait(false);
                if (wait.IsCompleted)
                {
                    // Re-arm before looking again so that no notification is missed.
                    foreach (var (_, _, log, error) in partitions)
                    {
                        if (error == ErrorCode.None)
                        {
                            log!.RemoveListener(listener!);
                        }
                    }

                    signal = null;
                }
            }
        }
        finally
        {
            if (listener is not null)
            {
                foreach (var (_, _, log, error) in partitions)
                {
                    if (error == ErrorCode.None)
                    {
                        log!.RemoveListener(listener);
                    }
                }
            }
        }
    }

    private ListOffsetsResponse ListOffsets(ConnectionContext context, short version, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        bool readCommitted = version >= 2 && request.IsolationLevel == 1;
        foreach (var topic in request.Topics)
        {
            var topicResult = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var p in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, Timestamp = -1, Offset = -1, LeaderEpoch = -1 };
                topicResult.Partitions.Add(result);
                var log = _core.Logs.GetPartition(topic.Name, p.PartitionIndex);
                if (log is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (!IsLeader(context, topic.Name, p.PartitionIndex))
                {
                    result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }

                if (version >= 4)
                {
                    result.LeaderEpoch = _core.LeaderEpochOf(topic.Name, p.PartitionIndex);
                }

                long upper = readCommitted ? log.LastStableOffset : log.HighWatermark;
                switch (p.Timestamp)
                {
                    case -2:
                        result.Offset = log.LogStartOffset;
                        break;
                    case -1:
                        result.Offset = upper;
                        break;
                    case -3:
                        if (log.MaxTimestamp() is { } max)
                        {
                            result.Offset = max.Offset;
                            result.Timestamp = max.Timestamp;
                        }

                        break;
                    default:
                        if (p.Timestamp < 0)
                        {
                            result.ErrorCode = (short)ErrorCode.UnsupportedVersion;
                        }
                        else if (log.FindOffsetByTimestamp(p.Timestamp, upper) is { } found)
                        {
                            result.Offset = found.Offset;
                            result.Timestamp = found.Timestamp;
                        }

                        break;
                }
            }
        }

        return response;
    }

    private DeleteRecordsResponse DeleteRecords(ConnectionContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        bool changed = false;
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var p in topic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                var log = _core.Logs.GetPartition(topic.Name, p.PartitionIndex);
                if (log is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (!IsLeader(context, topic.Name, p.PartitionIndex))
                {
                    result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }

                result.ErrorCode = (short)log.DeleteRecordsBefore(p.Offset, out long low);
                result.LowWatermark = low;
                changed = true;
            }
        }

        if (changed)
        {
            // The new log start offsets must survive a crash: checkpoint them before answering.
            _core.Logs.WriteCheckpoints();
        }

        return response;
    }
}

/// <summary>One partition of a Fetch response: offsets, error and the slice of log to send.</summary>
internal sealed class FetchPartitionResult(string topic, int partition)
{
    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public ErrorCode Error { get; set; }

    public long HighWatermark { get; set; } = -1;

    public long LastStableOffset { get; set; } = -1;

    public long LogStartOffset { get; set; } = -1;

    public FetchSlice? Slice { get; set; }
}

/// <summary>
/// A Fetch response (v4-v11) written straight into the connection's pipe: the fixed fields by hand and
/// each partition's records copied from the segment file into the pipe's buffer (one copy, no
/// intermediate array; ARCHITECTURE §4).
/// </summary>
internal sealed class FetchResponseBody(ErrorCode error, List<FetchPartitionResult> partitions, bool readCommitted) : ResponseBody
{
    public override void Write(PipeWriter output, int correlationId, short version)
    {
        // Group partitions by topic, keeping the request's order.
        var topics = new List<(string Topic, List<FetchPartitionResult> Partitions)>();
        foreach (var p in partitions)
        {
            if (topics.Count == 0 || topics[^1].Topic != p.Topic)
            {
                topics.Add((p.Topic, []));
            }

            topics[^1].Partitions.Add(p);
        }

        long size = 4; // correlation id
        size += version >= 1 ? 4 : 0;
        size += version >= 7 ? 6 : 0;
        size += 4;
        foreach (var (topic, list) in topics)
        {
            size += 2 + Encoding.UTF8.GetByteCount(topic) + 4;
            foreach (var p in list)
            {
                size += 4 + 2 + 8;
                size += version >= 4 ? 8 + 4 : 0; // LastStableOffset, AbortedTransactions count
                size += version >= 5 ? 8 : 0;
                size += version >= 11 ? 4 : 0;
                size += 4 + (p.Slice?.Length ?? 0);
            }
        }

        var head = output.GetSpan(14);
        BinaryPrimitives.WriteInt32BigEndian(head, checked((int)size));
        BinaryPrimitives.WriteInt32BigEndian(head.Slice(4), correlationId);
        int n = 8;
        if (version >= 1)
        {
            BinaryPrimitives.WriteInt32BigEndian(head.Slice(n), 0);
            n += 4;
        }

        output.Advance(n);
        if (version >= 7)
        {
            var s = output.GetSpan(6);
            BinaryPrimitives.WriteInt16BigEndian(s, (short)error);
            BinaryPrimitives.WriteInt32BigEndian(s.Slice(2), 0);
            output.Advance(6);
        }

        WriteInt32(output, topics.Count);
        foreach (var (topic, list) in topics)
        {
            int length = Encoding.UTF8.GetByteCount(topic);
            var s = output.GetSpan(2 + length);
            BinaryPrimitives.WriteInt16BigEndian(s, (short)length);
            Encoding.UTF8.GetBytes(topic, s.Slice(2));
            output.Advance(2 + length);
            WriteInt32(output, list.Count);
            foreach (var p in list)
            {
                var f = output.GetSpan(48);
                int at = 0;
                BinaryPrimitives.WriteInt32BigEndian(f.Slice(at), p.Partition);
                at += 4;
                BinaryPrimitives.WriteInt16BigEndian(f.Slice(at), (short)p.Error);
                at += 2;
                BinaryPrimitives.WriteInt64BigEndian(f.Slice(at), p.HighWatermark);
                at += 8;
                // FetchResponse.json order: LastStableOffset (v4+), LogStartOffset (v5+), AbortedTransactions (v4+).
                if (version >= 4)
                {
                    BinaryPrimitives.WriteInt64BigEndian(f.Slice(at), p.LastStableOffset);
                    at += 8;
                }

                if (version >= 5)
                {
                    BinaryPrimitives.WriteInt64BigEndian(f.Slice(at), p.LogStartOffset);
                    at += 8;
                }

                if (version >= 4)
                {
                    // AbortedTransactions: none until transactions exist; an empty list for read_committed, else null.
                    BinaryPrimitives.WriteInt32BigEndian(f.Slice(at), readCommitted ? 0 : -1);
                    at += 4;
                }

                if (version >= 11)
                {
                    BinaryPrimitives.WriteInt32BigEndian(f.Slice(at), -1);
                    at += 4;
                }

                // Records: never null (librdkafka treats a null size as invalid), empty when there is no data.
                int recordsLength = p.Slice?.Length ?? 0;
                BinaryPrimitives.WriteInt32BigEndian(f.Slice(at), recordsLength);
                at += 4;
                output.Advance(at);
                if (p.Slice is { } slice)
                {
                    CopyFromLog(output, slice);
                }
            }
        }
    }

    private static void CopyFromLog(PipeWriter output, FetchSlice slice)
    {
        long position = slice.Position;
        int remaining = slice.Length;
        while (remaining > 0)
        {
            var span = output.GetSpan(Math.Min(remaining, 256 * 1024));
            var target = span.Slice(0, Math.Min(span.Length, remaining));
            int read = slice.Segment.Read(position, target);
            if (read < target.Length)
            {
                // Segments only grow or are replaced by rename while held, so this cannot happen; keep the frame well-formed anyway.
                target.Slice(read).Clear();
            }

            output.Advance(target.Length);
            position += target.Length;
            remaining -= target.Length;
        }
    }

    private static void WriteInt32(PipeWriter output, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public override void Dispose()
    {
        foreach (var p in partitions)
        {
            p.Slice?.Dispose();
            p.Slice = null;
        }

        base.Dispose();
    }
}
