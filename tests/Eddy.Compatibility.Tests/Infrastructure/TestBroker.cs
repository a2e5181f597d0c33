using Eddy.Broker;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>An embedded Eddy broker on ephemeral loopback ports with its own temporary data directory.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private TestBroker(KafkaBroker broker, string directory)
    {
        Broker = broker;
        Directory = directory;
    }

    public KafkaBroker Broker { get; }

    public string Directory { get; }

    public string Bootstrap => Broker.BootstrapServers;

    /// <summary>Starts a broker: no initial rebalance delay (as the clients' own suites assume), extra settings on top.</summary>
    public static async Task<TestBroker> StartAsync(int brokers = 1, int partitions = 1, IReadOnlyDictionary<string, string>? settings = null, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "eddy-compat-" + Guid.NewGuid().ToString("N"));
        var options = new BrokerOptions { DataDirectory = directory, Port = 0, BrokerCount = brokers };
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        options.Settings["num.partitions"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        options.Settings["offsets.topic.num.partitions"] = "4";
        if (settings is not null)
        {
            foreach (var (k, v) in settings)
            {
                options.Settings[k] = v;
            }
        }

        return new TestBroker(await KafkaBroker.StartAsync(options), directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
