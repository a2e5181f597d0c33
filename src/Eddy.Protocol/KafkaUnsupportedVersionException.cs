namespace Eddy.Protocol;

/// <summary>
/// Thrown when a message cannot be encoded or decoded at the requested version: the version is
/// outside the message's range, or a field the version cannot carry holds a non-default value
/// (Kafka's <c>UnsupportedVersionException</c>). A client can react by choosing another version.
/// </summary>
/// <example>
/// <code>
/// try { request.Write(writer, version); }
/// catch (KafkaUnsupportedVersionException e) { /* e.g. this broker is too old for the feature */ }
/// </code>
/// </example>
public class KafkaUnsupportedVersionException : KafkaProtocolException
{
    /// <summary>Creates the exception.</summary>
    public KafkaUnsupportedVersionException(string message)
        : base(message, ErrorCode.UnsupportedVersion)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public KafkaUnsupportedVersionException()
        : this("The message version is not supported.")
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    public KafkaUnsupportedVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
