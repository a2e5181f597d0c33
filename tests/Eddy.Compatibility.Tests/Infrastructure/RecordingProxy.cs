using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>A message seen by the proxy, with its exact bytes and Eddy's decoding of them.</summary>
internal sealed record ProxiedMessage(bool IsResponse, ApiKey ApiKey, short Version, IKafkaMessage Body, byte[] Frame, int BodyOffset);

/// <summary>
/// Sits between real clients and real brokers (one listener per broker), decodes every request and
/// response with Eddy's codecs, and forwards the original bytes. Metadata responses are rewritten so
/// that clients keep talking through the proxy. Anything Eddy cannot decode exactly is an error.
/// </summary>
internal sealed class RecordingProxy : IAsyncDisposable
{
    private readonly List<(TcpListener Listener, DnsEndPoint Upstream)> _listeners = [];
    private readonly Dictionary<(string Host, int Port), int> _proxyPortByUpstream = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    public RecordingProxy(IEnumerable<(string Host, int Port)> upstreams)
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

    public string Bootstrap => string.Join(",", _listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.Listener.LocalEndpoint).Port}"));

    public ConcurrentQueue<ProxiedMessage> Messages { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Peer behaviour that breaks the protocol in a known way, recorded rather than failed.</summary>
    public ConcurrentQueue<string> Quirks { get; } = new();

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
        catch (OperationCanceledException)
        {
        }
        catch (SocketException e)
        {
            Errors.Enqueue($"proxy to {upstream}: {e.Message}");
        }
    }

    private async Task PumpAsync(Socket from, Socket to, ConcurrentDictionary<int, (ApiKey, short)> pending, bool requests)
    {
        await using var input = new NetworkStream(from, ownsSocket: true);
        await using var output = new NetworkStream(to, ownsSocket: true);
        var reader = PipeReader.Create(input);
        using var writer = new KafkaWriter();
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                while (KafkaFrame.TryRead(ref buffer, KafkaFrame.DefaultMaxRequestBytes, out var frameSequence))
                {
                    byte[] frame = frameSequence.ToArray();
                    byte[] forward = requests ? OnRequest(frame, pending) : OnResponse(frame, pending);
                    writer.Reset();
                    writer.WriteInt32(forward.Length);
                    writer.WriteRaw(forward);
                    await output.WriteAsync(writer.WrittenMemory, _stop.Token);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (Exception e)
        {
            Errors.Enqueue(e.ToString());
        }
        finally
        {
            // One side closed: close the other so the peer sees it.
            to.Close();
        }
    }

    private byte[] OnRequest(byte[] frame, ConcurrentDictionary<int, (ApiKey, short)> pending)
    {
        var reader = new KafkaReader(frame.AsMemory());
        var header = RequestHeader.Read(ref reader);
        pending[header.CorrelationId] = (header.ApiKey, header.ApiVersion);
        int bodyOffset = reader.Position;
        try
        {
            var body = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
            if (!reader.End)
            {
                Errors.Enqueue($"request {header.ApiKey} v{header.ApiVersion}: {reader.Remaining} bytes left over");
            }

            Messages.Enqueue(new ProxiedMessage(false, header.ApiKey, header.ApiVersion, body, frame, bodyOffset));
        }
        catch (KafkaProtocolException e)
        {
            Errors.Enqueue($"request {header.ApiKey} v{header.ApiVersion}: {e.Message}");
        }

        return frame;
    }

    private byte[] OnResponse(byte[] frame, ConcurrentDictionary<int, (ApiKey, short)> pending)
    {
        int correlationId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame);
        if (!pending.TryRemove(correlationId, out var request))
        {
            Errors.Enqueue($"response with unknown correlation id {correlationId}");
            return frame;
        }

        var (apiKey, version) = request;
        var reader = new KafkaReader(frame.AsMemory());
        ResponseHeader.Read(ref reader, apiKey, version);
        int bodyOffset = reader.Position;
        IKafkaResponse body;
        try
        {
            if (apiKey == ApiKey.ApiVersions)
            {
                (var response, version) = ApiVersionsResponse.ReadWithFallback(frame.AsMemory(bodyOffset), version);
                body = response;
                if (version < 0)
                {
                    // Only the error code could be read (librdkafka's mock cluster quirk); nothing to re-encode.
                    Quirks.Enqueue($"ApiVersions v{request.Item2} refusal in neither v{request.Item2} nor v0 format: {Convert.ToHexString(frame)}");
                    return frame;
                }
            }
            else
            {
                body = KafkaApis.ReadResponse(apiKey, version, ref reader);
                if (!reader.End)
                {
                    Errors.Enqueue($"response {apiKey} v{version}: {reader.Remaining} bytes left over");
                }
            }
        }
        catch (KafkaProtocolException e)
        {
            Errors.Enqueue($"response {apiKey} v{version}: {e.Message}: {Convert.ToHexString(frame)}");
            return frame;
        }

        Messages.Enqueue(new ProxiedMessage(true, apiKey, version, body, frame, bodyOffset));
        switch (body)
        {
            case MetadataResponse metadata:
                // Keep the client on the proxy: advertise our listeners instead of the brokers.
                foreach (var broker in metadata.Brokers)
                {
                    (broker.Host, broker.Port) = ProxyFor(broker.Host, broker.Port);
                }

                break;
            case FindCoordinatorResponse coordinator:
                (coordinator.Host, coordinator.Port) = ProxyFor(coordinator.Host, coordinator.Port);
                foreach (var c in coordinator.Coordinators)
                {
                    (c.Host, c.Port) = ProxyFor(c.Host, c.Port);
                }

                break;
            default:
                return frame;
        }

        using var rewritten = new KafkaWriter();
        rewritten.WriteRaw(frame.AsSpan(0, bodyOffset));
        body.Write(rewritten, version);
        return rewritten.ToArray();
    }

    /// <summary>Whether a decoded message was rewritten before forwarding (so its bytes differ on purpose).</summary>
    public static bool IsRewritten(IKafkaMessage body) => body is MetadataResponse or FindCoordinatorResponse;

    private (string Host, int Port) ProxyFor(string host, int port)
    {
        if (port <= 0 || host.Length == 0)
        {
            return (host, port); // e.g. a FindCoordinator error response carries no endpoint
        }

        if (_proxyPortByUpstream.TryGetValue((host, port), out int proxyPort))
        {
            return ("127.0.0.1", proxyPort);
        }

        Errors.Enqueue($"response names a broker the proxy does not front: {host}:{port}");
        return (host, port);
    }

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
