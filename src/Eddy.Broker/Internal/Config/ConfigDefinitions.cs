using System.Globalization;

namespace Eddy.Broker.Internal.Config;

/// <summary>The type of a config value, as DescribeConfigs v3+ reports it (ConfigType).</summary>
internal enum ConfigType : sbyte
{
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
}

/// <summary>Where a reported config value comes from (DescribeConfigsResponse ConfigSource).</summary>
internal enum ConfigSource : sbyte
{
    TopicConfig = 1,
    DynamicBrokerConfig = 2,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
}

/// <summary>One config Kafka defines: its name, type, default, broker-level synonym and documentation.</summary>
internal sealed record ConfigDef(string Name, ConfigType Type, string? Default, string Doc, string? BrokerSynonym = null, Func<string, string?>? Validate = null)
{
    /// <summary>Checks a value against the type (and the extra rule); returns an error message or null.</summary>
    public string? Check(string? value)
    {
        if (value is null)
        {
            return $"Null value not supported for {Name}";
        }

        bool ok = Type switch
        {
            ConfigType.Boolean => value is "true" or "false",
            ConfigType.Int => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            ConfigType.Short => short.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            ConfigType.Long => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            ConfigType.Double => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
        if (!ok)
        {
            return $"Invalid value {value} for configuration {Name}: not a {Type.ToString().ToLowerInvariant()}";
        }

        return Validate?.Invoke(value);
    }
}

/// <summary>
/// The broker and topic configs Eddy implements, with Kafka's names and defaults (Kafka 3.8
/// <c>LogConfig</c>, <c>ServerLogConfigs</c>, <c>GroupCoordinatorConfig</c>, <c>SocketServerConfigs</c>).
/// docs/broker.md lists them.
/// </summary>
internal static class ConfigDefinitions
{
    public const string LongMax = "9223372036854775807";
    public const string IntMax = "2147483647";

    /// <summary>Eddy's own flush policy: <c>ack</c> (fsync before answering acks=1/all) or <c>interval</c> (Kafka's flush.messages/flush.ms only).</summary>
    public const string FlushPolicy = "eddy.log.flush.policy";

    public static readonly IReadOnlyList<ConfigDef> Topic =
    [
        new("cleanup.policy", ConfigType.List, "delete", "A string that is either \"delete\" or \"compact\" or both.", "log.cleanup.policy", CheckCleanupPolicy),
        new("compression.type", ConfigType.String, "producer", "Final compression type for a given topic: uncompressed, zstd, lz4, snappy, gzip or producer.", "compression.type", CheckCompression),
        new("delete.retention.ms", ConfigType.Long, "86400000", "The amount of time to retain delete tombstone markers for log compacted topics.", "log.cleaner.delete.retention.ms", NonNegative),
        new("file.delete.delay.ms", ConfigType.Long, "60000", "The time to wait before deleting a file from the filesystem.", "log.segment.delete.delay.ms", NonNegative),
        new("flush.messages", ConfigType.Long, LongMax, "Force an fsync of the log after this many messages (with eddy.log.flush.policy=interval).", "log.flush.interval.messages", Positive),
        new("flush.ms", ConfigType.Long, LongMax, "Force an fsync of the log after this much time (with eddy.log.flush.policy=interval).", "log.flush.interval.ms", NonNegative),
        new("index.interval.bytes", ConfigType.Int, "4096", "How frequently Kafka adds an index entry to its offset index.", "log.index.interval.bytes", NonNegative),
        new("max.compaction.lag.ms", ConfigType.Long, LongMax, "The maximum time a message will remain ineligible for compaction in the log.", "log.cleaner.max.compaction.lag.ms", Positive),
        new("max.message.bytes", ConfigType.Int, "1048588", "The largest record batch size allowed.", "message.max.bytes", NonNegative),
        new("message.downconversion.enable", ConfigType.Boolean, "true", "Whether down-conversion of message formats is enabled (Eddy serves record batch v2 only).", "log.message.downconversion.enable"),
        new("message.timestamp.after.max.ms", ConfigType.Long, LongMax, "The maximum allowed time a record timestamp may be ahead of the broker's clock.", "log.message.timestamp.after.max.ms", NonNegative),
        new("message.timestamp.before.max.ms", ConfigType.Long, LongMax, "The maximum allowed time a record timestamp may be behind the broker's clock.", "log.message.timestamp.before.max.ms", NonNegative),
        new("message.timestamp.type", ConfigType.String, "CreateTime", "Whether the timestamp in the message is message create time or log append time.", "log.message.timestamp.type", v => v is "CreateTime" or "LogAppendTime" ? null : $"Invalid value {v} for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"),
        new("min.cleanable.dirty.ratio", ConfigType.Double, "0.5", "How frequently the log compactor will attempt to clean the log.", "log.cleaner.min.cleanable.ratio", v => double.Parse(v, CultureInfo.InvariantCulture) is >= 0 and <= 1 ? null : $"Invalid value {v} for configuration min.cleanable.dirty.ratio: Value must be between 0 and 1"),
        new("min.compaction.lag.ms", ConfigType.Long, "0", "The minimum time a message will remain uncompacted in the log.", "log.cleaner.min.compaction.lag.ms", NonNegative),
        new("min.insync.replicas", ConfigType.Int, "1", "The minimum number of replicas that must acknowledge a write with acks=all (one on a single node).", "min.insync.replicas", Positive),
        new("preallocate", ConfigType.Boolean, "false", "True if we should preallocate the file on disk when creating a new log segment.", "log.preallocate"),
        new("retention.bytes", ConfigType.Long, "-1", "The maximum size a partition can grow to before old log segments are discarded; -1 is unlimited.", "log.retention.bytes"),
        new("retention.ms", ConfigType.Long, "604800000", "The maximum time a log segment is retained before it is discarded; -1 is unlimited.", "log.retention.ms", v => long.Parse(v, CultureInfo.InvariantCulture) >= -1 ? null : $"Invalid value {v} for configuration retention.ms: Value must be at least -1"),
        new("segment.bytes", ConfigType.Int, "1073741824", "The segment file size for the log.", "log.segment.bytes", v => int.Parse(v, CultureInfo.InvariantCulture) >= 14 ? null : $"Invalid value {v} for configuration segment.bytes: Value must be at least 14"),
        new("segment.index.bytes", ConfigType.Int, "10485760", "The size of the index that maps offsets to file positions.", "log.index.size.max.bytes", Positive),
        new("segment.jitter.ms", ConfigType.Long, "0", "The maximum random jitter subtracted from segment.ms.", "log.roll.jitter.ms", NonNegative),
        new("segment.ms", ConfigType.Long, "604800000", "The period of time after which Kafka will force the log to roll.", "log.roll.ms", Positive),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "Whether replicas not in the ISR may be elected leader (no effect on one node).", "unclean.leader.election.enable"),
    ];

    public static readonly IReadOnlyList<ConfigDef> Broker =
    [
        new("auto.create.topics.enable", ConfigType.Boolean, "true", "Enable auto creation of topics on the server (Metadata requests that allow it)."),
        new("broker.id", ConfigType.Int, "0", "The broker id (0..N-1 in cluster mode)."),
        new("compression.type", ConfigType.String, "producer", "Default final compression type for topics.", null, CheckCompression),
        new("default.replication.factor", ConfigType.Int, "1", "Replication factor of auto-created topics (Eddy stores one replica)."),
        new("delete.topic.enable", ConfigType.Boolean, "true", "Enables deleting topics."),
        new(FlushPolicy, ConfigType.String, "ack", "Eddy: 'ack' fsyncs before answering acks=1 and acks=all (group commit), and consumers see only fsynced data; 'interval' is Kafka's default of relying on the page cache plus log.flush.interval.messages/ms.", null, v => v is "ack" or "interval" ? null : $"Invalid value {v} for configuration {FlushPolicy}: String must be one of: ack, interval"),
        new("group.initial.rebalance.delay.ms", ConfigType.Int, "3000", "The time the group coordinator waits for more consumers to join a new group before the first rebalance.", null, NonNegative),
        new("group.max.session.timeout.ms", ConfigType.Int, "1800000", "The maximum allowed session timeout for registered consumers."),
        new("group.max.size", ConfigType.Int, IntMax, "The maximum number of consumers that a single consumer group can accommodate.", null, Positive),
        new("group.min.session.timeout.ms", ConfigType.Int, "6000", "The minimum allowed session timeout for registered consumers."),
        new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "The amount of time to sleep when there are no logs to clean."),
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", "The amount of time to retain tombstone markers for log compacted topics."),
        new("log.cleaner.enable", ConfigType.Boolean, "true", "Enable the log cleaner process to run on the server."),
        new("log.cleaner.max.compaction.lag.ms", ConfigType.Long, LongMax, "The maximum time a message will remain ineligible for compaction."),
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", "The minimum ratio of dirty log to total log for a log to be eligible for cleaning."),
        new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", "The minimum time a message will remain uncompacted in the log."),
        new("log.cleanup.policy", ConfigType.List, "delete", "The default cleanup policy for segments beyond the retention window.", null, CheckCleanupPolicy),
        new("log.dirs", ConfigType.String, null, "The directory in which the log data is kept."),
        new("log.flush.interval.messages", ConfigType.Long, LongMax, "The number of messages accumulated on a log partition before messages are flushed to disk (policy interval)."),
        new("log.flush.interval.ms", ConfigType.Long, LongMax, "The maximum time a message stays in memory before it is flushed to disk (policy interval)."),
        new("log.flush.offset.checkpoint.interval.ms", ConfigType.Int, "60000", "The frequency with which the recovery point checkpoint is written."),
        new("log.flush.scheduler.interval.ms", ConfigType.Long, LongMax, "The frequency in ms that the log flusher checks whether any log needs to be flushed to disk."),
        new("log.index.interval.bytes", ConfigType.Int, "4096", "The interval with which we add an entry to the offset index."),
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", "The maximum size in bytes of the offset index."),
        new("log.message.downconversion.enable", ConfigType.Boolean, "true", "Whether down-conversion of message formats is enabled."),
        new("log.message.timestamp.after.max.ms", ConfigType.Long, LongMax, "The maximum allowed time a record timestamp may be ahead of the broker's clock."),
        new("log.message.timestamp.before.max.ms", ConfigType.Long, LongMax, "The maximum allowed time a record timestamp may be behind the broker's clock."),
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", "Whether the timestamp in the message is create time or log append time."),
        new("log.preallocate", ConfigType.Boolean, "false", "Should pre allocate file when create new segment?"),
        new("log.retention.bytes", ConfigType.Long, "-1", "The maximum size of the log before deleting it."),
        new("log.retention.check.interval.ms", ConfigType.Long, "300000", "The frequency in milliseconds that the log cleaner checks whether any log is eligible for deletion.", null, Positive),
        new("log.retention.hours", ConfigType.Int, "168", "The number of hours to keep a log file before deleting it (log.retention.ms takes precedence)."),
        new("log.retention.minutes", ConfigType.Int, null, "The number of minutes to keep a log file before deleting it (log.retention.ms takes precedence)."),
        new("log.retention.ms", ConfigType.Long, null, "The number of milliseconds to keep a log file before deleting it."),
        new("log.roll.hours", ConfigType.Int, "168", "The maximum time before a new log segment is rolled out (log.roll.ms takes precedence)."),
        new("log.roll.jitter.ms", ConfigType.Long, "0", "The maximum jitter to subtract from the roll time."),
        new("log.roll.ms", ConfigType.Long, null, "The maximum time before a new log segment is rolled out."),
        new("log.segment.bytes", ConfigType.Int, "1073741824", "The maximum size of a single log file."),
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", "The amount of time to wait before deleting a file from the filesystem."),
        new("message.max.bytes", ConfigType.Int, "1048588", "The largest record batch size allowed."),
        new("min.insync.replicas", ConfigType.Int, "1", "The minimum number of replicas that must acknowledge a write with acks=all."),
        new("num.partitions", ConfigType.Int, "1", "The default number of log partitions per topic (auto-created and CreateTopics with -1).", null, Positive),
        new("offset.metadata.max.bytes", ConfigType.Int, "4096", "The maximum size for a metadata entry associated with an offset commit."),
        new("offsets.retention.minutes", ConfigType.Int, "10080", "Committed offsets of an empty group are kept this long."),
        new("offsets.topic.num.partitions", ConfigType.Int, "50", "The number of partitions for the offset commit topic (should not change after deployment).", null, Positive),
        new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", "The offsets topic segment bytes should be kept relatively small to facilitate faster log compaction and cache loads."),
        new("producer.id.expiration.ms", ConfigType.Int, "86400000", "The time a producer id's state is kept after its last write."),
        new("socket.request.max.bytes", ConfigType.Int, "104857600", "The maximum number of bytes in a socket request.", null, Positive),
        new("transaction.max.timeout.ms", ConfigType.Int, "900000", "The maximum allowed timeout for transactions."),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "Indicates whether to enable replicas not in the ISR set to be elected as leader."),
    ];

    private static readonly Dictionary<string, ConfigDef> TopicByName = Topic.ToDictionary(d => d.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, ConfigDef> BrokerByName = Broker.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static ConfigDef? FindTopic(string name) => TopicByName.GetValueOrDefault(name);

    public static ConfigDef? FindBroker(string name) => BrokerByName.GetValueOrDefault(name);

    private static string? NonNegative(string v) =>
        double.Parse(v, CultureInfo.InvariantCulture) >= 0 ? null : $"Invalid value {v}: Value must be at least 0";

    private static string? Positive(string v) =>
        double.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : $"Invalid value {v}: Value must be at least 1";

    private static string? CheckCompression(string v) =>
        v is "uncompressed" or "zstd" or "lz4" or "snappy" or "gzip" or "producer"
            ? null
            : $"Invalid value {v} for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer";

    private static string? CheckCleanupPolicy(string v)
    {
        foreach (var part in v.Split(','))
        {
            if (part.Trim() is not ("delete" or "compact"))
            {
                return $"Invalid value {v} for configuration cleanup.policy: String must be one of: compact, delete";
            }
        }

        return null;
    }
}
