using System.Diagnostics.Metrics;
using Eddy.Streams.Internal.Assignment;
using Eddy.Streams.Internal.Topology;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>What every stream thread of one KafkaStreams instance shares.</summary>
internal sealed class RuntimeContext
{
    public required StreamsConfig Config { get; init; }

    public required InternalTopologyBuilder Builder { get; init; }

    public required Eddy.Streams.Topology Topology { get; init; }

    public required StateDirectory StateDirectory { get; init; }

    public required string ProcessId { get; init; }

    public required string? Endpoint { get; init; }

    public required IReadOnlyList<SubtopologyInfo> Subtopologies { get; init; }

    /// <summary>Node names of each sub-topology, to build a task's part of the topology.</summary>
    public required IReadOnlyDictionary<int, HashSet<string>> SubtopologyNodes { get; init; }

    /// <summary>Source and repartition topics the threads subscribe to.</summary>
    public required IReadOnlyList<string> SourceTopics { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The application's repartition topics (purged after commit).</summary>
    public IReadOnlySet<string> RepartitionTopics { get; init; } = new HashSet<string>();

    public IStateRestoreListener? RestoreListener { get; set; }

    /// <summary>Called by a thread when it gets a new assignment (the instance goes to Rebalancing).</summary>
    public Action? OnRebalance { get; set; }

    /// <summary>Offset sums of tasks on disk, read when threads start and refreshed after each rebalance.</summary>
    public Dictionary<TaskId, long> OnDiskOffsetSums { get; set; } = [];

    public volatile bool ShutdownApplicationRequested;
}

/// <summary>Runtime metrics (meter "Eddy.Streams").</summary>
internal static class RuntimeMetrics
{
    public static readonly Histogram<double> CommitLatency = StreamsMetrics.Meter.CreateHistogram<double>("eddy.streams.thread.commit.duration", "ms", "Time to commit a stream thread's tasks: flush caches, changelog and producer, commit offsets, write checkpoints.");

    public static readonly Counter<long> Processed = StreamsMetrics.Meter.CreateCounter<long>("eddy.streams.thread.processed_records", "{record}", "Records processed by a stream thread (rate = process rate).");

    public static readonly Counter<long> Restored = StreamsMetrics.Meter.CreateCounter<long>("eddy.streams.restore.records", "{record}", "Changelog records restored into state stores (rate = restore rate).");

    public static readonly Counter<long> Commits = StreamsMetrics.Meter.CreateCounter<long>("eddy.streams.thread.commits", "{commit}", "Commits of a stream thread.");
}
