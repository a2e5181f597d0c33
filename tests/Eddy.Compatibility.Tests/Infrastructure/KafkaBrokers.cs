namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>
/// A broker the client tests run against. Every client test takes one of these, so adding a broker
/// (the embedded Eddy broker, single and 3-node) is adding a fixture here, in one place.
/// </summary>
public interface IKafkaBroker : IAsyncDisposable
{
    /// <summary>The bootstrap list.</summary>
    string Bootstrap { get; }

    /// <summary>A name for test output.</summary>
    string Name { get; }

    /// <summary>Whether the broker serves the admin APIs (CreateTopics, DescribeConfigs...).</summary>
    bool HasAdminApis { get; }

    /// <summary>Partitions a topic gets when it is created by its first use.</summary>
    int AutoCreatePartitions { get; }

    /// <summary>Whether the broker drops an idempotent producer's retried batch it already wrote (Kafka does; librdkafka 2.0.2's mock does not).</summary>
    bool DeduplicatesIdempotentRetries { get; }

    /// <summary>Whether a static member rejoining replaces its old self at once (KIP-345; librdkafka 2.0.2's mock does not).</summary>
    bool ReplacesStaticMembers { get; }
}

/// <summary>An xunit class fixture that starts one broker for the tests of a class.</summary>
public interface IBrokerFixture
{
    IKafkaBroker Broker { get; }
}

/// <summary>librdkafka's mock cluster: 3 brokers on loopback, started from python3-confluent-kafka.</summary>
public sealed class MockCluster : IKafkaBroker
{
    private readonly BackgroundProcess _process;

    private MockCluster(BackgroundProcess process, string bootstrap)
    {
        _process = process;
        Bootstrap = bootstrap;
    }

    public string Bootstrap { get; }

    public string Name => "librdkafka mock cluster";

    public bool HasAdminApis => false;

    public int AutoCreatePartitions => 4;

    public bool DeduplicatesIdempotentRetries => false;

    public bool ReplacesStaticMembers => false;

    public static async Task<MockCluster> StartAsync(int brokers = 3)
    {
        var process = new BackgroundProcess(Peers.Python, [Path.Combine(Peers.PythonPeers, "mock_cluster.py"), brokers.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        string bootstrap = await process.FirstLineAsync(TimeSpan.FromSeconds(60));
        return new MockCluster(process, bootstrap);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>One mock cluster shared by the tests of a class (xunit class fixture).</summary>
public sealed class MockClusterFixture : IAsyncLifetime, IBrokerFixture
{
    public MockCluster Cluster { get; private set; } = null!;

    public IKafkaBroker Broker => Cluster;

    public async Task InitializeAsync() => Cluster = await MockCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
