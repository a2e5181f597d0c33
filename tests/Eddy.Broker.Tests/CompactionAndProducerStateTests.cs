using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Tests;

public class CompactionTests
{
    private static PartitionLog Compacted(string dir, ManualTime time, params (string, string)[] extra)
    {
        var settings = new List<(string, string)> { ("cleanup.policy", "compact"), ("segment.bytes", "600") };
        settings.AddRange(extra);
        return PartitionLog.Open(dir, "c", 0, Batches.TopicConfig(Batches.Config(), [.. settings]), time, false, true, 0, 0);
    }

    [Fact]
    public void Compaction_keeps_the_latest_value_per_key_without_changing_offsets_or_the_active_segment()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var log = Compacted(dir.Path, time);
        for (int round = 0; round < 10; round++)
        {
            Batches.Append(log, Batches.Make(4, timestamp: time.NowMs - 10_000, key: i => $"k{i}", value: i => $"r{round}-k{i}"));
        }

        var before = Batches.ReadAll(log);
        var active = log.SegmentBaseOffsets[^1];
        long cleaned = LogCleaner.Clean(log, time.NowMs, 0, force: true);
        Assert.True(cleaned > 0);
        var after = Batches.ReadAll(log);
        Assert.True(after.Count < before.Count);

        // Every surviving record keeps its offset and value; each key's newest value survives.
        foreach (var r in after)
        {
            Assert.Contains(r, before);
        }

        foreach (var key in new[] { "k0", "k1", "k2", "k3" })
        {
            Assert.Equal(before.Last(r => r.Key == key), after.Last(r => r.Key == key));
        }

        // The active segment is untouched.
        Assert.Equal(before.Where(r => r.Offset >= active), after.Where(r => r.Offset >= active));
        Assert.Equal(40, log.LogEndOffset);
        Assert.Equal(40, Batches.Append(log, Batches.Make(1)).BaseOffset);
    }

    [Fact]
    public void Compaction_rewrites_compressed_batches_with_the_same_codec()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var log = Compacted(dir.Path, time);
        for (int round = 0; round < 6; round++)
        {
            using var builder = new RecordBatchBuilder { Compression = CompressionType.Gzip };
            for (int i = 0; i < 4; i++)
            {
                builder.Append(time.NowMs - 10_000, System.Text.Encoding.UTF8.GetBytes($"k{i % 2}"), System.Text.Encoding.UTF8.GetBytes($"{round}-{i}"));
            }

            Batches.Append(log, builder.ToArray());
        }

        LogCleaner.Clean(log, time.NowMs, 0, force: true);
        var after = Batches.ReadAll(log);
        Assert.Equal("5-2", after.Last(r => r.Key == "k0").Value);
        Assert.Equal("5-3", after.Last(r => r.Key == "k1").Value);
    }

    [Fact]
    public void Tombstones_are_removed_only_after_delete_retention_ms()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var log = Compacted(dir.Path, time, ("delete.retention.ms", "60000"));
        Batches.Append(log, Batches.Make(3, timestamp: time.NowMs - 10_000, key: i => $"k{i}"));
        Batches.Append(log, Batches.Make(1, timestamp: time.NowMs - 10_000, key: _ => "k0", value: _ => null));
        for (int i = 0; i < 20; i++)
        {
            Batches.Append(log, Batches.Make(2, timestamp: time.NowMs - 10_000, key: j => $"other{j}"));
        }

        LogCleaner.Clean(log, time.NowMs, 0, force: true);
        var after = Batches.ReadAll(log);
        Assert.DoesNotContain(after, r => r.Key == "k0" && r.Value is not null);
        Assert.Contains(after, r => r.Key == "k0" && r.Value is null);

        time.Advance(TimeSpan.FromMinutes(2));
        LogCleaner.Clean(log, time.NowMs, 0, force: true);
        Assert.DoesNotContain(Batches.ReadAll(log), r => r.Key == "k0");
    }

    [Fact]
    public void Min_compaction_lag_keeps_recent_records_uncompacted()
    {
        using var dir = new TempDir();
        var time = new ManualTime();
        using var log = Compacted(dir.Path, time, ("min.compaction.lag.ms", "60000"));
        for (int round = 0; round < 10; round++)
        {
            Batches.Append(log, Batches.Make(4, timestamp: time.NowMs - 10_000, key: i => $"k{i}", value: i => $"r{round}"));
        }

        var before = Batches.ReadAll(log);
        LogCleaner.Clean(log, time.NowMs, 0, force: true);
        Assert.Equal(before, Batches.ReadAll(log));
        time.Advance(TimeSpan.FromMinutes(5));
        LogCleaner.Clean(log, time.NowMs, 0, force: true);
        Assert.True(Batches.ReadAll(log).Count < before.Count);
    }
}

public class ProducerStateTests
{
    private static PartitionLog Open(string dir, bool clean = true) =>
        PartitionLog.Open(dir, "p", 0, Batches.TopicConfig(Batches.Config()), TimeProvider.System, false, clean, 0, 0);

    [Fact]
    public void A_retried_batch_gets_its_original_offsets_and_is_not_appended_again()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path);
        var first = Batches.Append(log, Batches.Make(3, producerId: 7, epoch: 0, sequence: 0));
        Batches.Append(log, Batches.Make(2, producerId: 7, epoch: 0, sequence: 3));
        var retry = Batches.Append(log, Batches.Make(3, producerId: 7, epoch: 0, sequence: 0));
        Assert.True(retry.IsDuplicate);
        Assert.Equal(first.BaseOffset, retry.BaseOffset);
        Assert.Equal(5, log.LogEndOffset);
    }

    [Fact]
    public void Out_of_order_sequences_and_stale_epochs_are_rejected_as_kafka_does()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path);
        Batches.Append(log, Batches.Make(3, producerId: 7, epoch: 1, sequence: 0));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Batches.Append(log, Batches.Make(1, producerId: 7, epoch: 1, sequence: 5)).Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Batches.Append(log, Batches.Make(1, producerId: 7, epoch: 0, sequence: 3)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Batches.Append(log, Batches.Make(1, producerId: 7, epoch: 2, sequence: 3)).Error);
        Assert.Equal(ErrorCode.None, Batches.Append(log, Batches.Make(1, producerId: 7, epoch: 2, sequence: 0)).Error);
        Assert.Equal(ErrorCode.None, Batches.Append(log, Batches.Make(1, producerId: 8, epoch: 0, sequence: 42)).Error);
        Assert.Equal(5, log.LogEndOffset);
    }

    [Fact]
    public void Only_the_last_five_batches_are_recognised_as_duplicates()
    {
        using var dir = new TempDir();
        using var log = Open(dir.Path);
        for (int i = 0; i < 6; i++)
        {
            Batches.Append(log, Batches.Make(1, producerId: 3, epoch: 0, sequence: i));
        }

        Assert.True(Batches.Append(log, Batches.Make(1, producerId: 3, epoch: 0, sequence: 1)).IsDuplicate);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Batches.Append(log, Batches.Make(1, producerId: 3, epoch: 0, sequence: 0)).Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Producer_state_survives_a_restart_clean_or_not(bool clean)
    {
        using var dir = new TempDir();
        long firstOffset;
        using (var log = Open(dir.Path))
        {
            firstOffset = Batches.Append(log, Batches.Make(3, producerId: 9, epoch: 0, sequence: 0)).BaseOffset;
            Batches.Append(log, Batches.Make(2, producerId: 9, epoch: 0, sequence: 3));
            log.Flush();
            log.Close(clean);
        }

        Assert.Equal(clean, Directory.GetFiles(dir.Path, "*.snapshot").Length == 1);
        using var reopened = Open(dir.Path, clean);
        var retry = Batches.Append(reopened, Batches.Make(3, producerId: 9, epoch: 0, sequence: 0));
        Assert.True(retry.IsDuplicate);
        Assert.Equal(firstOffset, retry.BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Batches.Append(reopened, Batches.Make(1, producerId: 9, epoch: 0, sequence: 9)).Error);
        Assert.Equal(ErrorCode.None, Batches.Append(reopened, Batches.Make(1, producerId: 9, epoch: 0, sequence: 5)).Error);
    }
}
