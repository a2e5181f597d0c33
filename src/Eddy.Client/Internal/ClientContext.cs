using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Client.Internal;

/// <summary>What every part of one client instance shares: its settings, logger, clock and metrics.</summary>
internal sealed class ClientContext
{
    public ClientContext(ClientConfig config, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, string kind)
    {
        Config = config;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = timeProvider ?? TimeProvider.System;
        ClientId = config.GetString("client.id");
        Kind = kind;
        RequestTimeout = TimeSpan.FromMilliseconds(config.GetIntOrDefault("request.timeout.ms"));
        RetryBackoff = TimeSpan.FromMilliseconds(config.GetLongOrDefault("retry.backoff.ms"));
        RetryBackoffMax = TimeSpan.FromMilliseconds(Math.Max(config.GetLongOrDefault("retry.backoff.max.ms"), config.GetLongOrDefault("retry.backoff.ms")));
        ReconnectBackoff = TimeSpan.FromMilliseconds(config.GetLongOrDefault("reconnect.backoff.ms"));
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(Math.Max(config.GetLongOrDefault("reconnect.backoff.max.ms"), config.GetLongOrDefault("reconnect.backoff.ms")));
        ConnectTimeout = TimeSpan.FromMilliseconds(config.GetLongOrDefault("socket.connection.setup.timeout.ms"));
        MetadataMaxAge = TimeSpan.FromMilliseconds(config.GetLongOrDefault("metadata.max.age.ms"));
        Transport = config.Connection.TransportFactory ?? new TcpTransportFactory
        {
            SendBufferBytes = config.GetIntOrDefault("send.buffer.bytes"),
            ReceiveBufferBytes = config.GetIntOrDefault("receive.buffer.bytes"),
        };
        Authenticator = config.Connection.Authenticator;
        Metrics = new ClientMetrics(ClientId, kind);
    }

    public ClientConfig Config { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider Time { get; }

    public string ClientId { get; }

    public string Kind { get; }

    public TimeSpan RequestTimeout { get; }

    public TimeSpan RetryBackoff { get; }

    public TimeSpan RetryBackoffMax { get; }

    public TimeSpan ReconnectBackoff { get; }

    public TimeSpan ReconnectBackoffMax { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan MetadataMaxAge { get; }

    public IKafkaTransportFactory Transport { get; }

    public IKafkaAuthenticator? Authenticator { get; }

    public ClientMetrics Metrics { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Exponential backoff with ±20% jitter, as Kafka's ExponentialBackoff.</summary>
    public static TimeSpan Backoff(TimeSpan initial, TimeSpan max, int attempts)
    {
        double ms = initial.TotalMilliseconds * Math.Pow(2, Math.Min(Math.Max(attempts - 1, 0), 20));
        ms = Math.Min(ms, max.TotalMilliseconds);
#pragma warning disable CA5394 // jitter, not security
        ms *= 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(ms);
    }
}

/// <summary>
/// The client's instruments on the <c>Eddy.Client</c> meter (OpenTelemetry-style dotted names), tagged
/// with the client id and kind.
/// </summary>
internal sealed class ClientMetrics
{
    public const string MeterName = "Eddy.Client";

    private static readonly Meter Meter = new(MeterName, "0.1.0");
    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("eddy.client.request.duration", "ms", "Time from sending a request to its response, per API.");
    private static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("eddy.client.network.sent", "By", "Bytes written to brokers.");
    private static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("eddy.client.network.received", "By", "Bytes read from brokers.");
    private static readonly Counter<long> RecordsSent = Meter.CreateCounter<long>("eddy.client.producer.records", "{record}", "Records acknowledged by brokers.");
    private static readonly Counter<long> RecordErrors = Meter.CreateCounter<long>("eddy.client.producer.record.errors", "{record}", "Records whose delivery failed.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("eddy.client.producer.retries", "{batch}", "Produce batches retried.");
    private static readonly Counter<long> RecordsConsumed = Meter.CreateCounter<long>("eddy.client.consumer.records", "{record}", "Records returned by Consume.");
    private static readonly Counter<long> Rebalances = Meter.CreateCounter<long>("eddy.client.consumer.rebalances", "{rebalance}", "Completed group rebalances.");
    private static readonly List<Func<IEnumerable<Measurement<long>>>> LagSources = [];
    private static readonly ObservableGauge<long> Lag = Meter.CreateObservableGauge("eddy.client.consumer.lag", ObserveLag, "{record}", "High watermark minus position, per assigned partition.");

    private readonly KeyValuePair<string, object?> _client;
    private readonly KeyValuePair<string, object?> _kind;

    public ClientMetrics(string clientId, string kind)
    {
        _client = new("messaging.client_id", clientId);
        _kind = new("eddy.client.kind", kind);
    }

    public void Request(Eddy.Protocol.ApiKey api, double milliseconds) =>
        RequestDuration.Record(milliseconds, _client, _kind, new("kafka.api", api.ToString()));

    public void Sent(long bytes) => BytesSent.Add(bytes, _client, _kind);

    public void Received(long bytes) => BytesReceived.Add(bytes, _client, _kind);

    public void Produced(long records, string topic) => RecordsSent.Add(records, _client, new("messaging.destination.name", topic));

    public void ProduceFailed(long records, string topic) => RecordErrors.Add(records, _client, new("messaging.destination.name", topic));

    public void Retried() => Retries.Add(1, _client);

    public void Consumed(long records) => RecordsConsumed.Add(records, _client);

    public void Rebalanced() => Rebalances.Add(1, _client);

    public static void AddLagSource(Func<IEnumerable<Measurement<long>>> source)
    {
        GC.KeepAlive(Lag);
        lock (LagSources)
        {
            LagSources.Add(source);
        }
    }

    public static void RemoveLagSource(Func<IEnumerable<Measurement<long>>> source)
    {
        lock (LagSources)
        {
            LagSources.Remove(source);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        Func<IEnumerable<Measurement<long>>>[] sources;
        lock (LagSources)
        {
            sources = [.. LagSources];
        }

        var all = new List<Measurement<long>>();
        foreach (var source in sources)
        {
            all.AddRange(source());
        }

        return all;
    }

    public KeyValuePair<string, object?> ClientTag => _client;
}
