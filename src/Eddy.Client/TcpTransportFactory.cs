using System.Net.Sockets;

namespace Eddy.Client;

/// <summary>The default transport: a TCP connection with Nagle off.</summary>
/// <example>
/// <code>
/// Stream stream = await new TcpTransportFactory().ConnectAsync("localhost", 9092, ct);
/// </code>
/// </example>
public sealed class TcpTransportFactory : IKafkaTransportFactory
{
    /// <summary>Socket send buffer in bytes (send.buffer.bytes); -1 keeps the OS default.</summary>
    public int SendBufferBytes { get; init; } = -1;

    /// <summary>Socket receive buffer in bytes (receive.buffer.bytes); -1 keeps the OS default.</summary>
    public int ReceiveBufferBytes { get; init; } = -1;

    /// <inheritdoc />
    public async ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (SendBufferBytes > 0)
            {
                socket.SendBufferSize = SendBufferBytes;
            }

            if (ReceiveBufferBytes > 0)
            {
                socket.ReceiveBufferSize = ReceiveBufferBytes;
            }

            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
