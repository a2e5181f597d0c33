using System.Globalization;

namespace Eddy.Client.Internal;

/// <summary>Which kinds of client a setting applies to.</summary>
[Flags]
internal enum ConfigScope
{
    Producer = 1,
    Consumer = 2,
    Admin = 4,
    All = Producer | Consumer | Admin,
}

internal enum ConfigType
{
    String,
    Int,
    Long,
    Bool,
    List,
    Enum,
}

/// <summary>One Kafka setting: its name, type, default and valid range (Kafka's ConfigDef).</summary>
internal sealed record ConfigKey(string Name, ConfigType Type, string? Default, ConfigScope Scope, long Min = long.MinValue, long Max = long.MaxValue, string[]? Values = null, string? Unsupported = null);

/// <summary>The settings Eddy.Client knows, by Kafka's property names and Java client defaults.</summary>
internal static class ConfigDefinitions
{
    private static readonly Dictionary<string, ConfigKey> Keys = Build();

    public static bool TryGet(string name, out ConfigKey key) => Keys.TryGetValue(name, out key!);

    public static IEnumerable<ConfigKey> All => Keys.Values;

    private static Dictionary<string, ConfigKey> Build()
    {
        var all = ConfigScope.All;
        var p = ConfigScope.Producer;
        var c = ConfigScope.Consumer;
        var pc = ConfigScope.Producer | ConfigScope.Consumer;
        var ca = ConfigScope.Consumer | ConfigScope.Admin;
        ConfigKey[] keys =
        [
            // Common (CommonClientConfigs).
            new("bootstrap.servers", ConfigType.List, null, all),
            new("client.id", ConfigType.String, "eddy", all),
            new("client.rack", ConfigType.String, string.Empty, all),
            new("request.timeout.ms", ConfigType.Int, "30000", all, 1),
            new("metadata.max.age.ms", ConfigType.Long, "300000", all, 0),
            new("reconnect.backoff.ms", ConfigType.Long, "50", all, 0),
            new("reconnect.backoff.max.ms", ConfigType.Long, "1000", all, 0),
            new("retry.backoff.ms", ConfigType.Long, "100", all, 0),
            new("retry.backoff.max.ms", ConfigType.Long, "1000", all, 0),
            new("socket.connection.setup.timeout.ms", ConfigType.Long, "10000", all, 1),
            new("connections.max.idle.ms", ConfigType.Long, "540000", all, -1),
            new("send.buffer.bytes", ConfigType.Int, "131072", all, -1),
            new("receive.buffer.bytes", ConfigType.Int, "65536", all, -1),
            new("default.api.timeout.ms", ConfigType.Int, "60000", ca, 0),
            new("security.protocol", ConfigType.Enum, "PLAINTEXT", all, Values: ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]),

            // Producer (ProducerConfig).
            new("acks", ConfigType.Enum, "all", p, Values: ["all", "-1", "0", "1"]),
            new("linger.ms", ConfigType.Long, "5", p, 0),
            new("batch.size", ConfigType.Int, "16384", p, 0),
            new("buffer.memory", ConfigType.Long, "33554432", p, 0),
            new("compression.type", ConfigType.Enum, "none", p, Values: ["none", "gzip", "snappy", "lz4", "zstd"]),
            new("enable.idempotence", ConfigType.Bool, "true", p),
            new("max.in.flight.requests.per.connection", ConfigType.Int, "5", p, 1),
            new("retries", ConfigType.Int, "2147483647", p, 0),
            new("delivery.timeout.ms", ConfigType.Int, "120000", p, 0),
            new("max.block.ms", ConfigType.Long, "60000", p, 0),
            new("max.request.size", ConfigType.Int, "1048576", p, 0),
            new("partitioner", ConfigType.Enum, "murmur2_random", p, Values: ["murmur2_random", "murmur2", "random"]),
            new("partitioner.ignore.keys", ConfigType.Bool, "false", p),
            new("transactional.id", ConfigType.String, null, p, Unsupported: "transactions are not implemented yet (see the roadmap); remove transactional.id"),

            // Consumer (ConsumerConfig).
            new("group.id", ConfigType.String, null, c),
            new("group.instance.id", ConfigType.String, null, c),
            new("group.protocol", ConfigType.Enum, "classic", c, Values: ["classic"]),
            new("session.timeout.ms", ConfigType.Int, "45000", c, 1),
            new("heartbeat.interval.ms", ConfigType.Int, "3000", c, 1),
            new("max.poll.interval.ms", ConfigType.Int, "300000", c, 1),
            new("max.poll.records", ConfigType.Int, "500", c, 1),
            new("enable.auto.commit", ConfigType.Bool, "true", c),
            new("auto.commit.interval.ms", ConfigType.Int, "5000", c, 0),
            new("auto.offset.reset", ConfigType.Enum, "latest", c, Values: ["latest", "earliest", "none"]),
            new("isolation.level", ConfigType.Enum, "read_uncommitted", c, Values: ["read_uncommitted", "read_committed"]),
            new("fetch.min.bytes", ConfigType.Int, "1", c, 0),
            new("fetch.max.bytes", ConfigType.Int, "52428800", c, 0),
            new("fetch.max.wait.ms", ConfigType.Int, "500", c, 0),
            new("max.partition.fetch.bytes", ConfigType.Int, "1048576", c, 0),
            new("partition.assignment.strategy", ConfigType.List, "range,cooperative-sticky", c),
            new("check.crcs", ConfigType.Bool, "true", c),
            new("allow.auto.create.topics", ConfigType.Bool, "true", pc),
            new("exclude.internal.topics", ConfigType.Bool, "true", c),
        ];
        var map = new Dictionary<string, ConfigKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            map.Add(key.Name, key);
        }

        return map;
    }

    /// <summary>Checks one value against its key; returns the problem, or null when valid.</summary>
    public static string? Check(ConfigKey key, string? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (key.Type)
        {
            case ConfigType.Int:
            case ConfigType.Long:
                if (!long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long number)
                    || (key.Type == ConfigType.Int && (number < int.MinValue || number > int.MaxValue)))
                {
                    return $"'{value}' is not {(key.Type == ConfigType.Int ? "a 32-bit" : "a 64-bit")} integer";
                }

                if (number < key.Min || number > key.Max)
                {
                    return key.Max == long.MaxValue
                        ? $"{number} is below the minimum {key.Min}"
                        : $"{number} is outside [{key.Min}, {key.Max}]";
                }

                return null;
            case ConfigType.Bool:
                return value.Trim().ToLowerInvariant() is "true" or "false" ? null : $"'{value}' is not true or false";
            case ConfigType.Enum:
                foreach (string allowed in key.Values!)
                {
                    if (string.Equals(allowed, value.Trim(), StringComparison.OrdinalIgnoreCase))
                    {
                        return null;
                    }
                }

                return $"'{value}' is not one of {string.Join(", ", key.Values!)}";
            default:
                return null;
        }
    }
}
