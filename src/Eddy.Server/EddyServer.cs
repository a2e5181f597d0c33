using System.Net;
using System.Reflection;
using Eddy.Broker;
using Eddy.Client;
using Eddy.Protocol;
using Eddy.Sql.Engine;
using Eddy.Sql.Functions;
using Eddy.Sql.Planning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Server;

/// <summary>
/// The ksqlDB-compatible REST server: an <see cref="SqlEngine"/> whose metastore lives in a Kafka command
/// topic, served over HTTP/1.1 and HTTP/2 cleartext by Kestrel, on the embedded broker unless
/// <see cref="EddyServerOptions.BootstrapServers"/> names an external cluster. Starting again on the same
/// data directory (or cluster and service id) replays the command log, so sources and persistent queries
/// come back and queries resume from their committed offsets and state.
/// </summary>
/// <example>
/// <code>
/// var options = new EddyServerOptions { DataDirectory = "./eddy-data", BrokerPort = 0, Listeners = { "http://127.0.0.1:0" } };
/// await using var server = await EddyServer.StartAsync(options, ct);
/// Console.WriteLine(server.Urls[0]); // http://127.0.0.1:40123
/// </code>
/// </example>
public sealed class EddyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KafkaBroker? _broker;
    private readonly ICommandLog _log;
    private readonly ILogger _logger;
    private int _stopped;

    private EddyServer(EddyServerOptions options, WebApplication app, KafkaBroker? broker, ICommandLog log, SqlEngine engine, string bootstrap, string clusterId, ILogger logger, RestApi api)
    {
        Options = options;
        _app = app;
        _broker = broker;
        _log = log;
        Engine = engine;
        BootstrapServers = bootstrap;
        KafkaClusterId = clusterId;
        _logger = logger;
        Api = api;
    }

    /// <summary>The product version reported by /info.</summary>
    public static string Version { get; } =
        typeof(EddyServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The options the server started with.</summary>
    public EddyServerOptions Options { get; }

    /// <summary>The engine behind the API.</summary>
    public SqlEngine Engine { get; }

    /// <summary>The Kafka cluster in use (the embedded broker's address when there is one).</summary>
    public string BootstrapServers { get; }

    /// <summary>The cluster id of the Kafka cluster.</summary>
    public string KafkaClusterId { get; }

    /// <summary>The embedded broker, or null with an external cluster.</summary>
    public KafkaBroker? Broker => _broker;

    /// <summary>The URLs the server listens on, with the ports actually bound.</summary>
    public IReadOnlyList<string> Urls =>
        [.. (_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => a.Replace("[::]", "localhost", StringComparison.Ordinal))];

    internal RestApi Api { get; }

    /// <summary>Ids of the push queries currently streaming to clients.</summary>
    public IReadOnlyCollection<string> ActivePushQueries => [.. Api.ActiveQueries.Keys];

    /// <summary>Starts the embedded broker (unless an external cluster is configured), replays the command log and starts listening.</summary>
    /// <exception cref="ArgumentException">A listener or option is invalid (the message names it).</exception>
    public static async Task<EddyServer> StartAsync(EddyServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("Eddy.Server");
        var listeners = options.EffectiveListeners.Select(ParseListener).ToList();
        var dataDir = Path.GetFullPath(options.DataDirectory);
        KafkaBroker? broker = null;
        string bootstrap;
        string clusterId;
        if (options.BootstrapServers is { } external)
        {
            bootstrap = external;
            clusterId = string.Empty;
        }
        else
        {
            var brokerOptions = new BrokerOptions
            {
                DataDirectory = Path.Combine(dataDir, "kafka"),
                Host = options.BrokerHost,
                Port = options.BrokerPort,
                LoggerFactory = options.LoggerFactory,
            };
            foreach (var (k, v) in options.BrokerSettings)
            {
                brokerOptions.Settings[k] = v;
            }

            broker = await KafkaBroker.StartAsync(brokerOptions, cancellationToken).ConfigureAwait(false);
            bootstrap = broker.BootstrapServers;
            clusterId = broker.ClusterId;
        }

        KafkaCommandLog? log = null;
        SqlEngine? engine = null;
        try
        {
            var commandTopic = $"_confluent-ksql-{options.ServiceId}_command_topic";
            await using (var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = bootstrap }, options.LoggerFactory))
            {
                try
                {
                    await admin.CreateTopicsAsync([new NewTopic(commandTopic, 1)], cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (AdminOperationException e) when (e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.TopicAlreadyExists))
                {
                }

                if (clusterId.Length == 0)
                {
                    clusterId = (await admin.DescribeClusterAsync(cancellationToken).ConfigureAwait(false)).ClusterId ?? string.Empty;
                }
            }

            var functions = new FunctionRegistry();
            if (options.ExtensionDirectory is { } extensions)
            {
                functions.LoadExtensions(extensions);
            }

            log = new KafkaCommandLog(bootstrap, options.ServiceId);
            engine = new SqlEngine(log, new SqlEngineOptions
            {
                BootstrapServers = bootstrap,
                StateDirectory = Path.Combine(dataDir, "state"),
                Planner = new PlannerSettings { ServiceId = options.ServiceId },
                StreamsProperties = new Dictionary<string, string>(options.StreamsProperties, StringComparer.Ordinal),
                Time = options.Time,
                LoggerFactory = options.LoggerFactory,
            }, functions);
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddLogging();
            builder.Services.AddRoutingCore();
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                foreach (var (address, port) in listeners)
                {
                    // Protocols stays at its default (HTTP/1.1 and HTTP/2); H2cPriorKnowledge makes HTTP/2 reachable without TLS.
                    k.Listen(address, port, l => l.Use(H2cPriorKnowledge.Middleware));
                }
            });
            var app = builder.Build();
            app.UseWebSockets();
            var api = new RestApi(engine, options, bootstrap, clusterId, loggerFactory.CreateLogger("Eddy.Server.Rest"), app.Lifetime.ApplicationStopping);
            api.Map(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var server = new EddyServer(options, app, broker, log, engine, bootstrap, clusterId, logger, api);
            ServerLog.Started(logger, string.Join(", ", server.Urls), bootstrap);
            return server;
        }
        catch
        {
            engine?.Dispose();
            if (log is not null)
            {
                await log.DisposeAsync().ConfigureAwait(false);
            }

            if (broker is not null)
            {
                await broker.StopAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Stops accepting requests, ends push queries, stops the engine's queries and then the embedded broker.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        ServerLog.Stopping(_logger);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        Api.Dispose();
        if ((object)Engine is IAsyncDisposable asyncEngine)
        {
            await asyncEngine.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            Engine.Dispose();
        }

        await _log.DisposeAsync().ConfigureAwait(false);
        if (_broker is not null)
        {
            await _broker.StopAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Parses <c>http://host:port</c> into an address Kestrel can bind.</summary>
    internal static (IPAddress Address, int Port) ParseListener(string listener)
    {
        if (!Uri.TryCreate(listener, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"Listener '{listener}' is not an http://host:port URL (https is not supported).");
        }

        var port = uri.IsDefaultPort && !listener.Contains(":80", StringComparison.Ordinal) ? 8088 : uri.Port;
        var host = uri.Host.Trim('[', ']');
        IPAddress address = host switch
        {
            "0.0.0.0" or "*" or "+" => IPAddress.Any,
            "::" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out var ip) => ip,
            _ => Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"Listener '{listener}': cannot resolve host '{host}'."),
        };
        return (address, port);
    }
}

internal static partial class ServerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Eddy server listening on {Urls} (Kafka at {Bootstrap})")]
    public static partial void Started(ILogger logger, string urls, string bootstrap);

    [LoggerMessage(Level = LogLevel.Information, Message = "Eddy server stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request failed: {Path}")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);
}
