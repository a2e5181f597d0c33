namespace Eddy.Protocol;

/// <summary>
/// Thrown when bytes on the wire do not follow the Kafka protocol: truncated input, a negative or
/// oversized length, an invalid varint, a bad CRC, an unknown compression codec, and so on.
/// The message always says what was wrong and where.
/// </summary>
/// <remarks>
/// Decoders throw only this exception for bad input; never <see cref="IndexOutOfRangeException"/>
/// or <see cref="OutOfMemoryException"/>. A broker answers the request with <see cref="ErrorCode"/>
/// (for example <see cref="ErrorCode.CorruptMessage"/>) or closes the connection.
/// </remarks>
/// <example>
/// <code>
/// try { var request = ProduceRequest.Read(ref reader, version); }
/// catch (KafkaProtocolException e) { logger.LogWarning("bad request: {Reason}", e.Message); }
/// </code>
/// </example>
public class KafkaProtocolException : Exception
{
    /// <summary>Creates an exception for malformed input.</summary>
    public KafkaProtocolException(string message)
        : this(message, ErrorCode.CorruptMessage)
    {
    }

    /// <summary>Creates an exception for malformed input, with the Kafka error code that best describes it.</summary>
    public KafkaProtocolException(string message, ErrorCode errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an exception that wraps another.</summary>
    public KafkaProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = innerException is KafkaProtocolException inner ? inner.ErrorCode : ErrorCode.CorruptMessage;
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public KafkaProtocolException()
        : this("Malformed Kafka protocol data.")
    {
    }

    /// <summary>The Kafka error code a broker would answer with, e.g. <see cref="ErrorCode.CorruptMessage"/>.</summary>
    public ErrorCode ErrorCode { get; }
}
