using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eddy.Streams.Internal.Assignment;

/// <summary>
/// What a member tells the leader in its subscription user data (Kafka's SubscriptionInfo, in Eddy's own encoding:
/// UTF-8 JSON with a version; Kafka's binary layout was not reproduced, so Java and Eddy Streams members cannot
/// share one application group). Every stream thread of an instance sends the same process id, endpoint and task
/// offset sums; <see cref="OffsetSums"/> uses <see cref="LatestOffset"/> for tasks the thread runs as active.
/// </summary>
internal sealed class SubscriptionInfo
{
    public const int CurrentVersion = 1;

    /// <summary>Kafka's Task.LATEST_OFFSET: the member runs the task as active, so its state is current.</summary>
    public const long LatestOffset = -2;

    [JsonPropertyName("version")]
    public int Version { get; set; } = CurrentVersion;

    [JsonPropertyName("processId")]
    public string ProcessId { get; set; } = "";

    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; set; }

    /// <summary>Task id to the sum of its changelog offsets in local state (checkpoints, standbys) or <see cref="LatestOffset"/>.</summary>
    [JsonPropertyName("taskOffsetSums")]
    public Dictionary<string, long> OffsetSums { get; set; } = [];

    /// <summary>Tasks this thread ran as standbys (for standby stickiness across threads).</summary>
    [JsonPropertyName("prevStandby")]
    public List<string> PreviousStandbyTasks { get; set; } = [];

    /// <summary>Set when this instance asks every instance to shut down (StreamThreadExceptionResponse.ShutdownApplication).</summary>
    [JsonPropertyName("shutdownRequested")]
    public bool ShutdownRequested { get; set; }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, AssignmentJson.Default.SubscriptionInfo);

    public static SubscriptionInfo? Decode(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(data, AssignmentJson.Default.SubscriptionInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Where an instance's tasks are, for interactive-query routing.</summary>
internal sealed class HostPartitions
{
    [JsonPropertyName("active")]
    public List<string> Active { get; set; } = [];

    [JsonPropertyName("standby")]
    public List<string> Standby { get; set; } = [];
}

/// <summary>
/// What the leader tells each member in its assignment user data (Kafka's AssignmentInfo, Eddy encoding): its active
/// tasks with their input partitions, its standby tasks, every instance's partitions by endpoint, source topic
/// partition counts, an error code (shutdown) and when to probe for a follow-up rebalance (warm-up replicas).
/// </summary>
internal sealed class AssignmentInfo
{
    public const int ErrorNone = 0;
    public const int ErrorShutdownApplication = 2;

    [JsonPropertyName("version")]
    public int Version { get; set; } = SubscriptionInfo.CurrentVersion;

    /// <summary>Active task id to its input partitions ("topic:partition").</summary>
    [JsonPropertyName("active")]
    public Dictionary<string, List<string>> ActiveTasks { get; set; } = [];

    [JsonPropertyName("standby")]
    public List<string> StandbyTasks { get; set; } = [];

    [JsonPropertyName("hosts")]
    public Dictionary<string, HostPartitions> PartitionsByHost { get; set; } = [];

    [JsonPropertyName("partitionCounts")]
    public Dictionary<string, int> PartitionCounts { get; set; } = [];

    [JsonPropertyName("error")]
    public int ErrorCode { get; set; }

    /// <summary>Milliseconds after which the member should trigger a probing rebalance, or 0.</summary>
    [JsonPropertyName("probeAfterMs")]
    public long ProbeAfterMs { get; set; }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, AssignmentJson.Default.AssignmentInfo);

    public static AssignmentInfo? Decode(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(data, AssignmentJson.Default.AssignmentInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Format(TopicPartition tp) => tp.Topic + ":" + tp.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static TopicPartition ParsePartition(string text)
    {
        var i = text.LastIndexOf(':');
        return new TopicPartition(text[..i], int.Parse(text.AsSpan(i + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}

[JsonSerializable(typeof(SubscriptionInfo))]
[JsonSerializable(typeof(AssignmentInfo))]
internal sealed partial class AssignmentJson : JsonSerializerContext;
