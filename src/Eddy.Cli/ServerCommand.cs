using System.CommandLine;
using System.Runtime.InteropServices;
using Eddy.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy server</c>: the ksqlDB-compatible SQL server, on the embedded broker (data in --data-dir) unless
/// --bootstrap-servers names an external Kafka cluster. Settings come from a ksql-server.properties-style
/// file (--config), then KSQL_* and EDDY_* environment variables, then the command line; docs/server.md
/// lists them. Runs until Ctrl-C or SIGTERM, then stops HTTP, the queries and the broker in that order.
/// </summary>
public static class ServerCommand
{
    /// <summary>Creates the <c>server</c> verb.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(ServerCommand.Create());
    /// // eddy server --data-dir ./eddy-data --listeners http://0.0.0.0:8088 --broker-port 9092
    /// </code>
    /// </example>
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "A ksql-server.properties-style file (listeners, bootstrap.servers, ksql.service.id, ksql.streams.*, eddy.data.dir, ...)" };
        var listeners = new Option<string?>("--listeners") { Description = "Comma-separated HTTP listeners. Default: http://0.0.0.0:8088" };
        var bootstrap = new Option<string?>("--bootstrap-servers") { Description = "Use this Kafka cluster instead of starting the embedded broker" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (embedded broker logs and query state). Default: ./eddy-data" };
        var brokerPort = new Option<int?>("--broker-port") { Description = "Port of the embedded broker. Default: 9092" };
        var serviceId = new Option<string?>("--service-id") { Description = "ksql.service.id. Default: default_" };
        var verbose = new Option<bool>("--verbose") { Description = "Log at debug level" };
        var command = new Command("server", "Run the ksqlDB-compatible streaming SQL server (REST API on port 8088) on the embedded broker or a Kafka cluster.")
        {
            config, listeners, bootstrap, dataDir, brokerPort, serviceId, verbose,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            EddyServerOptions options;
            try
            {
                var properties = parseResult.GetValue(config) is { } file
                    ? EddyServerOptions.ReadPropertiesFile(file.FullName)
                    : [];
                options = EddyServerOptions.FromProperties(properties, Environment.GetEnvironmentVariables());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                error.WriteLine($"Cannot read the server configuration: {e.Message}");
                return 2;
            }

            if (parseResult.GetValue(listeners) is { } l)
            {
                options.Listeners.Clear();
                foreach (var listener in l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    options.Listeners.Add(listener);
                }
            }

            options.BootstrapServers = parseResult.GetValue(bootstrap) ?? options.BootstrapServers;
            options.DataDirectory = parseResult.GetValue(dataDir) ?? options.DataDirectory;
            options.BrokerPort = parseResult.GetValue(brokerPort) ?? options.BrokerPort;
            options.ServiceId = parseResult.GetValue(serviceId) ?? options.ServiceId;

            using var loggerFactory = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(parseResult.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning);
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                });
                builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            options.LoggerFactory = loggerFactory;

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

            EddyServer server;
            try
            {
                server = await EddyServer.StartAsync(options, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return 130;
            }
            catch (Exception e) when (e is ArgumentException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException
                or Client.KafkaException or Sql.SqlException or InvalidOperationException)
            {
                error.WriteLine($"Cannot start the server: {e.Message}");
                return 1;
            }

            var kafka = server.Broker is null ? $"Kafka at {server.BootstrapServers}" : $"embedded broker at {server.BootstrapServers} (data in {Path.GetFullPath(options.DataDirectory)})";
            output.WriteLine($"eddy server {EddyCommand.Version} listening on {string.Join(", ", server.Urls)}; {kafka}");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            output.WriteLine("eddy server shutting down");
            await server.StopAsync();
            output.WriteLine("eddy server stopped cleanly");
            return 0;
        });
        return command;
    }
}
