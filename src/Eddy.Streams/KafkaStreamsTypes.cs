using System.Globalization;
using Eddy.Streams.Errors;

namespace Eddy.Streams;

/// <summary>The life cycle of a <see cref="KafkaStreams"/> instance (Kafka Streams' <c>KafkaStreams.State</c>).</summary>
/// <example><code>streams.StateChanged += (newState, oldState) =&gt; Console.WriteLine($"{oldState} -&gt; {newState}");</code></example>
public enum KafkaStreamsState
{
    /// <summary>Built, not started.</summary>
    Created,

    /// <summary>Threads are joining the group, restoring state, or tasks are moving.</summary>
    Rebalancing,

    /// <summary>Every thread is processing.</summary>
    Running,

    /// <summary>Closing.</summary>
    PendingShutdown,

    /// <summary>Closed cleanly.</summary>
    NotRunning,

    /// <summary>Shutting down after a fatal error.</summary>
    PendingError,

    /// <summary>Stopped after a fatal error.</summary>
    Error,
}

/// <summary>What to do when a stream thread dies of an exception (Kafka's <c>StreamThreadExceptionResponse</c>).</summary>
/// <example><code>streams.SetUncaughtExceptionHandler(e =&gt; StreamThreadExceptionResponse.ReplaceThread);</code></example>
public enum StreamThreadExceptionResponse
{
    /// <summary>Start a new thread in place of the dead one (its tasks are reassigned).</summary>
    ReplaceThread,

    /// <summary>Shut this instance down (state Error); other instances take over its tasks.</summary>
    ShutdownClient,

    /// <summary>Shut every instance of the application down (propagated through the group's assignment).</summary>
    ShutdownApplication,
}

/// <summary>Reports state restoration from changelogs (Kafka's <c>StateRestoreListener</c>). Called on stream threads: keep it quick.</summary>
/// <example>
/// <code>
/// sealed class Progress : IStateRestoreListener
/// {
///     public void OnRestoreStart(TopicPartition p, string store, long start, long end) =&gt; Console.WriteLine($"{store}: {end - start} to restore");
///     public void OnBatchRestored(TopicPartition p, string store, long batchEndOffset, long restored) { }
///     public void OnRestoreEnd(TopicPartition p, string store, long totalRestored) { }
/// }
/// </code>
/// </example>
public interface IStateRestoreListener
{
    /// <summary>Restoration of one changelog partition begins.</summary>
    /// <param name="partition">The changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="startingOffset">The first offset to restore (from the local checkpoint, or the beginning).</param>
    /// <param name="endingOffset">The changelog's end offset when restoration began.</param>
    void OnRestoreStart(TopicPartition partition, string storeName, long startingOffset, long endingOffset);

    /// <summary>A batch was applied.</summary>
    /// <param name="partition">The changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="batchEndOffset">The offset of the last record of the batch.</param>
    /// <param name="numRestored">Records in the batch.</param>
    void OnBatchRestored(TopicPartition partition, string storeName, long batchEndOffset, long numRestored);

    /// <summary>Restoration of one changelog partition is complete.</summary>
    /// <param name="partition">The changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="totalRestored">Records restored from the changelog.</param>
    void OnRestoreEnd(TopicPartition partition, string storeName, long totalRestored);
}

/// <summary>A <c>host:port</c> endpoint (<c>application.server</c>) of an application instance.</summary>
/// <param name="Host">The host.</param>
/// <param name="Port">The port.</param>
/// <example><code>var host = HostInfo.Parse("localhost:8080");</code></example>
public sealed record HostInfo(string Host, int Port)
{
    /// <summary>Placeholder for "no endpoint known" (Kafka's <c>HostInfo.unavailable()</c>).</summary>
    public static HostInfo Unavailable { get; } = new("unavailable", -1);

    /// <summary>Parses <c>host:port</c>.</summary>
    /// <param name="endpoint">The endpoint text.</param>
    /// <returns>The host info.</returns>
    public static HostInfo Parse(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var i = endpoint.LastIndexOf(':');
        if (i <= 0 || !int.TryParse(endpoint.AsSpan(i + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new StreamsException($"Invalid application.server \"{endpoint}\": expected host:port, such as localhost:8080.");
        }
        return new HostInfo(endpoint[..i], port);
    }

    /// <inheritdoc/>
    public override string ToString() => Host + ":" + Port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where a key of a store lives: the instance with the active task, the ones with standbys, and the partition.</summary>
/// <param name="ActiveHost">The instance hosting the active task.</param>
/// <param name="StandbyHosts">Instances hosting standby replicas.</param>
/// <param name="Partition">The partition the key maps to.</param>
/// <example><code>var where = streams.QueryMetadataForKey("counts", "alice", Serdes.String().Serializer); Route(where.ActiveHost);</code></example>
public sealed record KeyQueryMetadata(HostInfo ActiveHost, IReadOnlySet<HostInfo> StandbyHosts, int Partition)
{
    /// <summary>Answer while no assignment is known.</summary>
    public static KeyQueryMetadata NotAvailable { get; } = new(HostInfo.Unavailable, new HashSet<HostInfo>(), -1);

    /// <summary>Equal when hosts, standby hosts (as sets) and partition are equal.</summary>
    /// <param name="other">The other metadata.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(KeyQueryMetadata? other)
        => other is not null && ActiveHost == other.ActiveHost && Partition == other.Partition && StandbyHosts.SetEquals(other.StandbyHosts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ActiveHost, Partition, StandbyHosts.Count);
}

/// <summary>What one application instance hosts (Kafka's <c>StreamsMetadata</c>).</summary>
/// <param name="HostInfo">The instance's endpoint.</param>
/// <param name="StateStoreNames">Stores of its active tasks.</param>
/// <param name="TopicPartitions">Input partitions of its active tasks.</param>
/// <param name="StandbyStateStoreNames">Stores of its standby tasks.</param>
/// <param name="StandbyTopicPartitions">Input partitions of its standby tasks.</param>
/// <example><code>foreach (var m in streams.MetadataForAllStreamsClients()) Console.WriteLine(m.HostInfo);</code></example>
public sealed record StreamsMetadata(HostInfo HostInfo, IReadOnlySet<string> StateStoreNames, IReadOnlySet<TopicPartition> TopicPartitions,
    IReadOnlySet<string> StandbyStateStoreNames, IReadOnlySet<TopicPartition> StandbyTopicPartitions);

/// <summary>Which store an interactive query reads, and how (Kafka's <c>StoreQueryParameters</c>).</summary>
/// <typeparam name="TStore">The read-only store type the query gets.</typeparam>
/// <example>
/// <code>
/// var counts = streams.Store(StoreQueryParameters.FromNameAndType("counts", QueryableStoreTypes.KeyValueStore&lt;string, long&gt;()));
/// counts.TryGet("alice", out var n);
/// </code>
/// </example>
public sealed record StoreQueryParameters<TStore>(string StoreName, QueryableStoreType<TStore> StoreType)
    where TStore : class
{
    /// <summary>Whether standby replicas and restoring stores may answer (possibly stale data).</summary>
    public bool StaleStoresEnabled { get; init; }

    /// <summary>Only this partition's task is queried, or all local tasks when null.</summary>
    public int? Partition { get; init; }

    /// <summary>Allows standby replicas and restoring stores to answer.</summary>
    /// <returns>New parameters.</returns>
    public StoreQueryParameters<TStore> EnableStaleStores() => this with { StaleStoresEnabled = true };

    /// <summary>Queries only one partition's task.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>New parameters.</returns>
    public StoreQueryParameters<TStore> WithPartition(int partition) => this with { Partition = partition };
}

/// <summary>Creates <see cref="StoreQueryParameters{TStore}"/>.</summary>
/// <example><code>var p = StoreQueryParameters.FromNameAndType("counts", QueryableStoreTypes.KeyValueStore&lt;string, long&gt;());</code></example>
public static class StoreQueryParameters
{
    /// <summary>Parameters for a store by name and type.</summary>
    /// <typeparam name="TStore">The read-only store type.</typeparam>
    /// <param name="storeName">The store name.</param>
    /// <param name="storeType">The store type, from <see cref="QueryableStoreTypes"/>.</param>
    /// <returns>The parameters.</returns>
    public static StoreQueryParameters<TStore> FromNameAndType<TStore>(string storeName, QueryableStoreType<TStore> storeType)
        where TStore : class
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(storeType);
        return new StoreQueryParameters<TStore>(storeName, storeType);
    }
}

/// <summary>A kind of store an interactive query can read: decides which local stores match and wraps them read-only.</summary>
/// <typeparam name="TStore">The read-only view type.</typeparam>
/// <example><code>QueryableStoreType&lt;IReadOnlyKeyValueStore&lt;string, long&gt;&gt; t = QueryableStoreTypes.KeyValueStore&lt;string, long&gt;();</code></example>
public abstract class QueryableStoreType<TStore>
    where TStore : class
{
    private protected QueryableStoreType() { }

    /// <summary>True when a local store can be read as this type.</summary>
    /// <param name="store">The store.</param>
    /// <returns>Whether it matches.</returns>
    public abstract bool Accepts(State.IStateStore store);

    internal abstract TStore Create(IReadOnlyList<Internal.Runtime.QueryableStoreHandle> stores, string storeName);
}
