using System.Collections.Concurrent;
using Eddy.Client;
using Eddy.Streams.Errors;
using ClientHeaders = Eddy.Client.Headers;
using ClientTopicPartition = Eddy.Client.TopicPartition;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>
/// A stream thread's producer behind the record collector (Kafka's StreamsProducer): sends bytes, remembers the last
/// acknowledged offset per partition (changelog checkpoints), and surfaces asynchronous send errors at the next send
/// or flush. Exactly-once will put a transactional producer here.
/// </summary>
internal sealed class KafkaStreamsProducer(KafkaProducer<byte[]?, byte[]?> producer, KafkaAdminClient admin) : IStreamsProducer, IAsyncDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, long> _acked = new();
    private readonly ConcurrentDictionary<string, int?> _partitionCounts = new(StringComparer.Ordinal);
    private volatile Exception? _sendError;
    private long _completed;

    public long SentRecords { get; private set; }

    public int? PartitionsFor(string topic) => _partitionCounts.GetOrAdd(topic, t =>
    {
        try
        {
            var d = admin.DescribeTopicsAsync([t]).GetAwaiter().GetResult();
            return d.Count == 1 && d[0].Error == Protocol.ErrorCode.None ? d[0].Partitions.Count : null;
        }
        catch (KafkaException)
        {
            return null;
        }
    });

    public void Send(in ProducerRecord record)
    {
        ThrowIfFailed();
        ClientHeaders? headers = null;
        if (record.Headers is { Count: > 0 } h)
        {
            headers = new ClientHeaders();
            foreach (var header in h)
            {
                headers.Add(header.Key, header.Value);
            }
        }
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key,
            Value = record.Value,
            Timestamp = record.Timestamp >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp) : null,
            Headers = headers,
        };
        if (record.Partition is { } p)
        {
            producer.Produce(new ClientTopicPartition(record.Topic, p), message, OnDelivery);
        }
        else
        {
            producer.Produce(record.Topic, message, OnDelivery);
        }
        SentRecords++;
    }

    private void OnDelivery(DeliveryResult<byte[]?, byte[]?> result)
    {
        Interlocked.Increment(ref _completed);
        if (result.Exception is { } e)
        {
            _sendError ??= e;
            return;
        }
        var tp = new TopicPartition(result.Topic, result.Partition);
        _acked.AddOrUpdate(tp, result.Offset, (_, old) => Math.Max(old, result.Offset));
    }

    public void Flush()
    {
        producer.FlushAsync().GetAwaiter().GetResult();
        // KafkaProducer.FlushAsync does not wait for records still waiting for a topic's metadata (its backlog):
        // count delivery reports instead, so a commit never runs ahead of its output. Every record gets a report
        // (success or failure) within delivery.timeout.ms.
        var spin = new SpinWait();
        while (Interlocked.Read(ref _completed) < SentRecords)
        {
            if (spin.NextSpinWillYield)
            {
                producer.FlushAsync().GetAwaiter().GetResult();
                Thread.Sleep(1);
            }
            spin.SpinOnce();
        }
        ThrowIfFailed();
    }

    /// <summary>The last acknowledged offset of a partition written by this producer, or -1.</summary>
    public long LastAckedOffset(TopicPartition partition) => _acked.TryGetValue(partition, out var o) ? o : -1;

    private void ThrowIfFailed()
    {
        if (_sendError is { } e)
        {
            throw new StreamsException($"A record could not be sent: {e.Message}. The thread stops; its tasks will be reprocessed from the last commit.", e);
        }
    }

    public ValueTask DisposeAsync() => producer.CloseAsync(TimeSpan.FromSeconds(10));
}
