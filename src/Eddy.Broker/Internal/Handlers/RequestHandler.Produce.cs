using System.Runtime.InteropServices;
using Eddy.Broker.Internal.Network;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Messages;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Internal.Handlers;

internal sealed partial class RequestHandler
{
    /// <summary>
    /// Produce: validates and appends every partition's batch synchronously (before the first await, so
    /// the request's bytes can be edited in place and appends keep the connection's order), then, for
    /// acks=1/all under the 'ack' flush policy, waits for the group-commit fsync. acks=0 gets no response.
    /// </summary>
    private ValueTask<ResponseBody?> ProduceAsync(ConnectionContext context, short version, ProduceRequest request)
    {
        var response = new ProduceResponse();
        var touched = new List<(PartitionLog Log, ProduceResponse.PartitionProduceResponse Result)>();
        bool validAcks = request.Acks is 0 or 1 or -1;
        long now = _core.NowMs;
        foreach (var topicData in request.TopicData)
        {
            var topicResult = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResult);
            var topic = _core.Logs.GetTopic(topicData.Name);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1, LogAppendTimeMs = -1, LogStartOffset = -1 };
                topicResult.PartitionResponses.Add(result);
                if (!validAcks)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }

                var log = topic is null || (uint)partitionData.Index >= (uint)topic.Partitions.Length ? null : topic.Partitions[partitionData.Index];
                if (log is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (topic!.IsInternal)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidTopicException;
                    result.ErrorMessage = $"Cannot append to internal topic {topic.Name}";
                    continue;
                }

                if (!IsLeader(context, topic.Name, partitionData.Index))
                {
                    result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }

                var (error, message) = AppendPartition(log, version, partitionData.Records, now, result);
                result.ErrorCode = (short)error;
                result.ErrorMessage = message;
                if (error == ErrorCode.None)
                {
                    touched.Add((log, result));
                }
            }
        }

        if (request.Acks == 0)
        {
            // No response for acks=0 (KafkaApis); data still reaches disk through the flusher.
            foreach (var (log, _) in touched)
            {
                _ = _core.Flusher.RequestFlush(log);
            }

            return new ValueTask<ResponseBody?>((ResponseBody?)null);
        }

        if (touched.Count == 0)
        {
            return Done(response);
        }

        var flushes = new List<Task>(touched.Count);
        foreach (var (log, _) in touched)
        {
            flushes.Add(_core.Flusher.RequestFlush(log));
        }

        if (!_core.Config.FlushOnAck)
        {
            return Done(response);
        }

        return AwaitFlushAsync(response, touched, flushes);
    }

    private static async ValueTask<ResponseBody?> AwaitFlushAsync(ProduceResponse response, List<(PartitionLog Log, ProduceResponse.PartitionProduceResponse Result)> touched, List<Task> flushes)
    {
        for (int i = 0; i < flushes.Count; i++)
        {
            try
            {
                await flushes[i].ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The batch is in the file but not known to be on disk: the producer must not count it as written.
                touched[i].Result.ErrorCode = (short)ErrorCode.KafkaStorageError;
                touched[i].Result.ErrorMessage = "fsync failed";
            }
        }

        return new MessageBody(response);
    }

    private (ErrorCode Error, string? Message) AppendPartition(PartitionLog log, short version, ReadOnlyMemory<byte>? records, long now, ProduceResponse.PartitionProduceResponse result)
    {
        if (records is not { Length: > 0 } memory)
        {
            return (ErrorCode.InvalidRecord, "Produce request has no records for the partition");
        }

        var config = log.Config;
        Memory<byte> batch;
        short validateAs = version;
        try
        {
            if (version < 3 && LegacyMessageSets.IsLegacy(memory.Span))
            {
                // Produce v0-v2 carry message sets v0/v1: up-convert to one record batch v2 (LogValidator).
                batch = LegacyMessageSets.ToRecordBatch(memory.Span, DecompressionBuffer.DefaultMaxDecompressedBytes);
                validateAs = 3;
            }
            else
            {
                batch = MemoryMarshal.AsMemory(memory);
                validateAs = Math.Max(version, (short)3);
            }

            var options = new ProduceValidationOptions
            {
                MaxBatchSizeBytes = config.MaxMessageBytes,
                RequireKeys = config.Compact,
                NowMs = now,
                MaxTimestampBeforeMs = config.TimestampBeforeMaxMs,
                MaxTimestampAfterMs = config.TimestampAfterMaxMs,
            };
            var summary = ProduceValidator.Validate(batch.Span, validateAs, options);
            if (config.TargetCompression is { } target && target != summary.Header.Compression)
            {
                batch = Recompress(batch.Span, target);
                summary = ProduceValidator.Validate(batch.Span, 7, options);
            }

            var appended = log.Append(batch.Span, summary);
            if (appended.Error != ErrorCode.None)
            {
                return (appended.Error, appended.Message);
            }

            result.BaseOffset = appended.BaseOffset;
            result.LogAppendTimeMs = appended.LogAppendTime;
            result.LogStartOffset = log.LogStartOffset;
            if (!appended.IsDuplicate)
            {
                _core.Metrics.ProducedRecords.Add(summary.RecordCount);
                _core.Metrics.ProducedBytes.Add(batch.Length);
            }

            return (ErrorCode.None, null);
        }
        catch (KafkaProtocolException e)
        {
            return (e.ErrorCode, e.Message);
        }
        catch (IOException e)
        {
            return (ErrorCode.KafkaStorageError, e.Message);
        }
    }

    /// <summary>Re-encodes a producer batch with the topic's compression.type (producer fields kept).</summary>
    private static byte[] Recompress(ReadOnlySpan<byte> batch, CompressionType target)
    {
        var view = RecordBatchView.Read(batch);
        var header = view.Header;
        using var builder = new RecordBatchBuilder(batch.Length * 2)
        {
            Compression = target,
            TimestampType = header.TimestampType,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            IsTransactional = header.IsTransactional,
        };
        using var decompression = new DecompressionBuffer();
        var headers = new List<RecordHeader>();
        foreach (var record in view.GetRecords(decompression))
        {
            headers.Clear();
            foreach (var h in record.Headers)
            {
                headers.Add(new RecordHeader(System.Text.Encoding.UTF8.GetString(h.Key), h.IsValueNull ? null : h.Value.ToArray()));
            }

            builder.Append(
                record.Timestamp,
                record.IsKeyNull ? NullableBytes.Null : NullableBytes.FromReadOnlySpan(record.Key),
                record.IsValueNull ? NullableBytes.Null : NullableBytes.FromReadOnlySpan(record.Value),
                CollectionsMarshal.AsSpan(headers));
        }

        return builder.ToArray();
    }
}
