using System.Text;
using Eddy.Broker;
using Eddy.Client;
using Eddy.Sql.Engine;

namespace Eddy.Sql.Tests.Engine;

/// <summary>One embedded broker (ephemeral port, temp data dir) shared by a test class, plus engine and topic helpers.</summary>
public sealed class EngineCluster : IAsyncLifetime
{
    private readonly List<string> _dirs = [];

    public KafkaBroker Broker { get; private set; } = null!;

    public string Bootstrap => Broker.BootstrapServers;

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { DataDirectory = NewDir("eddy-sql-broker"), Port = 0 };
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        options.Settings["offsets.topic.num.partitions"] = "2";
        Broker = await KafkaBroker.StartAsync(options);
    }

    public string NewDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        _dirs.Add(d);
        return d;
    }

    /// <summary>Engine options for tests: fast commits and heartbeats, a fresh state directory unless one is given.</summary>
    public SqlEngineOptions Options(string? stateDir = null, string serviceId = "default_") => new()
    {
        BootstrapServers = Bootstrap,
        StateDirectory = stateDir ?? NewDir("eddy-sql-state"),
        Planner = new Sql.Planning.PlannerSettings { ServiceId = serviceId },
        StreamsProperties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["commit.interval.ms"] = "100",
            ["poll.ms"] = "20",
            ["consumer.session.timeout.ms"] = "6000",
            ["consumer.heartbeat.interval.ms"] = "500",
        },
    };

    public async Task<SqlEngine> StartEngineAsync(ICommandLog? log = null, SqlEngineOptions? options = null)
    {
        var engine = new SqlEngine(log ?? new InMemoryCommandLog(), options ?? Options());
        await engine.StartAsync();
        return engine;
    }

    public async Task<IReadOnlyList<string>> TopicsAsync()
    {
        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = Bootstrap });
        return await admin.ListTopicsAsync();
    }

    /// <summary>Reads a topic from the beginning until <paramref name="count"/> records arrived or the deadline passed.</summary>
    public async Task<List<ConsumeResult<byte[], byte[]>>> ReadAsync(string topic, int count, TimeSpan? timeout = null)
    {
        await using var consumer = new KafkaConsumer<byte[], byte[]>(
            new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "reader-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = Client.AutoOffsetReset.Earliest },
            Deserializers.ByteArray, Deserializers.ByteArray);
        consumer.Subscribe([topic]);
        var records = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            records.AddRange(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)));
        }

        return records;
    }

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (then fails with <paramref name="describe"/>).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out: " + describe());
            }

            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        foreach (var d in _dirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
