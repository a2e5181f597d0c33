using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>One changelog partition of a task's store, with restore progress and (key-value stores) a local mirror.</summary>
internal sealed class ChangelogPartition(TopicPartition partition, string storeName, bool mirrored)
{
    public TopicPartition Partition { get; } = partition;

    public string StoreName { get; } = storeName;

    /// <summary>
    /// Key-value stores keep a compacted copy of what their changelog holds, written as a snapshot at each checkpoint,
    /// so a restart loads the snapshot and restores only the changelog tail (in-memory stores have nothing on disk
    /// otherwise; RocksDB stores will make this unnecessary).
    /// </summary>
    public Dictionary<Bytes, (byte[]? Value, long Timestamp)>? Mirror { get; } = mirrored ? new(BytesComparer.Instance) : null;

    public bool MirrorDirty { get; set; }

    /// <summary>The next changelog offset the local state does not contain; -2 when it must be read from the beginning.</summary>
    public long NextOffset { get; set; } = -2;

    public long EndOffset { get; set; } = -1;

    public long Restored { get; set; }

    public long SnapshotLoaded { get; set; }

    public bool RestoreStarted { get; set; }

    public bool Restoring { get; set; }

    public void Record(byte[] key, byte[]? value, long timestamp)
    {
        if (Mirror is null)
        {
            return;
        }
        if (value is null)
        {
            Mirror.Remove(Bytes.Wrap(key));
        }
        else
        {
            Mirror[Bytes.Wrap(key)] = (value, timestamp);
        }
        MirrorDirty = true;
    }
}

/// <summary>
/// A task's local state (Kafka's ProcessorStateManager): its changelog partitions, the checkpoint file and snapshots,
/// loading them on open and writing them at commit and clean close.
/// </summary>
internal sealed class TaskStateManager
{
    private const string SnapshotMagic = "EDDYSNAP1";
    private readonly Dictionary<TopicPartition, ChangelogPartition> _byPartition = [];

    public TaskStateManager(TaskId id, ProcessorTopology topology, StateDirectory directory)
    {
        Id = id;
        Directory = directory;
        foreach (var builder in topology.StoreBuilders)
        {
            if (!builder.LoggingEnabled || !topology.StoreToChangelogTopic.TryGetValue(builder.Name, out var topic))
            {
                continue;
            }
            var cp = new ChangelogPartition(new TopicPartition(topic, id.Partition), builder.Name, builder is not IWindowedStoreBuilder);
            _byPartition[cp.Partition] = cp;
        }
    }

    public TaskId Id { get; }

    public StateDirectory Directory { get; }

    public IReadOnlyCollection<ChangelogPartition> Changelogs => _byPartition.Values;

    public bool IsStateful => _byPartition.Count > 0;

    public ChangelogPartition? Find(TopicPartition tp) => _byPartition.GetValueOrDefault(tp);

    private string CheckpointPath => Path.Combine(Directory.TaskDir(Id), ".checkpoint");

    private string SnapshotPath(TopicPartition tp) => Path.Combine(Directory.TaskDir(Id), tp.Topic + "-" + tp.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".snapshot");

    /// <summary>Sum of the changelog offsets held (Kafka's task offset sum, for the assignor).</summary>
    public long OffsetSum()
    {
        long sum = 0;
        foreach (var cp in _byPartition.Values)
        {
            sum += Math.Max(0, cp.NextOffset);
        }
        return sum;
    }

    /// <summary>Loads the checkpoint and the snapshots that match it into the (just opened) stores.</summary>
    public void Load(TaskContext context)
    {
        var checkpoint = StateDirectory.ReadCheckpoint(CheckpointPath);
        foreach (var cp in _byPartition.Values)
        {
            cp.NextOffset = -2;
            if (cp.Mirror is null || !checkpoint.TryGetValue(cp.Partition, out var offset))
            {
                continue;
            }
            var entries = ReadSnapshot(SnapshotPath(cp.Partition), offset);
            if (entries is null)
            {
                continue;
            }
            foreach (var (k, v, ts) in entries)
            {
                cp.Mirror[Bytes.Wrap(k)] = (v, ts);
            }
            context.Restore(cp.StoreName, entries);
            cp.SnapshotLoaded = entries.Count;
            cp.NextOffset = offset;
        }
    }

    /// <summary>Applies changelog records (restoration or standby replay).</summary>
    public static void Apply(TaskContext context, ChangelogPartition cp, List<(byte[] Key, byte[]? Value, long Timestamp)> records, long lastOffset)
    {
        context.Restore(cp.StoreName, records);
        if (cp.Mirror is not null)
        {
            foreach (var (k, v, ts) in records)
            {
                cp.Record(k, v, ts);
            }
        }
        cp.NextOffset = lastOffset + 1;
    }

    /// <summary>After a flush: takes the changelog offsets the producer acknowledged, writes snapshots and the checkpoint.</summary>
    public void Checkpoint(KafkaStreamsProducer? producer)
    {
        if (!IsStateful)
        {
            return;
        }
        var offsets = new Dictionary<TopicPartition, long>();
        System.IO.Directory.CreateDirectory(Directory.TaskDir(Id));
        foreach (var cp in _byPartition.Values)
        {
            if (producer is not null)
            {
                var acked = producer.LastAckedOffset(cp.Partition);
                if (acked >= 0 && acked + 1 > cp.NextOffset)
                {
                    cp.NextOffset = acked + 1;
                }
            }
            if (cp.Mirror is null || cp.NextOffset < 0)
            {
                continue;
            }
            if (cp.MirrorDirty || !File.Exists(SnapshotPath(cp.Partition)))
            {
                WriteSnapshot(SnapshotPath(cp.Partition), cp.NextOffset, cp.Mirror);
                cp.MirrorDirty = false;
            }
            offsets[cp.Partition] = cp.NextOffset;
        }
        StateDirectory.WriteCheckpoint(CheckpointPath, offsets);
    }

    /// <summary>Forgets local state (a corrupted or dirty task starts over from the changelog).</summary>
    public void Wipe()
    {
        var dir = Directory.TaskDir(Id);
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Wraps the thread's collector so that changelog writes also update the mirrors.</summary>
    public IRecordCollector Wrap(IRecordCollector inner) => _byPartition.Values.Any(c => c.Mirror is not null) ? new MirroringCollector(inner, this) : inner;

    private static void WriteSnapshot(string path, long offset, Dictionary<Bytes, (byte[]? Value, long Timestamp)> mirror)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var w = new BinaryWriter(fs))
        {
            w.Write(SnapshotMagic);
            w.Write(offset);
            w.Write(mirror.Count);
            foreach (var (k, (v, ts)) in mirror)
            {
                var key = k.Get();
                w.Write(key.Length);
                w.Write(key);
                w.Write(v?.Length ?? -1);
                if (v is not null)
                {
                    w.Write(v);
                }
                w.Write(ts);
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static List<(byte[] Key, byte[]? Value, long Timestamp)>? ReadSnapshot(string path, long expectedOffset)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(fs);
            if (r.ReadString() != SnapshotMagic || r.ReadInt64() != expectedOffset)
            {
                return null;
            }
            var n = r.ReadInt32();
            var list = new List<(byte[], byte[]?, long)>(n);
            for (var i = 0; i < n; i++)
            {
                var k = r.ReadBytes(r.ReadInt32());
                var vl = r.ReadInt32();
                var v = vl < 0 ? null : r.ReadBytes(vl);
                list.Add((k, v, r.ReadInt64()));
            }
            return list;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private sealed class MirroringCollector(IRecordCollector inner, TaskStateManager state) : IRecordCollector
    {
        public void Send<TKey, TValue>(string topic, TKey key, TValue value, Headers? headers, long timestamp, ISerializer<TKey> keySerializer,
            ISerializer<TValue> valueSerializer, IStreamPartitioner<TKey, TValue>? partitioner, string processorNodeId, TaskContext task, bool valueIsNull = false)
            => inner.Send(topic, key, value, headers, timestamp, keySerializer, valueSerializer, partitioner, processorNodeId, task, valueIsNull);

        public void SendBytes(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, string processorNodeId, TaskContext task)
        {
            inner.SendBytes(topic, partition, key, value, headers, timestamp, processorNodeId, task);
            if (partition is { } p && key is not null && state._byPartition.TryGetValue(new TopicPartition(topic, p), out var cp))
            {
                cp.Record(key, value, timestamp);
            }
        }

        public void Flush() => inner.Flush();
    }
}
