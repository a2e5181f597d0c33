using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Eddy.Broker.Internal.Config;
using Eddy.Protocol;
using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Storage;

/// <summary>A topic: its id, partitions and configuration.</summary>
internal sealed class TopicLog
{
    public TopicLog(string name, Guid topicId, LogConfig config, PartitionLog[] partitions)
    {
        Name = name;
        TopicId = topicId;
        Config = config;
        Partitions = partitions;
    }

    public string Name { get; }

    public Guid TopicId { get; }

    public LogConfig Config { get; set; }

    public PartitionLog[] Partitions { get; set; }

    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}

/// <summary>
/// Every topic on disk. Layout of the data directory (Kafka's where it can be):
/// <list type="bullet">
/// <item><c>{topic}-{partition}/</c>: segments (<c>.log</c>, <c>.index</c>, <c>.timeindex</c>) and producer snapshots (<c>.snapshot</c>).</item>
/// <item><c>topics/{topic}.properties</c>: topic id, partition count and config overrides (written atomically).</item>
/// <item><c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c>: Kafka's checkpoint format.</item>
/// <item><c>.eddy_cleanshutdown</c>: present only after a clean shutdown; without it the logs are recovered.</item>
/// <item><c>producer-id-block</c>: the next unallocated producer id block.</item>
/// </list>
/// </summary>
internal sealed class LogManager : IDisposable
{
    public const string CleanShutdownFile = ".eddy_cleanshutdown";
    private const string RecoveryCheckpointFile = "recovery-point-offset-checkpoint";
    private const string LogStartCheckpointFile = "log-start-offset-checkpoint";
    private const string ProducerIdFile = "producer-id-block";
    private const int ProducerIdBlockSize = 1000;

    private readonly ConcurrentDictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private readonly object _topicLock = new();
    private readonly object _checkpointLock = new();
    private readonly object _producerIdLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<(string, int), long> _cleanedUpTo = [];
    private FileStream? _lock;
    private long _nextProducerId;
    private long _producerIdBlockEnd;

    public LogManager(string dataDirectory, BrokerConfig config, TimeProvider time, ILogger logger)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Config = config;
        _time = time;
        _logger = logger;
    }

    public string DataDirectory { get; }

    public BrokerConfig Config { get; }

    public bool WasCleanShutdown { get; private set; }

    public ICollection<TopicLog> Topics => _topics.Values;

    private string TopicsDirectory => Path.Combine(DataDirectory, "topics");

    /// <summary>Loads every topic, recovering the logs if the last shutdown was not clean.</summary>
    public void Load()
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(TopicsDirectory);
        try
        {
            // Like Kafka's .lock: two brokers on one data directory would corrupt each other's logs.
            _lock = new FileStream(Path.Combine(DataDirectory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The data directory {DataDirectory} is in use by another broker ({e.Message})", e);
        }

        string marker = Path.Combine(DataDirectory, CleanShutdownFile);
        WasCleanShutdown = File.Exists(marker);
        var recoveryPoints = ReadCheckpoint(RecoveryCheckpointFile);
        var logStarts = ReadCheckpoint(LogStartCheckpointFile);
        if (!WasCleanShutdown && Directory.EnumerateFiles(TopicsDirectory).Any())
        {
            _logger.LogWarning("No clean-shutdown marker in {DataDirectory}: recovering logs from their recovery points", DataDirectory);
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(TopicsDirectory, "*.properties"))
        {
            var (name, id, partitions, overrides) = ReadTopicFile(file);
            var config = new LogConfig(Config, overrides);
            var logs = new PartitionLog[partitions];
            for (int p = 0; p < partitions; p++)
            {
                string dir = Path.Combine(DataDirectory, PartitionLog.DirectoryName(name, p));
                known.Add(Path.GetFileName(dir));
                logs[p] = PartitionLog.Open(
                    dir, name, p, config, _time, Config.FlushOnAck, WasCleanShutdown,
                    logStarts.GetValueOrDefault((name, p), 0),
                    recoveryPoints.GetValueOrDefault((name, p), 0),
                    message => _logger.LogWarning("{Message}", message));
            }

            _topics[name] = new TopicLog(name, id, config, logs);
        }

        // Partition directories without a topic file belong to a topic whose deletion was interrupted.
        foreach (var dir in Directory.EnumerateDirectories(DataDirectory))
        {
            string dirName = Path.GetFileName(dir);
            int dash = dirName.LastIndexOf('-');
            if (dash > 0 && int.TryParse(dirName.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _) && !known.Contains(dirName))
            {
                _logger.LogInformation("Removing {Directory}: its topic was deleted", dirName);
                Directory.Delete(dir, recursive: true);
            }
        }

        // From here on the logs may change: the marker must go before anything is written.
        if (WasCleanShutdown)
        {
            File.Delete(marker);
        }

        LoadProducerIdBlock();
        WriteCheckpoints();
    }

    public TopicLog? GetTopic(string name) => _topics.GetValueOrDefault(name);

    public PartitionLog? GetPartition(string topic, int partition) =>
        _topics.TryGetValue(topic, out var t) && (uint)partition < (uint)t.Partitions.Length ? t.Partitions[partition] : null;

    /// <summary>Kafka's topic name rules (Topic.validate).</summary>
    public static string? ValidateTopicName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is illegal, it can't be empty";
        }

        if (name is "." or "..")
        {
            return "Topic name cannot be \".\" or \"..\"";
        }

        if (name.Length > 249)
        {
            return $"Topic name is illegal, it can't be longer than 249 characters, topic name: {name}";
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name {name} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
            }
        }

        return null;
    }

    /// <summary>Creates a topic (or only checks that it could be, with <paramref name="validateOnly"/>).</summary>
    public (ErrorCode Error, string? Message, TopicLog? Topic) CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string?> overrides, bool validateOnly)
    {
        if (ValidateTopicName(name) is { } nameError)
        {
            return (ErrorCode.InvalidTopicException, nameError, null);
        }

        if (partitions <= 0)
        {
            return (ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.", null);
        }

        if (partitions > 100_000)
        {
            return (ErrorCode.InvalidPartitions, $"Number of partitions {partitions} is too large.", null);
        }

        if (LogConfig.Validate(overrides) is { } configError)
        {
            return (ErrorCode.InvalidConfig, configError, null);
        }

        lock (_topicLock)
        {
            if (_topics.ContainsKey(name))
            {
                return (ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.", null);
            }

            foreach (var existing in _topics.Keys)
            {
                if (existing.Replace('.', '_') == name.Replace('.', '_'))
                {
                    return (ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {existing}", null);
                }
            }

            if (validateOnly)
            {
                return (ErrorCode.None, null, null);
            }

            var clean = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in overrides)
            {
                clean[k] = v!;
            }

            var config = new LogConfig(Config, clean);
            var id = Guid.NewGuid();
            WriteTopicFile(name, id, partitions, clean);
            var logs = new PartitionLog[partitions];
            for (int p = 0; p < partitions; p++)
            {
                logs[p] = OpenNewPartition(name, p, config);
            }

            var topic = new TopicLog(name, id, config, logs);
            _topics[name] = topic;
            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions", name, partitions);
            return (ErrorCode.None, null, topic);
        }
    }

    private PartitionLog OpenNewPartition(string name, int partition, LogConfig config)
    {
        string dir = Path.Combine(DataDirectory, PartitionLog.DirectoryName(name, partition));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        return PartitionLog.Open(dir, name, partition, config, _time, Config.FlushOnAck, cleanShutdown: true, 0, 0);
    }

    /// <summary>Deletes a topic: its file first (so a crash finishes the job at startup), then its logs.</summary>
    public ErrorCode DeleteTopic(string name)
    {
        TopicLog? topic;
        lock (_topicLock)
        {
            if (!_topics.TryRemove(name, out topic))
            {
                return ErrorCode.UnknownTopicOrPartition;
            }

            File.Delete(TopicFilePath(name));
        }

        foreach (var partition in topic.Partitions)
        {
            partition.Delete();
            lock (_checkpointLock)
            {
                _cleanedUpTo.Remove((name, partition.Partition));
            }
        }

        _logger.LogInformation("Deleted topic {Topic}", name);
        return ErrorCode.None;
    }

    /// <summary>CreatePartitions: grows a topic to <paramref name="count"/> partitions.</summary>
    public (ErrorCode Error, string? Message) AddPartitions(string name, int count, bool validateOnly)
    {
        lock (_topicLock)
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }

            int current = topic.Partitions.Length;
            if (count < current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic currently has {current} partitions, which is higher than the requested {count}.");
            }

            if (count == current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic already has {current} partitions.");
            }

            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }

            WriteTopicFile(name, topic.TopicId, count, topic.Config.Overrides);
            var logs = new PartitionLog[count];
            Array.Copy(topic.Partitions, logs, current);
            for (int p = current; p < count; p++)
            {
                logs[p] = OpenNewPartition(name, p, topic.Config);
            }

            topic.Partitions = logs;
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Replaces a topic's config overrides (persisted before they take effect).</summary>
    public (ErrorCode Error, string? Message) SetTopicConfig(string name, IReadOnlyDictionary<string, string?> overrides, bool validateOnly)
    {
        if (LogConfig.Validate(overrides) is { } error)
        {
            return (ErrorCode.InvalidConfig, error);
        }

        lock (_topicLock)
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }

            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }

            var clean = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in overrides)
            {
                clean[k] = v!;
            }

            WriteTopicFile(name, topic.TopicId, topic.Partitions.Length, clean);
            var config = new LogConfig(Config, clean);
            topic.Config = config;
            foreach (var partition in topic.Partitions)
            {
                partition.Config = config;
            }

            return (ErrorCode.None, null);
        }
    }

    /// <summary>A new producer id; ids are handed out in durably recorded blocks, so none repeats after a restart.</summary>
    public long AllocateProducerId()
    {
        lock (_producerIdLock)
        {
            if (_nextProducerId >= _producerIdBlockEnd)
            {
                long start = _producerIdBlockEnd;
                long end = start + ProducerIdBlockSize;
                FileUtil.WriteAtomically(Path.Combine(DataDirectory, ProducerIdFile), end.ToString(CultureInfo.InvariantCulture));
                _nextProducerId = start;
                _producerIdBlockEnd = end;
            }

            return _nextProducerId++;
        }
    }

    private void LoadProducerIdBlock()
    {
        string path = Path.Combine(DataDirectory, ProducerIdFile);
        long end = 0;
        if (File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long stored))
        {
            end = stored;
        }

        _nextProducerId = end;
        _producerIdBlockEnd = end;
    }

    /// <summary>One full maintenance pass: roll by time, retention, compaction, producer expiry, checkpoints.</summary>
    public void RunMaintenance(bool forceCompaction = false) => RunMaintenance(retention: true, compaction: true, forceCompaction);

    /// <summary>One maintenance pass: roll by time, retention and producer expiry (when <paramref name="retention"/>), compaction (when <paramref name="compaction"/>), checkpoints.</summary>
    public void RunMaintenance(bool retention, bool compaction, bool forceCompaction = false)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long producerExpiry = Config.GetInt("producer.id.expiration.ms");
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.IsClosed)
                {
                    continue;
                }

                try
                {
                    partition.MaybeRollByTime(now);
                    int deleted = retention ? partition.ApplyRetention(now) : 0;
                    if (deleted > 0)
                    {
                        _logger.LogInformation("Retention deleted {Segments} segments of {Topic}-{Partition}; log start offset {Offset}", deleted, topic.Name, partition.Partition, partition.LogStartOffset);
                    }

                    if (compaction && Config.CleanerEnable && partition.Config.Compact)
                    {
                        long cleaned;
                        lock (_checkpointLock)
                        {
                            cleaned = _cleanedUpTo.GetValueOrDefault((topic.Name, partition.Partition), 0);
                        }

                        long next = LogCleaner.Clean(partition, now, cleaned, forceCompaction);
                        lock (_checkpointLock)
                        {
                            _cleanedUpTo[(topic.Name, partition.Partition)] = next;
                        }
                    }

                    if (retention)
                    {
                        partition.ExpireProducers(now, producerExpiry);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
                catch (Exception e) when (e is IOException or KafkaProtocolException)
                {
                    _logger.LogError(e, "Log maintenance of {Topic}-{Partition} failed", topic.Name, partition.Partition);
                }
            }
        }

        WriteCheckpoints();
    }

    /// <summary>Writes the recovery-point and log-start-offset checkpoints.</summary>
    public void WriteCheckpoints()
    {
        lock (_checkpointLock)
        {
            var recovery = new List<(string, int, long)>();
            var starts = new List<(string, int, long)>();
            foreach (var topic in _topics.Values)
            {
                foreach (var p in topic.Partitions)
                {
                    recovery.Add((topic.Name, p.Partition, p.RecoveryPoint));
                    starts.Add((topic.Name, p.Partition, p.LogStartOffset));
                }
            }

            WriteCheckpoint(RecoveryCheckpointFile, recovery);
            WriteCheckpoint(LogStartCheckpointFile, starts);
        }
    }

    /// <summary>Closes every log; a clean shutdown flushes, snapshots, checkpoints and leaves the marker last.</summary>
    public void Shutdown(bool clean)
    {
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                partition.Close(clean);
            }
        }

        if (clean && _lock is not null)
        {
            WriteCheckpoints();
            FileUtil.WriteAtomically(Path.Combine(DataDirectory, CleanShutdownFile), "clean shutdown\n");
        }

        _lock?.Dispose();
        _lock = null;
    }

    public void Dispose() => Shutdown(clean: false);

    private string TopicFilePath(string name) => Path.Combine(TopicsDirectory, name + ".properties");

    private void WriteTopicFile(string name, Guid id, int partitions, IReadOnlyDictionary<string, string> overrides)
    {
        var text = new StringBuilder();
        text.Append("name=").Append(name).Append('\n');
        text.Append("topic.id=").Append(id.ToString("D")).Append('\n');
        text.Append("partitions=").Append(partitions.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (k, v) in overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append("config.").Append(k).Append('=').Append(Escape(v)).Append('\n');
        }

        FileUtil.WriteAtomically(TopicFilePath(name), text.ToString());
    }

    private static (string Name, Guid Id, int Partitions, Dictionary<string, string> Overrides) ReadTopicFile(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        var id = Guid.Empty;
        int partitions = 1;
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            string key = line[..eq];
            string value = line[(eq + 1)..];
            switch (key)
            {
                case "name":
                    name = value;
                    break;
                case "topic.id":
                    id = Guid.Parse(value);
                    break;
                case "partitions":
                    partitions = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    if (key.StartsWith("config.", StringComparison.Ordinal))
                    {
                        overrides[key["config.".Length..]] = Unescape(value);
                    }

                    break;
            }
        }

        return (name, id == Guid.Empty ? Guid.NewGuid() : id, partitions, overrides);
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Unescape(string value) => value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private void WriteCheckpoint(string file, List<(string Topic, int Partition, long Offset)> entries)
    {
        var text = new StringBuilder();
        text.Append("0\n").Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (topic, partition, offset) in entries)
        {
            text.Append(topic).Append(' ').Append(partition.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        FileUtil.WriteAtomically(Path.Combine(DataDirectory, file), text.ToString());
    }

    private Dictionary<(string, int), long> ReadCheckpoint(string file)
    {
        var result = new Dictionary<(string, int), long>();
        string path = Path.Combine(DataDirectory, file);
        if (!File.Exists(path))
        {
            return result;
        }

        var lines = File.ReadAllLines(path);
        for (int i = 2; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts.Length == 3
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset))
            {
                result[(parts[0], partition)] = offset;
            }
        }

        return result;
    }
}
