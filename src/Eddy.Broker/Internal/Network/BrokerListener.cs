using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Eddy.Broker.Internal.Handlers;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Network;

/// <summary>The TCP listener of one broker node: accepts connections and runs each on its own task.</summary>
internal sealed class BrokerListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly RequestHandler _handler;
    private readonly ILogger _logger;
    private readonly BrokerMetrics _metrics;
    private readonly int _maxRequestBytes;
    private readonly ConcurrentDictionary<ClientConnection, Task> _connections = new();
    private Task? _accepting;

    public BrokerListener(int nodeId, IPEndPoint endpoint, RequestHandler handler, int maxRequestBytes, ILogger logger, BrokerMetrics metrics)
    {
        NodeId = nodeId;
        _handler = handler;
        _logger = logger;
        _metrics = metrics;
        _maxRequestBytes = maxRequestBytes;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int NodeId { get; }

    public int Port { get; }

    public void Start() => _accepting = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            var connection = new ClientConnection(client, _handler, NodeId, _maxRequestBytes, _logger, _metrics);
            var task = Task.Run(async () =>
            {
                try
                {
                    await connection.RunAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Connection from {Remote} failed", connection.Remote);
                }
            });
            _connections[connection] = task;
            _ = task.ContinueWith(_ => _connections.TryRemove(connection, out Task? _), TaskScheduler.Default);
        }
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
    }
}
