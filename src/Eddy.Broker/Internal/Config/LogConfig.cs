using System.Globalization;
using Eddy.Protocol.Compression;

namespace Eddy.Broker.Internal.Config;

/// <summary>A topic's effective configuration: its overrides over the broker's values over Kafka's defaults, typed.</summary>
internal sealed class LogConfig
{
    public LogConfig(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal);
        Broker = broker;
        string Get(string name) => Resolve(name).Value ?? throw new InvalidOperationException($"{name} has no value");
        long L(string name) => long.Parse(Get(name), CultureInfo.InvariantCulture);
        int I(string name) => int.Parse(Get(name), CultureInfo.InvariantCulture);

        var policy = Get("cleanup.policy");
        Compact = policy.Contains("compact", StringComparison.Ordinal);
        Delete = policy.Contains("delete", StringComparison.Ordinal);
        CompressionType = Get("compression.type");
        DeleteRetentionMs = L("delete.retention.ms");
        FlushMessages = L("flush.messages");
        FlushMs = L("flush.ms");
        IndexIntervalBytes = I("index.interval.bytes");
        MaxCompactionLagMs = L("max.compaction.lag.ms");
        MaxMessageBytes = I("max.message.bytes");
        TimestampAfterMaxMs = L("message.timestamp.after.max.ms");
        TimestampBeforeMaxMs = L("message.timestamp.before.max.ms");
        LogAppendTime = Get("message.timestamp.type") == "LogAppendTime";
        MinCleanableDirtyRatio = double.Parse(Get("min.cleanable.dirty.ratio"), CultureInfo.InvariantCulture);
        MinCompactionLagMs = L("min.compaction.lag.ms");
        RetentionBytes = L("retention.bytes");
        RetentionMs = L("retention.ms");
        SegmentBytes = I("segment.bytes");
        SegmentMs = L("segment.ms");
        SegmentJitterMs = L("segment.jitter.ms");
        FileDeleteDelayMs = L("file.delete.delay.ms");
    }

    public BrokerConfig Broker { get; }

    /// <summary>The topic-level overrides (what the topic config file stores).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public bool Compact { get; }

    public bool Delete { get; }

    public string CompressionType { get; }

    public long DeleteRetentionMs { get; }

    public long FlushMessages { get; }

    public long FlushMs { get; }

    public int IndexIntervalBytes { get; }

    public long MaxCompactionLagMs { get; }

    public int MaxMessageBytes { get; }

    public long TimestampAfterMaxMs { get; }

    public long TimestampBeforeMaxMs { get; }

    public bool LogAppendTime { get; }

    public double MinCleanableDirtyRatio { get; }

    public long MinCompactionLagMs { get; }

    public long RetentionBytes { get; }

    public long RetentionMs { get; }

    public int SegmentBytes { get; }

    public long SegmentMs { get; }

    public long SegmentJitterMs { get; }

    public long FileDeleteDelayMs { get; }

    /// <summary>The codec the broker recompresses to, or null to keep the producer's (compression.type=producer).</summary>
    public CompressionType? TargetCompression => CompressionType switch
    {
        "producer" => null,
        "uncompressed" => Protocol.Compression.CompressionType.None,
        "gzip" => Protocol.Compression.CompressionType.Gzip,
        "snappy" => Protocol.Compression.CompressionType.Snappy,
        "lz4" => Protocol.Compression.CompressionType.Lz4,
        "zstd" => Protocol.Compression.CompressionType.Zstd,
        _ => null,
    };

    /// <summary>A config's value and where it comes from.</summary>
    public (string? Value, ConfigSource Source, string? Synonym) Resolve(string name)
    {
        if (Overrides.TryGetValue(name, out var value))
        {
            return (value, ConfigSource.TopicConfig, null);
        }

        var def = ConfigDefinitions.FindTopic(name) ?? throw new ArgumentException($"unknown topic config {name}", nameof(name));
        return Broker.ResolveTopicDefault(def);
    }

    /// <summary>Validates topic config overrides; returns the first error or null.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string?> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            var def = ConfigDefinitions.FindTopic(name);
            if (def is null)
            {
                return $"Unknown topic config name: {name}";
            }

            if (def.Check(value) is { } error)
            {
                return error;
            }
        }

        return null;
    }
}
