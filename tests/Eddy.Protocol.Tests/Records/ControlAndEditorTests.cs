using System.Buffers;
using System.Buffers.Binary;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

public class ControlAndEditorTests
{
    [Theory]
    [InlineData(ControlRecordType.Commit, 5)]
    [InlineData(ControlRecordType.Abort, -1)]
    public void End_transaction_marker_batch_round_trips(ControlRecordType type, int coordinatorEpoch)
    {
        var output = new ArrayBufferWriter<byte>();
        var marker = new EndTransactionMarker(type, coordinatorEpoch);
        int size = marker.WriteControlBatch(output, baseOffset: 120, producerId: 42, producerEpoch: 7, timestamp: 1_234, partitionLeaderEpoch: 3);
        Assert.Equal(EndTransactionMarker.ControlBatchSize, size);
        Assert.Equal(size, output.WrittenCount);

        var batch = RecordBatchView.Read(output.WrittenSpan);
        batch.EnsureValidCrc();
        var h = batch.Header;
        Assert.True(h.IsControl);
        Assert.True(h.IsTransactional);
        Assert.Equal(0x30, h.Attributes.Value);
        Assert.Equal(120, h.BaseOffset);
        Assert.Equal(3, h.PartitionLeaderEpoch);
        Assert.Equal(42, h.ProducerId);
        Assert.Equal(7, h.ProducerEpoch);
        Assert.Equal(-1, h.BaseSequence);
        Assert.Equal(1, h.RecordCount);
        Assert.Equal(0, h.LastOffsetDelta);
        Assert.Equal(1_234, h.BaseTimestamp);
        Assert.Equal(1_234, h.MaxTimestamp);

        int n = 0;
        foreach (RecordView record in batch)
        {
            Assert.Equal(120, record.Offset);
            Assert.Equal(1_234, record.Timestamp);
            Assert.Equal(4, record.Key.Length);
            Assert.Equal(6, record.Value.Length);
            var key = ControlRecordKey.Read(record.Key);
            Assert.Equal(0, key.Version);
            Assert.Equal(type, key.Type);
            var parsed = EndTransactionMarker.Read(key, record.Value);
            Assert.Equal(marker, parsed);
            Assert.Equal(type == ControlRecordType.Commit, parsed.IsCommit);
            n++;
        }

        Assert.Equal(1, n);
    }

    [Fact]
    public void Control_key_bytes_follow_the_spec()
    {
        var key = ControlRecordKey.Read([0, 0, 0, 1]);
        Assert.Equal(ControlRecordType.Commit, key.Type);
        Assert.Equal(ControlRecordType.Abort, ControlRecordKey.Read([0, 0, 0, 0]).Type);
        var marker = EndTransactionMarker.Read(key, [0, 0, 0, 0, 1, 2]);
        Assert.Equal(258, marker.CoordinatorEpoch);
    }

    [Fact]
    public void Unknown_control_types_and_newer_key_versions_are_tolerated()
    {
        var key = ControlRecordKey.Read([0, 9, 0x01, 0x00, 0xFF]);
        Assert.Equal(9, key.Version);
        Assert.Equal(256, key.TypeId);
        Assert.Equal(ControlRecordType.Unknown, key.Type);
        Assert.Equal(ControlRecordType.LeaderChange, ControlRecordKey.Read([0, 0, 0, 2]).Type);

        // A newer marker value version is read as version 0 (its extra bytes ignored).
        var marker = EndTransactionMarker.Read(new ControlRecordKey(0, 1), [0, 1, 0, 0, 0, 7, 0xAA]);
        Assert.Equal(7, marker.CoordinatorEpoch);
        Assert.Equal(1, marker.Version);
    }

    [Fact]
    public void Malformed_control_keys_and_values_are_invalid_records()
    {
        Assert.Equal(ErrorCode.InvalidRecord, Assert.Throws<KafkaProtocolException>(() => ControlRecordKey.Read([0, 0, 1])).ErrorCode);
        Assert.Contains("invalid version -1", Assert.Throws<KafkaProtocolException>(() => ControlRecordKey.Read([0xFF, 0xFF, 0, 1])).Message, StringComparison.Ordinal);
        var commit = new ControlRecordKey(0, 1);
        Assert.Contains("needs at least 6", Assert.Throws<KafkaProtocolException>(() => EndTransactionMarker.Read(commit, [0, 0, 0])).Message, StringComparison.Ordinal);
        Assert.Contains("invalid version", Assert.Throws<KafkaProtocolException>(() => EndTransactionMarker.Read(commit, [0x80, 0, 0, 0, 0, 0])).Message, StringComparison.Ordinal);
        Assert.Throws<KafkaProtocolException>(() => EndTransactionMarker.Read(new ControlRecordKey(0, 2), [0, 0, 0, 0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EndTransactionMarker(ControlRecordType.LeaderChange, 0));
    }

    [Fact]
    public void Base_offset_and_leader_epoch_edits_keep_the_crc()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(10, "k"u8, "v"u8);
        builder.Append(11, "k"u8, "v"u8);
        var bytes = builder.ToArray();
        uint crc = RecordBatchView.Read(bytes).Header.Crc;

        RecordBatchEditor.SetBaseOffset(bytes, 5_000);
        RecordBatchEditor.SetPartitionLeaderEpoch(bytes, 17);
        var batch = RecordBatchView.Read(bytes);
        Assert.Equal(crc, batch.Header.Crc);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(5_000, batch.Header.BaseOffset);
        Assert.Equal(17, batch.Header.PartitionLeaderEpoch);
        var offsets = new List<long>();
        foreach (RecordView record in batch)
        {
            offsets.Add(record.Offset);
        }

        Assert.Equal([5_000L, 5_001L], offsets);
    }

    [Fact]
    public void Log_append_time_edit_sets_the_type_and_max_timestamp_and_recomputes_the_crc()
    {
        using var builder = new RecordBatchBuilder { IsTransactional = true };
        builder.Append(10, "k"u8, "v"u8);
        builder.Append(30, "k"u8, "v"u8);
        var bytes = builder.ToArray();
        uint before = RecordBatchView.Read(bytes).Header.Crc;

        RecordBatchEditor.SetLogAppendTime(bytes, 99_999);
        var batch = RecordBatchView.Read(bytes);
        Assert.True(batch.IsCrcValid);
        Assert.NotEqual(before, batch.Header.Crc);
        Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
        Assert.True(batch.Header.IsTransactional);
        Assert.Equal(99_999, batch.Header.MaxTimestamp);
        foreach (RecordView record in batch)
        {
            Assert.Equal(99_999, record.Timestamp);
        }

        // Setting the same again changes nothing; going back to CreateTime restores the original bytes.
        Assert.False(RecordBatchEditor.SetMaxTimestamp(bytes, TimestampType.LogAppendTime, 99_999));
        Assert.True(RecordBatchEditor.SetMaxTimestamp(bytes, TimestampType.CreateTime, 30));
        Assert.Equal(before, RecordBatchView.Read(bytes).Header.Crc);
        Assert.True(RecordBatchView.Read(bytes).IsCrcValid);
    }

    [Fact]
    public void Edits_refuse_what_is_not_a_whole_batch()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(10, "k"u8, "v"u8);
        var bytes = builder.ToArray();
        Assert.Throws<KafkaProtocolException>(() => RecordBatchEditor.SetLogAppendTime(bytes.AsSpan(0, bytes.Length - 1), 1));
        Assert.Throws<KafkaProtocolException>(() => RecordBatchEditor.SetBaseOffset(bytes.AsSpan(0, 30), 1));
        bytes[16] = 1;
        Assert.Throws<KafkaProtocolException>(() => RecordBatchEditor.SetPartitionLeaderEpoch(bytes, 1));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) > 0 ? 1 : 0);
    }
}
