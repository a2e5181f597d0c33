using System.Buffers;
using System.Buffers.Binary;
using Eddy.Protocol.Messages;

namespace Eddy.Protocol;

/// <summary>
/// Kafka's framing: every request and response is an INT32 size followed by that many bytes.
/// The size is checked against a limit before anything is allocated for the frame.
/// </summary>
/// <example>
/// <code>
/// while (KafkaFrame.TryRead(ref buffer, maxFrameBytes, out var frame)) { Handle(frame); }
/// </code>
/// </example>
public static class KafkaFrame
{
    /// <summary>Kafka's default <c>socket.request.max.bytes</c>: 100 MiB.</summary>
    public const int DefaultMaxRequestBytes = 100 * 1024 * 1024;

    /// <summary>
    /// Takes one complete frame (without its size prefix) off the front of <paramref name="buffer"/>.
    /// Returns false if the frame is not complete yet. A negative size, or one above
    /// <paramref name="maxFrameBytes"/>, throws <see cref="KafkaProtocolException"/> at once, without
    /// waiting for (or buffering) the frame's bytes.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 0)
        {
            throw new KafkaProtocolException($"frame size {size} is negative", ErrorCode.InvalidRequest);
        }

        if (size > maxFrameBytes)
        {
            throw new KafkaProtocolException($"frame size {size} is larger than the {maxFrameBytes}-byte limit", ErrorCode.InvalidRequest);
        }

        if (buffer.Length - 4 < size)
        {
            return false;
        }

        frame = buffer.Slice(4, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>Writes a size-prefixed request: header (in the version the API calls for) then body.</summary>
    public static void WriteRequest(KafkaWriter writer, RequestHeader header, IKafkaRequest body)
    {
        int sizeAt = writer.ReserveInt32();
        header.Write(writer);
        body.Write(writer, header.ApiVersion);
        writer.PatchInt32(sizeAt, writer.Position - sizeAt - 4);
    }

    /// <summary>Writes a size-prefixed response: header (v0, or v1 for flexible responses except ApiVersions) then body.</summary>
    public static void WriteResponse(KafkaWriter writer, int correlationId, short apiVersion, IKafkaResponse body)
    {
        int sizeAt = writer.ReserveInt32();
        new ResponseHeader { CorrelationId = correlationId }.Write(writer, body.ApiKey, apiVersion);
        body.Write(writer, apiVersion);
        writer.PatchInt32(sizeAt, writer.Position - sizeAt - 4);
    }
}
