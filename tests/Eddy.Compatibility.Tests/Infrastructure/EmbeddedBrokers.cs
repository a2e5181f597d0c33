using Eddy.Broker;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>
/// The embedded Eddy broker as a client-test broker: in process, on ephemeral loopback ports, with
/// its own temporary data directory; one broker or a cluster of several in one process.
/// </summary>
public sealed class EmbeddedBroker : IKafkaBroker
{
    private readonly TestBroker _broker;

    private EmbeddedBroker(TestBroker broker, int brokers)
    {
        _broker = broker;
        Name = brokers == 1 ? "Eddy broker" : $"Eddy {brokers}-broker cluster";
    }

    /// <summary>The broker itself, for hooks such as <see cref="KafkaBroker.MoveLeadershipAsync"/>.</summary>
    public KafkaBroker Broker => _broker.Broker;

    public string Bootstrap => _broker.Bootstrap;

    public string Name { get; }

    public bool HasAdminApis => true;

    public int AutoCreatePartitions => 4;

    public bool DeduplicatesIdempotentRetries => true;

    public bool ReplacesStaticMembers => true;

    public static async Task<EmbeddedBroker> StartAsync(int brokers) =>
        new(await TestBroker.StartAsync(brokers, partitions: 4), brokers);

    public ValueTask DisposeAsync() => _broker.DisposeAsync();
}

/// <summary>One embedded broker shared by the tests of a class (xunit class fixture).</summary>
public sealed class EmbeddedBrokerFixture : IAsyncLifetime, IBrokerFixture
{
    public EmbeddedBroker Embedded { get; private set; } = null!;

    public IKafkaBroker Broker => Embedded;

    public async Task InitializeAsync() => Embedded = await EmbeddedBroker.StartAsync(1);

    public async Task DisposeAsync() => await Embedded.DisposeAsync();
}

/// <summary>A 3-broker embedded cluster (brokers 0..2 in one process, leadership spread) shared by the tests of a class.</summary>
public sealed class EmbeddedClusterFixture : IAsyncLifetime, IBrokerFixture
{
    public EmbeddedBroker Embedded { get; private set; } = null!;

    public IKafkaBroker Broker => Embedded;

    public async Task InitializeAsync() => Embedded = await EmbeddedBroker.StartAsync(3);

    public async Task DisposeAsync() => await Embedded.DisposeAsync();
}
