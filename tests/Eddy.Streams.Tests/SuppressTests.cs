using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

public class SuppressTests
{
    private static StreamsConfig Config() => new() { ApplicationId = "sup" };

    private static readonly ISerde<Windowed<string>> Tw10 = WindowedSerdes.TimeWindowedSerdeFrom(Serdes.String(), 10);

    [Fact]
    public void Until_window_closes_emits_one_final_result_per_window_after_grace()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(TimeWindows.OfSizeAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5)))
            .Count()
            .Suppress(Suppressed<Windowed<string>>.UntilWindowCloses(BufferConfig.Unbounded()))
            .ToStream()
            .To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Tw10, Serdes.Int64());
        input.PipeInput("a", "x", 1);
        input.PipeInput("a", "x", 2);
        input.PipeInput("b", "x", 3);
        input.PipeInput("a", "x", 12);
        input.PipeInput("a", "x", 9);    // within grace: counted into the final result
        Assert.True(output.IsEmpty);
        input.PipeInput("c", "x", 15);   // stream time 15: window [0,10) closes (end 10 + grace 5)
        Assert.Equal([("a", 0L, 3L, 9L), ("b", 0L, 1L, 3L)],
            output.ReadRecordsToList().ConvertAll(r => (r.Key.Key, r.Key.Window.Start, r.Value, r.Timestamp!.Value)));
        input.PipeInput("a", "x", 4);    // too late: dropped by the aggregation, nothing more for [0,10)
        input.PipeInput("c", "x", 30);
        Assert.Equal([("a", 10L, 1L), ("c", 10L, 1L)], output.ReadRecordsToList().ConvertAll(r => (r.Key.Key, r.Key.Window.Start, r.Value)));
    }

    [Fact]
    public void Until_time_limit_emits_the_latest_value_per_key_once_the_limit_passed()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count()
            .Suppress(Suppressed<string>.UntilTimeLimit(TimeSpan.FromMilliseconds(10), BufferConfig.Unbounded()))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Serdes.String(), Serdes.Int64());
        input.PipeInput("a", "x", 0);
        input.PipeInput("a", "x", 5);    // updates a, which keeps its place (buffered at 0)
        input.PipeInput("b", "x", 8);
        Assert.True(output.IsEmpty);
        input.PipeInput("c", "x", 10);   // a's limit (0 + 10) has passed
        Assert.Equal([("a", 2L, 5L)], output.ReadRecordsToList().ConvertAll(r => (r.Key, r.Value, r.Timestamp!.Value)));
        input.PipeInput("d", "x", 20);
        Assert.Equal([("b", 1L, 8L), ("c", 1L, 10L)], output.ReadRecordsToList().ConvertAll(r => (r.Key, r.Value, r.Timestamp!.Value)));
    }

    [Fact]
    public void A_bounded_eager_buffer_emits_its_oldest_records_early_when_full()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count()
            .Suppress(Suppressed<string>.UntilTimeLimit(TimeSpan.FromSeconds(10), BufferConfig.MaxRecords(2)))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "x", 1);
        input.PipeInput("b", "x", 2);
        input.PipeInput("c", "x", 3);    // three keys in a buffer of two: a goes out early
        Assert.Equal([KeyValue.Pair("a", 1L)], driver.CreateOutputTopic("out", Serdes.String(), Serdes.Int64()).ReadKeyValuesToList());
    }

    [Fact]
    public void A_bounded_strict_buffer_fails_the_task_when_full()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .Count()
            .Suppress(Suppressed<Windowed<string>>.UntilWindowCloses(BufferConfig.MaxRecords(1).ShutDownWhenFull()))
            .ToStream().To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "x", 1);
        var ex = Assert.ThrowsAny<StreamsException>(() => input.PipeInput("b", "x", 2));
        Assert.Contains("buffer exceeded its max capacity", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_buffer_is_change_logged_in_kafkas_version_3_format()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count()
            .Suppress(Suppressed<string>.UntilTimeLimit(TimeSpan.FromMilliseconds(10), BufferConfig.Unbounded()).WithName("limit"))
            .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "x", 7);
        var changelog = driver.CreateOutputTopic("sup-limit-store-changelog", Serdes.ByteArray(), Serdes.ByteArray());
        var record = changelog.ReadRecord();
        Assert.Equal("k"u8.ToArray(), record.Key);
        Assert.Equal(new byte[] { 3 }, record.Headers.LastValue("v"));
        var value = record.Value.AsSpan();
        // Record context: timestamp 7, offset 0, topic "in", partition 0, no headers.
        Assert.Equal(7, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(value));
        Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(value[8..]));
        Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(value[16..]));
        Assert.Equal("in"u8.ToArray(), value.Slice(20, 2).ToArray());
        // Then prior value (none), old value (none), new value (count 1), and the 8-byte buffer time.
        var rest = value[(20 + 2 + 4 + 4)..];
        Assert.Equal(-1, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rest));
        Assert.Equal(-1, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rest[4..]));
        Assert.Equal(8, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rest[8..]));
        Assert.Equal(1, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(rest[12..]));
        Assert.Equal(7, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(rest[20..]));
        // Emitting the record writes a tombstone for it.
        input.PipeInput("z", "x", 30);
        var next = changelog.ReadRecordsToList();
        Assert.Contains(next, r => r.Key.AsSpan().SequenceEqual("k"u8) && r.Value is null);
    }
}
