using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Eddy.Broker.Internal.Handlers;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Network;

/// <summary>A response ready to be written: a generated message, or a custom body (Fetch copies from the log).</summary>
internal abstract class ResponseBody : IDisposable
{
    public abstract void Write(PipeWriter output, int correlationId, short version);

    public virtual void Dispose()
    {
    }
}

/// <summary>A generated response message, encoded in the request's version.</summary>
internal sealed class MessageBody(IKafkaResponse message) : ResponseBody
{
    public IKafkaResponse Message => message;

    public override void Write(PipeWriter output, int correlationId, short version)
    {
        using var writer = new KafkaWriter(512);
        KafkaFrame.WriteResponse(writer, correlationId, version, message);
        output.Write(writer.WrittenSpan);
    }
}

/// <summary>What a connection knows about itself, for handlers (client id and host, and which broker it reached).</summary>
internal sealed record ConnectionContext(int NodeId, string ClientHost);

/// <summary>
/// One client connection on System.IO.Pipelines. Frames are read and dispatched in order; each
/// request's synchronous part (decoding, and for Produce the append) runs before the next frame is
/// read, while slow parts (fsync, long-poll Fetch, JoinGroup) complete later. Responses are written
/// strictly in request order (pipelining). A bad frame closes only this connection; at most
/// <see cref="MaxInFlight"/> requests wait for their responses, and a frame is buffered only after its
/// size passed socket.request.max.bytes.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    public const int MaxInFlight = 64;
    private readonly Socket _socket;
    private readonly RequestHandler _handler;
    private readonly ILogger _logger;
    private readonly BrokerMetrics _metrics;
    private readonly int _maxRequestBytes;
    private readonly ConnectionContext _context;
    private readonly CancellationTokenSource _closed = new();

    public ClientConnection(Socket socket, RequestHandler handler, int nodeId, int maxRequestBytes, ILogger logger, BrokerMetrics metrics)
    {
        _socket = socket;
        _handler = handler;
        _logger = logger;
        _metrics = metrics;
        _maxRequestBytes = maxRequestBytes;
        var remote = socket.RemoteEndPoint as IPEndPoint;
        _context = new ConnectionContext(nodeId, remote?.Address.ToString() ?? "unknown");
        Remote = remote?.ToString() ?? "unknown";
    }

    public string Remote { get; }

    public void Close()
    {
        try
        {
            _closed.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _closed.Dispose();

    public async Task RunAsync()
    {
        _metrics.Connections.Add(1);
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        var pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        var writing = WriteLoopAsync(pending.Reader, writer);
        try
        {
            await ReadLoopAsync(reader, pending.Writer).ConfigureAwait(false);
            if (!_closed.IsCancellationRequested)
            {
                // The client went away (or sent something we refuse): pending long polls and joins are abandoned.
                pending.Writer.TryComplete();
                await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
                Close();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
        }
        finally
        {
            pending.Writer.TryComplete();
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }

            await reader.CompleteAsync().ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            _metrics.Connections.Add(-1);
            Dispose();
        }
    }

    private readonly record struct Pending(int CorrelationId, short Version, ApiKey ApiKey, ValueTask<ResponseBody?> Response);

    private async Task ReadLoopAsync(PipeReader reader, ChannelWriter<Pending> pending)
    {
        var token = _closed.Token;
        while (!token.IsCancellationRequested)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    ReadOnlySequence<byte> frame;
                    try
                    {
                        if (!KafkaFrame.TryRead(ref buffer, _maxRequestBytes, out frame))
                        {
                            break;
                        }
                    }
                    catch (KafkaProtocolException e)
                    {
                        Reject($"invalid frame: {e.Message}");
                        return;
                    }

                    var item = Dispatch(frame);
                    if (item is null)
                    {
                        return;
                    }

                    await pending.WriteAsync(item.Value, token).ConfigureAwait(false);
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Decodes a frame and starts its handler; null closes the connection.</summary>
    private Pending? Dispatch(ReadOnlySequence<byte> frame)
    {
        byte[]? rented = null;
        ReadOnlyMemory<byte> memory;
        if (frame.IsSingleSegment)
        {
            memory = frame.First;
        }
        else
        {
            int length = checked((int)frame.Length);
            rented = ArrayPool<byte>.Shared.Rent(length);
            frame.CopyTo(rented);
            memory = rented.AsMemory(0, length);
        }

        try
        {
            var reader = new KafkaReader(memory);
            RequestHeader header;
            try
            {
                header = RequestHeader.Read(ref reader);
            }
            catch (KafkaProtocolException e)
            {
                Reject($"malformed request header: {e.Message}");
                return null;
            }

            var api = KafkaApis.Find((short)header.ApiKey);
            if (header.ApiKey == ApiKey.ApiVersions && (api is null || !api.IsSupported(header.ApiVersion)))
            {
                // The v0 fallback rule (KIP-511): answer in v0 with UNSUPPORTED_VERSION and our ApiVersions range.
                _metrics.Requests.Add(1, new KeyValuePair<string, object?>("api", "ApiVersions"));
                return new Pending(header.CorrelationId, 0, header.ApiKey, new ValueTask<ResponseBody?>(RequestHandler.UnsupportedApiVersions()));
            }

            if (api is null || !RequestHandler.IsAdvertised(header.ApiKey) || !api.IsSupported(header.ApiVersion))
            {
                Reject($"unsupported API key {(short)header.ApiKey} version {header.ApiVersion}");
                return null;
            }

            IKafkaRequest body;
            try
            {
                body = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
            }
            catch (KafkaProtocolException e)
            {
                Reject($"malformed {api.Name} v{header.ApiVersion} request: {e.Message}");
                return null;
            }

            _metrics.Requests.Add(1, new KeyValuePair<string, object?>("api", api.Name));
            ValueTask<ResponseBody?> response;
            try
            {
                response = _handler.HandleAsync(_context, header, body);
            }
            catch (Exception e)
            {
                response = ValueTask.FromException<ResponseBody?>(e);
            }

            return new Pending(header.CorrelationId, header.ApiVersion, header.ApiKey, response);
        }
        finally
        {
            // Handlers use the frame only in their synchronous part (ClientConnection's contract).
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Reject(string reason)
    {
        _metrics.ClosedForBadInput.Add(1);
        _logger.LogWarning("Closing connection from {Remote}: {Reason}", Remote, reason);
    }

    /// <summary>
    /// Waits for a slow response, unless the connection closes first; an abandoned response is disposed
    /// when it completes (a Fetch holds segment references until then).
    /// </summary>
    private async Task<ResponseBody?> WaitOrAbandonAsync(Task<ResponseBody?> response)
    {
        try
        {
            return await response.WaitAsync(_closed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!response.IsCompleted)
        {
            _ = response.ContinueWith(t => t.Result?.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    private async Task WriteLoopAsync(ChannelReader<Pending> pending, PipeWriter writer)
    {
        try
        {
            while (await pending.WaitToReadAsync().ConfigureAwait(false))
            {
                while (pending.TryRead(out var item))
                {
                    ResponseBody? body;
                    try
                    {
                        body = item.Response.IsCompleted
                            ? item.Response.Result
                            : await WaitOrAbandonAsync(item.Response.AsTask()).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The connection closed while a long poll or a join was pending.
                        return;
                    }
                    catch (Exception e)
                    {
                        _logger.LogError(e, "{Api} request from {Remote} failed; closing the connection", item.ApiKey, Remote);
                        Close();
                        return;
                    }

                    if (body is not null)
                    {
                        try
                        {
                            body.Write(writer, item.CorrelationId, item.Version);
                        }
                        catch (KafkaProtocolException e)
                        {
                            _logger.LogError(e, "Cannot encode the {Api} v{Version} response for {Remote}; closing the connection", item.ApiKey, item.Version, Remote);
                            Close();
                            return;
                        }
                        finally
                        {
                            body.Dispose();
                        }
                    }

                    if (!pending.TryPeek(out _) || (writer.CanGetUnflushedBytes && writer.UnflushedBytes > 1 << 20))
                    {
                        var flush = await writer.FlushAsync().ConfigureAwait(false);
                        if (flush.IsCompleted)
                        {
                            Close();
                            return;
                        }
                    }
                }
            }

            await writer.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close();
        }
        finally
        {
            // Drain: responses nobody will read still hold resources (Fetch slices).
            while (pending.TryRead(out var item))
            {
                try
                {
                    (await item.Response.ConfigureAwait(false))?.Dispose();
                }
                catch (Exception)
                {
                }
            }
        }
    }
}
