using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>
/// Where serialized records go: the runtime adapts a Kafka producer (transactional under exactly-once), the test
/// driver captures them. Partition null means "use the default partitioner".
/// </summary>
internal interface IStreamsProducer
{
    /// <summary>The partition count of a topic, or null when unknown.</summary>
    int? PartitionsFor(string topic);

    /// <summary>Sends a record; errors are reported through the collector's production exception handler.</summary>
    void Send(in ProducerRecord record);

    /// <summary>Waits for every sent record to be acknowledged.</summary>
    void Flush();
}

/// <summary>
/// The single place where a task's output and changelog writes go (Kafka's RecordCollector): serializes, picks the
/// partition, applies the production exception handler, hands bytes to the producer.
/// </summary>
internal interface IRecordCollector
{
    void Send<TKey, TValue>(string topic, TKey key, TValue value, Headers? headers, long timestamp,
        ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, IStreamPartitioner<TKey, TValue>? partitioner,
        string processorNodeId, TaskContext task, bool valueIsNull = false);

    void SendBytes(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, string processorNodeId, TaskContext task);

    void Flush();
}

internal sealed class RecordCollector(IStreamsProducer producer, ILogger logger) : IRecordCollector
{
    public IStreamsProducer Producer => producer;

    public void Send<TKey, TValue>(string topic, TKey key, TValue value, Headers? headers, long timestamp,
        ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, IStreamPartitioner<TKey, TValue>? partitioner,
        string processorNodeId, TaskContext task, bool valueIsNull = false)
    {
        byte[]? rawKey, rawValue;
        try
        {
            rawKey = keySerializer.Serialize(key, new SerializationContext(MessageComponentType.Key, topic, headers));
            rawValue = valueIsNull ? null : valueSerializer.Serialize(value, new SerializationContext(MessageComponentType.Value, topic, headers));
        }
        catch (Exception e)
        {
            var record = new ProducerRecord(topic, null, timestamp, null, null, headers);
            var response = task.Config.ProductionExceptionHandler.Handle(task.ErrorContext(processorNodeId), record, e, ProductionErrorOrigin.Serialization, logger);
            if (response == HandlerResponse.Fail)
            {
                throw new StreamsException($"Error serializing a record for topic {topic} in processor {processorNodeId} (key type {typeof(TKey).Name}, value type {typeof(TValue).Name}); " +
                    "check the serdes in Produced/Materialized or the default serdes.", e)
                { TaskId = task.TaskId };
            }
            task.RecordDropped(processorNodeId);
            return;
        }
        int? partition = null;
        if (partitioner is not null)
        {
            var n = producer.PartitionsFor(topic);
            if (n is { } count)
            {
                partition = partitioner.Partition(topic, key, value, count);
                if (partition is { } p && (p < 0 || p >= count))
                {
                    throw new StreamsException($"Stream partitioner returned partition {p} for topic {topic}, which has {count} partitions.") { TaskId = task.TaskId };
                }
            }
        }
        SendBytes(topic, partition, rawKey, rawValue, headers, timestamp, processorNodeId, task);
    }

    public void SendBytes(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, string processorNodeId, TaskContext task)
    {
        var record = new ProducerRecord(topic, partition, timestamp, key, value, headers);
        try
        {
            producer.Send(record);
        }
        catch (Exception e) when (e is not StreamsException)
        {
            var response = task.Config.ProductionExceptionHandler.Handle(task.ErrorContext(processorNodeId), record, e, ProductionErrorOrigin.Send, logger);
            if (response == HandlerResponse.Fail)
            {
                throw new StreamsException($"Error sending a record to topic {topic} in processor {processorNodeId}.", e) { TaskId = task.TaskId };
            }
            task.RecordDropped(processorNodeId);
        }
    }

    public void Flush() => producer.Flush();
}
