namespace Eddy.Protocol.Messages;

/// <summary>A Kafka protocol message that can encode itself at a given version.</summary>
public interface IKafkaMessage
{
    /// <summary>Tagged fields (KIP-482) that were read but are unknown to Eddy; written back unchanged.</summary>
    List<RawTaggedField>? UnknownTaggedFields { get; set; }

    /// <summary>Encodes the message body (no header, no size prefix) at <paramref name="version"/>.</summary>
    void Write(KafkaWriter writer, short version);
}

/// <summary>A message type that can decode itself; lets generic code read any message.</summary>
/// <typeparam name="TSelf">The message type.</typeparam>
/// <example>
/// <code>
/// static T Decode&lt;T&gt;(ReadOnlyMemory&lt;byte&gt; body, short version) where T : IKafkaMessage&lt;T&gt;
/// {
///     var reader = new KafkaReader(body);
///     return T.Read(ref reader, version);
/// }
/// </code>
/// </example>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : IKafkaMessage<TSelf>
{
    /// <summary>The lowest version the message definition has.</summary>
    static abstract short LowestVersion { get; }

    /// <summary>The highest version the message definition has.</summary>
    static abstract short HighestVersion { get; }

    /// <summary>The first flexible version, or -1 if the message has none.</summary>
    static abstract short FirstFlexibleVersion { get; }

    /// <summary>Decodes the message body at <paramref name="version"/>.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>A request body.</summary>
public interface IKafkaRequest : IKafkaMessage
{
    /// <summary>The API this request belongs to.</summary>
    ApiKey ApiKey { get; }
}

/// <summary>A request body whose response type is known.</summary>
/// <typeparam name="TSelf">The request type.</typeparam>
/// <typeparam name="TResponse">The response type.</typeparam>
public interface IKafkaRequest<TSelf, TResponse> : IKafkaRequest, IKafkaMessage<TSelf>
    where TSelf : IKafkaRequest<TSelf, TResponse>
    where TResponse : IKafkaResponse<TResponse>
{
}

/// <summary>A response body.</summary>
public interface IKafkaResponse : IKafkaMessage
{
    /// <summary>The API this response belongs to.</summary>
    ApiKey ApiKey { get; }
}

/// <summary>A response body that can decode itself.</summary>
/// <typeparam name="TSelf">The response type.</typeparam>
public interface IKafkaResponse<TSelf> : IKafkaResponse, IKafkaMessage<TSelf>
    where TSelf : IKafkaResponse<TSelf>
{
}
