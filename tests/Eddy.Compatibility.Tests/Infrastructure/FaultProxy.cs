using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>What the proxy does to a response.</summary>
public enum ResponseFault
{
    None,

    /// <summary>Drop the response and close the connection (the broker did the work; the client never hears).</summary>
    DropAndClose,

    /// <summary>Send bytes that are not a Kafka response (an HTTP error page).</summary>
    Garbage,

    /// <summary>Send the first half of the response, then close.</summary>
    Truncate,
}

/// <summary>
/// A proxy in front of real brokers (one listener per broker) that forwards frames and rewrites
/// Metadata/FindCoordinator endpoints to itself, and can break chosen responses: for fault tests.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly List<(TcpListener Listener, DnsEndPoint Upstream)> _listeners = [];
    private readonly Dictionary<(string Host, int Port), int> _proxyPortByUpstream = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly ConcurrentDictionary<ApiKey, int> _counts = new();

    public FaultProxy(IEnumerable<(string Host, int Port)> upstreams)
    {
        foreach (var (host, port) in upstreams)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            _listeners.Add((listener, new DnsEndPoint(host, port)));
            _proxyPortByUpstream[(host, port)] = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        foreach (var (listener, upstream) in _listeners)
        {
            _tasks.Add(AcceptAsync(listener, upstream));
        }
    }

    public static FaultProxy For(string bootstrap) =>
        new(bootstrap.Split(',').Select(b => (b[..b.LastIndexOf(':')], int.Parse(b[(b.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))));

    public string Bootstrap => string.Join(",", _listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.Listener.LocalEndpoint).Port}"));

    /// <summary>Decides the fault for the n-th (1-based) response of an API.</summary>
    public Func<ApiKey, int, ResponseFault> Policy { get; set; } = (_, _) => ResponseFault.None;

    public ConcurrentQueue<string> Injected { get; } = new();

    /// <summary>Responses of an API seen so far.</summary>
    public int Count(ApiKey api) => _counts.GetValueOrDefault(api);

    private async Task AcceptAsync(TcpListener listener, DnsEndPoint upstream)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptSocketAsync(_stop.Token);
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(upstream, _stop.Token);
                var pending = new ConcurrentDictionary<int, (ApiKey, short)>();
                lock (_tasks)
                {
                    _tasks.Add(PumpAsync(client, server, pending, requests: true));
                    _tasks.Add(PumpAsync(server, client, pending, requests: false));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, ConcurrentDictionary<int, (ApiKey, short)> pending, bool requests)
    {
        var input = new NetworkStream(from, ownsSocket: true);
        var output = new NetworkStream(to, ownsSocket: true);
        var reader = PipeReader.Create(input);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                while (KafkaFrame.TryRead(ref buffer, KafkaFrame.DefaultMaxRequestBytes, out var frameSequence))
                {
                    byte[] frame = System.Buffers.BuffersExtensions.ToArray(frameSequence);
                    if (requests)
                    {
                        var r = new KafkaReader(frame.AsMemory());
                        var header = RequestHeader.Read(ref r);
                        pending[header.CorrelationId] = (header.ApiKey, header.ApiVersion);
                        await WriteFrameAsync(output, frame);
                        continue;
                    }

                    int correlationId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame);
                    pending.TryRemove(correlationId, out var request);
                    int n = _counts.AddOrUpdate(request.Item1, 1, (_, c) => c + 1);
                    var fault = Policy(request.Item1, n);
                    if (fault != ResponseFault.None)
                    {
                        Injected.Enqueue($"{fault} on {request.Item1} response #{n}");
                    }

                    switch (fault)
                    {
                        case ResponseFault.DropAndClose:
                            await CloseGracefullyAsync(from, to);
                            return;
                        case ResponseFault.Garbage:
                            await output.WriteAsync(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), _stop.Token);
                            await CloseGracefullyAsync(from, to);
                            return;
                        case ResponseFault.Truncate:
                            var whole = new byte[frame.Length + 4];
                            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(whole, frame.Length);
                            frame.CopyTo(whole, 4);
                            await output.WriteAsync(whole.AsMemory(0, whole.Length / 2), _stop.Token);
                            await output.FlushAsync();
                            await CloseGracefullyAsync(from, to);
                            return;
                    }

                    await WriteFrameAsync(output, Rewrite(frame, request.Item1, request.Item2));
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Close();
        }
    }

    /// <summary>FIN to the client (not a reset), so it sees the stream end after what was sent.</summary>
    private static async Task CloseGracefullyAsync(Socket server, Socket client)
    {
        client.Shutdown(SocketShutdown.Send);
        await Task.Delay(200);
        server.Close();
        client.Close();
    }

    private async Task WriteFrameAsync(Stream output, byte[] frame)
    {
        var whole = new byte[frame.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(whole, frame.Length);
        frame.CopyTo(whole, 4);
        await output.WriteAsync(whole, _stop.Token);
    }

    private byte[] Rewrite(byte[] frame, ApiKey apiKey, short version)
    {
        if (apiKey is not (ApiKey.Metadata or ApiKey.FindCoordinator))
        {
            return frame;
        }

        var reader = new KafkaReader(frame.AsMemory());
        ResponseHeader.Read(ref reader, apiKey, version);
        int bodyOffset = reader.Position;
        var body = KafkaApis.ReadResponse(apiKey, version, ref reader);
        switch (body)
        {
            case MetadataResponse metadata:
                foreach (var broker in metadata.Brokers)
                {
                    (broker.Host, broker.Port) = ProxyFor(broker.Host, broker.Port);
                }

                break;
            case FindCoordinatorResponse coordinator:
                (coordinator.Host, coordinator.Port) = ProxyFor(coordinator.Host, coordinator.Port);
                break;
        }

        using var rewritten = new KafkaWriter();
        rewritten.WriteRaw(frame.AsSpan(0, bodyOffset));
        body.Write(rewritten, version);
        return rewritten.ToArray();
    }

    private (string Host, int Port) ProxyFor(string host, int port) =>
        port > 0 && _proxyPortByUpstream.TryGetValue((host, port), out int proxyPort) ? ("127.0.0.1", proxyPort) : (host, port);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (listener, _) in _listeners)
        {
            listener.Stop();
        }

        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        _stop.Dispose();
    }
}
