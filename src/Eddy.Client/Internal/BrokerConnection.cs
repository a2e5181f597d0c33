using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Client.Internal;

/// <summary>A response's bytes (header and body, without the size prefix) in a pooled buffer; return it when done.</summary>
internal sealed class ResponseFrame
{
    private byte[]? _buffer;

    public ResponseFrame(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(ResponseFrame))).AsMemory(0, Length);

    public void Return()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// One connection to one broker: ApiVersions negotiation on connect (with Kafka's fallback rule),
/// pipelined requests (up to max in flight), responses matched in order by correlation id, request
/// timeouts, and failure of every pending request when the connection breaks or the broker sends
/// bytes that are not Kafka's protocol. A failed connection is never reused; the pool makes a new one.
/// </summary>
internal sealed class BrokerConnection : IKafkaRequestChannel, IAsyncDisposable
{
    private const int MaxApiKey = 128;
    private static readonly short[] NoVersions = CreateNoVersions();

    private readonly ClientContext _context;
    private readonly ILogger _logger;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentQueue<Pending> _pending = new();
    private KafkaWriter _writer = new(64 * 1024);
    private readonly ITimer _timeoutTimer;
    private readonly CancellationTokenSource _closed = new();
    private short[] _brokerMin = NoVersions;
    private short[] _brokerMax = NoVersions;
    private int _correlationId;
    private int _failed;
    private Exception? _failure;
    private Task _readLoop = Task.CompletedTask;

    private BrokerConnection(ClientContext context, int nodeId, BrokerAddress address, Stream stream, int maxInFlight)
    {
        _context = context;
        NodeId = nodeId;
        Address = address;
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Connection");
        _timeoutTimer = context.Time.CreateTimer(static s => ((BrokerConnection)s!).CheckTimeouts(), this, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    public int NodeId { get; }

    public BrokerAddress Address { get; }

    public string Name => NodeId >= 0 ? $"{Address} (node {NodeId})" : $"{Address} (bootstrap)";

    public bool IsFailed => Volatile.Read(ref _failed) != 0;

    public int PendingCount => _pending.Count;

    /// <summary>Completes when the connection breaks or is closed.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Connects, negotiates versions and authenticates.</summary>
    public static async Task<BrokerConnection> ConnectAsync(ClientContext context, int nodeId, BrokerAddress address, int maxInFlight, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.ConnectTimeout);
        Stream stream;
        try
        {
            stream = await context.Transport.ConnectAsync(address.Host, address.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KafkaConnectionException(address.ToString(), $"connecting to {address} timed out after {context.ConnectTimeout.TotalMilliseconds} ms (socket.connection.setup.timeout.ms)");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new KafkaConnectionException(address.ToString(), $"cannot connect to {address}: {e.Message}", e);
        }

        var connection = new BrokerConnection(context, nodeId, address, stream, Math.Max(maxInFlight, 1));
        connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        try
        {
            await connection.NegotiateVersionsAsync(timeout.Token).ConfigureAwait(false);
            if (context.Authenticator is { } authenticator)
            {
                await authenticator.AuthenticateAsync(connection, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new KafkaConnectionException(address.ToString(), $"connecting to {address}: no ApiVersions answer within {context.ConnectTimeout.TotalMilliseconds} ms");
            }

            throw;
        }

        connection._logger.LogDebug("Connected to {Broker}", connection.Name);
        return connection;
    }

    /// <inheritdoc />
    public (short Min, short Max)? BrokerVersions(ApiKey apiKey)
    {
        int key = (int)apiKey;
        if ((uint)key >= MaxApiKey || _brokerMax[key] < 0)
        {
            return null;
        }

        return (_brokerMin[key], _brokerMax[key]);
    }

    /// <summary>The highest version both Eddy and the broker support, or -1.</summary>
    public short PickVersion(ApiKey apiKey)
    {
        var api = KafkaApis.Find((short)apiKey);
        int key = (int)apiKey;
        if (api is null || (uint)key >= MaxApiKey || _brokerMax[key] < 0)
        {
            return -1;
        }

        short high = Math.Min(api.MaxSupported, _brokerMax[key]);
        short low = Math.Max(api.MinSupported, _brokerMin[key]);
        return high >= low ? high : (short)-1;
    }

    /// <summary>The version to use for an API, or a clear error when there is no common version.</summary>
    public short RequireVersion(ApiKey apiKey, short minimum = 0)
    {
        short version = PickVersion(apiKey);
        if (version < 0 || version < minimum)
        {
            var api = KafkaApis.Find((short)apiKey);
            string broker = BrokerVersions(apiKey) is { } range ? $"v{range.Min}-v{range.Max}" : "no version";
            throw new KafkaException(
                ErrorCode.UnsupportedVersion,
                $"broker {Name} supports {apiKey} {broker}; Eddy.Client needs v{Math.Max(api?.MinSupported ?? 0, minimum)}-v{api?.MaxSupported ?? 0}");
        }

        return version;
    }

    /// <inheritdoc />
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        short version = RequireVersion(request.ApiKey);
        return await SendAsync<TRequest, TResponse>(request, version, _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request at <paramref name="version"/> and decodes the response.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, TimeSpan timeout, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var frame = await SendRawAsync(request, version, timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return Decode<TResponse>(frame, request.ApiKey, version);
        }
        finally
        {
            frame.Return();
        }
    }

    /// <summary>Decodes a response frame; the frame stays owned by the caller (records fields point into it).</summary>
    public TResponse Decode<TResponse>(ResponseFrame frame, ApiKey apiKey, short version)
        where TResponse : IKafkaResponse<TResponse>
    {
        try
        {
            var reader = new KafkaReader(frame.Memory);
            ResponseHeader.Read(ref reader, apiKey, version);
            var response = TResponse.Read(ref reader, version);
            return response;
        }
        catch (KafkaProtocolException e)
        {
            // The stream itself is intact (framing held), but the broker speaks something we cannot read: drop it.
            var error = new KafkaConnectionException(Name, $"malformed {apiKey} v{version} response from {Name}: {e.Message}", e);
            Fail(error);
            throw error;
        }
    }

    /// <summary>Sends a request and returns the raw response frame; the caller must return it.</summary>
    public async Task<ResponseFrame> SendRawAsync(IKafkaRequest request, short version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new Pending(request.ApiKey, version, _context.Time.GetTimestamp(), timeout);
        bool released = false;
        try
        {
            await WriteAsync(request, version, pending, cancellationToken).ConfigureAwait(false);
            using var registration = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static s => ((Pending)s!).Completion.TrySetCanceled(), pending)
                : default;
            var frame = await pending.Completion.Task.ConfigureAwait(false);
            _inFlight.Release();
            released = true;
            _context.Metrics.Request(request.ApiKey, _context.Time.GetElapsedTime(pending.Started).TotalMilliseconds);
            return frame;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && pending.Written)
        {
            // The response will still arrive; the read loop drops it.
            pending.Abandoned = true;
            throw;
        }
        finally
        {
            if (!released)
            {
                _inFlight.Release();
            }
        }
    }

    /// <summary>
    /// Writes a request now (callers that must keep their requests in order await this first) and
    /// returns the task of its response. The caller must not exceed the connection's in-flight limit.
    /// </summary>
    public async Task<Task<ResponseFrame>> StartRequestAsync(IKafkaRequest request, short version, TimeSpan timeout)
    {
        ThrowIfFailed();
        await _inFlight.WaitAsync().ConfigureAwait(false);
        var pending = new Pending(request.ApiKey, version, _context.Time.GetTimestamp(), timeout);
        try
        {
            await WriteAsync(request, version, pending, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            _inFlight.Release();
            throw;
        }

        return CompleteAsync(pending);
    }

    private async Task<ResponseFrame> CompleteAsync(Pending pending)
    {
        try
        {
            var frame = await pending.Completion.Task.ConfigureAwait(false);
            _context.Metrics.Request(pending.ApiKey, _context.Time.GetElapsedTime(pending.Started).TotalMilliseconds);
            return frame;
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>Sends a request that gets no response (Produce with acks=0).</summary>
    public async Task SendOneWayAsync(IKafkaRequest request, short version, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        await WriteAsync(request, version, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(IKafkaRequest request, short version, Pending? pending, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFailed();
            int correlationId = ++_correlationId;
            _writer.Reset();
            var header = new RequestHeader { ApiKey = request.ApiKey, ApiVersion = version, CorrelationId = correlationId, ClientId = _context.ClientId };
            try
            {
                KafkaFrame.WriteRequest(_writer, header, request);
            }
            catch (KafkaProtocolException e)
            {
                throw new KafkaException(ErrorCode.UnsupportedVersion, $"cannot encode {request.ApiKey} v{version} for {Name}: {e.Message}", e);
            }

            if (pending is not null)
            {
                pending.CorrelationId = correlationId;
                pending.Written = true;
                _pending.Enqueue(pending);
            }

            try
            {
                await _stream.WriteAsync(_writer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                var error = new KafkaConnectionException(Name, $"connection to {Name} lost while sending {request.ApiKey}: {e.Message}", e);
                Fail(error);
                throw error;
            }

            _context.Metrics.Sent(_writer.Position);
            if (_writer.Position > 4 * 1024 * 1024)
            {
                // Do not keep a huge buffer for the life of the connection.
                _writer.Dispose();
                _writer = new KafkaWriter(64 * 1024);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    Dispatch(frame);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new KafkaConnectionException(Name, buffer.Length > 0
                        ? $"connection to {Name} closed in the middle of a response ({buffer.Length} bytes of it received)"
                        : $"connection to {Name} closed by the broker"));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (KafkaException e)
        {
            Fail(e);
        }
        catch (KafkaProtocolException e)
        {
            Fail(new KafkaConnectionException(Name, $"broker {Name} sent bytes that are not a Kafka response: {e.Message}", e));
        }
        catch (Exception e)
        {
            Fail(new KafkaConnectionException(Name, $"connection to {Name} failed: {e.Message}", e));
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ResponseFrame frame)
    {
        frame = null!;
        if (!KafkaFrame.TryRead(ref buffer, KafkaFrame.DefaultMaxRequestBytes, out var bytes))
        {
            return false;
        }

        int length = (int)bytes.Length;
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 16));
        bytes.CopyTo(array);
        frame = new ResponseFrame(array, length);
        _context.Metrics.Received(length + 4);
        return true;
    }

    private void Dispatch(ResponseFrame frame)
    {
        if (frame.Length < 4)
        {
            frame.Return();
            throw new KafkaConnectionException(Name, $"broker {Name} sent a {frame.Length}-byte response, too short for a correlation id");
        }

        int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.Memory.Span);
        if (!_pending.TryDequeue(out var pending))
        {
            frame.Return();
            throw new KafkaConnectionException(Name, $"broker {Name} sent a response (correlation id {correlationId}) to no request");
        }

        if (pending.CorrelationId != correlationId)
        {
            frame.Return();
            pending.Completion.TrySetException(new KafkaConnectionException(Name, "response out of order"));
            throw new KafkaConnectionException(Name, $"broker {Name} answered correlation id {correlationId} but {pending.CorrelationId} ({pending.ApiKey}) was next: responses must come in request order");
        }

        if (pending.Abandoned || !pending.Completion.TrySetResult(frame))
        {
            frame.Return();
        }
    }

    private async Task NegotiateVersionsAsync(CancellationToken cancellationToken)
    {
        short version = KafkaApis.Find((short)ApiKey.ApiVersions)!.MaxSupported;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = "eddy-client", ClientSoftwareVersion = "0.1.0" };
            var frame = await SendRawAsync(request, version, _context.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            ApiVersionsResponse response;
            try
            {
                var reader = new KafkaReader(frame.Memory);
                ResponseHeader.Read(ref reader, ApiKey.ApiVersions, version);
                (response, _) = ApiVersionsResponse.ReadWithFallback(frame.Memory[reader.Position..], version);
            }
            catch (KafkaProtocolException e)
            {
                throw new KafkaConnectionException(Name, $"broker {Name} sent a malformed ApiVersions response: {e.Message}", e);
            }
            finally
            {
                frame.Return();
            }

            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.UnsupportedVersion && version > 0)
            {
                // KIP-511 fallback: retry with the highest version the broker lists, else v0.
                short next = 0;
                foreach (var key in response.ApiKeys ?? [])
                {
                    if (key.ApiKey == (short)ApiKey.ApiVersions && key.MaxVersion < version)
                    {
                        next = key.MaxVersion;
                    }
                }

                version = next;
                continue;
            }

            if (error != ErrorCode.None)
            {
                throw new KafkaException(error, $"ApiVersions to {Name} failed: {KafkaException.Describe(error)}");
            }

            var min = CreateNoVersions();
            var max = CreateNoVersions();
            foreach (var key in response.ApiKeys ?? [])
            {
                if ((uint)key.ApiKey < MaxApiKey)
                {
                    min[key.ApiKey] = key.MinVersion;
                    max[key.ApiKey] = key.MaxVersion;
                }
            }

            _brokerMin = min;
            _brokerMax = max;
            return;
        }

        throw new KafkaException(ErrorCode.UnsupportedVersion, $"broker {Name} accepts no ApiVersions version");
    }

    private static short[] CreateNoVersions()
    {
        var versions = new short[MaxApiKey];
        Array.Fill(versions, (short)-1);
        return versions;
    }

    private void CheckTimeouts()
    {
        if (IsFailed)
        {
            return;
        }

        long now = _context.Time.GetTimestamp();
        foreach (var pending in _pending)
        {
            if (_context.Time.GetElapsedTime(pending.Started, now) > pending.Timeout)
            {
                // Kafka closes the connection on a request timeout: the stream may be stuck or out of step.
                Fail(new KafkaTimeoutException($"{pending.ApiKey} v{pending.Version} to {Name} got no response within {pending.Timeout.TotalMilliseconds:F0} ms"));
                return;
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (IsFailed)
        {
            throw _failure is KafkaException k
                ? new KafkaConnectionException(Name, $"connection to {Name} is closed: {k.Message}", k)
                : new KafkaConnectionException(Name, $"connection to {Name} is closed");
        }
    }

    /// <summary>Marks the connection broken, fails every pending request with <paramref name="error"/>, and closes the stream.</summary>
    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        _failure = error;
        if (error is not KafkaConnectionException { Message: var m } || !m.Contains("closed by", StringComparison.Ordinal))
        {
            _logger.LogWarning("Connection to {Broker} failed: {Reason}", Name, error.Message);
        }

        _timeoutTimer.Dispose();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _stream.Dispose();
        }
        catch (Exception e)
        {
            Debug.WriteLine(e);
        }

        while (_pending.TryDequeue(out var pending))
        {
            pending.Completion.TrySetException(error is KafkaException ? error : new KafkaConnectionException(Name, error.Message, error));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new KafkaConnectionException(Name, $"connection to {Name} closed by the client"));
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Debug.WriteLine(e);
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        _writeLock.Wait();
        try
        {
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }

        _closed.Dispose();
    }

    private sealed class Pending(ApiKey apiKey, short version, long started, TimeSpan timeout)
    {
        public ApiKey ApiKey { get; } = apiKey;

        public short Version { get; } = version;

        public long Started { get; } = started;

        public TimeSpan Timeout { get; } = timeout;

        public int CorrelationId { get; set; }

        public bool Written { get; set; }

        public volatile bool Abandoned;

        public TaskCompletionSource<ResponseFrame> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
