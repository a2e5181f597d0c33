using System.Diagnostics;
using Eddy.Client;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Assignment;
using Eddy.Streams.Internal.State;
using Microsoft.Extensions.Logging;
using ClientTopicPartition = Eddy.Client.TopicPartition;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>A task as a stream thread runs it: the StreamTask plus its local state, input partitions and lock.</summary>
internal sealed class RuntimeTask(StreamTask task, TaskStateManager state, bool standby, IReadOnlyList<TopicPartition> inputs)
{
    public StreamTask Task { get; } = task;

    public TaskStateManager State { get; } = state;

    public bool IsStandby { get; } = standby;

    public IReadOnlyList<TopicPartition> Inputs { get; } = inputs;

    /// <summary>Held by the thread while it touches the task, and by interactive queries while they read its stores.</summary>
    public object SyncRoot { get; } = new();

    public bool Running { get; set; }

    public bool Closed { get; set; }

    public long IdleSince { get; set; } = -1;

    public TaskId Id => Task.Id;
}

/// <summary>
/// A stream thread (Kafka's StreamThread + TaskManager): one consumer in the application's group (with the Streams
/// assignor), one producer, one restore consumer; runs its active tasks (restore, then process in timestamp order,
/// punctuate, commit every commit.interval.ms) and replays its standby tasks' changelogs.
/// </summary>
internal sealed class StreamThread : IAssignmentListener, IDisposable
{
    private readonly RuntimeContext _ctx;
    private readonly ILogger _logger;
    private readonly KafkaConsumer<byte[], byte[]> _consumer;
    private readonly KafkaConsumer<byte[], byte[]> _restoreConsumer;
    private readonly KafkaProducer<byte[]?, byte[]?> _kafkaProducer;
    private readonly KafkaAdminClient _admin;
    private readonly KafkaStreamsProducer _producer;
    private readonly RecordCollector _collector;
    private readonly ThreadCache _cache;
    private readonly Dictionary<TaskId, RuntimeTask> _active = [];
    private readonly Dictionary<TaskId, RuntimeTask> _standby = [];
    private readonly Dictionary<TopicPartition, RuntimeTask> _byInput = [];
    private readonly Dictionary<TopicPartition, RuntimeTask> _byChangelog = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private IReadOnlyDictionary<TaskId, IReadOnlyList<TopicPartition>> _targetActive = new Dictionary<TaskId, IReadOnlyList<TopicPartition>>();
    private IReadOnlyCollection<TaskId> _targetStandby = [];
    private long _lastCommit;
    private long _lastReport = Environment.TickCount64;
    private long _consumedTotal;
    private long _processedTotal;
    private long _probeAt = -1;
    private bool _restoreAssignmentChanged;

    public StreamThread(RuntimeContext ctx, int index, Action<StreamThread, Exception?> onExit)
    {
        _ctx = ctx;
        Index = index;
        var config = ctx.Config;
        Name = $"{config.ApplicationId}-{ctx.ProcessId}-StreamThread-{index}";
        _logger = ctx.LoggerFactory.CreateLogger("Eddy.Streams.StreamThread");
        var assignor = new StreamsPartitionAssignor(ctx.ProcessId, ctx.Endpoint, ctx.Subtopologies, config, this, ctx.LoggerFactory.CreateLogger("Eddy.Streams.StreamsPartitionAssignor"));
        var consumerConfig = ClientConfigs.Consumer(config, Name + "-consumer");
        consumerConfig.GroupId = config.ApplicationId;
        consumerConfig.EnableAutoCommit = false;
        consumerConfig.Assignors = [assignor];
        if (config.GroupInstanceId is { } instanceId)
        {
            consumerConfig.GroupInstanceId = instanceId + "-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (consumerConfig.AutoOffsetReset is null)
        {
            consumerConfig.AutoOffsetReset = Client.AutoOffsetReset.Earliest;
        }
        _consumer = new KafkaConsumer<byte[], byte[]>(consumerConfig, Deserializers.ByteArray, Deserializers.ByteArray, ctx.LoggerFactory);
        var restoreConfig = ClientConfigs.Consumer(config, Name + "-restore-consumer", restore: true);
        restoreConfig.AutoOffsetReset = Client.AutoOffsetReset.Earliest;
        _restoreConsumer = new KafkaConsumer<byte[], byte[]>(restoreConfig, Deserializers.ByteArray, Deserializers.ByteArray, ctx.LoggerFactory);
        _kafkaProducer = new KafkaProducer<byte[]?, byte[]?>(ClientConfigs.Producer(config, Name + "-producer"), Serializers.ByteArray, Serializers.ByteArray, ctx.LoggerFactory);
        _admin = new KafkaAdminClient(ClientConfigs.Admin(config, Name + "-admin"), ctx.LoggerFactory);
        _producer = new KafkaStreamsProducer(_kafkaProducer, _admin);
        _collector = new RecordCollector(_producer, _logger);
        _cache = new ThreadCache(config.StateStoreCacheMaxBytes / Math.Max(1, config.NumStreamThreads));
        _thread = new Thread(() =>
        {
            Exception? error = null;
            try
            {
                Run();
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                error = e;
                _logger.LogError(e, "Stream thread {Thread} died", Name);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Shutdown(clean: error is null);
            }
            onExit(this, error);
        })
        { Name = Name, IsBackground = true };
    }

    public int Index { get; }

    public string Name { get; }

    /// <summary>True while the thread has joined the group and every active task is restored.</summary>
    public volatile bool IsRunning;

    public volatile AssignmentInfo? LastAssignment;

    public bool ShutdownRequested => _ctx.ShutdownApplicationRequested;

    public void Start() => _thread.Start();

    public void RequestStop() => _stop.Cancel();

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    public bool IsAlive => _thread.IsAlive;

    /// <summary>Releases the stop signal (the clients are closed by the thread itself when it ends).</summary>
    public void Dispose() => _stop.Dispose();

    // ---- assignment ----

    public IReadOnlyDictionary<TaskId, long> TaskOffsetSums()
    {
        var sums = new Dictionary<TaskId, long>(_ctx.OnDiskOffsetSums);
        lock (_active)
        {
            foreach (var t in _active.Values.Concat(_standby.Values))
            {
                if (t.State.IsStateful)
                {
                    sums[t.Id] = t.State.OffsetSum();
                }
            }
        }
        return sums;
    }

    public IReadOnlyCollection<TaskId> StandbyTasks()
    {
        lock (_active)
        {
            return [.. _standby.Keys];
        }
    }

    public void OnAssignment(IReadOnlyDictionary<TaskId, IReadOnlyList<TopicPartition>> activeTasks, IReadOnlyCollection<TaskId> standbyTasks, AssignmentInfo info)
    {
        IsRunning = false;
        _ctx.OnRebalance?.Invoke();
        _targetActive = activeTasks;
        _targetStandby = standbyTasks;
        LastAssignment = info;
        if (info.ErrorCode == AssignmentInfo.ErrorShutdownApplication)
        {
            _logger.LogError("Thread {Thread}: the application is shutting down at the request of one of its instances", Name);
            _ctx.ShutdownApplicationRequested = true;
        }
        _probeAt = info.ProbeAfterMs > 0 ? Environment.TickCount64 + info.ProbeAfterMs : -1;
    }

    private ValueTask OnRevoked(IReadOnlyCollection<ClientTopicPartition> partitions, CancellationToken ct)
    {
        var tasks = new HashSet<RuntimeTask>();
        foreach (var tp in partitions)
        {
            if (_byInput.TryGetValue(new TopicPartition(tp.Topic, tp.Partition), out var t))
            {
                tasks.Add(t);
            }
        }
        if (tasks.Count > 0)
        {
            _logger.LogInformation("Thread {Thread}: revoking tasks {Tasks}", Name, string.Join(", ", tasks.Select(t => t.Id)));
            Commit(tasks.Where(t => t.Running));
            foreach (var t in tasks)
            {
                CloseTask(t, clean: true);
            }
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask OnLost(IReadOnlyCollection<ClientTopicPartition> partitions, CancellationToken ct)
    {
        var tasks = new HashSet<RuntimeTask>();
        foreach (var tp in partitions)
        {
            if (_byInput.TryGetValue(new TopicPartition(tp.Topic, tp.Partition), out var t))
            {
                tasks.Add(t);
            }
        }
        _logger.LogWarning("Thread {Thread}: lost tasks {Tasks}; closing them without committing", Name, string.Join(", ", tasks.Select(t => t.Id)));
        foreach (var t in tasks)
        {
            CloseTask(t, clean: false);
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask OnAssigned(IReadOnlyCollection<ClientTopicPartition> partitions, CancellationToken ct)
    {
        HandleAssignment();
        return ValueTask.CompletedTask;
    }

    private void HandleAssignment()
    {
        var target = _targetActive;
        var targetStandby = new HashSet<TaskId>(_targetStandby);
        foreach (var t in _active.Values.ToList())
        {
            if (!target.ContainsKey(t.Id))
            {
                if (t.Running)
                {
                    Commit([t]);
                }
                CloseTask(t, clean: true);
            }
        }
        foreach (var t in _standby.Values.ToList())
        {
            if (!targetStandby.Contains(t.Id) || target.ContainsKey(t.Id))
            {
                CloseTask(t, clean: true);
            }
        }
        foreach (var (id, inputs) in target)
        {
            if (!_active.ContainsKey(id))
            {
                CreateTask(id, inputs, standby: false);
            }
        }
        foreach (var id in targetStandby)
        {
            if (!_standby.ContainsKey(id) && !target.ContainsKey(id))
            {
                CreateTask(id, [], standby: true);
            }
        }
        _logger.LogInformation("Thread {Thread}: active tasks [{Active}], standby tasks [{Standby}]", Name,
            string.Join(", ", _active.Keys.Order()), string.Join(", ", _standby.Keys.Order()));
    }

    private void CreateTask(TaskId id, IReadOnlyList<TopicPartition> inputs, bool standby)
    {
        if (!_ctx.SubtopologyNodes.TryGetValue(id.Subtopology, out var nodes))
        {
            throw new StreamsException($"Task {id} was assigned but the topology has no sub-topology {id.Subtopology}: every instance must run the same topology.");
        }
        // A task moving between this instance's threads: wait (bounded) for the other thread to let go of its state.
        var deadline = Environment.TickCount64 + 30_000;
        while (!_ctx.StateDirectory.TryLockTask(id, this))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new StreamsException($"Task {id}'s state is still held by another thread of this instance after 30 s.");
            }
            Thread.Sleep(5);
        }
        var topology = _ctx.Topology.BuildTask(_ctx.Config, nodes);
        var state = new TaskStateManager(id, topology, _ctx.StateDirectory);
        var task = new StreamTask(id, topology, _ctx.Config, state.Wrap(_collector), _cache, new Dictionary<string, Eddy.Streams.State.IStateStore>(StringComparer.Ordinal));
        var rt = new RuntimeTask(task, state, standby, inputs);
        try
        {
            task.InitializeStateStores();
            state.Load(task.Context);
        }
        catch
        {
            task.Dispose();
            _ctx.StateDirectory.UnlockTask(id, this);
            throw;
        }
        lock (_active)
        {
            (standby ? _standby : _active)[id] = rt;
        }
        foreach (var tp in inputs)
        {
            _byInput[tp] = rt;
        }
        foreach (var cp in state.Changelogs)
        {
            _byChangelog[cp.Partition] = rt;
            cp.Restoring = true;
            cp.RestoreStarted = false;
            _restoreAssignmentChanged = true;
        }
        if (!standby && !state.IsStateful)
        {
            StartProcessing(rt);
        }
        _logger.LogInformation("Thread {Thread}: created {Kind} task {Task}", Name, standby ? "standby" : "active", id);
    }

    private void StartProcessing(RuntimeTask rt)
    {
        lock (rt.SyncRoot)
        {
            rt.Task.InitializeTopology();
            rt.Running = true;
        }
        _lastCommitByTask[rt.Id] = Environment.TickCount64;
    }

    private readonly Dictionary<TaskId, long> _lastCommitByTask = [];

    private void CloseTask(RuntimeTask t, bool clean)
    {
        if (t.Closed)
        {
            return;
        }
        t.Closed = true;
        lock (t.SyncRoot)
        {
            try
            {
                if (t.IsStandby || !t.Running)
                {
                    // Only stores are open: close them without flushing through processors.
                    foreach (var s in t.Task.Context.Stores)
                    {
                        if (s.IsOpen)
                        {
                            s.Close();
                        }
                    }
                    if (clean)
                    {
                        t.State.Checkpoint(null);
                    }
                }
                else
                {
                    t.Task.Close(clean);
                    if (clean)
                    {
                        _producer.Flush();
                        t.State.Checkpoint(_producer);
                    }
                }
            }
            catch (Exception e) when (!clean)
            {
                _logger.LogWarning(e, "Thread {Thread}: error while closing task {Task} dirty", Name, t.Id);
            }
            finally
            {
                _ctx.StateDirectory.UnlockTask(t.Id, this);
            }
        }
        lock (_active)
        {
            (t.IsStandby ? _standby : _active).Remove(t.Id);
        }
        foreach (var tp in t.Inputs)
        {
            _byInput.Remove(tp);
            _paused.Remove(tp);
        }
        foreach (var cp in t.State.Changelogs)
        {
            _byChangelog.Remove(cp.Partition);
            _restoreAssignmentChanged = true;
        }
    }

    // ---- the loop ----

    private void Run()
    {
        var listener = new RebalanceListener { Assigned = OnAssigned, Revoked = OnRevoked, Lost = OnLost };
        _consumer.Subscribe(_ctx.SourceTopics, listener);
        _lastCommit = Environment.TickCount64;
        var ct = _stop.Token;
        var commitMs = (long)_ctx.Config.CommitInterval.TotalMilliseconds;
        while (!ct.IsCancellationRequested && !_ctx.ShutdownApplicationRequested)
        {
            var busy = HasBufferedOrRestoring();
            var records = _consumer.ConsumeAsync(busy ? TimeSpan.Zero : _ctx.Config.PollInterval, ct).GetAwaiter().GetResult();
            foreach (var r in records)
            {
                var tp = new TopicPartition(r.Topic, r.Partition);
                if (!_byInput.TryGetValue(tp, out var rt))
                {
                    continue;
                }
                Headers? headers = null;
                if (r.Headers is { Count: > 0 } h)
                {
                    headers = new Headers();
                    foreach (var header in h)
                    {
                        headers.Add(header.Key, header.Value);
                    }
                }
                rt.Task.AddRecord(new RawRecord(r.Topic, r.Partition, r.Offset, r.TimestampMs, (Processors.TimestampType)(int)r.TimestampType, headers, r.Key, r.Value));
            }
            Restore(ct);
            var processed = Process();
            PunctuateWallClock();
            if (Environment.TickCount64 - _lastCommit >= commitMs || _active.Values.Any(t => t.Task.Context.CommitRequested))
            {
                Commit(_active.Values.Where(t => t.Running).ToList());
                _lastCommit = Environment.TickCount64;
                _ctx.OnDiskOffsetSums = _ctx.StateDirectory.OffsetSumsOnDisk();
            }
            UpdatePauses();
            IsRunning = _active.Values.All(t => t.Running);
            _consumedTotal += records.Count;
            _processedTotal += processed;
            if (Environment.TickCount64 - _lastReport > 5000)
            {
                _lastReport = Environment.TickCount64;
                _logger.LogInformation("Thread {Thread}: consumed {Consumed}, processed {Processed} records so far; {Buffered} buffered", Name, _consumedTotal, _processedTotal, _active.Values.Sum(t => t.Task.BufferedRecords));
                _logger.LogDebug("Thread {Thread}: positions {Positions}; paused {Paused}", Name,
                    string.Join(", ", _consumer.Assignment.Select(tp => tp + "@" + _consumer.Position(tp) + "/" + _consumer.GetWatermarkOffsets(tp).High)), string.Join(", ", _consumer.Paused));
            }
            if (processed > 0)
            {
                RuntimeMetrics.Processed.Add(processed, new KeyValuePair<string, object?>("thread", Name));
            }
            if (_probeAt > 0 && Environment.TickCount64 >= _probeAt)
            {
                _probeAt = -1;
                _logger.LogInformation("Thread {Thread}: probing rebalance (warm-up replicas may have caught up)", Name);
                _consumer.EnforceRebalance();
            }
        }
    }

    private bool HasBufferedOrRestoring()
    {
        foreach (var t in _active.Values)
        {
            if (!t.Running || t.Task.BufferedRecords > 0)
            {
                return true;
            }
        }
        return _standby.Count > 0 && _restoreAssignmentChanged;
    }

    private int Process()
    {
        var total = 0;
        var now = Environment.TickCount64;
        var maxIdle = _ctx.Config.MaxTaskIdleMs;
        foreach (var t in _active.Values)
        {
            if (!t.Running || t.Task.BufferedRecords == 0)
            {
                continue;
            }
            if (maxIdle > 0 && t.Inputs.Count > 1 && t.Inputs.Any(tp => t.Task.BufferedRecordsFor(tp) == 0))
            {
                if (t.IdleSince < 0)
                {
                    t.IdleSince = now;
                }
                if (now - t.IdleSince < maxIdle)
                {
                    continue;
                }
            }
            else
            {
                t.IdleSince = -1;
            }
            lock (t.SyncRoot)
            {
                for (var i = 0; i < 1000 && t.Task.Process(); i++)
                {
                    total++;
                    t.Task.MaybePunctuateStreamTime();
                }
            }
        }
        return total;
    }

    private void PunctuateWallClock()
    {
        foreach (var t in _active.Values)
        {
            if (t.Running)
            {
                lock (t.SyncRoot)
                {
                    t.Task.MaybePunctuateSystemTime();
                }
            }
        }
    }

    private void UpdatePauses()
    {
        var max = _ctx.Config.BufferedRecordsPerPartition;
        var pause = new List<ClientTopicPartition>();
        var resume = new List<ClientTopicPartition>();
        foreach (var (tp, t) in _byInput)
        {
            var n = t.Task.BufferedRecordsFor(tp);
            if (n >= max && _paused.Add(tp))
            {
                pause.Add(new ClientTopicPartition(tp.Topic, tp.Partition));
            }
            else if (n < max && _paused.Remove(tp))
            {
                resume.Add(new ClientTopicPartition(tp.Topic, tp.Partition));
            }
        }
        if (pause.Count > 0)
        {
            _consumer.Pause(pause);
        }
        if (resume.Count > 0)
        {
            _consumer.Resume(resume);
        }
    }

    /// <summary>Commits tasks: flush caches and changelog writes, flush the producer, commit offsets, write checkpoints.</summary>
    private void Commit(IEnumerable<RuntimeTask> tasks)
    {
        var start = Stopwatch.GetTimestamp();
        var offsets = new List<TopicPartitionOffset>();
        var committed = new List<RuntimeTask>();
        foreach (var t in tasks)
        {
            lock (t.SyncRoot)
            {
                foreach (var (tp, o) in t.Task.PrepareCommit())
                {
                    offsets.Add(new TopicPartitionOffset(new ClientTopicPartition(tp.Topic, tp.Partition), o));
                }
            }
            committed.Add(t);
        }
        _producer.Flush();
        if (offsets.Count > 0)
        {
            _consumer.CommitAsync(offsets).GetAwaiter().GetResult();
            MaybePurgeRepartitionTopics(offsets);
        }
        foreach (var t in committed)
        {
            lock (t.SyncRoot)
            {
                t.Task.PostCommit();
                t.State.Checkpoint(_producer);
            }
        }
        foreach (var t in _standby.Values)
        {
            lock (t.SyncRoot)
            {
                t.State.Checkpoint(null);
            }
        }
        _logger.LogDebug("Thread {Thread}: committed {Offsets} offsets of {Tasks} tasks", Name, offsets.Count, committed.Count);
        RuntimeMetrics.Commits.Add(1);
        RuntimeMetrics.CommitLatency.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private long _lastPurge = Environment.TickCount64;
    private Task _purge = Task.CompletedTask;

    /// <summary>
    /// Repartition topics are the application's own: once their offsets are committed the records are not needed,
    /// so they are deleted (Kafka Streams' purge, every repartition.purge.interval.ms, default 30 s).
    /// </summary>
    private void MaybePurgeRepartitionTopics(List<TopicPartitionOffset> committed)
    {
        var interval = _ctx.Config["repartition.purge.interval.ms"] is { } v ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 30_000;
        if (Environment.TickCount64 - _lastPurge < interval || !_purge.IsCompleted)
        {
            return;
        }
        _lastPurge = Environment.TickCount64;
        var repartition = committed.Where(o => _ctx.RepartitionTopics.Contains(o.Topic)).ToList();
        if (repartition.Count == 0)
        {
            return;
        }
        _purge = Task.Run(async () =>
        {
            try
            {
                await _admin.DeleteRecordsAsync(repartition).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                _logger.LogDebug("Thread {Thread}: purging repartition topics failed: {Reason}", Name, e.Message);
            }
        });
    }

    // ---- restoration and standbys ----

    private void Restore(CancellationToken ct)
    {
        if (_byChangelog.Count == 0)
        {
            if (_restoreAssignmentChanged)
            {
                _restoreConsumer.Unassign();
                _restoreAssignmentChanged = false;
            }
            return;
        }
        if (_restoreAssignmentChanged)
        {
            _restoreAssignmentChanged = false;
            var wanted = new List<ClientTopicPartition>();
            foreach (var (tp, t) in _byChangelog)
            {
                var cp = t.State.Find(tp)!;
                if (cp.Restoring || t.IsStandby)
                {
                    wanted.Add(new ClientTopicPartition(tp.Topic, tp.Partition));
                }
            }
            var before = new HashSet<ClientTopicPartition>(_restoreConsumer.Assignment);
            _restoreConsumer.Assign(wanted);
            foreach (var ctp in wanted)
            {
                if (before.Contains(ctp))
                {
                    continue;
                }
                var t = _byChangelog[new TopicPartition(ctp.Topic, ctp.Partition)];
                var cp = t.State.Find(new TopicPartition(ctp.Topic, ctp.Partition))!;
                _restoreConsumer.Seek(ctp, cp.NextOffset >= 0 ? cp.NextOffset : Offsets.Beginning);
            }
        }
        // Start restorations: look up the end offsets.
        foreach (var (tp, t) in _byChangelog)
        {
            var cp = t.State.Find(tp)!;
            if (t.IsStandby || !cp.Restoring || cp.RestoreStarted)
            {
                continue;
            }
            var wm = _restoreConsumer.QueryWatermarkOffsetsAsync(new ClientTopicPartition(tp.Topic, tp.Partition), ct).GetAwaiter().GetResult();
            cp.EndOffset = wm.High;
            cp.RestoreStarted = true;
            var startOffset = cp.NextOffset >= 0 ? cp.NextOffset : wm.Low;
            _logger.LogInformation("Thread {Thread}: restoring {Store} of task {Task} from {Changelog} offsets {Start}..{End} (snapshot had {Snapshot} entries)",
                Name, cp.StoreName, t.Id, tp, startOffset, cp.EndOffset, cp.SnapshotLoaded);
            _ctx.RestoreListener?.OnRestoreStart(tp, cp.StoreName, startOffset, cp.EndOffset);
            if (startOffset >= cp.EndOffset)
            {
                FinishRestore(t, cp);
            }
        }
        if (_byChangelog.Values.Any(t => t.IsStandby || t.State.Changelogs.Any(c => c.Restoring)))
        {
            var anyRestoring = _active.Values.Any(t => !t.Running);
            var batch = _restoreConsumer.ConsumeAsync(anyRestoring ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero, ct).GetAwaiter().GetResult();
            var byPartition = new Dictionary<TopicPartition, (List<(byte[], byte[]?, long)> Records, long Last)>();
            foreach (var r in batch)
            {
                var tp = new TopicPartition(r.Topic, r.Partition);
                if (!byPartition.TryGetValue(tp, out var e))
                {
                    e = ([], -1);
                }
                if (r.Key is not null)
                {
                    e.Records.Add((r.Key, r.Value, r.TimestampMs));
                }
                byPartition[tp] = (e.Records, r.Offset);
            }
            foreach (var (tp, (records, last)) in byPartition)
            {
                if (!_byChangelog.TryGetValue(tp, out var t))
                {
                    continue;
                }
                var cp = t.State.Find(tp)!;
                lock (t.SyncRoot)
                {
                    TaskStateManager.Apply(t.Task.Context, cp, records, last);
                }
                cp.Restored += records.Count;
                RuntimeMetrics.Restored.Add(records.Count, new KeyValuePair<string, object?>("store", cp.StoreName));
                if (!t.IsStandby)
                {
                    _ctx.RestoreListener?.OnBatchRestored(tp, cp.StoreName, last, records.Count);
                    if (cp.NextOffset >= cp.EndOffset)
                    {
                        FinishRestore(t, cp);
                    }
                }
            }
            // Records past the end offset (e.g. compaction gaps at the tail) cannot arrive: check positions too.
            foreach (var (tp, t) in _byChangelog.ToList())
            {
                var cp = t.State.Find(tp)!;
                if (!t.IsStandby && cp.Restoring && cp.RestoreStarted && _restoreConsumer.Position(new ClientTopicPartition(tp.Topic, tp.Partition)) >= cp.EndOffset)
                {
                    cp.NextOffset = Math.Max(cp.NextOffset, cp.EndOffset);
                    FinishRestore(t, cp);
                }
            }
        }
    }

    private void FinishRestore(RuntimeTask t, ChangelogPartition cp)
    {
        if (!cp.Restoring)
        {
            return;
        }
        cp.Restoring = false;
        _restoreAssignmentChanged = true;
        _logger.LogInformation("Thread {Thread}: restored {Count} records into {Store} of task {Task}", Name, cp.Restored, cp.StoreName, t.Id);
        _ctx.RestoreListener?.OnRestoreEnd(cp.Partition, cp.StoreName, cp.Restored);
        if (!t.Running && !t.State.Changelogs.Any(c => c.Restoring))
        {
            StartProcessing(t);
        }
    }

    /// <summary>Records still to restore, over this thread's restoring tasks (for the restore-remaining gauge).</summary>
    public long RestoreRemaining()
    {
        long total = 0;
        foreach (var t in _active.Values.ToList())
        {
            foreach (var cp in t.State.Changelogs)
            {
                if (cp.Restoring && cp.EndOffset >= 0)
                {
                    total += Math.Max(0, cp.EndOffset - Math.Max(0, cp.NextOffset));
                }
            }
        }
        return total;
    }

    /// <summary>Restored record count per store over this thread's tasks (tests and metrics).</summary>
    public long RestoredRecords(bool standby)
    {
        long n = 0;
        foreach (var t in (standby ? _standby : _active).Values.ToList())
        {
            n += t.State.Changelogs.Sum(c => c.Restored);
        }
        return n;
    }

    /// <summary>Stores for interactive queries.</summary>
    public IEnumerable<(RuntimeTask Task, Eddy.Streams.State.IStateStore Store)> Stores(string name, bool includeStandbyAndRestoring, int? partition)
    {
        List<RuntimeTask> tasks;
        lock (_active)
        {
            tasks = [.. _active.Values];
            if (includeStandbyAndRestoring)
            {
                tasks.AddRange(_standby.Values);
            }
        }
        foreach (var t in tasks)
        {
            if (t.Closed || (!includeStandbyAndRestoring && !t.Running) || (partition is { } p && t.Id.Partition != p))
            {
                continue;
            }
            if (t.Task.Context.GetStore(name) is { } store)
            {
                yield return (t, store);
            }
        }
    }

    public IReadOnlyCollection<TaskId> ActiveTaskIds()
    {
        lock (_active)
        {
            return [.. _active.Keys];
        }
    }

    public IReadOnlyCollection<TaskId> StandbyTaskIds()
    {
        lock (_active)
        {
            return [.. _standby.Keys];
        }
    }

    private void Shutdown(bool clean)
    {
        try
        {
            if (clean)
            {
                var running = _active.Values.Where(t => t.Running).ToList();
                if (running.Count > 0)
                {
                    Commit(running);
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Thread {Thread}: final commit failed", Name);
            clean = false;
        }
        foreach (var t in _active.Values.Concat(_standby.Values).ToList())
        {
            try
            {
                CloseTask(t, clean);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Thread {Thread}: closing task {Task} failed", Name, t.Id);
            }
        }
        try
        {
            _consumer.CloseAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Thread {Thread}: closing the consumer failed", Name);
        }
        try
        {
            _restoreConsumer.CloseAsync().AsTask().GetAwaiter().GetResult();
            _producer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _admin.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Thread {Thread}: closing clients failed", Name);
        }
        IsRunning = false;
    }
}
