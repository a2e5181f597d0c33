namespace Eddy.Streams.Errors;

/// <summary>The base exception of Eddy.Streams, as Kafka Streams' <c>StreamsException</c>.</summary>
/// <example><code>throw new StreamsException("state store 'counts' is not open");</code></example>
public class StreamsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamsException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StreamsException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StreamsException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The task in which the error happened, when known.</summary>
    public TaskId? TaskId { get; init; }
}

/// <summary>A topology is invalid: a duplicate name, a missing parent, a store that was never added.</summary>
/// <example><code>throw new TopologyException("Processor p is already added.");</code></example>
public sealed class TopologyException : StreamsException
{
    /// <summary>Creates the exception.</summary>
    public TopologyException() { }

    /// <summary>Creates the exception with a message, prefixed like Kafka's "Invalid topology: ".</summary>
    /// <param name="message">What is wrong.</param>
    public TopologyException(string message) : base("Invalid topology: " + message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TopologyException(string message, Exception innerException) : base("Invalid topology: " + message, innerException) { }
}

/// <summary>A state store failed, or was used while closed.</summary>
/// <example><code>throw new ProcessorStateException("store counts failed to flush");</code></example>
public class ProcessorStateException : StreamsException
{
    /// <summary>Creates the exception.</summary>
    public ProcessorStateException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ProcessorStateException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ProcessorStateException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A state store cannot be used now: it is closed, not yet open, or the caller may not write it.</summary>
/// <example><code>throw new InvalidStateStoreException("Store counts is currently closed.");</code></example>
public sealed class InvalidStateStoreException : ProcessorStateException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStateStoreException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidStateStoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidStateStoreException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A processor failed and the processing exception handler chose to fail.</summary>
/// <example><code>throw new FailedProcessingException("KSTREAM-MAP-0000000001", cause);</code></example>
public sealed class FailedProcessingException : StreamsException
{
    /// <summary>Creates the exception.</summary>
    public FailedProcessingException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public FailedProcessingException(string message) : base(message) { }

    /// <summary>Creates the exception for a processor and its cause.</summary>
    /// <param name="processorName">The failing processor.</param>
    /// <param name="innerException">The cause.</param>
    public FailedProcessingException(string processorName, Exception innerException)
        : base($"Exception caught in process. processor={processorName}: {innerException.Message}", innerException)
        => ProcessorName = processorName;

    /// <summary>The processor that failed.</summary>
    public string? ProcessorName { get; }
}
