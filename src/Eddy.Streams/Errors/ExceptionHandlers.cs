using Eddy.Streams.Processors;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Errors;

/// <summary>What to do after a handled error: drop the record and go on, or stop the task.</summary>
/// <example><code>return HandlerResponse.Continue;</code></example>
public enum HandlerResponse
{
    /// <summary>Drop the record (it is counted as dropped) and go on.</summary>
    Continue,

    /// <summary>Fail the task.</summary>
    Fail,
}

/// <summary>Where an error happened: the task, processor and input record's origin.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="ProcessorNodeId">The processor (or source/sink) name.</param>
/// <param name="Topic">The input topic, when known.</param>
/// <param name="Partition">The input partition, or -1.</param>
/// <param name="Offset">The input offset, or -1.</param>
/// <param name="Timestamp">The record timestamp.</param>
/// <param name="Headers">The record headers.</param>
/// <example><code>logger.LogWarning("failed in {Node} at {Topic}-{Partition}@{Offset}", c.ProcessorNodeId, c.Topic, c.Partition, c.Offset);</code></example>
public readonly record struct ErrorHandlerContext(TaskId TaskId, string ProcessorNodeId, string? Topic, int Partition, long Offset, long Timestamp, Headers Headers);

/// <summary>Decides what happens when an input record cannot be deserialized (<c>deserialization.exception.handler</c>).</summary>
/// <example>
/// <code>config.DeserializationExceptionHandler = new LogAndContinueExceptionHandler();</code>
/// </example>
public interface IDeserializationExceptionHandler
{
    /// <summary>Handles one failure.</summary>
    /// <param name="context">Where it happened.</param>
    /// <param name="record">The raw record.</param>
    /// <param name="exception">The deserializer's exception.</param>
    /// <param name="logger">The logger to report through.</param>
    /// <returns>Continue (drop the record) or fail.</returns>
    HandlerResponse Handle(in ErrorHandlerContext context, in ConsumeRecord<byte[]?, byte[]?> record, Exception exception, ILogger logger);
}

/// <summary>Logs the failure and drops the record.</summary>
/// <example><code>config.DeserializationExceptionHandler = new LogAndContinueExceptionHandler();</code></example>
public sealed class LogAndContinueExceptionHandler : IDeserializationExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, in ConsumeRecord<byte[]?, byte[]?> record, Exception exception, ILogger logger)
    {
        logger.LogWarning(exception, "Exception caught during Deserialization, taskId: {TaskId}, topic: {Topic}, partition: {Partition}, offset: {Offset}",
            context.TaskId, record.Topic, record.Partition, record.Offset);
        return HandlerResponse.Continue;
    }
}

/// <summary>Logs the failure and fails the task. The default.</summary>
/// <example><code>config.DeserializationExceptionHandler = new LogAndFailExceptionHandler();</code></example>
public sealed class LogAndFailExceptionHandler : IDeserializationExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, in ConsumeRecord<byte[]?, byte[]?> record, Exception exception, ILogger logger)
    {
        logger.LogError(exception, "Exception caught during Deserialization, taskId: {TaskId}, topic: {Topic}, partition: {Partition}, offset: {Offset}",
            context.TaskId, record.Topic, record.Partition, record.Offset);
        return HandlerResponse.Fail;
    }
}

/// <summary>A record a sink could not write: its serialized form (null when serialization itself failed).</summary>
/// <param name="Topic">The target topic.</param>
/// <param name="Partition">The partition, when chosen.</param>
/// <param name="Timestamp">The timestamp.</param>
/// <param name="Key">The serialized key.</param>
/// <param name="Value">The serialized value.</param>
/// <param name="Headers">The headers.</param>
/// <example><code>logger.LogWarning("could not write to {Topic}", record.Topic);</code></example>
public readonly record struct ProducerRecord(string Topic, int? Partition, long Timestamp, byte[]? Key, byte[]? Value, Headers? Headers);

/// <summary>Whether a production error happened while serializing or while sending.</summary>
/// <example><code>if (origin == ProductionErrorOrigin.Serialization) { }</code></example>
public enum ProductionErrorOrigin
{
    /// <summary>The key or value serializer threw.</summary>
    Serialization,

    /// <summary>The producer could not send the record.</summary>
    Send,
}

/// <summary>Decides what happens when a sink cannot serialize or send a record (<c>production.exception.handler</c>).</summary>
/// <example><code>config.ProductionExceptionHandler = new ContinueOnProductionExceptionHandler();</code></example>
public interface IProductionExceptionHandler
{
    /// <summary>Handles one failure.</summary>
    /// <param name="context">Where it happened.</param>
    /// <param name="record">The record (key and value are null when serialization failed).</param>
    /// <param name="exception">The exception.</param>
    /// <param name="origin">Serialization or send.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>Continue (drop it) or fail.</returns>
    HandlerResponse Handle(in ErrorHandlerContext context, in ProducerRecord record, Exception exception, ProductionErrorOrigin origin, ILogger logger);
}

/// <summary>Fails on every production error. The default.</summary>
/// <example><code>config.ProductionExceptionHandler = new DefaultProductionExceptionHandler();</code></example>
public sealed class DefaultProductionExceptionHandler : IProductionExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, in ProducerRecord record, Exception exception, ProductionErrorOrigin origin, ILogger logger)
    {
        logger.LogError(exception, "Error {Origin} a record to topic {Topic} in task {TaskId}", origin == ProductionErrorOrigin.Serialization ? "serializing" : "sending", record.Topic, context.TaskId);
        return HandlerResponse.Fail;
    }
}

/// <summary>Logs production errors and drops the record.</summary>
/// <example><code>config.ProductionExceptionHandler = new ContinueOnProductionExceptionHandler();</code></example>
public sealed class ContinueOnProductionExceptionHandler : IProductionExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, in ProducerRecord record, Exception exception, ProductionErrorOrigin origin, ILogger logger)
    {
        logger.LogWarning(exception, "Dropping a record for topic {Topic} in task {TaskId} after a {Origin} error", record.Topic, context.TaskId, origin);
        return HandlerResponse.Continue;
    }
}

/// <summary>Decides what happens when a processor throws (<c>processing.exception.handler</c>, KIP-1033).</summary>
/// <example><code>config.ProcessingExceptionHandler = new LogAndContinueProcessingExceptionHandler();</code></example>
public interface IProcessingExceptionHandler
{
    /// <summary>Handles one failure.</summary>
    /// <param name="context">Where it happened.</param>
    /// <param name="key">The key of the record being processed.</param>
    /// <param name="value">The value of the record being processed.</param>
    /// <param name="exception">The processor's exception.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>Continue (drop the record) or fail.</returns>
    HandlerResponse Handle(in ErrorHandlerContext context, object? key, object? value, Exception exception, ILogger logger);
}

/// <summary>Logs and drops the record.</summary>
/// <example><code>config.ProcessingExceptionHandler = new LogAndContinueProcessingExceptionHandler();</code></example>
public sealed class LogAndContinueProcessingExceptionHandler : IProcessingExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, object? key, object? value, Exception exception, ILogger logger)
    {
        logger.LogWarning(exception, "Exception caught during message processing: processor {Node}, task {TaskId}, topic {Topic}, partition {Partition}, offset {Offset}",
            context.ProcessorNodeId, context.TaskId, context.Topic, context.Partition, context.Offset);
        return HandlerResponse.Continue;
    }
}

/// <summary>Logs and fails the task. The default.</summary>
/// <example><code>config.ProcessingExceptionHandler = new LogAndFailProcessingExceptionHandler();</code></example>
public sealed class LogAndFailProcessingExceptionHandler : IProcessingExceptionHandler
{
    /// <inheritdoc/>
    public HandlerResponse Handle(in ErrorHandlerContext context, object? key, object? value, Exception exception, ILogger logger)
    {
        logger.LogError(exception, "Exception caught during message processing: processor {Node}, task {TaskId}, topic {Topic}, partition {Partition}, offset {Offset}",
            context.ProcessorNodeId, context.TaskId, context.Topic, context.Partition, context.Offset);
        return HandlerResponse.Fail;
    }
}
