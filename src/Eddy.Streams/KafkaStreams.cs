using System.Diagnostics.Metrics;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Assignment;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.SerDes;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams;

/// <summary>
/// Runs a topology against a Kafka cluster (Kafka Streams' <c>KafkaStreams</c>): creates the internal topics, joins the
/// application's consumer group (application.id) with num.stream.threads stream threads, restores state from
/// changelogs, processes, commits every commit.interval.ms, keeps standby replicas, and answers interactive queries.
/// Start several instances (processes or objects) with the same application.id to share the work.
/// </summary>
/// <example>
/// <code>
/// var config = new StreamsConfig { ApplicationId = "wordcount", BootstrapServers = "localhost:9092" };
/// await using var streams = new KafkaStreams(builder.Build(), config);
/// streams.StateChanged += (now, before) =&gt; Console.WriteLine($"{before} -&gt; {now}");
/// await streams.StartAsync();
/// var counts = streams.Store(StoreQueryParameters.FromNameAndType("counts", QueryableStoreTypes.KeyValueStore&lt;string, long&gt;()));
/// </code>
/// </example>
public sealed class KafkaStreams : IAsyncDisposable
{
    private readonly Topology _topology;
    private readonly StreamsConfig _config;
    private readonly ILogger _logger;
    private readonly StateDirectory _stateDirectory;
    private readonly string _processId = Guid.NewGuid().ToString();
    private readonly List<StreamThread> _threads = [];
    private readonly Lock _stateLock = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RuntimeContext? _ctx;
    private KafkaStreamsState _state = KafkaStreamsState.Created;
    private Func<Exception, StreamThreadExceptionResponse>? _uncaughtHandler;
    private IStateRestoreListener? _restoreListener;
    private int _nextThreadIndex = 1;
    private Timer? _stateTimer;
    private ObservableGauge<long>? _restoreRemaining;

    /// <summary>Creates an instance; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <param name="topology">The topology (from <see cref="StreamsBuilder.Build()"/>).</param>
    /// <param name="config">The configuration: application.id and bootstrap.servers are required.</param>
    public KafkaStreams(Topology topology, StreamsConfig config)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(config);
        _topology = topology;
        _config = config.Clone();
        _config.Validate();
        if (string.IsNullOrEmpty(_config.BootstrapServers))
        {
            throw new StreamsException("Missing required configuration \"bootstrap.servers\" which has no default value.");
        }
        if (_config.ProcessingGuarantee != ProcessingGuarantee.AtLeastOnce)
        {
            throw new StreamsException("processing.guarantee=exactly_once_v2 needs transactions, which Eddy.Client does not support yet; use at_least_once.");
        }
        if (_config.NumStreamThreads < 1)
        {
            throw new StreamsException("Invalid value for configuration num.stream.threads: must be at least 1.");
        }
        if (_config.ApplicationServer is { } server)
        {
            HostInfo.Parse(server);
        }
        if (topology.Builder.GlobalNodes().Count > 0)
        {
            throw new TopologyException("Global stores and GlobalKTables are not supported by the Kafka runtime yet (the topology test driver runs them).");
        }
        _logger = _config.LoggerFactory.CreateLogger("Eddy.Streams.KafkaStreams");
        _stateDirectory = new StateDirectory(_config.StateDir, _config.ApplicationId);
        topology.Builder.Rewrite(_config);
        topology.Builder.ValidateCopartitioning();
    }

    /// <summary>The current state.</summary>
    public KafkaStreamsState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on every state change with (new state, old state); called on the thread that caused it.</summary>
    public event Action<KafkaStreamsState, KafkaStreamsState>? StateChanged;

    /// <summary>A unique id of this instance (sent to the group; tasks' state is matched to it).</summary>
    public string ProcessId => _processId;

    /// <summary>Sets what happens when a stream thread dies of an exception (default: shut this instance down). Call before starting.</summary>
    /// <param name="handler">Decides the response from the exception.</param>
    public void SetUncaughtExceptionHandler(Func<Exception, StreamThreadExceptionResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureCreated("set an uncaught exception handler");
        _uncaughtHandler = handler;
    }

    /// <summary>Sets a listener for state restoration of every store. Call before starting.</summary>
    /// <param name="listener">The listener.</param>
    public void SetGlobalStateRestoreListener(IStateRestoreListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        EnsureCreated("set a state restore listener");
        _restoreListener = listener;
    }

    /// <summary>
    /// Creates the internal topics (checking co-partitioning and existing topics), then starts the stream threads.
    /// Returns once the threads run; the state becomes Running when they have joined the group and restored their
    /// state (see <see cref="WaitForRunningAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the threads are started.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        EnsureCreated("start");
        SetState(KafkaStreamsState.Rebalancing);
        try
        {
            _stateDirectory.LockInstance();
            var builder = _topology.Builder;
            await using (var admin = new Eddy.Client.KafkaAdminClient(ClientConfigs.Admin(_config, _config.ApplicationId + "-admin"), _config.LoggerFactory))
            {
                var manager = new InternalTopicManager(admin, _config, _config.LoggerFactory.CreateLogger("Eddy.Streams.InternalTopicManager"));
                var specs = await manager.PrepareAsync(builder, cancellationToken).ConfigureAwait(false);
                await manager.CreateOrValidateAsync(specs, cancellationToken).ConfigureAwait(false);
            }
            var groups = builder.TopicGroups();
            var subtopologies = groups.Select(g => new SubtopologyInfo(g.SubtopologyId, [.. g.SourceTopics, .. g.RepartitionSourceTopics.Keys], g.StateChangelogTopics)).ToList();
            var nodes = builder.Subtopologies().ToDictionary(s => s.Id, s => new HashSet<string>(s.Nodes, StringComparer.Ordinal));
            _ctx = new RuntimeContext
            {
                Config = _config,
                Builder = builder,
                Topology = _topology,
                StateDirectory = _stateDirectory,
                ProcessId = _processId,
                Endpoint = _config.ApplicationServer,
                Subtopologies = subtopologies,
                SubtopologyNodes = nodes,
                SourceTopics = [.. subtopologies.SelectMany(s => s.SourceTopics).Distinct(StringComparer.Ordinal)],
                LoggerFactory = _config.LoggerFactory,
                RestoreListener = _restoreListener,
                RepartitionTopics = groups.SelectMany(g => g.RepartitionSourceTopics.Keys).ToHashSet(StringComparer.Ordinal),
                OnDiskOffsetSums = _stateDirectory.OffsetSumsOnDisk(),
            };
            _ctx.OnRebalance = () =>
            {
                lock (_stateLock)
                {
                    if (_state == KafkaStreamsState.Running)
                    {
                        SetStateLocked(KafkaStreamsState.Rebalancing);
                    }
                }
            };
            var tags = new KeyValuePair<string, object?>[] { new("application-id", _config.ApplicationId), new("process-id", _processId) };
            _restoreRemaining = StreamsMetrics.Meter.CreateObservableGauge("eddy.streams.restore.remaining_records",
                () => new Measurement<long>(ThreadsSnapshot().Sum(t => t.RestoreRemaining()), tags), "{record}", "Changelog records still to restore.");
            lock (_stateLock)
            {
                for (var i = 0; i < _config.NumStreamThreads; i++)
                {
                    _threads.Add(NewThread());
                }
            }
            foreach (var t in ThreadsSnapshot())
            {
                t.Start();
            }
            _stateTimer = new Timer(_ => UpdateRunningState(), null, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20));
            _logger.LogInformation("Started {Threads} stream threads for application {App} (process {Process})", _config.NumStreamThreads, _config.ApplicationId, _processId);
        }
        catch
        {
            SetState(KafkaStreamsState.PendingError);
            SetState(KafkaStreamsState.Error);
            _stateDirectory.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the state is Running (or fails when it becomes Error or NotRunning).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when running.</returns>
    public async Task WaitForRunningAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (State != KafkaStreamsState.Running)
        {
            if (State is KafkaStreamsState.Error or KafkaStreamsState.NotRunning or KafkaStreamsState.PendingError or KafkaStreamsState.PendingShutdown)
            {
                throw new StreamsException($"The application instance is {State}, not running.");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The application instance did not reach Running within {timeout} (state {State}).");
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the threads (committing and checkpointing), leaves the group and releases the state directory.</summary>
    /// <param name="timeout">How long to wait for the threads.</param>
    /// <returns>True when every thread stopped in time.</returns>
    public async Task<bool> CloseAsync(TimeSpan timeout)
    {
        lock (_stateLock)
        {
            if (_state is KafkaStreamsState.NotRunning or KafkaStreamsState.Error)
            {
                return true;
            }
            if (_state == KafkaStreamsState.Created)
            {
                SetStateLocked(KafkaStreamsState.PendingShutdown);
                SetStateLocked(KafkaStreamsState.NotRunning);
                return true;
            }
        }
        var error = State == KafkaStreamsState.PendingError;
        if (!error)
        {
            SetState(KafkaStreamsState.PendingShutdown);
        }
        if (_stateTimer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
        var threads = ThreadsSnapshot();
        foreach (var t in threads)
        {
            t.RequestStop();
        }
        var allStopped = await Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + timeout;
            var ok = true;
            foreach (var t in threads)
            {
                var left = deadline - DateTime.UtcNow;
                ok &= t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            return ok;
        }).ConfigureAwait(false);
        foreach (var t in threads)
        {
            if (!t.IsAlive)
            {
                t.Dispose();
            }
        }
        _stateDirectory.Dispose();
        SetState(error ? KafkaStreamsState.Error : KafkaStreamsState.NotRunning);
        return allStopped;
    }

    /// <summary>Deletes this instance's local state directory content (only while not running).</summary>
    public void CleanUp()
    {
        if (State is not (KafkaStreamsState.Created or KafkaStreamsState.NotRunning or KafkaStreamsState.Error))
        {
            throw new InvalidOperationException("CleanUp can only be called before StartAsync or after CloseAsync.");
        }
        _stateDirectory.CleanUp();
    }

    /// <summary>Read-only access to a store across this instance's local tasks (interactive queries).</summary>
    /// <typeparam name="TStore">The read-only store type.</typeparam>
    /// <param name="parameters">The store name and type, and whether stale stores may answer.</param>
    /// <returns>The store view.</returns>
    public TStore Store<TStore>(StoreQueryParameters<TStore> parameters)
        where TStore : class
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var state = State;
        if (state is not (KafkaStreamsState.Running or KafkaStreamsState.Rebalancing))
        {
            throw new InvalidStateStoreException($"KafkaStreams is not running. State is {state}.");
        }
        if (_topology.Builder.StoreBuilder(parameters.StoreName) is null)
        {
            throw new InvalidStateStoreException($"Cannot get state store {parameters.StoreName} because no such store is registered in the topology.");
        }
        var handles = new List<QueryableStoreHandle>();
        foreach (var thread in ThreadsSnapshot())
        {
            foreach (var (task, store) in thread.Stores(parameters.StoreName, parameters.StaleStoresEnabled, parameters.Partition))
            {
                if (!parameters.StoreType.Accepts(store))
                {
                    throw new InvalidStateStoreException($"Cannot get state store {parameters.StoreName} because the queryable store type [{parameters.StoreType.GetType().Name}] does not accept the actual store type [{store.GetType().Name}].");
                }
                var t = task;
                handles.Add(new QueryableStoreHandle(store, t.SyncRoot, () => !t.Closed));
            }
        }
        if (handles.Count == 0 && parameters.Partition is not null)
        {
            throw new InvalidStateStoreException($"The specified partition {parameters.Partition} for store {parameters.StoreName} is not available on this instance.");
        }
        return parameters.StoreType.Create(handles, parameters.StoreName);
    }

    /// <summary>Which instance hosts a key of a store (from the last assignment's endpoint information; needs application.server).</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="storeName">The store.</param>
    /// <param name="key">The key.</param>
    /// <param name="keySerializer">Serializes the key as the input topic's producer did (the partition is murmur2 of these bytes).</param>
    /// <returns>The metadata, or <see cref="KeyQueryMetadata.NotAvailable"/> while no assignment is known.</returns>
    public KeyQueryMetadata QueryMetadataForKey<TKey>(string storeName, TKey key, ISerializer<TKey> keySerializer)
    {
        ArgumentNullException.ThrowIfNull(keySerializer);
        var bytes = keySerializer.Serialize(key, new SerializationContext(MessageComponentType.Key, storeName, null))
            ?? throw new ArgumentException("The key serialized to null.", nameof(key));
        return QueryMetadataForPartition(storeName, n => (Murmur2.Hash(bytes) & 0x7fffffff) % n);
    }

    /// <summary>Which instance hosts a key of a store, with a custom partitioner.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="storeName">The store.</param>
    /// <param name="key">The key.</param>
    /// <param name="partitioner">Returns the partition of the key given the topic's partition count.</param>
    /// <returns>The metadata, or <see cref="KeyQueryMetadata.NotAvailable"/> while no assignment is known.</returns>
    public KeyQueryMetadata QueryMetadataForKey<TKey>(string storeName, TKey key, Func<TKey, int, int> partitioner)
    {
        ArgumentNullException.ThrowIfNull(partitioner);
        return QueryMetadataForPartition(storeName, n => partitioner(key, n));
    }

    private KeyQueryMetadata QueryMetadataForPartition(string storeName, Func<int, int> partitionOf)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        var info = LatestAssignment();
        if (info is null || _ctx is null)
        {
            return KeyQueryMetadata.NotAvailable;
        }
        var sub = SubtopologyOfStore(storeName) ?? throw new InvalidStateStoreException($"Store {storeName} is not in the topology.");
        var topic = sub.SourceTopics.FirstOrDefault(t => info.PartitionCounts.ContainsKey(t));
        if (topic is null)
        {
            return KeyQueryMetadata.NotAvailable;
        }
        var partition = partitionOf(info.PartitionCounts[topic]);
        var tp = AssignmentInfo.Format(new TopicPartition(topic, partition));
        HostInfo? active = null;
        var standbys = new HashSet<HostInfo>();
        foreach (var (host, parts) in info.PartitionsByHost)
        {
            if (parts.Active.Contains(tp))
            {
                active = HostInfo.Parse(host);
            }
            if (parts.Standby.Contains(tp))
            {
                standbys.Add(HostInfo.Parse(host));
            }
        }
        return active is null ? KeyQueryMetadata.NotAvailable : new KeyQueryMetadata(active, standbys, partition);
    }

    /// <summary>Every instance of the application and what it hosts (needs application.server on every instance).</summary>
    /// <returns>The metadata per instance.</returns>
    public IReadOnlyList<StreamsMetadata> MetadataForAllStreamsClients()
    {
        var info = LatestAssignment();
        if (info is null || _ctx is null)
        {
            return [];
        }
        var result = new List<StreamsMetadata>();
        foreach (var (host, parts) in info.PartitionsByHost.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var active = parts.Active.Select(AssignmentInfo.ParsePartition).ToHashSet();
            var standby = parts.Standby.Select(AssignmentInfo.ParsePartition).ToHashSet();
            result.Add(new StreamsMetadata(HostInfo.Parse(host), StoresOf(active), active, StoresOf(standby), standby));
        }
        return result;
    }

    /// <summary>The active and standby task ids of this instance's threads.</summary>
    /// <returns>Active and standby tasks.</returns>
    public (IReadOnlySet<TaskId> Active, IReadOnlySet<TaskId> Standby) LocalTasks()
    {
        var active = new HashSet<TaskId>();
        var standby = new HashSet<TaskId>();
        foreach (var t in ThreadsSnapshot())
        {
            active.UnionWith(t.ActiveTaskIds());
            standby.UnionWith(t.StandbyTaskIds());
        }
        return (active, standby);
    }

    /// <summary>Changelog records restored so far into this instance's current active (or standby) tasks' stores.</summary>
    /// <param name="standby">Standby tasks instead of active ones.</param>
    /// <returns>The record count.</returns>
    public long RestoredRecords(bool standby = false) => ThreadsSnapshot().Sum(t => t.RestoredRecords(standby));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

    private HashSet<string> StoresOf(HashSet<TopicPartition> partitions)
    {
        var stores = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sub in _ctx!.Subtopologies)
        {
            if (sub.SourceTopics.Any(t => partitions.Any(p => p.Topic == t)))
            {
                foreach (var changelog in sub.ChangelogTopics)
                {
                    stores.Add(changelog[(_config.ApplicationId.Length + 1)..^"-changelog".Length]);
                }
            }
        }
        return stores;
    }

    private SubtopologyInfo? SubtopologyOfStore(string storeName)
    {
        var changelog = _config.ApplicationId + "-" + storeName + "-changelog";
        var sub = _ctx!.Subtopologies.FirstOrDefault(s => s.ChangelogTopics.Contains(changelog));
        if (sub is not null)
        {
            return sub;
        }
        // A store without a changelog: find its sub-topology by building the task topologies' store lists.
        foreach (var s in _ctx.Subtopologies)
        {
            if (_topology.BuildTask(_config, _ctx.SubtopologyNodes[s.Id]).StoreBuilders.Any(b => b.Name == storeName))
            {
                return s;
            }
        }
        return null;
    }

    private AssignmentInfo? LatestAssignment()
    {
        foreach (var t in ThreadsSnapshot())
        {
            if (t.LastAssignment is { } a)
            {
                return a;
            }
        }
        return null;
    }

    private List<StreamThread> ThreadsSnapshot()
    {
        lock (_stateLock)
        {
            return [.. _threads];
        }
    }

    private StreamThread NewThread() => new(_ctx!, _nextThreadIndex++, OnThreadExit);

    private void OnThreadExit(StreamThread thread, Exception? error)
    {
        if (error is null)
        {
            if (_ctx is { ShutdownApplicationRequested: true } && State is KafkaStreamsState.Running or KafkaStreamsState.Rebalancing)
            {
                _logger.LogError("Shutting down: the application was asked to shut down");
                _ = Task.Run(async () =>
                {
                    SetState(KafkaStreamsState.PendingError);
                    await CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                });
            }
            return;
        }
        var response = StreamThreadExceptionResponse.ShutdownClient;
        if (_uncaughtHandler is { } handler)
        {
            try
            {
                response = handler(error);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "The uncaught exception handler threw; shutting down this instance");
            }
        }
        lock (_stateLock)
        {
            if (_state is not (KafkaStreamsState.Running or KafkaStreamsState.Rebalancing))
            {
                return;
            }
            if (response == StreamThreadExceptionResponse.ReplaceThread)
            {
                _threads.Remove(thread);
                thread.Dispose();
                var replacement = NewThread();
                _threads.Add(replacement);
                _logger.LogWarning("Replacing dead stream thread {Dead} with {New}", thread.Name, replacement.Name);
                replacement.Start();
                return;
            }
        }
        if (response == StreamThreadExceptionResponse.ShutdownApplication && _ctx is not null)
        {
            // Tell the group: the remaining threads' next subscriptions carry the request; the leader assigns the error to all.
            _ctx.ShutdownApplicationRequested = true;
        }
        _ = Task.Run(async () =>
        {
            SetState(KafkaStreamsState.PendingError);
            await CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        });
    }

    private void UpdateRunningState()
    {
        var threads = ThreadsSnapshot();
        var running = threads.Count > 0 && threads.TrueForAll(t => t.IsRunning && t.LastAssignment is not null);
        lock (_stateLock)
        {
            if (_state == KafkaStreamsState.Rebalancing && running)
            {
                SetStateLocked(KafkaStreamsState.Running);
            }
            else if (_state == KafkaStreamsState.Running && !running)
            {
                SetStateLocked(KafkaStreamsState.Rebalancing);
            }
        }
    }

    private void SetState(KafkaStreamsState next)
    {
        lock (_stateLock)
        {
            SetStateLocked(next);
        }
    }

    private void SetStateLocked(KafkaStreamsState next)
    {
        var old = _state;
        if (old == next)
        {
            return;
        }
        _state = next;
        _logger.LogInformation("State transition from {Old} to {New}", old, next);
        StateChanged?.Invoke(next, old);
    }

    private void EnsureCreated(string what)
    {
        if (State != KafkaStreamsState.Created)
        {
            throw new InvalidOperationException($"Cannot {what}: the instance is {State}; this is only allowed before StartAsync.");
        }
    }
}
