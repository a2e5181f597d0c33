using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Tests;

public class LogStorageTests
{
    private static PartitionLog Open(string dir, LogConfig config, TimeProvider time, bool clean = true, long recoveryPoint = 0, bool hwFollowsFlush = false) =>
        PartitionLog.Open(dir, "t", 0, config, time, hwFollowsFlush, clean, 0, recoveryPoint);

    [Fact]
    public void Appended_batches_get_consecutive_offsets_and_read_back_from_the_segment()
    {
        using var dir = new TempDir();
        var config = Batches.TopicConfig(Batches.Config());
        using var log = Open(dir.Path, config, TimeProvider.System);
        Assert.Equal(0, Batches.Append(log, Batches.Make(3)).BaseOffset);
        Assert.Equal(3, Batches.Append(log, Batches.Make(2, prefix: "second")).BaseOffset);
        Assert.Equal(5, log.LogEndOffset);
        var records = Batches.ReadAll(log);
        Assert.Equal([0, 1, 2, 3, 4], records.Select(r => r.Offset));
        Assert.Equal(["value-0", "value-1", "value-2", "second-0", "second-1"], records.Select(r => r.Value));
    }

    [Fact]
    public void Fetch_from_mid_batch_offset_returns_the_whole_batch()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config()), TimeProvider.System);
        var first = Batches.Make(5);
        Batches.Append(log, first);
        Batches.Append(log, Batches.Make(5));
        Assert.Equal(ErrorCode.None, log.Read(2, 1, log.HighWatermark, out var slice));
        using (slice)
        {
            // One byte asked for, but at least the whole batch holding offset 2 comes back (KIP-74), starting at its base.
            Assert.Equal(0, slice!.Position);
            Assert.Equal(first.Length, slice.Length);
        }

        Assert.Equal(ErrorCode.None, log.Read(10, 1024, log.HighWatermark, out var none));
        Assert.Null(none);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(11, 1024, log.HighWatermark, out _));
    }

    [Fact]
    public void Recovery_without_a_clean_shutdown_truncates_a_torn_tail_and_keeps_every_whole_batch()
    {
        using var dir = new TempDir();
        var config = Batches.TopicConfig(Batches.Config());
        using (var log = Open(dir.Path, config, TimeProvider.System))
        {
            Batches.Append(log, Batches.Make(10));
            Batches.Append(log, Batches.Make(10));
            log.Flush();
        }

        // A crash in the middle of writing a third batch: half of it reached the file.
        string segment = Path.Combine(dir.Path, "00000000000000000000.log");
        var torn = Batches.Make(10);
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(torn, 0, torn.Length / 2);
        }

        using var recovered = Open(dir.Path, config, TimeProvider.System, clean: false);
        Assert.Equal(20, recovered.LogEndOffset);
        Assert.Equal(20, Batches.ReadAll(recovered).Count);
        Assert.Equal(20, Batches.Append(recovered, Batches.Make(1)).BaseOffset);
    }

    [Fact]
    public void Recovery_stops_at_a_batch_with_a_bad_crc_and_drops_the_segments_after_it()
    {
        using var dir = new TempDir();
        var config = Batches.TopicConfig(Batches.Config(), ("segment.bytes", "1000"));
        long secondBatchPosition;
        using (var log = Open(dir.Path, config, TimeProvider.System))
        {
            Batches.Append(log, Batches.Make(3));
            secondBatchPosition = new FileInfo(Path.Combine(dir.Path, "00000000000000000000.log")).Length;
            Batches.Append(log, Batches.Make(3));
            for (int i = 0; i < 20; i++)
            {
                Batches.Append(log, Batches.Make(5));
            }

            Assert.True(log.SegmentCount > 1);
        }

        // Flip a byte inside the second batch's records: its CRC no longer matches.
        string first = Path.Combine(dir.Path, "00000000000000000000.log");
        var bytes = File.ReadAllBytes(first);
        bytes[secondBatchPosition + RecordBatchHeader.Size + 3] ^= 0xFF;
        File.WriteAllBytes(first, bytes);

        using var recovered = Open(dir.Path, config, TimeProvider.System, clean: false);
        Assert.Equal(3, recovered.LogEndOffset);
        Assert.Equal(1, recovered.SegmentCount);
        Assert.Equal([0, 1, 2], Batches.ReadAll(recovered).Select(r => r.Offset));
    }

    [Fact]
    public void Missing_index_files_are_rebuilt_on_open()
    {
        using var dir = new TempDir();
        var config = Batches.TopicConfig(Batches.Config(), ("index.interval.bytes", "100"));
        using (var log = Open(dir.Path, config, TimeProvider.System))
        {
            for (int i = 0; i < 50; i++)
            {
                Batches.Append(log, Batches.Make(4));
            }

            log.Close(clean: true);
        }

        Assert.True(new FileInfo(Path.Combine(dir.Path, "00000000000000000000.index")).Length > 8);
        File.Delete(Path.Combine(dir.Path, "00000000000000000000.index"));
        using var reopened = Open(dir.Path, config, TimeProvider.System, clean: true);
        Assert.Equal(200, reopened.LogEndOffset);
        Assert.Equal(ErrorCode.None, reopened.Read(123, 1, reopened.HighWatermark, out var slice));
        using (slice)
        {
            var bytes = new byte[slice!.Length];
            slice.Segment.Read(slice.Position, bytes);
            var header = RecordBatchHeader.Read(bytes);
            Assert.Equal(120, header.BaseOffset);
        }
    }

    [Fact]
    public void Segments_roll_by_segment_bytes_and_by_segment_ms()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        var config = Batches.TopicConfig(Batches.Config(), ("segment.bytes", "2000"), ("segment.ms", "60000"));
        using var log = Open(dir.Path, config, time);
        long now = time.NowMs;
        Batches.Append(log, Batches.Make(10, timestamp: now));
        Batches.Append(log, Batches.Make(10, timestamp: now));
        Assert.Equal(1, log.SegmentCount);
        for (int i = 0; i < 10; i++)
        {
            Batches.Append(log, Batches.Make(10, timestamp: now));
        }

        int bySize = log.SegmentCount;
        Assert.True(bySize > 1);
        time.Advance(TimeSpan.FromMinutes(2));
        Batches.Append(log, Batches.Make(1, timestamp: time.NowMs));
        Assert.Equal(bySize + 1, log.SegmentCount);
        Assert.Equal(log.LogEndOffset - 1, log.SegmentBaseOffsets[^1]);
    }

    [Fact]
    public void Retention_deletes_segments_older_than_retention_ms_and_beyond_retention_bytes()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        var config = Batches.TopicConfig(Batches.Config(), ("segment.bytes", "1500"), ("retention.ms", "3600000"));
        using var log = Open(dir.Path, config, time);
        for (int i = 0; i < 20; i++)
        {
            Batches.Append(log, Batches.Make(5, timestamp: time.NowMs - 7_200_000));
        }

        int old = log.SegmentCount;
        for (int i = 0; i < 20; i++)
        {
            Batches.Append(log, Batches.Make(5, timestamp: time.NowMs));
        }

        Assert.True(log.ApplyRetention(time.NowMs) >= old - 1);
        Assert.True(log.LogStartOffset >= 90, $"log start {log.LogStartOffset}");
        Assert.All(Batches.ReadAll(log), r => Assert.True(r.Offset >= log.LogStartOffset));

        log.Config = Batches.TopicConfig(Batches.Config(), ("segment.bytes", "1500"), ("retention.ms", "-1"), ("retention.bytes", "3000"));
        log.ApplyRetention(time.NowMs);
        Assert.True(log.Size - 1500 < 3000 + 1500);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(0, 100, log.HighWatermark, out _));
    }

    [Fact]
    public void DeleteRecords_moves_the_log_start_offset_and_older_offsets_are_out_of_range()
    {
        using var dir = new TempDir();
        var config = Batches.TopicConfig(Batches.Config());
        using var log = Open(dir.Path, config, TimeProvider.System);
        Batches.Append(log, Batches.Make(10));
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(4, out long low));
        Assert.Equal(4, low);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(3, 100, log.HighWatermark, out _));
        Assert.Equal([4, 5, 6, 7, 8, 9], Batches.ReadAll(log).Select(r => r.Offset));
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.DeleteRecordsBefore(11, out _));
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(-1, out low));
        Assert.Equal(10, low);
    }

    [Fact]
    public void Offset_by_timestamp_is_the_first_record_at_or_after_the_time()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config(), ("index.interval.bytes", "50")), TimeProvider.System);
        for (int i = 0; i < 20; i++)
        {
            Batches.Append(log, Batches.Make(5, timestamp: 1000 + (i * 10)));
        }

        Assert.Equal((0L, 1000L), log.FindOffsetByTimestamp(0, log.HighWatermark));
        Assert.Equal((52L, 1102L), log.FindOffsetByTimestamp(1102, log.HighWatermark));
        Assert.Equal((55L, 1110L), log.FindOffsetByTimestamp(1105, log.HighWatermark));
        Assert.Null(log.FindOffsetByTimestamp(5000, log.HighWatermark));
    }

    [Fact]
    public void High_watermark_follows_fsync_under_the_ack_flush_policy()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config()), TimeProvider.System, hwFollowsFlush: true);
        Batches.Append(log, Batches.Make(4));
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(0, log.HighWatermark);
        Assert.Equal(ErrorCode.None, log.Read(0, 100, log.HighWatermark, out var nothing));
        Assert.Null(nothing);
        Assert.True(log.Flush());
        Assert.Equal(4, log.HighWatermark);
        Assert.Equal(4, log.RecoveryPoint);
    }

    [Fact]
    public void A_flush_syncs_segments_rolled_since_the_last_one_before_the_high_watermark_passes_them()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config(), ("segment.bytes", "500")), TimeProvider.System, hwFollowsFlush: true);
        for (int i = 0; i < 30; i++)
        {
            Batches.Append(log, Batches.Make(3));
        }

        Assert.True(log.SegmentCount > 3);
        Assert.True(log.HasUnflushedSegments);
        log.Flush();
        Assert.False(log.HasUnflushedSegments);
        Assert.Equal(90, log.HighWatermark);
    }

    [Fact]
    public void Under_the_interval_policy_the_high_watermark_is_the_log_end_and_flush_messages_asks_for_fsync()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config(), ("flush.messages", "10")), TimeProvider.System, hwFollowsFlush: false);
        Batches.Append(log, Batches.Make(4));
        Assert.Equal(4, log.HighWatermark);
        Assert.False(log.NeedsIntervalFlush(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Batches.Append(log, Batches.Make(6));
        Assert.True(log.NeedsIntervalFlush(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        log.Flush();
        Assert.Equal(10, log.RecoveryPoint);
        Assert.False(log.NeedsIntervalFlush(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void LogAppendTime_topics_stamp_the_broker_time_on_append()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var log = Open(dir.Path, Batches.TopicConfig(Batches.Config(), ("message.timestamp.type", "LogAppendTime")), time);
        var result = Batches.Append(log, Batches.Make(3, timestamp: 5));
        Assert.Equal(time.NowMs, result.LogAppendTime);
        Assert.Equal(ErrorCode.None, log.Read(0, 1000, log.HighWatermark, out var slice));
        using (slice)
        {
            var bytes = new byte[slice!.Length];
            slice.Segment.Read(slice.Position, bytes);
            var view = RecordBatchView.Read(bytes);
            view.EnsureValidCrc();
            Assert.Equal(TimestampType.LogAppendTime, view.Header.TimestampType);
            foreach (var r in view.GetRecords())
            {
                Assert.Equal(time.NowMs, r.Timestamp);
            }
        }
    }
}
