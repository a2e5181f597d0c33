using System.Collections;
using System.Globalization;
using Eddy.Client.Internal;

namespace Eddy.Client;

/// <summary>
/// Settings shared by every client, under Kafka's property names (<c>bootstrap.servers</c>,
/// <c>client.id</c>, ...). Set them through the typed properties or as strings with the indexer;
/// both write the same dictionary. A client validates its settings when it is constructed: an unknown
/// name, a value of the wrong type or out of range, or a setting for another kind of client throws
/// <see cref="KafkaConfigException"/> naming the setting.
/// </summary>
/// <example>
/// <code>
/// var config = new ProducerConfig { BootstrapServers = "localhost:9092", LingerMs = 10 };
/// config["compression.type"] = "lz4";
/// </code>
/// </example>
public abstract class ClientConfig : IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>Creates an empty configuration.</summary>
    protected ClientConfig()
    {
    }

    /// <summary>Creates a configuration from Kafka property names and values.</summary>
    protected ClientConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        foreach (var (key, value) in properties)
        {
            _values[key] = value;
        }
    }

    /// <summary>The value of a setting by its Kafka name, or null when it is not set.</summary>
    public string? this[string key]
    {
        get => _values.TryGetValue(key, out var value) ? value : null;
        set
        {
            if (value is null)
            {
                _values.Remove(key);
            }
            else
            {
                _values[key] = value;
            }
        }
    }

    /// <summary>Whether a setting was given explicitly.</summary>
    public bool IsSet(string key) => _values.ContainsKey(key);

    /// <summary>host:port pairs, comma-separated, to reach the cluster (<c>bootstrap.servers</c>).</summary>
    public string? BootstrapServers { get => this["bootstrap.servers"]; set => this["bootstrap.servers"] = value; }

    /// <summary>The client id sent with every request (<c>client.id</c>).</summary>
    public string? ClientId { get => this["client.id"]; set => this["client.id"] = value; }

    /// <summary>How long to wait for a response before the request fails and the connection is closed (<c>request.timeout.ms</c>).</summary>
    public int? RequestTimeoutMs { get => GetInt("request.timeout.ms"); set => SetNumber("request.timeout.ms", value); }

    /// <summary>How often metadata is refreshed even without errors (<c>metadata.max.age.ms</c>).</summary>
    public long? MetadataMaxAgeMs { get => GetLong("metadata.max.age.ms"); set => SetNumber("metadata.max.age.ms", value); }

    /// <summary>First wait before reconnecting to a broker (<c>reconnect.backoff.ms</c>).</summary>
    public long? ReconnectBackoffMs { get => GetLong("reconnect.backoff.ms"); set => SetNumber("reconnect.backoff.ms", value); }

    /// <summary>Largest wait before reconnecting, reached by doubling (<c>reconnect.backoff.max.ms</c>).</summary>
    public long? ReconnectBackoffMaxMs { get => GetLong("reconnect.backoff.max.ms"); set => SetNumber("reconnect.backoff.max.ms", value); }

    /// <summary>Wait before retrying a failed request (<c>retry.backoff.ms</c>).</summary>
    public long? RetryBackoffMs { get => GetLong("retry.backoff.ms"); set => SetNumber("retry.backoff.ms", value); }

    /// <summary>Connection and security extension points (transport, authentication), for TLS and SASL.</summary>
    public ConnectionOptions Connection { get; set; } = new();

    /// <summary>Every setting given, as Kafka property names and values.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Checks every setting for a client of this kind; throws <see cref="KafkaConfigException"/> on the first problem.</summary>
    public virtual void Validate()
    {
        var scope = Scope;
        foreach (var (name, value) in _values)
        {
            if (!ConfigDefinitions.TryGet(name, out var key))
            {
                throw new KafkaConfigException(name, $"unknown setting '{name}'{Suggest(name)}");
            }

            if ((key.Scope & scope) == 0)
            {
                throw new KafkaConfigException(name, $"'{name}' is a {Describe(key.Scope)} setting; it does not apply to {Describe(scope)}");
            }

            if (key.Unsupported is not null)
            {
                throw new KafkaConfigException(name, $"'{name}' is not supported: {key.Unsupported}");
            }

            if (ConfigDefinitions.Check(key, value) is { } problem)
            {
                throw new KafkaConfigException(name, $"invalid value for '{name}': {problem}");
            }
        }

        string? bootstrap = this["bootstrap.servers"];
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new KafkaConfigException("bootstrap.servers", "'bootstrap.servers' is required");
        }

        foreach (string server in bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Internal.BrokerAddress.TryParse(server, out _))
            {
                throw new KafkaConfigException("bootstrap.servers", $"invalid address '{server}' in 'bootstrap.servers': expected host:port");
            }
        }

        string protocol = GetString("security.protocol");
        if (!string.Equals(protocol, "PLAINTEXT", StringComparison.OrdinalIgnoreCase) && Connection.TransportFactory is null)
        {
            throw new KafkaConfigException("security.protocol", $"security.protocol {protocol} needs a transport: set Connection.TransportFactory (built-in TLS and SASL are not implemented yet)");
        }
    }

    /// <summary>The kind of client this configuration is for.</summary>
    private protected abstract ConfigScope Scope { get; }

    internal string GetString(string name) => this[name] ?? Default(name) ?? string.Empty;

    internal string? GetNullableString(string name) => this[name] ?? Default(name);

    internal int GetIntOrDefault(string name) => int.Parse(GetString(name).Trim(), CultureInfo.InvariantCulture);

    internal long GetLongOrDefault(string name) => long.Parse(GetString(name).Trim(), CultureInfo.InvariantCulture);

    internal bool GetBoolOrDefault(string name) => string.Equals(GetString(name).Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads an integer setting, or null when unset.</summary>
    protected int? GetInt(string name) => this[name] is { } v && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : null;

    /// <summary>Reads a 64-bit integer setting, or null when unset.</summary>
    protected long? GetLong(string name) => this[name] is { } v && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long r) ? r : null;

    /// <summary>Reads a boolean setting, or null when unset.</summary>
    protected bool? GetBool(string name) => this[name] is { } v ? string.Equals(v.Trim(), "true", StringComparison.OrdinalIgnoreCase) : null;

    /// <summary>Writes a number setting; null removes it.</summary>
    protected void SetNumber(string name, long? value) => this[name] = value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a boolean setting; null removes it.</summary>
    protected void SetBool(string name, bool? value) => this[name] = value is null ? null : value.Value ? "true" : "false";

    private static string? Default(string name) => ConfigDefinitions.TryGet(name, out var key) ? key.Default : null;

    private static string Describe(ConfigScope scope)
    {
        var names = new List<string>();
        if ((scope & ConfigScope.Producer) != 0)
        {
            names.Add("producer");
        }

        if ((scope & ConfigScope.Consumer) != 0)
        {
            names.Add("consumer");
        }

        if ((scope & ConfigScope.Admin) != 0)
        {
            names.Add("admin client");
        }

        return string.Join(" / ", names);
    }

    private static string Suggest(string name)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var key in ConfigDefinitions.All)
        {
            int d = Distance(name, key.Name);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = key.Name;
            }
        }

        return best is not null && bestDistance <= 3 ? $" (did you mean '{best}'?)" : string.Empty;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
