using System.Buffers.Binary;
using System.Globalization;
using Eddy.Protocol;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Internal.Storage;

/// <summary>One of the last batches a producer wrote to a partition (for duplicate detection).</summary>
internal readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);

/// <summary>What the partition knows about one producer id: its epoch and its last 5 batches.</summary>
internal sealed class ProducerEntry
{
    /// <summary>Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN; librdkafka keeps at most 5 requests in flight for the same reason.</summary>
    public const int BatchesToRetain = 5;

    public short Epoch { get; set; }

    public long LastTimestamp { get; set; }

    public List<ProducerBatch> Batches { get; } = new(BatchesToRetain);

    public int LastSequence => Batches.Count == 0 ? RecordBatchHeader.NoSequence : Batches[^1].LastSequence;
}

/// <summary>The outcome of checking a batch against the producer state.</summary>
internal readonly record struct ProducerCheck(ErrorCode Error, string? Message, ProducerBatch? Duplicate)
{
    public static ProducerCheck Ok => default;
}

/// <summary>
/// Idempotent-producer state of one partition (Kafka's ProducerStateManager and ProducerAppendInfo):
/// epoch fencing, sequence checks and duplicate detection over the last 5 batches. Snapshots are
/// written as <c>{offset:D20}.snapshot</c> at clean shutdown and segment rolls; after a restart the
/// state is the latest snapshot plus the batches after it.
/// </summary>
internal sealed class ProducerStateManager
{
    private const uint SnapshotMagic = 0x45505331; // "EPS1"
    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int Count => _producers.Count;

    public ProducerEntry? Find(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>Checks a producer's batch before it is appended (ProducerAppendInfo.checkProducerEpoch/checkSequence).</summary>
    public ProducerCheck Check(in RecordBatchHeader header)
    {
        if (!header.HasProducerId)
        {
            return ProducerCheck.Ok;
        }

        if (!_producers.TryGetValue(header.ProducerId, out var entry))
        {
            // No state (new producer, or its state expired or was removed with the log): any sequence is accepted.
            return ProducerCheck.Ok;
        }

        if (header.ProducerEpoch < entry.Epoch)
        {
            return new ProducerCheck(ErrorCode.InvalidProducerEpoch,
                $"Epoch of producer {header.ProducerId} is {header.ProducerEpoch}, which is smaller than the last seen epoch {entry.Epoch}", null);
        }

        if (header.ProducerEpoch > entry.Epoch)
        {
            return header.BaseSequence == 0
                ? ProducerCheck.Ok
                : new ProducerCheck(ErrorCode.OutOfOrderSequenceNumber,
                    $"Invalid sequence number for new epoch of producer {header.ProducerId} at epoch {header.ProducerEpoch}: {header.BaseSequence} (request epoch), 0 (expected)", null);
        }

        foreach (var batch in entry.Batches)
        {
            if (batch.FirstSequence == header.BaseSequence && batch.LastSequence == header.LastSequence)
            {
                return new ProducerCheck(ErrorCode.None, null, batch);
            }
        }

        int last = entry.LastSequence;
        if (last != RecordBatchHeader.NoSequence && header.BaseSequence != RecordBatchHeader.IncrementSequence(last, 1))
        {
            return new ProducerCheck(ErrorCode.OutOfOrderSequenceNumber,
                $"Out of order sequence number for producer {header.ProducerId}: {header.BaseSequence} (incoming seq. number), {last} (current end sequence number)", null);
        }

        return ProducerCheck.Ok;
    }

    /// <summary>Records an appended (or replayed) batch.</summary>
    public void Update(in BatchInfo batch, long timestamp)
    {
        if (batch.ProducerId < 0 || batch.BaseSequence < 0 && !batch.IsControl)
        {
            return;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            entry = new ProducerEntry { Epoch = batch.ProducerEpoch };
            _producers[batch.ProducerId] = entry;
        }

        if (batch.ProducerEpoch != entry.Epoch)
        {
            entry.Epoch = batch.ProducerEpoch;
            entry.Batches.Clear();
        }

        entry.LastTimestamp = timestamp;
        if (batch.IsControl)
        {
            return;
        }

        if (entry.Batches.Count == ProducerEntry.BatchesToRetain)
        {
            entry.Batches.RemoveAt(0);
        }

        entry.Batches.Add(new ProducerBatch(batch.BaseSequence, batch.LastSequence, batch.BaseOffset, batch.LastOffset, timestamp));
    }

    /// <summary>Drops producers whose last write is older than producer.id.expiration.ms.</summary>
    public void Expire(long nowMs, long expirationMs)
    {
        List<long>? expired = null;
        foreach (var (id, entry) in _producers)
        {
            if (nowMs - entry.LastTimestamp > expirationMs)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is not null)
        {
            foreach (var id in expired)
            {
                _producers.Remove(id);
            }
        }
    }

    public void Clear() => _producers.Clear();

    public static string SnapshotPath(string directory, long offset) =>
        Path.Combine(directory, offset.ToString("D20", CultureInfo.InvariantCulture) + ".snapshot");

    /// <summary>Writes the state as of <paramref name="offset"/> (the log end) and removes older snapshots.</summary>
    public void WriteSnapshot(string directory, long offset)
    {
        int size = 12;
        foreach (var entry in _producers.Values)
        {
            size += 8 + 2 + 8 + 1 + (entry.Batches.Count * 32);
        }

        var bytes = new byte[size + 4];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, SnapshotMagic);
        BinaryPrimitives.WriteInt64BigEndian(span.Slice(4), _producers.Count);
        int pos = 12;
        foreach (var (id, entry) in _producers)
        {
            BinaryPrimitives.WriteInt64BigEndian(span.Slice(pos), id);
            BinaryPrimitives.WriteInt16BigEndian(span.Slice(pos + 8), entry.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(span.Slice(pos + 10), entry.LastTimestamp);
            span[pos + 18] = (byte)entry.Batches.Count;
            pos += 19;
            foreach (var b in entry.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span.Slice(pos), b.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span.Slice(pos + 4), b.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span.Slice(pos + 8), b.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span.Slice(pos + 16), b.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(span.Slice(pos + 24), b.Timestamp);
                pos += 32;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(size), Crc32C.Compute(span.Slice(0, size)));
        FileUtil.WriteAtomically(SnapshotPath(directory, offset), bytes);
        foreach (var (snapshotOffset, path) in ListSnapshots(directory))
        {
            if (snapshotOffset != offset)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// Loads the newest valid snapshot at or below <paramref name="maxOffset"/>; returns its offset (the
    /// offset to replay from) or -1 when there is none. Snapshots above <paramref name="maxOffset"/> are deleted.
    /// </summary>
    public long LoadSnapshot(string directory, long maxOffset)
    {
        _producers.Clear();
        var snapshots = ListSnapshots(directory);
        snapshots.Sort((a, b) => b.Offset.CompareTo(a.Offset));
        foreach (var (offset, path) in snapshots)
        {
            if (offset > maxOffset)
            {
                File.Delete(path);
                continue;
            }

            if (TryRead(File.ReadAllBytes(path)))
            {
                return offset;
            }

            _producers.Clear();
        }

        return -1;
    }

    private bool TryRead(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.Length < 16 || BinaryPrimitives.ReadUInt32BigEndian(span) != SnapshotMagic
            || BinaryPrimitives.ReadUInt32BigEndian(span.Slice(span.Length - 4)) != Crc32C.Compute(span.Slice(0, span.Length - 4)))
        {
            return false;
        }

        long count = BinaryPrimitives.ReadInt64BigEndian(span.Slice(4));
        int pos = 12;
        for (long i = 0; i < count; i++)
        {
            var entry = new ProducerEntry
            {
                Epoch = BinaryPrimitives.ReadInt16BigEndian(span.Slice(pos + 8)),
                LastTimestamp = BinaryPrimitives.ReadInt64BigEndian(span.Slice(pos + 10)),
            };
            long id = BinaryPrimitives.ReadInt64BigEndian(span.Slice(pos));
            int batches = span[pos + 18];
            pos += 19;
            for (int b = 0; b < batches; b++)
            {
                entry.Batches.Add(new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(span.Slice(pos)),
                    BinaryPrimitives.ReadInt32BigEndian(span.Slice(pos + 4)),
                    BinaryPrimitives.ReadInt64BigEndian(span.Slice(pos + 8)),
                    BinaryPrimitives.ReadInt64BigEndian(span.Slice(pos + 16)),
                    BinaryPrimitives.ReadInt64BigEndian(span.Slice(pos + 24))));
                pos += 32;
            }

            _producers[id] = entry;
        }

        return true;
    }

    private static List<(long Offset, string Path)> ListSnapshots(string directory)
    {
        var list = new List<(long, string)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.snapshot"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                list.Add((offset, path));
            }
        }

        return list;
    }
}
