namespace Eddy.Protocol.Messages;

public sealed partial class ApiVersionsResponse
{
    /// <summary>
    /// Reads an ApiVersions response the way Kafka clients do: at the requested version, and if that
    /// fails, in v0 format, because a broker that does not support the requested version answers in
    /// v0 with UNSUPPORTED_VERSION (KIP-511; Kafka's <c>ApiVersionsResponse.parse</c>).
    /// If neither format fits but the body starts with UNSUPPORTED_VERSION, the error alone is
    /// returned with version -1, as librdkafka does: librdkafka 2.0.2's own mock cluster answers an
    /// unsupported v3 request in neither format, and a client must still fall back to a lower version.
    /// </summary>
    /// <example>
    /// <code>
    /// var (response, readVersion) = ApiVersionsResponse.ReadWithFallback(body, requestedVersion: 3);
    /// if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion) { /* retry with a version it lists */ }
    /// </code>
    /// </example>
    public static (ApiVersionsResponse Response, short Version) ReadWithFallback(ReadOnlyMemory<byte> body, short requestedVersion)
    {
        if (requestedVersion > 0 && requestedVersion <= HighestVersion)
        {
            try
            {
                var reader = new KafkaReader(body);
                var response = Read(ref reader, requestedVersion);
                if (reader.End)
                {
                    return (response, requestedVersion);
                }
            }
            catch (KafkaProtocolException)
            {
                // Fall through to v0, as the fallback rule says.
            }
        }

        try
        {
            var v0 = new KafkaReader(body);
            var fallback = Read(ref v0, 0);
            if (v0.End)
            {
                return (fallback, 0);
            }
        }
        catch (KafkaProtocolException) when (StartsWithUnsupportedVersion(body.Span))
        {
            return (new ApiVersionsResponse { ErrorCode = (short)Eddy.Protocol.ErrorCode.UnsupportedVersion }, -1);
        }

        if (StartsWithUnsupportedVersion(body.Span))
        {
            return (new ApiVersionsResponse { ErrorCode = (short)Eddy.Protocol.ErrorCode.UnsupportedVersion }, -1);
        }

        throw new KafkaProtocolException("ApiVersions response fits neither the requested version nor v0");
    }

    private static bool StartsWithUnsupportedVersion(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(body) == (short)Eddy.Protocol.ErrorCode.UnsupportedVersion;
}
