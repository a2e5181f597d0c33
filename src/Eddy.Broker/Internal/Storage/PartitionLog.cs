using System.Buffers;
using Eddy.Broker.Internal.Config;
using Eddy.Protocol;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Internal.Storage;

/// <summary>The result of an append: where the batch went, or the original offsets of a duplicate.</summary>
internal readonly record struct AppendResult(ErrorCode Error, string? Message, long BaseOffset, long LastOffset, long LogAppendTime, bool IsDuplicate)
{
    public static AppendResult Failed(ErrorCode error, string? message) => new(error, message, -1, -1, -1, false);
}

/// <summary>
/// A slice of one segment to send to a fetcher: the segment is held (ref-counted) until the bytes
/// are copied into the response, so retention and compaction cannot close it underneath.
/// </summary>
internal sealed class FetchSlice : IDisposable
{
    public FetchSlice(LogSegment segment, long position, int length)
    {
        Segment = segment;
        Position = position;
        Length = length;
    }

    public LogSegment Segment { get; }

    public long Position { get; }

    public int Length { get; }

    public void Dispose() => Segment.Release();
}

/// <summary>
/// One partition's log: segments, offsets (log start, high watermark, log end), producer state,
/// retention and compaction. Appends and state changes happen under one lock; reads take a
/// reference to a segment and copy outside it.
/// </summary>
internal sealed class PartitionLog : IDisposable
{
    private readonly List<LogSegment> _segments = [];
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly bool _hwFollowsFlush;
    private readonly List<Action> _listeners = [];
    private LogSegment _hwSegment;
    private long _hwPosition;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string directory, string topic, int partition, LogConfig config, TimeProvider time, bool hwFollowsFlush)
    {
        Directory = directory;
        Topic = topic;
        Partition = partition;
        Config = config;
        _time = time;
        _hwFollowsFlush = hwFollowsFlush;
        _hwSegment = null!;
        _lastFlushMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public string Directory { get; }

    public string Topic { get; }

    public int Partition { get; }

    public LogConfig Config { get; set; }

    public ProducerStateManager Producers { get; } = new();

    public long LogStartOffset { get; private set; }

    /// <summary>The offset the next batch will get.</summary>
    public long LogEndOffset { get; private set; }

    /// <summary>The last offset consumers may read up to (exclusive): fsynced data under the 'ack' flush policy.</summary>
    public long HighWatermark { get; private set; }

    /// <summary>Everything below this offset is fsynced (Kafka's recovery point).</summary>
    public long RecoveryPoint { get; private set; }

    /// <summary>The last stable offset: the high watermark, as long as no transaction is open (transactions are a later issue).</summary>
    public long LastStableOffset => HighWatermark;

    /// <summary>Whether any segment has bytes not yet fsynced (tests).</summary>
    internal bool HasUnflushedSegments
    {
        get
        {
            lock (_lock)
            {
                return _segments.Exists(s => s.IsDirty);
            }
        }
    }

    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Total bytes in the log.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                long size = 0;
                foreach (var s in _segments)
                {
                    size += s.Size;
                }

                return size;
            }
        }
    }

    /// <summary>Offsets in the log (for the cleaner's dirty-ratio and tests).</summary>
    public IReadOnlyList<long> SegmentBaseOffsets
    {
        get
        {
            lock (_lock)
            {
                return _segments.ConvertAll(s => s.BaseOffset);
            }
        }
    }

    /// <summary>Called (outside the lock) whenever the high watermark moves, or leadership changes.</summary>
    public void AddListener(Action listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    public void RemoveListener(Action listener)
    {
        lock (_listeners)
        {
            _listeners.Remove(listener);
        }
    }

    public void NotifyListeners()
    {
        Action[] listeners;
        lock (_listeners)
        {
            if (_listeners.Count == 0)
            {
                return;
            }

            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener();
        }
    }

    public static string DirectoryName(string topic, int partition) => $"{topic}-{partition}";

    /// <summary>
    /// Opens (or creates) a partition log. Without a clean shutdown, every segment from the one holding
    /// <paramref name="recoveryPoint"/> onward is scanned and checked and a torn tail is truncated;
    /// segments after a truncated one are deleted (Kafka LogLoader). Producer state is rebuilt from the
    /// latest snapshot plus the batches after it.
    /// </summary>
    public static PartitionLog Open(
        string directory,
        string topic,
        int partition,
        LogConfig config,
        TimeProvider time,
        bool hwFollowsFlush,
        bool cleanShutdown,
        long logStartOffset,
        long recoveryPoint,
        Action<string>? log = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var partitionLog = new PartitionLog(directory, topic, partition, config, time, hwFollowsFlush);
        partitionLog.Load(cleanShutdown, logStartOffset, recoveryPoint, log);
        return partitionLog;
    }

    private void Load(bool cleanShutdown, long checkpointLogStart, long recoveryPoint, Action<string>? log)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stray in System.IO.Directory.EnumerateFiles(Directory))
        {
            // Leftovers of an interrupted compaction swap or atomic write.
            if (stray.EndsWith(".cleaned", StringComparison.Ordinal) || stray.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(stray);
            }
        }

        var bases = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + LogSegment.LogSuffix))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        bool truncatedEarlier = false;
        for (int i = 0; i < bases.Count; i++)
        {
            long baseOffset = bases[i];
            if (truncatedEarlier)
            {
                // Kafka: if any segment lost bytes, the later (unflushed) segments cannot be trusted.
                log?.Invoke($"deleting segment {baseOffset} of {Topic}-{Partition} after a truncated segment");
                foreach (var suffix in new[] { LogSegment.LogSuffix, LogSegment.IndexSuffix, LogSegment.TimeIndexSuffix })
                {
                    File.Delete(LogSegment.FilePath(Directory, baseOffset, suffix));
                }

                continue;
            }

            long nextBase = i + 1 < bases.Count ? bases[i + 1] : long.MaxValue;
            bool recover = !cleanShutdown && nextBase > recoveryPoint;
            var segment = LogSegment.Open(Directory, baseOffset, recover, Config.IndexIntervalBytes, now, out long truncated);
            if (truncated > 0)
            {
                log?.Invoke($"truncated a torn tail of {truncated} bytes from segment {baseOffset} of {Topic}-{Partition} (log end now {segment.NextOffset})");
                truncatedEarlier = true;
            }

            if (segment.IsEmpty && _segments.Count > 0)
            {
                // An empty segment after others adds nothing; drop it (its offset range is implied).
                segment.MarkDeleted();
                continue;
            }

            _segments.Add(segment);
        }

        if (_segments.Count == 0)
        {
            long start = Math.Max(0, checkpointLogStart);
            _segments.Add(LogSegment.Create(Directory, start, now));
        }

        var active = _segments[^1];
        LogEndOffset = active.IsEmpty ? Math.Max(active.BaseOffset, PreviousNextOffset()) : active.NextOffset;
        LogStartOffset = Math.Max(checkpointLogStart, _segments[0].BaseOffset);
        if (LogStartOffset > LogEndOffset)
        {
            LogStartOffset = LogEndOffset;
        }

        // Everything that survived recovery is on disk: it is the new recovery point and high watermark.
        RecoveryPoint = LogEndOffset;
        HighWatermark = LogEndOffset;
        _hwSegment = active;
        _hwPosition = active.Size;

        RebuildProducerState();
    }

    private long PreviousNextOffset() => _segments.Count > 1 ? _segments[^2].NextOffset : _segments[^1].BaseOffset;

    private void RebuildProducerState()
    {
        long from = Producers.LoadSnapshot(Directory, LogEndOffset);
        if (from < 0)
        {
            from = LogStartOffset;
        }

        foreach (var segment in _segments)
        {
            if (segment.NextOffset <= from)
            {
                continue;
            }

            var start = segment.FindBatch(from);
            if (start is null)
            {
                continue;
            }

            foreach (var info in segment.ReadBatchInfos(start.Value.Position))
            {
                if (info.LastOffset >= from)
                {
                    Producers.Update(info, info.MaxTimestamp);
                }
            }
        }
    }

    /// <summary>
    /// Appends one validated batch (its bytes are edited in place: base offset, and LogAppendTime when
    /// the topic uses it). Producer checks run first: a duplicate returns the original offsets and
    /// appends nothing.
    /// </summary>
    public AppendResult Append(Span<byte> batch, in ProduceBatchSummary summary)
    {
        var header = summary.Header;
        lock (_lock)
        {
            if (_closed)
            {
                return AppendResult.Failed(ErrorCode.NotLeaderOrFollower, "the partition is closed");
            }

            if (header.IsTransactional)
            {
                return AppendResult.Failed(ErrorCode.InvalidTxnState, "transactional produce is not supported by this broker yet");
            }

            var check = Producers.Check(header);
            if (check.Error != ErrorCode.None)
            {
                return AppendResult.Failed(check.Error, check.Message);
            }

            if (check.Duplicate is { } dup)
            {
                return new AppendResult(ErrorCode.None, null, dup.FirstOffset, dup.LastOffset, Config.LogAppendTime ? dup.Timestamp : -1, true);
            }

            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            long baseOffset = LogEndOffset;
            long lastOffset = baseOffset + header.LastOffsetDelta;
            RecordBatchEditor.SetBaseOffset(batch, baseOffset);
            long maxTimestamp = summary.MaxTimestamp;
            long offsetOfMax = baseOffset + summary.OffsetDeltaOfMaxTimestamp;
            long appendTime = -1;
            if (Config.LogAppendTime)
            {
                RecordBatchEditor.SetLogAppendTime(batch, now);
                maxTimestamp = now;
                offsetOfMax = lastOffset;
                appendTime = now;
            }

            AppendLocked(batch, lastOffset, maxTimestamp, offsetOfMax, now);
            var info = BatchInfo.From(RecordBatchHeader.Read(batch), 0);
            Producers.Update(info, now);
            return new AppendResult(ErrorCode.None, null, baseOffset, lastOffset, appendTime, false);
        }
    }

    /// <summary>Appends a batch the broker built itself (group metadata, offsets); offsets assigned here.</summary>
    public long AppendInternal(Span<byte> batch)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var header = RecordBatchHeader.Read(batch);
            long baseOffset = LogEndOffset;
            RecordBatchEditor.SetBaseOffset(batch, baseOffset);
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            AppendLocked(batch, baseOffset + header.LastOffsetDelta, header.MaxTimestamp, baseOffset + header.LastOffsetDelta, now);
            return baseOffset;
        }
    }

    private void AppendLocked(ReadOnlySpan<byte> batch, long lastOffset, long maxTimestamp, long offsetOfMax, long now)
    {
        var active = _segments[^1];
        if (ShouldRoll(active, batch.Length, lastOffset, maxTimestamp, now))
        {
            active = RollLocked(now);
        }

        active.Append(batch, lastOffset, maxTimestamp, offsetOfMax, Config.IndexIntervalBytes);
        _unflushedMessages += lastOffset - LogEndOffset + 1;
        LogEndOffset = lastOffset + 1;
        if (!_hwFollowsFlush)
        {
            HighWatermark = LogEndOffset;
            _hwSegment = active;
            _hwPosition = active.Size;
        }
    }

    /// <summary>
    /// Kafka's LogSegment.shouldRoll: full (segment.bytes), old (segment.ms measured from the first batch's
    /// timestamp to the incoming batch's, or by wall clock when the segment has no timestamps), or an
    /// offset that no longer fits a relative index entry.
    /// </summary>
    private bool ShouldRoll(LogSegment active, int batchSize, long lastOffset, long incomingMaxTimestamp, long now)
    {
        if (active.IsEmpty)
        {
            return false;
        }

        long waited = active.RollBaseMs >= 0 ? incomingMaxTimestamp - active.RollBaseMs : now - active.CreatedMs;
        return active.Size + batchSize > Config.SegmentBytes
            || waited > Config.SegmentMs - Config.SegmentJitterMs
            || lastOffset - active.BaseOffset > int.MaxValue;
    }

    private LogSegment RollLocked(long now)
    {
        var old = _segments[^1];
        old.WriteIndexes();
        var segment = LogSegment.Create(Directory, LogEndOffset, now);
        _segments.Add(segment);
        return segment;
    }

    /// <summary>Whether the interval flush policy (flush.messages / flush.ms) asks for an fsync now.</summary>
    public bool NeedsIntervalFlush(long nowMs)
    {
        lock (_lock)
        {
            return LogEndOffset > RecoveryPoint
                && (_unflushedMessages >= Config.FlushMessages || nowMs - _lastFlushMs >= Config.FlushMs);
        }
    }

    /// <summary>
    /// fsyncs every segment with unflushed bytes, then moves the recovery point (and, under the 'ack'
    /// policy, the high watermark) to the log end captured before the fsync. Returns whether anything moved.
    /// </summary>
    public bool Flush()
    {
        LogSegment[] dirty;
        long end;
        LogSegment endSegment;
        long endPosition;
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            end = LogEndOffset;
            endSegment = _segments[^1];
            endPosition = endSegment.Size;
            if (end == RecoveryPoint)
            {
                return false;
            }

            // Every dirty segment, not only the active one: a roll leaves the previous segment unsynced.
            var list = new List<LogSegment>();
            foreach (var segment in _segments)
            {
                if (segment.IsDirty && segment.TryAcquire())
                {
                    list.Add(segment);
                }
            }

            dirty = [.. list];
        }

        try
        {
            foreach (var segment in dirty)
            {
                segment.Flush();
            }
        }
        finally
        {
            foreach (var segment in dirty)
            {
                segment.Release();
            }
        }

        bool moved;
        lock (_lock)
        {
            moved = end > RecoveryPoint;
            RecoveryPoint = Math.Max(RecoveryPoint, end);
            _unflushedMessages = 0;
            _lastFlushMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (_hwFollowsFlush && end > HighWatermark)
            {
                HighWatermark = end;
                _hwSegment = endSegment;
                _hwPosition = endPosition;
            }
        }

        if (moved)
        {
            NotifyListeners();
        }

        return moved;
    }

    /// <summary>
    /// Finds the bytes to return for a fetch at <paramref name="offset"/>: whole batches from the one
    /// holding the offset (clients skip the records before it), up to <paramref name="maxBytes"/> but at
    /// least one whole batch (KIP-74), never past <paramref name="upperBound"/>. Null with no error means
    /// no data yet.
    /// </summary>
    public ErrorCode Read(long offset, int maxBytes, long upperBound, out FetchSlice? slice)
    {
        slice = null;
        LogSegment? segment = null;
        long end;
        lock (_lock)
        {
            if (offset < LogStartOffset || offset > LogEndOffset)
            {
                return ErrorCode.OffsetOutOfRange;
            }

            if (offset >= upperBound)
            {
                return ErrorCode.None;
            }

            int index = FloorSegment(offset);
            for (; index < _segments.Count; index++)
            {
                var candidate = _segments[index];
                long candidateEnd = ReferenceEquals(candidate, _hwSegment) ? _hwPosition : candidate.Size;
                if (candidate.NextOffset > offset && candidateEnd > 0 && candidate.BaseOffset < upperBound)
                {
                    segment = candidate;
                    break;
                }
            }

            if (segment is null || !segment.TryAcquire())
            {
                return ErrorCode.None;
            }

            end = ReferenceEquals(segment, _hwSegment) ? _hwPosition : segment.Size;
        }

        var batch = segment.FindBatch(offset, end);
        if (batch is null || batch.Value.BaseOffset >= upperBound)
        {
            segment.Release();
            return ErrorCode.None;
        }

        long position = batch.Value.Position;
        long available = end - position;
        int length = (int)Math.Min(available, Math.Max(maxBytes, batch.Value.Size));
        slice = new FetchSlice(segment, position, length);
        return ErrorCode.None;
    }

    private int FloorSegment(long offset)
    {
        int lo = 0;
        int hi = _segments.Count - 1;
        int found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>
    /// ListOffsets by timestamp: the first offset whose record timestamp is at least <paramref name="timestamp"/>
    /// and below the high watermark, with that record's timestamp; null when there is none.
    /// </summary>
    public (long Offset, long Timestamp)? FindOffsetByTimestamp(long timestamp, long upperBound)
    {
        LogSegment[] segments;
        lock (_lock)
        {
            var list = new List<LogSegment>();
            foreach (var s in _segments)
            {
                if (s.MaxTimestamp >= timestamp && s.TryAcquire())
                {
                    list.Add(s);
                }
            }

            segments = [.. list];
        }

        try
        {
            using var decompression = new DecompressionBuffer();
            foreach (var segment in segments)
            {
                var batch = segment.FindBatchByTimestamp(timestamp);
                while (batch is { } b)
                {
                    if (b.BaseOffset >= upperBound)
                    {
                        return null;
                    }

                    byte[] bytes = ArrayPool<byte>.Shared.Rent(b.Size);
                    try
                    {
                        segment.Read(b.Position, bytes.AsSpan(0, b.Size));
                        var view = RecordBatchView.Read(bytes.AsSpan(0, b.Size));
                        foreach (var record in view.GetRecords(decompression))
                        {
                            if (record.Timestamp >= timestamp && record.Offset >= LogStartOffset && record.Offset < upperBound)
                            {
                                return (record.Offset, record.Timestamp);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(bytes);
                    }

                    long next = b.Position + b.Size;
                    batch = segment.ScanFrom(next, segment.Size, h => h.MaxTimestamp >= timestamp);
                }
            }

            return null;
        }
        finally
        {
            foreach (var segment in segments)
            {
                segment.Release();
            }
        }
    }

    /// <summary>The largest timestamp in the log and its offset (ListOffsets -3), or null for an empty log.</summary>
    public (long Offset, long Timestamp)? MaxTimestamp()
    {
        lock (_lock)
        {
            (long, long)? best = null;
            foreach (var s in _segments)
            {
                if (s.MaxTimestamp >= 0 && (best is null || s.MaxTimestamp > best.Value.Item2))
                {
                    best = (s.OffsetOfMaxTimestamp, s.MaxTimestamp);
                }
            }

            return best;
        }
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 = the high
    /// watermark) and deletes the segments wholly below it. Returns the new log start offset.
    /// </summary>
    public ErrorCode DeleteRecordsBefore(long offset, out long lowWatermark)
    {
        lock (_lock)
        {
            if (offset == -1)
            {
                offset = HighWatermark;
            }

            if (offset < 0 || offset > HighWatermark)
            {
                lowWatermark = LogStartOffset;
                return ErrorCode.OffsetOutOfRange;
            }

            if (offset > LogStartOffset)
            {
                LogStartOffset = offset;
                DeleteSegmentsBelowStartLocked();
            }

            lowWatermark = LogStartOffset;
            return ErrorCode.None;
        }
    }

    private void DeleteSegmentsBelowStartLocked()
    {
        while (_segments.Count > 1 && _segments[0].NextOffset <= LogStartOffset && _segments[1].BaseOffset <= LogStartOffset)
        {
            var doomed = _segments[0];
            _segments.RemoveAt(0);
            doomed.MarkDeleted();
        }

        if (_segments.Count == 1 && _segments[0].NextOffset <= LogStartOffset && !_segments[0].IsEmpty && HighWatermark == LogEndOffset)
        {
            // Everything is below the start: roll so the old segment can go.
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var old = _segments[0];
            _segments.Clear();
            var fresh = LogSegment.Create(Directory, LogEndOffset, now);
            _segments.Add(fresh);
            if (ReferenceEquals(_hwSegment, old))
            {
                _hwSegment = fresh;
                _hwPosition = 0;
            }

            old.MarkDeleted();
        }
    }

    /// <summary>
    /// Time and size retention (cleanup.policy delete): deletes the oldest segments whose newest record
    /// is older than retention.ms, or while the log is larger than retention.bytes. Only data below the
    /// high watermark goes; an expired active segment is rolled first. Returns segments deleted.
    /// </summary>
    public int ApplyRetention(long nowMs)
    {
        if (!Config.Delete)
        {
            return 0;
        }

        int deleted = 0;
        lock (_lock)
        {
            long total = 0;
            foreach (var s in _segments)
            {
                total += s.Size;
            }

            while (_segments.Count > 0)
            {
                var oldest = _segments[0];
                if (oldest.IsEmpty || oldest.NextOffset > HighWatermark)
                {
                    break;
                }

                bool expired = Config.RetentionMs >= 0 && oldest.MaxTimestamp >= 0 && nowMs - oldest.MaxTimestamp > Config.RetentionMs;
                bool tooBig = Config.RetentionBytes >= 0 && total - oldest.Size >= Config.RetentionBytes;
                if (!expired && !tooBig)
                {
                    break;
                }

                if (_segments.Count == 1)
                {
                    if (!expired || HighWatermark != LogEndOffset)
                    {
                        break;
                    }

                    var fresh = RollLocked(nowMs);
                    if (ReferenceEquals(_hwSegment, oldest))
                    {
                        _hwSegment = fresh;
                        _hwPosition = 0;
                    }
                }

                _segments.RemoveAt(0);
                total -= oldest.Size;
                oldest.MarkDeleted();
                deleted++;
            }

            if (_segments.Count > 0 && _segments[0].BaseOffset > LogStartOffset)
            {
                LogStartOffset = _segments[0].BaseOffset;
            }
        }

        return deleted;
    }

    /// <summary>Rolls the active segment if it is older than segment.ms (so time-based retention and compaction can reach it).</summary>
    public void MaybeRollByTime(long nowMs)
    {
        lock (_lock)
        {
            var active = _segments[^1];
            if (!active.IsEmpty && nowMs - active.CreatedMs > Config.SegmentMs - Config.SegmentJitterMs && HighWatermark == LogEndOffset)
            {
                var fresh = RollLocked(nowMs);
                if (ReferenceEquals(_hwSegment, active))
                {
                    _hwSegment = fresh;
                    _hwPosition = 0;
                }
            }
        }
    }

    /// <summary>The segments the cleaner may rewrite: not the active one, wholly below the high watermark, and older than min.compaction.lag.ms.</summary>
    public List<LogSegment> AcquireCleanableSegments(long nowMs)
    {
        lock (_lock)
        {
            var list = new List<LogSegment>();
            for (int i = 0; i < _segments.Count - 1; i++)
            {
                var s = _segments[i];
                if (s.NextOffset > HighWatermark || (s.MaxTimestamp >= 0 && nowMs - s.MaxTimestamp < Config.MinCompactionLagMs))
                {
                    break;
                }

                if (!s.TryAcquire())
                {
                    break;
                }

                list.Add(s);
            }

            return list;
        }
    }

    /// <summary>
    /// Swaps a segment for its cleaned copy (<c>.cleaned</c>, already fsynced): rename over the .log,
    /// then reopen. Returns false if the segment is gone (deleted by retention meanwhile).
    /// </summary>
    public bool ReplaceSegment(LogSegment old, string cleanedPath, bool empty)
    {
        lock (_lock)
        {
            int index = _segments.IndexOf(old);
            if (index < 0 || index == _segments.Count - 1)
            {
                File.Delete(cleanedPath);
                return false;
            }

            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (empty && index > 0)
            {
                File.Delete(cleanedPath);
                _segments.RemoveAt(index);
                old.MarkDeleted();
                return true;
            }

            File.Move(cleanedPath, old.LogPath, overwrite: true);
            old.Dispose();
            var fresh = LogSegment.Open(Directory, old.BaseOffset, recover: true, Config.IndexIntervalBytes, now, out _);
            fresh.WriteIndexes();
            _segments[index] = fresh;
            return true;
        }
    }

    /// <summary>Closes the log; a clean close writes indexes and a producer-state snapshot.</summary>
    public void Close(bool clean)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (clean)
            {
                foreach (var s in _segments)
                {
                    s.Flush();
                }

                _segments[^1].WriteIndexes();
                Producers.WriteSnapshot(Directory, LogEndOffset);
                RecoveryPoint = LogEndOffset;
            }

            foreach (var s in _segments)
            {
                s.Dispose();
            }
        }

        NotifyListeners();
    }

    /// <summary>Closes and deletes every file (DeleteTopics).</summary>
    public void Delete()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var s in _segments)
            {
                s.MarkDeleted();
            }

            _segments.Clear();
        }

        NotifyListeners();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    /// <summary>Expires idle producer state (producer.id.expiration.ms).</summary>
    public void ExpireProducers(long nowMs, long expirationMs)
    {
        lock (_lock)
        {
            Producers.Expire(nowMs, expirationMs);
        }
    }

    /// <summary>Runs <paramref name="action"/> under the log's lock (tests and the group coordinator's replay).</summary>
    public T WithLock<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    public void Dispose() => Close(clean: false);
}
