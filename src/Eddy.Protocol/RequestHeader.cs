using Eddy.Protocol.Messages;

namespace Eddy.Protocol;

/// <summary>
/// The header in front of every request (Kafka's <c>RequestHeader</c>, versions 1 and 2).
/// Its version follows from the API and version it carries: v2, with tagged fields, for flexible
/// requests; v1 otherwise. <c>ClientId</c> keeps its INT16 length even in v2.
/// </summary>
/// <example>
/// <code>
/// var reader = new KafkaReader(frame);
/// var header = RequestHeader.Read(ref reader);
/// if (KafkaApis.Find((short)header.ApiKey) is { } api &amp;&amp; api.IsSupported(header.ApiVersion))
///     var body = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
/// </code>
/// </example>
public sealed class RequestHeader
{
    /// <summary>The API of the request; may be a key Eddy does not implement.</summary>
    public ApiKey ApiKey { get; set; }

    /// <summary>The version of the request body.</summary>
    public short ApiVersion { get; set; }

    /// <summary>Echoed in the response so the client can match it to the request.</summary>
    public int CorrelationId { get; set; }

    /// <summary>The client's self-chosen id, or null.</summary>
    public string? ClientId { get; set; }

    /// <summary>Tagged fields of a v2 header that Eddy does not know.</summary>
    public List<RawTaggedField>? UnknownTaggedFields { get; set; }

    /// <summary>The header version for a request of <paramref name="apiKey"/> at <paramref name="apiVersion"/>.</summary>
    public static short HeaderVersion(ApiKey apiKey, short apiVersion) =>
        KafkaApis.Find((short)apiKey) is { } api ? api.RequestHeaderVersion(apiVersion) : (short)1;

    /// <summary>Whether this request's body uses the flexible encoding.</summary>
    public bool IsFlexible => HeaderVersion(ApiKey, ApiVersion) >= 2;

    /// <summary>
    /// Reads a header. The key, version and correlation id come first in every header version, so
    /// even a request for an unknown API or version yields enough to answer it with an error.
    /// </summary>
    public static RequestHeader Read(ref KafkaReader reader)
    {
        reader.Message = "RequestHeader";
        reader.Field = "RequestApiKey";
        var header = new RequestHeader { ApiKey = (ApiKey)reader.ReadInt16() };
        reader.Field = "RequestApiVersion";
        header.ApiVersion = reader.ReadInt16();
        reader.Field = "CorrelationId";
        header.CorrelationId = reader.ReadInt32();
        reader.Field = "ClientId";
        header.ClientId = reader.ReadNullableString();
        if (HeaderVersion(header.ApiKey, header.ApiVersion) >= 2)
        {
            reader.Field = "RequestHeader tagged fields";
            int count = reader.ReadTaggedFieldCount();
            for (int i = 0; i < count; i++)
            {
                uint tag = reader.ReadUnsignedVarInt();
                uint size = reader.ReadUnsignedVarInt();
                if (size > (uint)reader.Remaining)
                {
                    throw reader.Error($"tagged field {tag} size {size} exceeds the {reader.Remaining} bytes that remain");
                }

                (header.UnknownTaggedFields ??= []).Add(new RawTaggedField((int)tag, reader.ReadSpan((int)size).ToArray()));
            }
        }

        reader.Field = null;
        reader.Message = null;
        return header;
    }

    /// <summary>Writes the header in the version its API and version call for.</summary>
    public void Write(KafkaWriter writer)
    {
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteNullableString(ClientId);
        if (IsFlexible)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            TaggedFields.WriteAll(writer, UnknownTaggedFields);
        }
    }
}

/// <summary>
/// The header in front of every response (Kafka's <c>ResponseHeader</c>): v1, with tagged fields,
/// for flexible responses, v0 otherwise, and always v0 for ApiVersions (KIP-511).
/// </summary>
/// <example>
/// <code>
/// var header = ResponseHeader.Read(ref reader, ApiKey.Metadata, version);
/// var response = MetadataResponse.Read(ref reader, version);
/// </code>
/// </example>
public sealed class ResponseHeader
{
    /// <summary>The correlation id of the request this answers.</summary>
    public int CorrelationId { get; set; }

    /// <summary>Tagged fields of a v1 header that Eddy does not know.</summary>
    public List<RawTaggedField>? UnknownTaggedFields { get; set; }

    /// <summary>The header version of a response to <paramref name="apiKey"/> at <paramref name="apiVersion"/>.</summary>
    public static short HeaderVersion(ApiKey apiKey, short apiVersion) =>
        KafkaApis.Find((short)apiKey) is { } api ? api.ResponseHeaderVersion(apiVersion) : (short)0;

    /// <summary>Reads the header of a response to <paramref name="apiKey"/> at <paramref name="apiVersion"/>.</summary>
    public static ResponseHeader Read(ref KafkaReader reader, ApiKey apiKey, short apiVersion)
    {
        reader.Message = "ResponseHeader";
        reader.Field = "CorrelationId";
        var header = new ResponseHeader { CorrelationId = reader.ReadInt32() };
        if (HeaderVersion(apiKey, apiVersion) >= 1)
        {
            reader.Field = "ResponseHeader tagged fields";
            int count = reader.ReadTaggedFieldCount();
            for (int i = 0; i < count; i++)
            {
                uint tag = reader.ReadUnsignedVarInt();
                uint size = reader.ReadUnsignedVarInt();
                if (size > (uint)reader.Remaining)
                {
                    throw reader.Error($"tagged field {tag} size {size} exceeds the {reader.Remaining} bytes that remain");
                }

                (header.UnknownTaggedFields ??= []).Add(new RawTaggedField((int)tag, reader.ReadSpan((int)size).ToArray()));
            }
        }

        reader.Field = null;
        reader.Message = null;
        return header;
    }

    /// <summary>Writes the header for a response to <paramref name="apiKey"/> at <paramref name="apiVersion"/>.</summary>
    public void Write(KafkaWriter writer, ApiKey apiKey, short apiVersion)
    {
        writer.WriteInt32(CorrelationId);
        if (HeaderVersion(apiKey, apiVersion) >= 1)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            TaggedFields.WriteAll(writer, UnknownTaggedFields);
        }
    }
}
