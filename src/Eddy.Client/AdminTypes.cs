using Eddy.Protocol;

namespace Eddy.Client;

/// <summary>A topic to create.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="NumPartitions">Partitions, or -1 for the broker default.</param>
/// <param name="ReplicationFactor">Replicas, or -1 for the broker default.</param>
/// <example>
/// <code>
/// await admin.CreateTopicsAsync([new NewTopic("orders", 6, 3) { Configs = new() { ["cleanup.policy"] = "compact" } }]);
/// </code>
/// </example>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    /// <summary>Topic configs (cleanup.policy, retention.ms, ...).</summary>
    public Dictionary<string, string> Configs { get; init; } = [];

    /// <summary>Explicit replica placement per partition (broker ids), or null.</summary>
    public Dictionary<int, int[]>? ReplicaAssignment { get; init; }
}

/// <summary>The outcome of an admin operation on one item (a topic, a group, a partition...).</summary>
/// <param name="Name">What the result is about.</param>
/// <param name="Error">None on success.</param>
/// <param name="Message">The broker's error message, or null.</param>
public sealed record AdminResult(string Name, ErrorCode Error, string? Message = null)
{
    /// <summary>Whether the operation succeeded for this item.</summary>
    public bool IsSuccess => Error == ErrorCode.None;
}

/// <summary>Some items of an admin operation failed; <see cref="Results"/> has every item's outcome.</summary>
/// <example>
/// <code>
/// catch (AdminOperationException e) when (e.Results.All(r =&gt; r.IsSuccess || r.Error == ErrorCode.TopicAlreadyExists)) { }
/// </code>
/// </example>
public sealed class AdminOperationException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public AdminOperationException(string operation, IReadOnlyList<AdminResult> results)
        : base(FirstError(results), $"{operation} failed for {string.Join(", ", results.Where(r => !r.IsSuccess).Select(r => $"{r.Name}: {KafkaException.Describe(r.Error)}{(r.Message is null ? string.Empty : " (" + r.Message + ")")}"))}")
    {
        Results = results;
    }

    /// <summary>Creates the exception.</summary>
    public AdminOperationException()
    {
        Results = [];
    }

    /// <summary>Creates the exception.</summary>
    public AdminOperationException(string message)
        : base(message)
    {
        Results = [];
    }

    /// <summary>Creates the exception.</summary>
    public AdminOperationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Results = [];
    }

    /// <summary>Every item's outcome.</summary>
    public IReadOnlyList<AdminResult> Results { get; }

    private static ErrorCode FirstError(IReadOnlyList<AdminResult> results) => results.FirstOrDefault(r => !r.IsSuccess)?.Error ?? ErrorCode.UnknownServerError;
}

/// <summary>A broker.</summary>
/// <param name="Id">The broker id.</param>
/// <param name="Host">The advertised host.</param>
/// <param name="Port">The advertised port.</param>
/// <param name="Rack">The rack, or null.</param>
public sealed record BrokerInfo(int Id, string Host, int Port, string? Rack);

/// <summary>The cluster as metadata describes it.</summary>
/// <param name="ClusterId">The cluster id, or null.</param>
/// <param name="ControllerId">The controller's broker id, or -1.</param>
/// <param name="Brokers">The brokers.</param>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerInfo> Brokers);

/// <summary>One partition of a described topic.</summary>
/// <param name="Partition">The partition index.</param>
/// <param name="Leader">The leader's broker id, or -1.</param>
/// <param name="LeaderEpoch">The leader epoch, or -1.</param>
/// <param name="Replicas">Replica broker ids.</param>
/// <param name="Isr">In-sync replica broker ids.</param>
public sealed record PartitionDescription(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);

/// <summary>A described topic.</summary>
/// <param name="Name">The topic.</param>
/// <param name="TopicId">The topic id (empty when the broker has none).</param>
/// <param name="IsInternal">Whether it is internal (e.g. __consumer_offsets).</param>
/// <param name="Partitions">Its partitions.</param>
/// <param name="Error">None, or why it could not be described.</param>
public sealed record TopicDescription(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionDescription> Partitions, ErrorCode Error);

/// <summary>Kafka's config resource types.</summary>
public enum ConfigResourceType : sbyte
{
    /// <summary>A topic.</summary>
    Topic = 2,

    /// <summary>A broker (by id).</summary>
    Broker = 4,

    /// <summary>A broker's logger.</summary>
    BrokerLogger = 8,
}

/// <summary>A resource whose configs are described or altered.</summary>
/// <param name="Type">The resource type.</param>
/// <param name="Name">The topic name or broker id.</param>
public sealed record ConfigResource(ConfigResourceType Type, string Name);

/// <summary>Where a config value comes from (DescribeConfigs v1+).</summary>
public enum ConfigSource : sbyte
{
    /// <summary>Unknown.</summary>
    Unknown = 0,

    /// <summary>Set on the topic.</summary>
    DynamicTopicConfig = 1,

    /// <summary>Set dynamically on this broker.</summary>
    DynamicBrokerConfig = 2,

    /// <summary>Set dynamically as the cluster default.</summary>
    DynamicDefaultBrokerConfig = 3,

    /// <summary>From the broker's static configuration.</summary>
    StaticBrokerConfig = 4,

    /// <summary>The built-in default.</summary>
    DefaultConfig = 5,

    /// <summary>Dynamic broker logger config.</summary>
    DynamicBrokerLoggerConfig = 6,
}

/// <summary>One config value.</summary>
/// <param name="Name">The config name.</param>
/// <param name="Value">The value (null when sensitive or unset).</param>
/// <param name="IsReadOnly">Whether it can be changed.</param>
/// <param name="IsDefault">Whether it is the default.</param>
/// <param name="IsSensitive">Whether it is sensitive.</param>
/// <param name="Source">Where the value comes from.</param>
public sealed record ConfigEntry(string Name, string? Value, bool IsReadOnly, bool IsDefault, bool IsSensitive, ConfigSource Source);

/// <summary>The configs of one resource.</summary>
/// <param name="Resource">The resource.</param>
/// <param name="Entries">Its configs.</param>
public sealed record ConfigDescription(ConfigResource Resource, IReadOnlyList<ConfigEntry> Entries);

/// <summary>IncrementalAlterConfigs operations.</summary>
public enum AlterConfigOpType : sbyte
{
    /// <summary>Set the value.</summary>
    Set = 0,

    /// <summary>Revert to the default.</summary>
    Delete = 1,

    /// <summary>Add to a list value.</summary>
    Append = 2,

    /// <summary>Remove from a list value.</summary>
    Subtract = 3,
}

/// <summary>One incremental config change.</summary>
/// <param name="Name">The config name.</param>
/// <param name="Value">The value (ignored for Delete).</param>
/// <param name="Operation">What to do.</param>
public sealed record AlterConfigOp(string Name, string? Value, AlterConfigOpType Operation = AlterConfigOpType.Set);

/// <summary>A consumer group as ListGroups reports it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="ProtocolType">"consumer" for consumer groups.</param>
/// <param name="State">The state (ListGroups v4+), or null.</param>
public sealed record GroupListing(string GroupId, string ProtocolType, string? State);

/// <summary>A member of a described group.</summary>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static id, or null.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="Host">The client host.</param>
/// <param name="Assignment">The member's partitions (consumer groups).</param>
public sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A described group.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">Stable, PreparingRebalance, Empty, Dead...</param>
/// <param name="ProtocolType">"consumer" for consumer groups.</param>
/// <param name="Protocol">The chosen assignor.</param>
/// <param name="Members">Its members.</param>
/// <param name="Error">None, or why it could not be described.</param>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<MemberDescription> Members, ErrorCode Error);
