using System.Globalization;

namespace Eddy.Broker.Internal.Config;

/// <summary>The broker's static configuration: Kafka broker config names with their defaults, plus what the user set.</summary>
internal sealed class BrokerConfig
{
    private readonly Dictionary<string, string> _set;

    public BrokerConfig(IReadOnlyDictionary<string, string> settings)
    {
        _set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            var def = ConfigDefinitions.FindBroker(name)
                ?? throw new ArgumentException($"Unknown broker config '{name}' (docs/broker.md lists the supported ones)", nameof(settings));
            if (def.Check(value) is { } error)
            {
                throw new ArgumentException(error, nameof(settings));
            }

            _set[name] = value;
        }

        NumPartitions = GetInt("num.partitions");
        AutoCreateTopics = GetBool("auto.create.topics.enable");
        DeleteTopicEnable = GetBool("delete.topic.enable");
        SocketRequestMaxBytes = GetInt("socket.request.max.bytes");
        GroupInitialRebalanceDelayMs = GetInt("group.initial.rebalance.delay.ms");
        GroupMinSessionTimeoutMs = GetInt("group.min.session.timeout.ms");
        GroupMaxSessionTimeoutMs = GetInt("group.max.session.timeout.ms");
        GroupMaxSize = GetInt("group.max.size");
        OffsetsTopicPartitions = GetInt("offsets.topic.num.partitions");
        OffsetMetadataMaxBytes = GetInt("offset.metadata.max.bytes");
        OffsetsRetentionMs = GetInt("offsets.retention.minutes") * 60_000L;
        RetentionCheckIntervalMs = GetLong("log.retention.check.interval.ms");
        CleanerEnable = GetBool("log.cleaner.enable");
        CleanerBackoffMs = GetLong("log.cleaner.backoff.ms");
        FlushOnAck = Get(ConfigDefinitions.FlushPolicy) == "ack";
        FlushSchedulerIntervalMs = GetLong("log.flush.scheduler.interval.ms");
        CheckpointIntervalMs = GetInt("log.flush.offset.checkpoint.interval.ms");
        TransactionMaxTimeoutMs = GetInt("transaction.max.timeout.ms");
    }

    public int NumPartitions { get; }

    public bool AutoCreateTopics { get; }

    public bool DeleteTopicEnable { get; }

    public int SocketRequestMaxBytes { get; }

    public int GroupInitialRebalanceDelayMs { get; }

    public int GroupMinSessionTimeoutMs { get; }

    public int GroupMaxSessionTimeoutMs { get; }

    public int GroupMaxSize { get; }

    public int OffsetsTopicPartitions { get; }

    public int OffsetMetadataMaxBytes { get; }

    public long OffsetsRetentionMs { get; }

    public long RetentionCheckIntervalMs { get; }

    public bool CleanerEnable { get; }

    public long CleanerBackoffMs { get; }

    /// <summary>Whether acks=1/all wait for fsync and the high watermark follows fsync (Eddy's default).</summary>
    public bool FlushOnAck { get; }

    public long FlushSchedulerIntervalMs { get; }

    public int CheckpointIntervalMs { get; }

    public int TransactionMaxTimeoutMs { get; }

    /// <summary>The value of a broker config (set or default), or null when it has none.</summary>
    public string? Get(string name)
    {
        if (_set.TryGetValue(name, out var value))
        {
            return value;
        }

        return ConfigDefinitions.FindBroker(name)?.Default;
    }

    public bool IsSet(string name) => _set.ContainsKey(name);

    public int GetInt(string name) => int.Parse(Get(name)!, CultureInfo.InvariantCulture);

    public long GetLong(string name) => long.Parse(Get(name)!, CultureInfo.InvariantCulture);

    public bool GetBool(string name) => Get(name) == "true";

    /// <summary>
    /// The broker-level value behind a topic config (its synonym), as Kafka resolves it: log.retention.ms,
    /// then minutes, then hours; log.roll.ms, then hours. Returns the source too.
    /// </summary>
    public (string? Value, ConfigSource Source, string? SynonymName) ResolveTopicDefault(ConfigDef topicDef)
    {
        switch (topicDef.Name)
        {
            case "retention.ms":
                if (_set.TryGetValue("log.retention.ms", out var ms))
                {
                    return (ms, ConfigSource.StaticBrokerConfig, "log.retention.ms");
                }

                if (_set.TryGetValue("log.retention.minutes", out var minutes))
                {
                    return ((long.Parse(minutes, CultureInfo.InvariantCulture) * 60_000).ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, "log.retention.minutes");
                }

                if (_set.TryGetValue("log.retention.hours", out var hours))
                {
                    return ((long.Parse(hours, CultureInfo.InvariantCulture) * 3_600_000).ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, "log.retention.hours");
                }

                break;
            case "segment.ms":
                if (_set.TryGetValue("log.roll.ms", out var rollMs))
                {
                    return (rollMs, ConfigSource.StaticBrokerConfig, "log.roll.ms");
                }

                if (_set.TryGetValue("log.roll.hours", out var rollHours))
                {
                    return ((long.Parse(rollHours, CultureInfo.InvariantCulture) * 3_600_000).ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, "log.roll.hours");
                }

                break;
            default:
                if (topicDef.BrokerSynonym is { } synonym && _set.TryGetValue(synonym, out var value))
                {
                    return (value, ConfigSource.StaticBrokerConfig, synonym);
                }

                break;
        }

        return (topicDef.Default, ConfigSource.DefaultConfig, null);
    }
}
