using System.Collections.Concurrent;
using Eddy.Broker;
using Eddy.Client;
using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Integration.Tests;

/// <summary>An embedded broker on an ephemeral port plus helpers to run word-count instances against it.</summary>
internal sealed class StreamsCluster : IAsyncDisposable
{
    private readonly List<KafkaStreams> _instances = [];
    private readonly List<string> _dirs = [];

    private StreamsCluster(KafkaBroker broker, string dir)
    {
        Broker = broker;
        _dirs.Add(dir);
    }

    public KafkaBroker Broker { get; private set; }

    public string Bootstrap => Broker.BootstrapServers;

    public static async Task<StreamsCluster> StartAsync(string? dataDir = null, int port = 0)
    {
        var dir = dataDir ?? NewDir("eddy-streams-broker");
        var options = new BrokerOptions { DataDirectory = dir, Port = port };
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        options.Settings["offsets.topic.num.partitions"] = "2";
        return new StreamsCluster(await KafkaBroker.StartAsync(options), dir);
    }

    public static string NewDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }

    public string StateDir()
    {
        var d = NewDir("eddy-streams-state");
        _dirs.Add(d);
        return d;
    }

    public static Topology WordCount(string input = "lines", string output = "counts", string store = "counts-store")
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>(input, Consumed.With(Serdes.String(), Serdes.String()))
            .FlatMapValues(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy((_, word) => word, Grouped.With(Serdes.String(), Serdes.String()))
            .Count(Materialized<string, long>.As(store).WithKeySerde(Serdes.String()).WithValueSerde(Serdes.Int64()))
            .ToStream()
            .To(output, Produced.With(Serdes.String(), Serdes.Int64()));
        return builder.Build();
    }

    public StreamsConfig Config(string appId, string stateDir, int port, Action<StreamsConfig>? configure = null)
    {
        var config = new StreamsConfig
        {
            ApplicationId = appId,
            BootstrapServers = Bootstrap,
            StateDir = stateDir,
            CommitInterval = TimeSpan.FromMilliseconds(200),
            ApplicationServer = "localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            PollInterval = TimeSpan.FromMilliseconds(20),
        };
        config["consumer.session.timeout.ms"] = "6000";
        config["consumer.heartbeat.interval.ms"] = "500";
        if (FileLoggerProvider.CreateOrNull(appId + "@" + port.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } lf)
        {
            config.LoggerFactory = lf;
        }
        configure?.Invoke(config);
        return config;
    }

    public async Task<KafkaStreams> StartInstanceAsync(Topology topology, StreamsConfig config, IStateRestoreListener? restoreListener = null)
    {
        var streams = new KafkaStreams(topology, config);
        if (restoreListener is not null)
        {
            streams.SetGlobalStateRestoreListener(restoreListener);
        }
        _instances.Add(streams);
        await streams.StartAsync();
        return streams;
    }

    public async Task ProduceLinesAsync(string topic, IEnumerable<string> lines)
    {
        await using var producer = new KafkaProducer<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 5 }, Serializers.Utf8, Serializers.Utf8);
        var i = 0;
        var sends = new List<Task<DeliveryResult<string, string>>>();
        foreach (var line in lines)
        {
            sends.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = "k" + (i++ % 97).ToString(System.Globalization.CultureInfo.InvariantCulture), Value = line }));
        }
        await Task.WhenAll(sends);
    }

    /// <summary>Reads a topic from the beginning to its current end; the last value per key.</summary>
    public async Task<Dictionary<string, long>> ReadLatestAsync(string topic, int partitions)
    {
        await using var consumer = new KafkaConsumer<string, long>(new ConsumerConfig { BootstrapServers = Bootstrap, AutoOffsetReset = Client.AutoOffsetReset.Earliest },
            Deserializers.Utf8, Deserializers.Int64);
        var tps = Enumerable.Range(0, partitions).Select(p => new Client.TopicPartition(topic, p)).ToList();
        var ends = new Dictionary<Client.TopicPartition, long>();
        foreach (var tp in tps)
        {
            ends[tp] = (await consumer.QueryWatermarkOffsetsAsync(tp)).High;
        }
        consumer.Assign(tps.Select(tp => new TopicPartitionOffset(tp, Offsets.Beginning)));
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (tps.Any(tp => consumer.Position(tp) < ends[tp]) && DateTime.UtcNow < deadline)
        {
            foreach (var r in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)))
            {
                latest[r.Key] = r.Value;
            }
        }
        return latest;
    }

    public static Dictionary<string, long> Recount(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
        }
        return counts;
    }

    public static List<string> Lines(int count, int words, int seed)
    {
        var rnd = new Random(seed);
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            lines.Add(string.Join(' ', Enumerable.Range(0, 3).Select(_ => "w" + rnd.Next(words).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        return lines;
    }

    /// <summary>Counts queried from the stores of every given instance (interactive queries).</summary>
    public static Dictionary<string, long> QueryAll(IEnumerable<KafkaStreams> instances, string store = "counts-store")
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in instances)
        {
            var view = s.Store(StoreQueryParameters.FromNameAndType(store, QueryableStoreTypes.KeyValueStore<string, long>()));
            using var all = view.All();
            while (all.MoveNext())
            {
                result[all.Current.Key] = all.Current.Value;
            }
        }
        return result;
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Errors.InvalidStateStoreException)
            {
                // A store moved mid-query: try again.
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out: " + describe());
            }
            await Task.Delay(50);
        }
    }

    public async Task RestartBrokerAsync()
    {
        var dir = Broker.DataDirectory;
        var port = Broker.Endpoints[0].Port;
        await Broker.StopAsync();
        var options = new BrokerOptions { DataDirectory = dir, Port = port };
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        options.Settings["offsets.topic.num.partitions"] = "2";
        Broker = await KafkaBroker.StartAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _instances)
        {
            await s.CloseAsync(TimeSpan.FromSeconds(20));
        }
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

/// <summary>Counts what a restore listener reports.</summary>
internal sealed class CountingRestoreListener : IStateRestoreListener
{
    public ConcurrentDictionary<string, long> Restored { get; } = new();

    public ConcurrentDictionary<string, (long Start, long End)> Ranges { get; } = new();

    public int Starts;
    public int Ends;

    public void OnRestoreStart(TopicPartition partition, string storeName, long startingOffset, long endingOffset)
    {
        Ranges[partition.ToString()] = (startingOffset, endingOffset);
        Interlocked.Increment(ref Starts);
    }

    public void OnBatchRestored(TopicPartition partition, string storeName, long batchEndOffset, long numRestored) => Restored.AddOrUpdate(partition.ToString(), numRestored, (_, v) => v + numRestored);

    public void OnRestoreEnd(TopicPartition partition, string storeName, long totalRestored) => Interlocked.Increment(ref Ends);

    public long Total => Restored.Values.Sum();
}
