using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Internal.Storage;

/// <summary>
/// Log compaction (cleanup.policy=compact): keeps the latest record per key in the segments the
/// cleaner may touch (never the active segment, only data below the high watermark and older than
/// min.compaction.lag.ms), drops tombstones older than delete.retention.ms, and never changes an
/// offset: surviving records keep their offsets and rewritten batches keep their base offset and
/// last offset delta. Each segment is rewritten to <c>.cleaned</c>, fsynced and renamed over the
/// old file, so a crash leaves either the old or the new segment.
/// </summary>
internal static class LogCleaner
{
    /// <summary>
    /// Cleans <paramref name="log"/> if it is worth it (dirty ratio at least min.cleanable.dirty.ratio since
    /// <paramref name="cleanedUpTo"/>, or <paramref name="force"/>). Returns the new cleaned-up-to offset.
    /// </summary>
    public static long Clean(PartitionLog log, long nowMs, long cleanedUpTo, bool force)
    {
        if (!log.Config.Compact)
        {
            return cleanedUpTo;
        }

        var segments = log.AcquireCleanableSegments(nowMs);
        try
        {
            if (segments.Count == 0)
            {
                return cleanedUpTo;
            }

            long total = 0;
            long dirty = 0;
            foreach (var s in segments)
            {
                total += s.Size;
                if (s.NextOffset > cleanedUpTo)
                {
                    dirty += s.Size;
                }
            }

            // max.compaction.lag.ms: a dirty segment older than the lag is cleaned whatever the ratio.
            foreach (var s in segments)
            {
                if (s.NextOffset > cleanedUpTo && s.MaxTimestamp >= 0 && nowMs - s.MaxTimestamp > log.Config.MaxCompactionLagMs)
                {
                    force = true;
                }
            }

            if (dirty == 0 || (!force && total > 0 && (double)dirty / total < log.Config.MinCleanableDirtyRatio))
            {
                return cleanedUpTo;
            }

            var latest = BuildOffsetMap(segments);
            long tombstoneHorizon = nowMs - log.Config.DeleteRetentionMs;
            foreach (var segment in segments)
            {
                string cleanedPath = segment.LogPath + ".cleaned";
                bool changed = RewriteSegment(segment, cleanedPath, latest, tombstoneHorizon, out bool empty);
                if (changed)
                {
                    log.ReplaceSegment(segment, cleanedPath, empty);
                }
                else
                {
                    File.Delete(cleanedPath);
                }
            }

            return segments[^1].NextOffset;
        }
        finally
        {
            foreach (var s in segments)
            {
                s.Release();
            }
        }
    }

    private static Dictionary<byte[], long> BuildOffsetMap(List<LogSegment> segments)
    {
        var latest = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        using var decompression = new DecompressionBuffer();
        foreach (var segment in segments)
        {
            ForEachBatch(segment, (batch, _) =>
            {
                var view = RecordBatchView.Read(batch);
                if (view.Header.IsControl)
                {
                    return;
                }

                foreach (var record in view.GetRecords(decompression))
                {
                    if (!record.IsKeyNull)
                    {
                        var key = record.Key.ToArray();
                        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(latest, key, out bool _);
                        slot = record.Offset;
                    }
                }
            });
        }

        return latest;
    }

    private static bool RewriteSegment(LogSegment segment, string cleanedPath, Dictionary<byte[], long> latest, long tombstoneHorizon, out bool empty)
    {
        bool changed = false;
        long written = 0;
        using var decompression = new DecompressionBuffer();
        using var output = new KafkaWriter(64 * 1024);
        using (var handle = File.OpenHandle(cleanedPath, FileMode.Create, FileAccess.Write))
        {
            ForEachBatch(segment, (batch, _) =>
            {
                output.Reset();
                if (FilterBatch(batch, latest, tombstoneHorizon, decompression, output, out bool kept))
                {
                    changed = true;
                    if (kept)
                    {
                        RandomAccess.Write(handle, output.WrittenSpan, written);
                        written += output.Position;
                    }
                }
                else
                {
                    RandomAccess.Write(handle, batch, written);
                    written += batch.Length;
                }
            });
            RandomAccess.FlushToDisk(handle);
        }

        empty = written == 0;
        return changed;
    }

    /// <summary>
    /// Filters one batch. Returns false when every record stays (copy the batch as is); otherwise writes
    /// the rewritten batch to <paramref name="output"/> (<paramref name="kept"/> false when nothing is left).
    /// </summary>
    private static bool FilterBatch(ReadOnlySpan<byte> batch, Dictionary<byte[], long> latest, long tombstoneHorizon, DecompressionBuffer decompression, KafkaWriter output, out bool kept)
    {
        kept = true;
        var view = RecordBatchView.Read(batch);
        var header = view.Header;
        if (header.IsControl)
        {
            // Control records are never compacted by key (ControlRecordType javadoc).
            return false;
        }

        var lookup = latest.GetAlternateLookup<ReadOnlySpan<byte>>();
        var keep = new List<(int Start, int Length, long Timestamp)>();
        int count = 0;
        int position = 0;
        ReadOnlySpan<byte> data;
        var records = view.GetRecords(decompression);
        try
        {
            data = records.Data;
            while (records.MoveNext())
            {
                var record = records.Current;
                count++;
                bool survives = record.IsKeyNull
                    || (lookup.TryGetValue(record.Key, out long newest) && newest == record.Offset
                        && !(record.IsValueNull && record.Timestamp < tombstoneHorizon));
                if (survives)
                {
                    keep.Add((position, record.SizeInBytes, record.Timestamp));
                }

                position += record.SizeInBytes;
            }

            if (keep.Count == count)
            {
                return false;
            }

            if (keep.Count == 0)
            {
                kept = false;
                return true;
            }

            var plain = new ArrayBufferWriter<byte>(position);
            long maxTimestamp = long.MinValue;
            foreach (var (start, length, timestamp) in keep)
            {
                plain.Write(data.Slice(start, length));
                maxTimestamp = Math.Max(maxTimestamp, timestamp);
            }

            ReadOnlySpan<byte> payload = plain.WrittenSpan;
            using var compressed = new KafkaWriter(Math.Max(256, payload.Length));
            if (header.Compression != CompressionType.None)
            {
                CompressionCodecs.Compress(header.Compression, payload, compressed);
                payload = compressed.WrittenSpan;
            }

            int size = RecordBatchHeader.Size + payload.Length;
            var span = output.GetSpan(size).Slice(0, size);
            batch.Slice(0, RecordBatchHeader.Size).CopyTo(span);
            BinaryPrimitives.WriteInt32BigEndian(span.Slice(8), size - 12);
            BinaryPrimitives.WriteInt64BigEndian(span.Slice(35), header.TimestampType == TimestampType.LogAppendTime ? header.MaxTimestamp : maxTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(span.Slice(57), keep.Count);
            payload.CopyTo(span.Slice(RecordBatchHeader.Size));
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(17), Crc32C.Compute(span.Slice(21)));
            output.Advance(size);
            return true;
        }
        finally
        {
            records.Dispose();
        }
    }

    private delegate void BatchAction(ReadOnlySpan<byte> batch, long position);

    private static void ForEachBatch(LogSegment segment, BatchAction action)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            foreach (var info in segment.ReadBatchInfos())
            {
                if (buffer.Length < info.Size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(info.Size);
                }

                var span = buffer.AsSpan(0, info.Size);
                segment.Read(info.Position, span);
                action(span, info.Position);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
