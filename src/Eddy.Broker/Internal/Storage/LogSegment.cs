using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Eddy.Protocol;
using Eddy.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace Eddy.Broker.Internal.Storage;

/// <summary>A batch's header fields as the log needs them (offsets, size, timestamps, producer).</summary>
internal readonly record struct BatchInfo(
    long BaseOffset,
    long LastOffset,
    int Position,
    int Size,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int LastSequence,
    bool IsTransactional,
    bool IsControl,
    int RecordCount)
{
    public long NextOffset => LastOffset + 1;

    public static BatchInfo From(in RecordBatchHeader header, int position) => new(
        header.BaseOffset,
        header.LastOffset,
        position,
        header.SizeInBytes,
        header.MaxTimestamp,
        header.ProducerId,
        header.ProducerEpoch,
        header.BaseSequence,
        header.LastSequence,
        header.IsTransactional,
        header.IsControl,
        header.RecordCount);
}

/// <summary>
/// One segment of a partition's log: <c>{baseOffset:D20}.log</c> holds record batches v2 exactly as
/// they are served (base offsets assigned), <c>.index</c> maps offsets to file positions every
/// index.interval.bytes (8-byte entries: relative offset, position) and <c>.timeindex</c> maps
/// timestamps to offsets (12-byte entries: timestamp, relative offset), as in Kafka. Index files are
/// written when the segment rolls or the broker shuts down cleanly; after a crash they are rebuilt.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    private const int HeaderProbe = RecordBatchHeader.Size;

    private readonly List<(int RelativeOffset, int Position)> _offsetIndex = [];
    private readonly List<(long Timestamp, int RelativeOffset)> _timeIndex = [];
    private readonly SafeFileHandle _handle;
    private readonly object _refLock = new();
    private int _bytesSinceIndexEntry;
    private int _refCount = 1;
    private bool _deleted;
    private bool _keepFiles;

    private LogSegment(string directory, long baseOffset, SafeFileHandle handle, long size)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        _handle = handle;
        Size = size;
        NextOffset = baseOffset;
        MaxTimestamp = RecordBatchHeader.NoTimestamp;
        OffsetOfMaxTimestamp = -1;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    /// <summary>Bytes in the .log file (all whole batches).</summary>
    public long Size { get; private set; }

    /// <summary>The offset after the last batch, or <see cref="BaseOffset"/> when empty.</summary>
    public long NextOffset { get; private set; }

    public long MaxTimestamp { get; private set; }

    public long OffsetOfMaxTimestamp { get; private set; }

    /// <summary>The first batch's max timestamp (Kafka's rollingBasedTimestamp), or -1.</summary>
    public long RollBaseMs { get; private set; } = -1;

    /// <summary>When this segment was created or loaded (wall clock), for segments without timestamps.</summary>
    public long CreatedMs { get; private set; }

    /// <summary>Bytes appended since the last fsync.</summary>
    public bool IsDirty { get; private set; }

    public bool IsEmpty => Size == 0;

    public SafeFileHandle Handle => _handle;

    public string LogPath => FilePath(Directory, BaseOffset, LogSuffix);

    public static string FilePath(string directory, long baseOffset, string suffix) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + suffix);

    public static LogSegment Create(string directory, long baseOffset, long nowMs)
    {
        var path = FilePath(directory, baseOffset, LogSuffix);
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        File.Delete(FilePath(directory, baseOffset, IndexSuffix));
        File.Delete(FilePath(directory, baseOffset, TimeIndexSuffix));
        return new LogSegment(directory, baseOffset, handle, 0) { CreatedMs = nowMs };
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/> every batch is scanned and checked
    /// (size, magic, CRC, increasing offsets) and a torn or corrupt tail is cut off; otherwise the index
    /// files are loaded, and rebuilt by a scan when missing or inconsistent. <paramref name="onBatch"/> sees
    /// every batch a scan reads.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, bool recover, int indexIntervalBytes, long nowMs, out long truncatedBytes, Action<BatchInfo>? onBatch = null)
    {
        var path = FilePath(directory, baseOffset, LogSuffix);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        long size = RandomAccess.GetLength(handle);
        var segment = new LogSegment(directory, baseOffset, handle, size);
        truncatedBytes = 0;
        if (recover || !segment.TryLoadIndexes())
        {
            truncatedBytes = segment.Recover(indexIntervalBytes, onBatch);
        }

        segment.CreatedMs = nowMs;
        return segment;
    }

    /// <summary>Appends whole batches at the end; the offsets and timestamps describe them for the indexes.</summary>
    public void Append(ReadOnlySpan<byte> batches, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp, int indexIntervalBytes)
    {
        long position = Size;
        RandomAccess.Write(_handle, batches, position);
        if (Size == 0)
        {
            RollBaseMs = maxTimestamp;
        }

        if (_bytesSinceIndexEntry > indexIntervalBytes || _offsetIndex.Count == 0)
        {
            _offsetIndex.Add(((int)(lastOffset - BaseOffset), (int)position));
            if (maxTimestamp > (_timeIndex.Count == 0 ? long.MinValue : _timeIndex[^1].Timestamp))
            {
                _timeIndex.Add((maxTimestamp, (int)(offsetOfMaxTimestamp - BaseOffset)));
            }

            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += batches.Length;
        Size += batches.Length;
        NextOffset = lastOffset + 1;
        if (maxTimestamp > MaxTimestamp)
        {
            MaxTimestamp = maxTimestamp;
            OffsetOfMaxTimestamp = offsetOfMaxTimestamp;
        }

        IsDirty = true;
    }

    /// <summary>fsyncs the log file (the indexes are derived and rebuilt after a crash).</summary>
    public void Flush()
    {
        if (IsDirty)
        {
            IsDirty = false;
            RandomAccess.FlushToDisk(_handle);
        }
    }

    /// <summary>Reads at most <paramref name="destination"/>.Length bytes at <paramref name="position"/>.</summary>
    public int Read(long position, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination.Slice(total), position + total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>
    /// The position of the first batch whose last offset is at least <paramref name="offset"/>, and
    /// that batch's info; null when no batch in this segment reaches <paramref name="offset"/>.
    /// </summary>
    public BatchInfo? FindBatch(long offset, long maxPosition = long.MaxValue)
    {
        long start = 0;
        int relative = (int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue);
        int lo = 0;
        int hi = _offsetIndex.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_offsetIndex[mid].RelativeOffset <= relative)
            {
                start = _offsetIndex[mid].Position;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ScanFrom(start, Math.Min(Size, maxPosition), header => header.LastOffset >= offset);
    }

    /// <summary>The first batch whose max timestamp is at least <paramref name="timestamp"/>.</summary>
    public BatchInfo? FindBatchByTimestamp(long timestamp)
    {
        long startOffset = BaseOffset;
        int lo = 0;
        int hi = _timeIndex.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_timeIndex[mid].Timestamp < timestamp)
            {
                startOffset = BaseOffset + _timeIndex[mid].RelativeOffset;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var first = FindBatch(startOffset);
        if (first is null)
        {
            return null;
        }

        return ScanFrom(first.Value.Position, Size, header => header.MaxTimestamp >= timestamp);
    }

    /// <summary>Walks batch headers from <paramref name="position"/> and returns the first that matches.</summary>
    public BatchInfo? ScanFrom(long position, long end, Func<BatchInfo, bool> match)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long bufferStart = -1;
            int bufferLength = 0;
            while (position + HeaderProbe <= end)
            {
                if (bufferStart < 0 || position < bufferStart || position + HeaderProbe > bufferStart + bufferLength)
                {
                    bufferStart = position;
                    bufferLength = Read(position, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - position)));
                    if (bufferLength < HeaderProbe)
                    {
                        return null;
                    }
                }

                var header = RecordBatchHeader.Read(buffer.AsSpan((int)(position - bufferStart), HeaderProbe));
                var info = BatchInfo.From(header, (int)position);
                if (match(info))
                {
                    return info;
                }

                position += header.SizeInBytes;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Every batch's info, in order (for producer state rebuilds and compaction).</summary>
    public List<BatchInfo> ReadBatchInfos(long fromPosition = 0)
    {
        var list = new List<BatchInfo>();
        ScanFrom(fromPosition, Size, info =>
        {
            list.Add(info);
            return false;
        });
        return list;
    }

    /// <summary>Cuts the segment at <paramref name="position"/> (a batch boundary) and rebuilds the indexes.</summary>
    public void TruncateTo(long position, int indexIntervalBytes)
    {
        RandomAccess.SetLength(_handle, position);
        Size = position;
        RandomAccess.FlushToDisk(_handle);
        Recover(indexIntervalBytes, null);
    }

    /// <summary>Writes the in-memory indexes to .index and .timeindex (fsynced, then renamed into place).</summary>
    public void WriteIndexes()
    {
        var offsetBytes = new byte[_offsetIndex.Count * 8];
        for (int i = 0; i < _offsetIndex.Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(offsetBytes.AsSpan(i * 8), _offsetIndex[i].RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(offsetBytes.AsSpan((i * 8) + 4), _offsetIndex[i].Position);
        }

        var timeBytes = new byte[_timeIndex.Count * 12];
        for (int i = 0; i < _timeIndex.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(timeBytes.AsSpan(i * 12), _timeIndex[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(timeBytes.AsSpan((i * 12) + 8), _timeIndex[i].RelativeOffset);
        }

        FileUtil.WriteAtomically(FilePath(Directory, BaseOffset, IndexSuffix), offsetBytes);
        FileUtil.WriteAtomically(FilePath(Directory, BaseOffset, TimeIndexSuffix), timeBytes);
    }

    /// <summary>Takes a reference for a reader; false once the segment is deleted.</summary>
    public bool TryAcquire()
    {
        lock (_refLock)
        {
            if (_deleted)
            {
                return false;
            }

            _refCount++;
            return true;
        }
    }

    public void Release()
    {
        bool close;
        lock (_refLock)
        {
            close = --_refCount == 0;
        }

        if (close)
        {
            CloseAndMaybeDelete();
        }
    }

    /// <summary>Deletes the files once the last reader lets go.</summary>
    public void MarkDeleted()
    {
        lock (_refLock)
        {
            if (_deleted)
            {
                return;
            }

            _deleted = true;
        }

        Release();
    }

    public void Dispose()
    {
        lock (_refLock)
        {
            if (_deleted)
            {
                return;
            }

            _deleted = true;
            _keepFiles = true;
        }

        Release();
    }

    private void CloseAndMaybeDelete()
    {
        _handle.Dispose();
        if (!_keepFiles)
        {
            foreach (var suffix in new[] { LogSuffix, IndexSuffix, TimeIndexSuffix })
            {
                try
                {
                    File.Delete(FilePath(Directory, BaseOffset, suffix));
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private bool TryLoadIndexes()
    {
        var indexPath = FilePath(Directory, BaseOffset, IndexSuffix);
        var timePath = FilePath(Directory, BaseOffset, TimeIndexSuffix);
        if (!File.Exists(indexPath) || !File.Exists(timePath))
        {
            return Size == 0;
        }

        var offsetBytes = File.ReadAllBytes(indexPath);
        var timeBytes = File.ReadAllBytes(timePath);
        if (offsetBytes.Length % 8 != 0 || timeBytes.Length % 12 != 0 || (offsetBytes.Length == 0 && Size > 0))
        {
            return false;
        }

        for (int i = 0; i < offsetBytes.Length; i += 8)
        {
            int relative = BinaryPrimitives.ReadInt32BigEndian(offsetBytes.AsSpan(i));
            int position = BinaryPrimitives.ReadInt32BigEndian(offsetBytes.AsSpan(i + 4));
            if (position < 0 || position >= Size || relative < 0 || (_offsetIndex.Count > 0 && (relative < _offsetIndex[^1].RelativeOffset || position <= _offsetIndex[^1].Position)))
            {
                _offsetIndex.Clear();
                return false;
            }

            _offsetIndex.Add((relative, position));
        }

        for (int i = 0; i < timeBytes.Length; i += 12)
        {
            _timeIndex.Add((BinaryPrimitives.ReadInt64BigEndian(timeBytes.AsSpan(i)), BinaryPrimitives.ReadInt32BigEndian(timeBytes.AsSpan(i + 8))));
        }

        // The last batch gives the segment's end offset; the max timestamp comes from the time index tail
        // and the batches after the last index entry.
        var last = _offsetIndex.Count > 0 ? _offsetIndex[^1].Position : 0;
        BatchInfo? previous = null;
        bool ok = true;
        ScanFrom(last, Size, info =>
        {
            if (info.Position + (long)info.Size > Size || info.Size < RecordBatchHeader.Size)
            {
                ok = false;
                return true;
            }

            previous = info;
            if (info.MaxTimestamp > MaxTimestamp)
            {
                MaxTimestamp = info.MaxTimestamp;
                OffsetOfMaxTimestamp = info.LastOffset;
            }

            return false;
        });
        if (!ok || previous is null || previous.Value.Position + (long)previous.Value.Size != Size)
        {
            _offsetIndex.Clear();
            _timeIndex.Clear();
            MaxTimestamp = RecordBatchHeader.NoTimestamp;
            return false;
        }

        if (_timeIndex.Count > 0 && _timeIndex[^1].Timestamp > MaxTimestamp)
        {
            MaxTimestamp = _timeIndex[^1].Timestamp;
            OffsetOfMaxTimestamp = BaseOffset + _timeIndex[^1].RelativeOffset;
        }

        NextOffset = previous.Value.NextOffset;
        var first = ScanFrom(0, Size, _ => true);
        RollBaseMs = first is { MaxTimestamp: >= 0 } f ? f.MaxTimestamp : -1;
        return true;
    }

    /// <summary>Scans every batch, checking it fully; truncates at the first bad one. Returns bytes cut.</summary>
    private long Recover(int indexIntervalBytes, Action<BatchInfo>? onBatch)
    {
        _offsetIndex.Clear();
        _timeIndex.Clear();
        _bytesSinceIndexEntry = 0;
        MaxTimestamp = RecordBatchHeader.NoTimestamp;
        OffsetOfMaxTimestamp = -1;
        NextOffset = BaseOffset;
        RollBaseMs = -1;
        long fileSize = RandomAccess.GetLength(_handle);
        long position = 0;
        long expectedOffset = BaseOffset;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        Span<byte> prefix = stackalloc byte[12];
        try
        {
            while (position + RecordBatchHeader.Size <= fileSize)
            {
                if (Read(position, prefix) < 12)
                {
                    break;
                }

                long baseOffset = BinaryPrimitives.ReadInt64BigEndian(prefix);
                int length = BinaryPrimitives.ReadInt32BigEndian(prefix.Slice(8));
                long size = length + 12L;
                if (length < RecordBatchHeader.Size - 12 || position + size > fileSize || baseOffset < expectedOffset)
                {
                    break;
                }

                if (buffer.Length < size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)size);
                }

                var span = buffer.AsSpan(0, (int)size);
                if (Read(position, span) < size || (sbyte)span[16] != RecordBatchHeader.CurrentMagic)
                {
                    break;
                }

                var view = RecordBatchView.Read(span);
                if (!view.IsCrcValid || view.Header.LastOffsetDelta < 0)
                {
                    break;
                }

                var info = BatchInfo.From(view.Header, (int)position);
                if (_bytesSinceIndexEntry > indexIntervalBytes || _offsetIndex.Count == 0)
                {
                    _offsetIndex.Add(((int)(info.LastOffset - BaseOffset), (int)position));
                    if (info.MaxTimestamp > (_timeIndex.Count == 0 ? long.MinValue : _timeIndex[^1].Timestamp))
                    {
                        _timeIndex.Add((info.MaxTimestamp, (int)(info.LastOffset - BaseOffset)));
                    }

                    _bytesSinceIndexEntry = 0;
                }

                _bytesSinceIndexEntry += (int)size;
                if (position == 0)
                {
                    RollBaseMs = info.MaxTimestamp;
                }

                if (info.MaxTimestamp > MaxTimestamp)
                {
                    MaxTimestamp = info.MaxTimestamp;
                    OffsetOfMaxTimestamp = info.LastOffset;
                }

                onBatch?.Invoke(info);
                NextOffset = info.NextOffset;
                expectedOffset = info.NextOffset;
                position += size;
            }
        }
        catch (KafkaProtocolException)
        {
            // A header that does not parse is corruption like any other: cut from here.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        long truncated = fileSize - position;
        if (truncated > 0)
        {
            RandomAccess.SetLength(_handle, position);
            RandomAccess.FlushToDisk(_handle);
        }

        Size = position;
        return truncated;
    }
}
