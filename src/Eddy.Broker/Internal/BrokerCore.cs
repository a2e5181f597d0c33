using System.Collections.Concurrent;
using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Groups;
using Eddy.Broker.Internal.Storage;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal;

/// <summary>
/// What every broker of the process shares: the logs, the flusher, the group coordinator, and the
/// cluster view (nodes and which node leads each partition). Each node only differs by its id and
/// listener; requests for partitions it does not lead get NOT_LEADER_OR_FOLLOWER.
/// </summary>
internal sealed class BrokerCore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), int> _leaderOverrides = new();
    private readonly ConcurrentDictionary<(string Topic, int Partition), int> _leaderEpochs = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _maintenance;

    public BrokerCore(string dataDirectory, BrokerConfig config, TimeProvider time, ILoggerFactory loggerFactory, BrokerMetrics metrics)
    {
        Config = config;
        Time = time;
        LoggerFactory = loggerFactory;
        Metrics = metrics;
        Logger = loggerFactory.CreateLogger("Eddy.Broker");
        Logs = new LogManager(dataDirectory, config, time, loggerFactory.CreateLogger("Eddy.Broker.Log"));
        Flusher = new LogFlusher(loggerFactory.CreateLogger("Eddy.Broker.Flusher"), ms => metrics.FlushDuration.Record(ms));
        Groups = new GroupCoordinator(Logs, Flusher, config, time, loggerFactory.CreateLogger("Eddy.Broker.GroupCoordinator"));
    }

    public BrokerConfig Config { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger { get; }

    public BrokerMetrics Metrics { get; }

    public LogManager Logs { get; }

    public LogFlusher Flusher { get; }

    public GroupCoordinator Groups { get; }

    public string ClusterId { get; private set; } = string.Empty;

    /// <summary>The nodes of the process, by id.</summary>
    public List<BrokerEndpoint> Nodes { get; } = [];

    public int ControllerId { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Start()
    {
        Logs.Load();
        ClusterId = LoadClusterId();
        Groups.Load();
        _maintenance = Task.Run(MaintenanceLoopAsync);
    }

    /// <summary>The leader of a partition: spread round-robin (partition % N) unless a test moved it.</summary>
    public int LeaderOf(string topic, int partition) =>
        _leaderOverrides.TryGetValue((topic, partition), out int leader) ? leader : partition % Math.Max(1, Nodes.Count);

    public int LeaderEpochOf(string topic, int partition) => _leaderEpochs.GetValueOrDefault((topic, partition));

    /// <summary>Moves leadership (cluster-mode test hook): the old leader answers NOT_LEADER_OR_FOLLOWER from now on.</summary>
    public void MoveLeadership(string topic, int partition, int toBroker)
    {
        if ((uint)toBroker >= (uint)Nodes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(toBroker), $"broker {toBroker} does not exist (0..{Nodes.Count - 1})");
        }

        var log = Logs.GetPartition(topic, partition) ?? throw new ArgumentException($"{topic}-{partition} does not exist", nameof(partition));
        _leaderOverrides[(topic, partition)] = toBroker;
        _leaderEpochs.AddOrUpdate((topic, partition), 1, (_, epoch) => epoch + 1);
        log.NotifyListeners();
        Logger.LogInformation("Moved leadership of {Topic}-{Partition} to broker {Broker}", topic, partition, toBroker);
    }

    /// <summary>The node coordinating a group: the leader of its __consumer_offsets partition.</summary>
    public int CoordinatorFor(string groupId) =>
        LeaderOf(OffsetsTopicRecords.TopicName, Groups.OffsetsPartitionFor(groupId));

    /// <summary>Runs retention, compaction and checkpoints now (tests; the loop runs it on its interval).</summary>
    public void RunMaintenance(bool forceCompaction = false) => Logs.RunMaintenance(forceCompaction);

    private async Task MaintenanceLoopAsync()
    {
        // Retention and compaction keep Kafka's separate cadences: retention every
        // log.retention.check.interval.ms (5 minutes), the cleaner every log.cleaner.backoff.ms (15 s).
        // Running retention at the cleaner's pace would delete records with old timestamps (replayed
        // history, ksqlDB's ROWTIME=1234 inserts) within seconds, where Kafka keeps them for minutes.
        long retentionInterval = Math.Clamp(Config.RetentionCheckIntervalMs, 100, int.MaxValue);
        long cleanerInterval = Math.Clamp(Config.CleanerBackoffMs, 100, int.MaxValue);
        long nextRetention = NowMs + retentionInterval;
        long nextCleaning = Config.CleanerEnable ? NowMs + cleanerInterval : long.MaxValue;
        long nextCheckpoint = NowMs + Config.CheckpointIntervalMs;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // Interval flushing (policy 'interval') is checked every second; the rest on their own intervals.
                await Task.Delay(TimeSpan.FromSeconds(1), Time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                long now = NowMs;
                if (!Config.FlushOnAck)
                {
                    foreach (var topic in Logs.Topics)
                    {
                        foreach (var partition in topic.Partitions)
                        {
                            if (partition.NeedsIntervalFlush(now))
                            {
                                _ = Flusher.RequestFlush(partition);
                            }
                        }
                    }
                }

                bool retention = now >= nextRetention;
                bool cleaning = now >= nextCleaning;
                if (retention || cleaning)
                {
                    Logs.RunMaintenance(retention, cleaning);
                    nextRetention = retention ? now + retentionInterval : nextRetention;
                    nextCleaning = cleaning ? now + cleanerInterval : nextCleaning;
                    nextCheckpoint = now + Config.CheckpointIntervalMs;
                }
                else if (now >= nextCheckpoint)
                {
                    Logs.WriteCheckpoints();
                    nextCheckpoint = now + Config.CheckpointIntervalMs;
                }
            }
            catch (Exception e)
            {
                Logger.LogError(e, "Broker maintenance failed");
            }
        }
    }

    private string LoadClusterId()
    {
        string path = Path.Combine(Logs.DataDirectory, "meta.properties");
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.StartsWith("cluster.id=", StringComparison.Ordinal))
                {
                    return line["cluster.id=".Length..];
                }
            }
        }

        // Kafka's cluster ids are 22-character URL-safe base64 UUIDs.
        string id = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        FileUtil.WriteAtomically(path, $"version=1\ncluster.id={id}\nnode.id=0\n");
        return id;
    }

    /// <summary>Stops background work and closes the logs (clean: flush, snapshot, checkpoint, marker).</summary>
    public async Task StopAsync(bool clean)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_maintenance is not null)
        {
            await _maintenance.ConfigureAwait(false);
        }

        Groups.Dispose();
        await Flusher.DisposeAsync().ConfigureAwait(false);
        Logs.Shutdown(clean);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(clean: true).ConfigureAwait(false);
        _stop.Dispose();
    }
}
