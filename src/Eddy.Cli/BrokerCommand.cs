using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Eddy.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy broker</c>: runs the embedded Kafka-compatible broker until Ctrl-C or SIGTERM, then shuts
/// down cleanly (leaving the clean-shutdown marker). Broker configs come from a Kafka-style
/// properties file (<c>--config</c>) and <c>--set name=value</c>; docs/broker.md lists them.
/// </summary>
public static class BrokerCommand
{
    /// <summary>Creates the <c>broker</c> verb.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(BrokerCommand.Create());
    /// // eddy broker --data-dir /var/lib/eddy --port 9092 --brokers 1 --config server.properties
    /// </code>
    /// </example>
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (Kafka's log.dirs). Default: ./eddy-data" };
        var port = new Option<int>("--port") { Description = "Port of broker 0; broker i uses port+i. 0 picks free ports.", DefaultValueFactory = _ => 9092 };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var advertised = new Option<string?>("--advertised-host") { Description = "Host name advertised to clients (default: the listen address)" };
        var brokers = new Option<int>("--brokers") { Description = "Number of brokers in this process (consecutive ports)", DefaultValueFactory = _ => 1 };
        var config = new Option<FileInfo?>("--config") { Description = "A properties file of broker configs (name=value per line)" };
        var set = new Option<string[]>("--set") { Description = "A broker config as name=value; may be repeated", AllowMultipleArgumentsPerToken = false };
        var verbose = new Option<bool>("--verbose") { Description = "Log at debug level" };
        var command = new Command("broker", "Run the embedded Kafka-compatible broker (any Kafka client can connect).")
        {
            dataDir, port, host, advertised, brokers, config, set, verbose,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            string? dir = parseResult.GetValue(dataDir);
            string listenHost = parseResult.GetValue(host)!;
            int listenPort = parseResult.GetValue(port);
            try
            {
                if (parseResult.GetValue(config) is { } file)
                {
                    foreach (var (name, value) in ReadProperties(file.FullName))
                    {
                        switch (name)
                        {
                            case "log.dirs" or "log.dir":
                                dir ??= value.Split(',')[0];
                                break;
                            case "listeners":
                                ApplyListener(value, ref listenHost, ref listenPort);
                                break;
                            default:
                                settings[name] = value;
                                break;
                        }
                    }
                }

                foreach (var pair in parseResult.GetValue(set) ?? [])
                {
                    int eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        error.WriteLine($"--set expects name=value, got '{pair}'");
                        return 2;
                    }

                    settings[pair[..eq]] = pair[(eq + 1)..];
                }
            }
            catch (IOException e)
            {
                error.WriteLine($"Cannot read the config file: {e.Message}");
                return 2;
            }

            using var loggerFactory = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(parseResult.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                });
                builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            var options = new BrokerOptions
            {
                DataDirectory = Path.GetFullPath(dir ?? "eddy-data"),
                Host = listenHost,
                AdvertisedHost = parseResult.GetValue(advertised),
                Port = listenPort,
                BrokerCount = parseResult.GetValue(brokers),
                LoggerFactory = loggerFactory,
            };
            foreach (var (k, v) in settings)
            {
                options.Settings[k] = v;
            }

            KafkaBroker broker;
            try
            {
                broker = await KafkaBroker.StartAsync(options, cancellationToken);
            }
            catch (Exception e) when (e is ArgumentException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                error.WriteLine($"Cannot start the broker: {e.Message}");
                return 1;
            }

            // SIGTERM and Ctrl-C end the wait; the shutdown below is clean either way.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            foreach (var endpoint in broker.Endpoints)
            {
                output.WriteLine($"eddy broker {endpoint.NodeId} listening on {endpoint.Host}:{endpoint.Port}");
            }

            output.WriteLine($"bootstrap.servers={broker.BootstrapServers} data-dir={broker.DataDirectory}");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            output.WriteLine("eddy broker shutting down");
            await broker.StopAsync();
            output.WriteLine("eddy broker stopped cleanly");
            return 0;
        });
        return command;
    }

    private static IEnumerable<(string Name, string Value)> ReadProperties(string path)
    {
        foreach (var raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            int eq = line.IndexOfAny(['=', ':']);
            if (eq <= 0)
            {
                continue;
            }

            yield return (line[..eq].Trim(), line[(eq + 1)..].Trim());
        }
    }

    private static void ApplyListener(string listeners, ref string host, ref int port)
    {
        // listeners=PLAINTEXT://host:port (the first one is used)
        string first = listeners.Split(',')[0];
        int scheme = first.IndexOf("://", StringComparison.Ordinal);
        string address = scheme >= 0 ? first[(scheme + 3)..] : first;
        int colon = address.LastIndexOf(':');
        if (colon >= 0 && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int p))
        {
            port = p;
            string h = address[..colon];
            host = h.Length == 0 ? "0.0.0.0" : h;
        }
    }
}
