using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>A request as a real client sent it: the exact frame bytes and what Eddy decoded from them.</summary>
internal sealed record CapturedRequest(RequestHeader Header, IKafkaRequest? Body, byte[] Frame, int BodyOffset, int Connection);

/// <summary>
/// A loopback listener that answers just enough of the protocol (ApiVersions, Metadata, Produce,
/// InitProducerId, FindCoordinator) for a real client to send the requests we want to capture.
/// It is a capture tool for codec tests, not a broker: it stores nothing.
/// </summary>
internal sealed class ScriptedBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<CapturedRequest> _captured = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _connectionCount;
    private long _nextOffset;

    public ScriptedBroker(int partitions = 1)
    {
        Partitions = partitions;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public string Bootstrap => $"127.0.0.1:{Port}";

    public int Partitions { get; }

    public IReadOnlyList<CapturedRequest> Captured => [.. _captured];

    /// <summary>Errors the listener met (a decode failure is a test failure, not a silent drop).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                int id = Interlocked.Increment(ref _connectionCount);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(socket, id));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = PipeReader.Create(stream);
        using var writer = new KafkaWriter();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                while (KafkaFrame.TryRead(ref buffer, KafkaFrame.DefaultMaxRequestBytes, out var frame))
                {
                    writer.Reset();
                    if (!Handle(frame.ToArray(), connection, writer))
                    {
                        return;
                    }

                    if (writer.Position > 0)
                    {
                        await stream.WriteAsync(writer.WrittenMemory, _stop.Token);
                    }
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
    }

    private bool Handle(byte[] frame, int connection, KafkaWriter output)
    {
        var reader = new KafkaReader(frame.AsMemory());
        var header = RequestHeader.Read(ref reader);
        int bodyOffset = reader.Position;
        var api = KafkaApis.Find((short)header.ApiKey);
        if (header.ApiKey == ApiKey.ApiVersions && (api is null || !api.IsSupported(header.ApiVersion)))
        {
            // The v0 fallback rule: answer an unknown ApiVersions version in v0 with UNSUPPORTED_VERSION.
            _captured.Enqueue(new CapturedRequest(header, null, frame, bodyOffset, connection));
            var refusal = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
            refusal.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = api!.MinSupported, MaxVersion = api.MaxSupported });
            KafkaFrame.WriteResponse(output, header.CorrelationId, 0, refusal);
            return true;
        }

        if (api is null || !api.IsSupported(header.ApiVersion))
        {
            Errors.Enqueue($"unsupported request {header.ApiKey} v{header.ApiVersion}");
            return false;
        }

        IKafkaRequest body;
        try
        {
            body = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
            if (!reader.End)
            {
                Errors.Enqueue($"{header.ApiKey} v{header.ApiVersion}: {reader.Remaining} bytes left after decoding");
            }
        }
        catch (KafkaProtocolException e)
        {
            Errors.Enqueue($"{header.ApiKey} v{header.ApiVersion}: {e.Message}");
            return false;
        }

        _captured.Enqueue(new CapturedRequest(header, body, frame, bodyOffset, connection));
        var response = Respond(header, body);
        if (response is not null)
        {
            KafkaFrame.WriteResponse(output, header.CorrelationId, header.ApiVersion, response);
        }

        return true;
    }

    private IKafkaResponse? Respond(RequestHeader header, IKafkaRequest body)
    {
        switch (body)
        {
            case ApiVersionsRequest:
            {
                var response = new ApiVersionsResponse();
                foreach (var api in KafkaApis.All)
                {
                    // librdkafka 2.0.2 compresses with gzip, snappy or lz4 only if the broker's Produce
                    // range includes v0 (rdkafka_msgset_writer.c, compr_req), so offer it here; the
                    // clients under test still pick v7.
                    short min = api.Key == ApiKey.Produce ? (short)0 : api.MinSupported;
                    response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)api.Key, MinVersion = min, MaxVersion = api.MaxSupported });
                }

                return response;
            }

            case MetadataRequest metadata:
            {
                var response = new MetadataResponse { ClusterId = "eddy-golden", ControllerId = 0 };
                response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = "127.0.0.1", Port = Port });
                var names = metadata.Topics is { Count: > 0 } topics ? topics.Select(t => t.Name ?? "golden") : ["golden"];
                foreach (var name in names)
                {
                    var topic = new MetadataResponse.MetadataResponseTopic { Name = name };
                    for (int p = 0; p < Partitions; p++)
                    {
                        topic.Partitions.Add(new MetadataResponse.MetadataResponsePartition { PartitionIndex = p, LeaderId = 0, ReplicaNodes = [0], IsrNodes = [0] });
                    }

                    response.Topics.Add(topic);
                }

                return response;
            }

            case ProduceRequest produce:
            {
                if (produce.Acks == 0)
                {
                    return null;
                }

                var response = new ProduceResponse();
                foreach (var topic in produce.TopicData)
                {
                    var result = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
                    foreach (var partition in topic.PartitionData)
                    {
                        result.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse
                        {
                            Index = partition.Index,
                            BaseOffset = Interlocked.Add(ref _nextOffset, 10) - 10,
                            LogStartOffset = 0,
                        });
                    }

                    response.Responses.Add(result);
                }

                return response;
            }

            case InitProducerIdRequest:
                return new InitProducerIdResponse { ProducerId = 4242, ProducerEpoch = 0 };

            case FindCoordinatorRequest:
                return new FindCoordinatorResponse { NodeId = 0, Host = "127.0.0.1", Port = Port };

            default:
                return (IKafkaResponse)Activator.CreateInstance(KafkaApis.Find((short)header.ApiKey)!.ResponseType)!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
