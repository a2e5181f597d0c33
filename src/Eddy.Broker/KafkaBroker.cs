using System.Net;
using System.Net.Sockets;
using Eddy.Broker.Internal;
using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Handlers;
using Eddy.Broker.Internal.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Broker;

/// <summary>
/// An embedded Kafka-compatible broker: a durable log on local disk, served over the Kafka protocol so
/// any Kafka client can connect. One process can host N brokers (ids 0..N-1, consecutive ports) with
/// partition leadership spread across them, for testing clients against leader changes
/// (<see cref="MoveLeadershipAsync"/>).
/// </summary>
/// <example>
/// <code>
/// await using var broker = await KafkaBroker.StartAsync(new BrokerOptions { DataDirectory = dir, Port = 0, BrokerCount = 3 });
/// Console.WriteLine(broker.BootstrapServers);           // 127.0.0.1:41231,127.0.0.1:41232,127.0.0.1:41233
/// await broker.CreateTopicAsync("orders", partitions: 6);
/// await broker.MoveLeadershipAsync("orders", 0, toBroker: 2); // clients now get NOT_LEADER_OR_FOLLOWER from broker 0
/// </code>
/// </example>
public sealed class KafkaBroker : IAsyncDisposable
{
    private readonly BrokerCore _core;
    private readonly List<BrokerListener> _listeners;
    private readonly BrokerMetrics _metrics;
    private readonly ILogger _logger;
    private int _stopped;

    private KafkaBroker(BrokerCore core, List<BrokerListener> listeners, BrokerMetrics metrics, ILogger logger)
    {
        _core = core;
        _listeners = listeners;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Where each broker listens, by node id.</summary>
    public IReadOnlyList<BrokerEndpoint> Endpoints => _core.Nodes;

    /// <summary>The bootstrap list for clients: every broker's host:port, comma-separated.</summary>
    public string BootstrapServers => string.Join(',', _core.Nodes);

    /// <summary>The cluster id (kept in meta.properties in the data directory).</summary>
    public string ClusterId => _core.ClusterId;

    /// <summary>The data directory.</summary>
    public string DataDirectory => _core.Logs.DataDirectory;

    /// <summary>Whether the last shutdown of this data directory was clean (otherwise the logs were recovered).</summary>
    public bool RecoveredFromUncleanShutdown => !_core.Logs.WasCleanShutdown;

    internal BrokerCore Core => _core;

    /// <summary>Opens the data directory (recovering it after a crash), binds the listeners and starts serving.</summary>
    /// <exception cref="ArgumentException">An option or broker config is invalid.</exception>
    public static Task<KafkaBroker> StartAsync(BrokerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            throw new ArgumentException("DataDirectory is required", nameof(options));
        }

        if (options.BrokerCount < 1 || options.BrokerCount > 64)
        {
            throw new ArgumentException("BrokerCount must be between 1 and 64", nameof(options));
        }

        var settings = new Dictionary<string, string>(options.Settings, StringComparer.Ordinal);
        var config = new BrokerConfig(settings);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("Eddy.Broker");
        var metrics = new BrokerMetrics(options.MeterFactory);
        var core = new BrokerCore(options.DataDirectory, config, options.TimeProvider, loggerFactory, metrics);
        var handler = new RequestHandler(core);
        var listeners = new List<BrokerListener>();
        var address = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        string advertised = options.AdvertisedHost ?? (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : address.ToString());
        try
        {
            for (int i = 0; i < options.BrokerCount; i++)
            {
                int port = options.Port == 0 ? 0 : options.Port + i;
                var listener = new BrokerListener(i, new IPEndPoint(address, port), handler, config.SocketRequestMaxBytes, loggerFactory.CreateLogger("Eddy.Broker.Network"), metrics);
                listeners.Add(listener);
                core.Nodes.Add(new BrokerEndpoint(i, advertised, listener.Port));
            }

            core.Start();
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            foreach (var l in listeners)
            {
                l.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            core.StopAsync(clean: false).GetAwaiter().GetResult();
            metrics.Dispose();
            throw;
        }

        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var broker = new KafkaBroker(core, listeners, metrics, logger);
        foreach (var node in core.Nodes)
        {
            logger.LogInformation("Broker {NodeId} listening on {Host}:{Port} (cluster {ClusterId}, data {DataDirectory})", node.NodeId, address, node.Port, core.ClusterId, core.Logs.DataDirectory);
        }

        return Task.FromResult(broker);
    }

    /// <summary>Creates a topic (as CreateTopics would); configs use Kafka's topic config names.</summary>
    /// <exception cref="InvalidOperationException">The topic exists or the request is invalid.</exception>
    public Task CreateTopicAsync(string name, int partitions = -1, IReadOnlyDictionary<string, string>? configs = null)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (configs is not null)
        {
            foreach (var (k, v) in configs)
            {
                overrides[k] = v;
            }
        }

        var (error, message, _) = _core.Logs.CreateTopic(name, partitions == -1 ? _core.Config.NumPartitions : partitions, overrides, validateOnly: false);
        if (error != Protocol.ErrorCode.None)
        {
            throw new InvalidOperationException($"Cannot create topic {name}: {error} {message}");
        }

        return Task.CompletedTask;
    }

    /// <summary>The broker currently leading a partition.</summary>
    public int LeaderOf(string topic, int partition) => _core.LeaderOf(topic, partition);

    /// <summary>
    /// Test hook for cluster mode: makes <paramref name="toBroker"/> the leader of a partition. From then on
    /// the previous leader answers NOT_LEADER_OR_FOLLOWER for it, so clients must refresh metadata.
    /// </summary>
    /// <exception cref="ArgumentException">The partition or broker does not exist.</exception>
    public Task MoveLeadershipAsync(string topic, int partition, int toBroker)
    {
        _core.MoveLeadership(topic, partition, toBroker);
        return Task.CompletedTask;
    }

    /// <summary>Stops serving and shuts down cleanly: logs flushed, indexes, snapshots and checkpoints written, clean-shutdown marker left.</summary>
    public Task StopAsync() => StopAsync(clean: true);

    internal async Task StopAsync(bool clean)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        await _core.StopAsync(clean).ConfigureAwait(false);
        _metrics.Dispose();
        _logger.LogInformation("Broker stopped{How}", clean ? " cleanly" : " without a clean shutdown");
    }

    /// <summary>Same as <see cref="StopAsync()"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
