using Eddy.Protocol;

namespace Eddy.Client;

/// <summary>
/// A Kafka error: a broker error code (<see cref="Error"/>) with its description, or a client-side
/// failure (timeout, connection lost, malformed response). <see cref="IsRetriable"/> says whether the
/// same call may succeed if tried again.
/// </summary>
/// <example>
/// <code>
/// try { await producer.ProduceAsync("orders", message); }
/// catch (KafkaException e) when (e.Error == ErrorCode.TopicAuthorizationFailed) { ... }
/// </code>
/// </example>
public class KafkaException : Exception
{
    /// <summary>Creates an exception for a Kafka error code.</summary>
    public KafkaException(ErrorCode error, string? message = null, Exception? innerException = null)
        : base(message ?? Describe(error), innerException)
    {
        Error = error;
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public KafkaException()
        : this(ErrorCode.UnknownServerError)
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public KafkaException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public KafkaException(string message, Exception innerException)
        : this(ErrorCode.UnknownServerError, message, innerException)
    {
    }

    /// <summary>The Kafka error code.</summary>
    public ErrorCode Error { get; }

    /// <summary>Whether retrying the same operation may succeed (Kafka's RetriableException).</summary>
    public virtual bool IsRetriable => Error.IsRetriable();

    internal static string Describe(ErrorCode error) => $"{error.Info().Name} ({(short)error}): {error.Describe()}";
}

/// <summary>A setting is unknown, of the wrong type, out of range, or conflicts with another.</summary>
/// <example>
/// <code>
/// try { _ = new KafkaProducer&lt;string, string&gt;(config, Serializers.Utf8, Serializers.Utf8); }
/// catch (KafkaConfigException e) { Console.Error.WriteLine($"{e.Setting}: {e.Message}"); }
/// </code>
/// </example>
public sealed class KafkaConfigException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="setting"/>.</summary>
    public KafkaConfigException(string setting, string message)
        : base(message)
    {
        Setting = setting;
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConfigException()
        : this(string.Empty, "invalid configuration")
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConfigException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = string.Empty;
    }

    /// <summary>The Kafka name of the offending setting.</summary>
    public string Setting { get; }
}

/// <summary>A connection to a broker failed, closed mid-response or carried bytes that are not Kafka's protocol. Retriable.</summary>
/// <example>
/// <code>
/// catch (KafkaConnectionException e) { logger.LogWarning(e, "broker {Broker} unreachable", e.Broker); }
/// </code>
/// </example>
public sealed class KafkaConnectionException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException(string broker, string message, Exception? innerException = null)
        : base(ErrorCode.NetworkException, message, innerException)
    {
        Broker = broker;
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException()
        : this(string.Empty, "connection failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    /// <summary>The broker, as host:port (and node id when known).</summary>
    public string Broker { get; }

    /// <inheritdoc />
    public override bool IsRetriable => true;
}

/// <summary>A request got no response within request.timeout.ms, or an operation ran out of time.</summary>
/// <example>
/// <code>
/// catch (KafkaTimeoutException) { /* retry later */ }
/// </code>
/// </example>
public sealed class KafkaTimeoutException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaTimeoutException(string message, Exception? innerException = null)
        : base(ErrorCode.RequestTimedOut, message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaTimeoutException()
        : this("the operation timed out")
    {
    }

    /// <summary>Creates the exception.</summary>
    public KafkaTimeoutException(string message)
        : this(message, null)
    {
    }

    /// <inheritdoc />
    public override bool IsRetriable => true;
}
