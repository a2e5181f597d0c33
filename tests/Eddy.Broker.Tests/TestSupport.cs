using System.Buffers.Binary;
using System.Net.Sockets;
using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Tests;

/// <summary>A clock that moves only when told, with timers that fire as it passes their due time.</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_timers)
        {
            return _now;
        }
    }

    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Whether some timer falls due exactly <paramref name="after"/> from now (a loop waiting on its next tick).</summary>
    public bool HasTimerDueIn(TimeSpan after)
    {
        lock (_timers)
        {
            return _timers.Exists(t => t.Due == _now + after);
        }
    }

    /// <summary>Moves the clock, firing every timer that falls due on the way (in due order).</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_timers)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next = null;
            lock (_timers)
            {
                foreach (var t in _timers)
                {
                    if (t.Due is { } due && due <= target && (next is null || due < next.Due))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due!.Value > _now ? next.Due.Value : _now;
                // A periodic timer fires once per period, but a jump of more than 1000 periods fires it only once more, at the end.
                next.Due = next.Period is { } period && period > TimeSpan.Zero
                    ? (target - _now) / period > 1000 ? target : _now + period
                    : null;
            }

            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTime owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._timers)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._timers)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A temporary directory deleted at the end of the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eddy-broker-test-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Batches
{
    /// <summary>A producer batch of <paramref name="count"/> records "key-i" = "value-i".</summary>
    public static byte[] Make(int count, long timestamp = 1_700_000_000_000, long producerId = -1, short epoch = -1, int sequence = -1, string prefix = "value", Func<int, string?>? key = null, Func<int, string?>? value = null)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence };
        for (int i = 0; i < count; i++)
        {
            string? k = key is null ? $"key-{i}" : key(i);
            string? v = value is null ? $"{prefix}-{i}" : value(i);
            builder.Append(timestamp + i, k is null ? NullableBytes.Null : System.Text.Encoding.UTF8.GetBytes(k), v is null ? NullableBytes.Null : System.Text.Encoding.UTF8.GetBytes(v));
        }

        return builder.ToArray();
    }

    public static AppendResult Append(PartitionLog log, byte[] batch)
    {
        var summary = ProduceValidator.Validate(batch, 7);
        return log.Append(batch, summary);
    }

    public static BrokerConfig Config(params (string Key, string Value)[] settings) =>
        new(settings.ToDictionary(s => s.Key, s => s.Value));

    public static LogConfig TopicConfig(BrokerConfig broker, params (string Key, string Value)[] overrides) =>
        new(broker, overrides.ToDictionary(s => s.Key, s => s.Value));

    /// <summary>Every record (offset, key, value) readable from the log, through the fetch path.</summary>
    public static List<(long Offset, string? Key, string? Value)> ReadAll(PartitionLog log, long from = -1)
    {
        var result = new List<(long, string?, string?)>();
        long offset = from < 0 ? log.LogStartOffset : from;
        while (offset < log.HighWatermark)
        {
            var error = log.Read(offset, 1 << 20, log.HighWatermark, out var slice);
            if (error != ErrorCode.None)
            {
                throw new InvalidOperationException(error.ToString());
            }

            if (slice is null)
            {
                break;
            }

            using (slice)
            {
                var bytes = new byte[slice.Length];
                slice.Segment.Read(slice.Position, bytes);
                var reader = new RecordBatchReader(bytes);
                long next = offset;
                while (reader.TryReadNext(out var batch))
                {
                    next = batch.Header.NextOffset;
                    foreach (var r in batch.GetRecords())
                    {
                        if (r.Offset >= offset)
                        {
                            result.Add((r.Offset, r.IsKeyNull ? null : System.Text.Encoding.UTF8.GetString(r.Key), r.IsValueNull ? null : System.Text.Encoding.UTF8.GetString(r.Value)));
                        }
                    }
                }

                if (next <= offset)
                {
                    break;
                }

                offset = next;
            }
        }

        return result;
    }
}

/// <summary>A raw Kafka protocol client for wire-level tests: send any request, read responses in order.</summary>
internal sealed class WireClient : IDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;
    private int _correlation;

    public static async Task<WireClient> ConnectAsync(BrokerEndpoint endpoint)
    {
        var client = new WireClient();
        await client._client.ConnectAsync(endpoint.Host, endpoint.Port);
        client._stream = client._client.GetStream();
        return client;
    }

    public NetworkStream Stream => _stream;

    public async Task<int> SendAsync(IKafkaRequest request, short version, string clientId = "wire-test")
    {
        int correlation = ++_correlation;
        using var writer = new KafkaWriter();
        KafkaFrame.WriteRequest(writer, new RequestHeader { ApiKey = request.ApiKey, ApiVersion = version, CorrelationId = correlation, ClientId = clientId }, request);
        await _stream.WriteAsync(writer.WrittenMemory);
        return correlation;
    }

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads one response frame; null when the broker closed the connection.</summary>
    public async Task<(int CorrelationId, byte[] Body, byte[] Whole)?> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var size = new byte[4];
        if (!await ReadExactlyAsync(size, cts.Token))
        {
            return null;
        }

        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        if (!await ReadExactlyAsync(frame, cts.Token))
        {
            return null;
        }

        return (BinaryPrimitives.ReadInt32BigEndian(frame), frame[4..], frame);
    }

    public async Task<T> ReceiveAsync<T>(short version)
        where T : IKafkaResponse<T>
    {
        var frame = await ReceiveFrameAsync() ?? throw new IOException("connection closed");
        var api = KafkaApis.All.First(a => a.ResponseType == typeof(T));
        var reader = new KafkaReader(frame.Whole);
        ResponseHeader.Read(ref reader, api.Key, version);
        return T.Read(ref reader, version);
    }

    public async Task<TResponse> RoundTripAsync<TResponse>(IKafkaRequest request, short version)
        where TResponse : IKafkaResponse<TResponse>
    {
        await SendAsync(request, version);
        return await ReceiveAsync<TResponse>(version);
    }

    /// <summary>Whether the broker closed the connection (read returns 0 or fails) within the deadline.</summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), token);
            }
            catch (IOException)
            {
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public void Dispose() => _client.Dispose();
}
