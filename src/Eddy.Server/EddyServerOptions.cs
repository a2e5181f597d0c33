using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Eddy.Server;

/// <summary>
/// How <see cref="EddyServer"/> runs: where it listens, which Kafka cluster it uses (the embedded broker
/// when <see cref="BootstrapServers"/> is null), where data lives and what every query runs with.
/// <see cref="FromProperties"/> reads ksql-server.properties-style keys with the environment overrides
/// of ksqlDB's docker image (<c>KSQL_LISTENERS</c>, <c>KSQL_BOOTSTRAP_SERVERS</c>, <c>EDDY_DATA_DIR</c>, ...).
/// </summary>
/// <example>
/// <code>
/// var options = new EddyServerOptions { DataDirectory = "/var/lib/eddy", Listeners = { "http://0.0.0.0:8088" } };
/// await using var server = await EddyServer.StartAsync(options, ct);
/// </code>
/// </example>
public sealed class EddyServerOptions
{
    /// <summary>The HTTP listeners (<c>listeners</c>), e.g. <c>http://0.0.0.0:8088</c>; port 0 picks a free port.</summary>
    public IList<string> Listeners { get; } = [];

    /// <summary>An external Kafka cluster (<c>bootstrap.servers</c>); null starts the embedded broker.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The data directory (<c>eddy.data.dir</c>): the embedded broker's logs under kafka/, query state under state/.</summary>
    public string DataDirectory { get; set; } = "eddy-data";

    /// <summary>The embedded broker's host (<c>eddy.broker.host</c>).</summary>
    public string BrokerHost { get; set; } = "127.0.0.1";

    /// <summary>The embedded broker's port (<c>eddy.broker.port</c>); 0 picks a free port.</summary>
    public int BrokerPort { get; set; } = 9092;

    /// <summary>ksql.service.id: names the command topic and prefixes query application ids.</summary>
    public string ServiceId { get; set; } = "default_";

    /// <summary>Properties every query runs with (<c>ksql.streams.*</c> keys, without the prefix).</summary>
    public IDictionary<string, string> StreamsProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Every key read from the config (for SHOW PROPERTIES and settings this class does not model).</summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Broker configs for the embedded broker (<c>eddy.broker.*</c> keys other than host and port, without the prefix).</summary>
    public IDictionary<string, string> BrokerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A folder of UDF assemblies (<c>ksql.extension.dir</c>).</summary>
    public string? ExtensionDirectory { get; set; }

    /// <summary>Logging for the server, the engine and the embedded broker.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How long a push query may stay silent before /query writes a keep-alive newline (which also detects gone clients).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a request carrying <c>commandSequenceNumber</c> waits for that command to be applied before it is
    /// answered 503 (<c>ksql.server.command.response.timeout.ms</c>, 5 s as in ksqlDB).
    /// </summary>
    public TimeSpan CommandResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The URLs to listen on: <see cref="Listeners"/>, or <c>http://0.0.0.0:8088</c>.</summary>
    public IReadOnlyList<string> EffectiveListeners => Listeners.Count > 0 ? [.. Listeners] : ["http://0.0.0.0:8088"];

    /// <summary>
    /// Builds options from properties (a ksql-server.properties file's entries) and then the environment:
    /// <c>KSQL_*</c> variables map to ksql keys as ksqlDB's docker image maps them (strip the prefix, lower
    /// case, <c>_</c> to <c>.</c>, <c>__</c> to <c>_</c>, <c>___</c> to <c>-</c>; so KSQL_KSQL_SERVICE_ID is
    /// ksql.service.id) and <c>EDDY_*</c> variables to <c>eddy.*</c> keys (EDDY_DATA_DIR is eddy.data.dir).
    /// </summary>
    /// <exception cref="ArgumentException">A value has the wrong form (names the key).</exception>
    public static EddyServerOptions FromProperties(IEnumerable<KeyValuePair<string, string>> properties, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in properties)
        {
            all[k] = v;
        }

        if (environment is not null)
        {
            foreach (DictionaryEntry e in environment)
            {
                if (e.Key is string name && e.Value is string value && EnvironmentKey(name) is { } key)
                {
                    all[key] = value;
                }
            }
        }

        var options = new EddyServerOptions();
        foreach (var (key, value) in all)
        {
            options.Properties[key] = value;
            switch (key)
            {
                case "listeners":
                    foreach (var l in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.Listeners.Add(l);
                    }

                    break;
                case "bootstrap.servers" or "ksql.streams.bootstrap.servers":
                    options.BootstrapServers = value.Length == 0 ? null : value;
                    break;
                case "ksql.service.id":
                    options.ServiceId = value;
                    break;
                case "ksql.extension.dir":
                    options.ExtensionDirectory = value;
                    break;
                case "eddy.data.dir":
                    options.DataDirectory = value;
                    break;
                case "eddy.broker.host":
                    options.BrokerHost = value;
                    break;
                case "eddy.broker.port":
                    options.BrokerPort = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                        ? port
                        : throw new ArgumentException($"eddy.broker.port must be a port number (0-65535), got '{value}'.");
                    break;
                case "ksql.server.command.response.timeout.ms":
                    options.CommandResponseTimeout = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= int.MaxValue
                        ? TimeSpan.FromMilliseconds(ms)
                        : throw new ArgumentException($"ksql.server.command.response.timeout.ms must be a number of milliseconds, got '{value}'.");
                    break;
                default:
                    if (key.StartsWith("ksql.streams.", StringComparison.Ordinal))
                    {
                        options.StreamsProperties[key["ksql.streams.".Length..]] = value;
                    }
                    else if (key.StartsWith("eddy.broker.", StringComparison.Ordinal))
                    {
                        options.BrokerSettings[key["eddy.broker.".Length..]] = value;
                    }

                    break;
            }
        }

        return options;
    }

    /// <summary>Reads a properties file (<c>name=value</c> or <c>name: value</c> per line, # and ! comments).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IEnumerable<KeyValuePair<string, string>> ReadPropertiesFile(string path)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var eq = line.IndexOfAny(['=', ':']);
            if (eq <= 0)
            {
                throw new IOException($"{path}: '{line}' is not a name=value line.");
            }

            result.Add(new(line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }

        return result;
    }

    /// <summary>The config key of an environment variable, or null when it is not a KSQL_ or EDDY_ variable.</summary>
    public static string? EnvironmentKey(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string prefix;
        if (variable.StartsWith("KSQL_", StringComparison.Ordinal))
        {
            prefix = string.Empty;
        }
        else if (variable.StartsWith("EDDY_", StringComparison.Ordinal))
        {
            prefix = "eddy.";
        }
        else
        {
            return null;
        }

        var rest = variable[5..];
        if (rest.Length == 0)
        {
            return null;
        }

        var key = rest.ToLowerInvariant()
            .Replace("___", "\u0001", StringComparison.Ordinal)
            .Replace("__", "\u0002", StringComparison.Ordinal)
            .Replace('_', '.')
            .Replace('\u0001', '-')
            .Replace('\u0002', '_');
        return prefix + key;
    }
}
