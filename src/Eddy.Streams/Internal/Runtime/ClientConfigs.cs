using System.Globalization;
using Eddy.Client;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>
/// Builds the clients' configurations from the streams configuration: bootstrap.servers and client.id, then any
/// setting with Kafka Streams' prefixes (<c>consumer.</c>, <c>main.consumer.</c>, <c>restore.consumer.</c>,
/// <c>producer.</c>, <c>admin.</c>) with the prefix removed.
/// </summary>
internal static class ClientConfigs
{
    public static ConsumerConfig Consumer(StreamsConfig config, string clientId, bool restore = false)
    {
        var c = new ConsumerConfig { BootstrapServers = config.BootstrapServers, ClientId = clientId };
        Apply(config, "consumer.", (k, v) => c[k] = v);
        Apply(config, restore ? "restore.consumer." : "main.consumer.", (k, v) => c[k] = v);
        return c;
    }

    public static ProducerConfig Producer(StreamsConfig config, string clientId)
    {
        var c = new ProducerConfig { BootstrapServers = config.BootstrapServers, ClientId = clientId };
        // Kafka Streams' producer defaults: batch a little, since commits flush anyway.
        c.LingerMs = 5;
        Apply(config, "producer.", (k, v) => c[k] = v);
        return c;
    }

    public static AdminClientConfig Admin(StreamsConfig config, string clientId)
    {
        var c = new AdminClientConfig { BootstrapServers = config.BootstrapServers, ClientId = clientId };
        Apply(config, "admin.", (k, v) => c[k] = v);
        return c;
    }

    private static void Apply(StreamsConfig config, string prefix, Action<string, string> set)
    {
        foreach (var (k, v) in config.Originals)
        {
            if (v is not null && k.StartsWith(prefix, StringComparison.Ordinal))
            {
                set(k[prefix.Length..], Convert.ToString(v, CultureInfo.InvariantCulture) ?? "");
            }
        }
    }
}
