using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker;

/// <summary>
/// How to run an embedded broker (or N brokers in one process): where the data lives, where to listen,
/// and Kafka broker configs by their Kafka names (docs/broker.md lists every supported config).
/// </summary>
/// <example>
/// <code>
/// var options = new BrokerOptions
/// {
///     DataDirectory = "/var/lib/eddy",
///     Port = 9092,
///     Settings = { ["num.partitions"] = "4", ["group.initial.rebalance.delay.ms"] = "0" },
/// };
/// await using var broker = await KafkaBroker.StartAsync(options);
/// </code>
/// </example>
public sealed class BrokerOptions
{
    /// <summary>The data directory (Kafka's log.dirs); created if missing. In cluster mode each broker shares it.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>The address to listen on. Default 127.0.0.1 (loopback only).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// The host name the broker advertises in Metadata; default <see cref="Host"/>, or 127.0.0.1 when
    /// listening on all interfaces (an IPv4 address: librdkafka may resolve localhost to ::1).
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The port of broker 0 (broker i listens on Port + i). 0 picks free ephemeral ports.</summary>
    public int Port { get; set; } = 9092;

    /// <summary>How many brokers this process hosts (ids 0..N-1), with partition leadership spread across them. Default 1.</summary>
    public int BrokerCount { get; set; } = 1;

    /// <summary>Broker configs by Kafka name, e.g. <c>num.partitions</c>, <c>log.retention.ms</c>, <c>eddy.log.flush.policy</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where the broker logs; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the broker's meter (<c>Eddy.Broker</c>); a private meter when null.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The clock for timeouts, retention and timestamps; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Where one broker of the process listens.</summary>
/// <param name="NodeId">The broker id (0..N-1).</param>
/// <param name="Host">The advertised host.</param>
/// <param name="Port">The port.</param>
public sealed record BrokerEndpoint(int NodeId, string Host, int Port)
{
    /// <summary>host:port.</summary>
    public override string ToString() => $"{Host}:{Port}";
}
