using Eddy.Client.Internal;

namespace Eddy.Client;

/// <summary>Consumer settings (Kafka's <c>ConsumerConfig</c> names and Java defaults).</summary>
/// <example>
/// <code>
/// var config = new ConsumerConfig { BootstrapServers = "localhost:9092", GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest };
/// await using var consumer = new KafkaConsumer&lt;string, string&gt;(config, Deserializers.Utf8, Deserializers.Utf8);
/// </code>
/// </example>
public sealed class ConsumerConfig : ClientConfig
{
    /// <summary>Creates an empty consumer configuration.</summary>
    public ConsumerConfig()
    {
    }

    /// <summary>Creates a consumer configuration from Kafka property names and values.</summary>
    public ConsumerConfig(IEnumerable<KeyValuePair<string, string>> properties)
        : base(properties)
    {
    }

    /// <summary>The consumer group (<c>group.id</c>); needed for Subscribe and for commits.</summary>
    public string? GroupId { get => this["group.id"]; set => this["group.id"] = value; }

    /// <summary>Static membership id (<c>group.instance.id</c>, KIP-345).</summary>
    public string? GroupInstanceId { get => this["group.instance.id"]; set => this["group.instance.id"] = value; }

    /// <summary>How long the coordinator waits for a heartbeat before removing the member (<c>session.timeout.ms</c>; default 45000).</summary>
    public int? SessionTimeoutMs { get => GetInt("session.timeout.ms"); set => SetNumber("session.timeout.ms", value); }

    /// <summary>Interval between heartbeats (<c>heartbeat.interval.ms</c>; default 3000).</summary>
    public int? HeartbeatIntervalMs { get => GetInt("heartbeat.interval.ms"); set => SetNumber("heartbeat.interval.ms", value); }

    /// <summary>Longest time between Consume calls before the member leaves the group (<c>max.poll.interval.ms</c>).</summary>
    public int? MaxPollIntervalMs { get => GetInt("max.poll.interval.ms"); set => SetNumber("max.poll.interval.ms", value); }

    /// <summary>Most records one Consume call returns (<c>max.poll.records</c>; default 500).</summary>
    public int? MaxPollRecords { get => GetInt("max.poll.records"); set => SetNumber("max.poll.records", value); }

    /// <summary>Commit positions in the background (<c>enable.auto.commit</c>; default true).</summary>
    public bool? EnableAutoCommit { get => GetBool("enable.auto.commit"); set => SetBool("enable.auto.commit", value); }

    /// <summary>Interval of automatic commits (<c>auto.commit.interval.ms</c>).</summary>
    public int? AutoCommitIntervalMs { get => GetInt("auto.commit.interval.ms"); set => SetNumber("auto.commit.interval.ms", value); }

    /// <summary>Where to start without a committed offset (<c>auto.offset.reset</c>; default latest).</summary>
    public AutoOffsetReset? AutoOffsetReset
    {
        get => this["auto.offset.reset"]?.ToLowerInvariant() switch { null => null, "earliest" => Client.AutoOffsetReset.Earliest, "none" => Client.AutoOffsetReset.None, _ => Client.AutoOffsetReset.Latest };
        set => this["auto.offset.reset"] = value switch { null => null, Client.AutoOffsetReset.Earliest => "earliest", Client.AutoOffsetReset.None => "none", _ => "latest" };
    }

    /// <summary>read_uncommitted (Java's default) or read_committed (<c>isolation.level</c>).</summary>
    public IsolationLevel? IsolationLevel
    {
        get => this["isolation.level"]?.ToLowerInvariant() switch { null => null, "read_committed" => Client.IsolationLevel.ReadCommitted, _ => Client.IsolationLevel.ReadUncommitted };
        set => this["isolation.level"] = value switch { null => null, Client.IsolationLevel.ReadCommitted => "read_committed", _ => "read_uncommitted" };
    }

    /// <summary>Least data a fetch waits for (<c>fetch.min.bytes</c>).</summary>
    public int? FetchMinBytes { get => GetInt("fetch.min.bytes"); set => SetNumber("fetch.min.bytes", value); }

    /// <summary>Most data one fetch returns (<c>fetch.max.bytes</c>).</summary>
    public int? FetchMaxBytes { get => GetInt("fetch.max.bytes"); set => SetNumber("fetch.max.bytes", value); }

    /// <summary>Longest a fetch waits for fetch.min.bytes (<c>fetch.max.wait.ms</c>).</summary>
    public int? FetchMaxWaitMs { get => GetInt("fetch.max.wait.ms"); set => SetNumber("fetch.max.wait.ms", value); }

    /// <summary>Most data per partition in one fetch (<c>max.partition.fetch.bytes</c>).</summary>
    public int? MaxPartitionFetchBytes { get => GetInt("max.partition.fetch.bytes"); set => SetNumber("max.partition.fetch.bytes", value); }

    /// <summary>Assignor names in preference order (<c>partition.assignment.strategy</c>): range, roundrobin, cooperative-sticky.</summary>
    public string? PartitionAssignmentStrategy { get => this["partition.assignment.strategy"]; set => this["partition.assignment.strategy"] = value; }

    /// <summary>Assignors to offer, in preference order; when set, overrides <see cref="PartitionAssignmentStrategy"/> (custom assignors go here).</summary>
    public IReadOnlyList<IPartitionAssignor>? Assignors { get; set; }

    private protected override ConfigScope Scope => ConfigScope.Consumer;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (GetIntOrDefault("heartbeat.interval.ms") >= GetIntOrDefault("session.timeout.ms"))
        {
            throw new KafkaConfigException("heartbeat.interval.ms", "heartbeat.interval.ms must be lower than session.timeout.ms");
        }

        if (Assignors is null)
        {
            foreach (string name in GetString("partition.assignment.strategy").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Internal.Assignors.ByName(name) is null)
                {
                    throw new KafkaConfigException("partition.assignment.strategy", $"unknown assignor '{name}': use range, roundrobin or cooperative-sticky, or set ConsumerConfig.Assignors");
                }
            }
        }
        else if (Assignors.Count == 0)
        {
            throw new KafkaConfigException("partition.assignment.strategy", "at least one assignor is needed");
        }

        if (GetNullableString("group.instance.id") is { } instance && string.IsNullOrEmpty(instance))
        {
            throw new KafkaConfigException("group.instance.id", "group.instance.id must not be empty");
        }
    }
}

/// <summary>Where a consumer starts when it has no valid committed offset.</summary>
public enum AutoOffsetReset
{
    /// <summary>The end of the partition.</summary>
    Latest,

    /// <summary>The start of the partition.</summary>
    Earliest,

    /// <summary>Fail instead of resetting.</summary>
    None,
}

/// <summary>Which records a consumer may read.</summary>
public enum IsolationLevel
{
    /// <summary>Everything up to the high watermark (Java's default).</summary>
    ReadUncommitted = 0,

    /// <summary>Only up to the last stable offset; aborted transactional records are dropped.</summary>
    ReadCommitted = 1,
}
