using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

/// <summary>Windowed aggregations through the test driver: expected outputs with out-of-order, late and tombstone inputs.</summary>
public class WindowedAggregationTests
{
    private static StreamsConfig Config(long emitIntervalMs = 1000) => new()
    {
        ApplicationId = "win",
        ["__emit.interval.ms.kstreams.windowed.aggregation__"] = emitIntervalMs,
    };

    private static readonly ISerde<Windowed<string>> Tw10 = WindowedSerdes.TimeWindowedSerdeFrom(Serdes.String(), 10);

    private static (string Key, long Start, long End, long Value, long Ts) Out(TestRecord<Windowed<string>, long> r)
        => (r.Key.Key, r.Key.Window.Start, r.Key.Window.End, r.Value, r.Timestamp!.Value);

    [Fact]
    public void Tumbling_count_accepts_out_of_order_records_within_grace_and_drops_later_ones()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(TimeWindows.OfSizeAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5)))
            .Count(Materialized<string, long>.As("counts"))
            .ToStream()
            .To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Tw10, Serdes.Int64());
        input.PipeInput("a", "x", 1);
        input.PipeInput("a", "x", 12);
        input.PipeInput("a", "x", 8);   // stream time 12, window [0,10) closes at 10 + 5: still open
        input.PipeInput("a", "x", 16);
        input.PipeInput("a", "x", 3);   // stream time 16: window [0,10) closed at 15, dropped
        input.PipeInput("a", "x", 19);
        Assert.Equal(
            [("a", 0, 10, 1, 1), ("a", 10, 20, 1, 12), ("a", 0, 10, 2, 8), ("a", 10, 20, 2, 16), ("a", 10, 20, 3, 19)],
            output.ReadRecordsToList().ConvertAll(Out));
        Assert.Equal(1, driver.DroppedRecordsTotal);
        var store = driver.GetTimestampedWindowStore<string, long>("counts")!;
        Assert.Equal(ValueAndTimestamp.Make(2L, 8), store.Fetch("a", 0));
        Assert.Equal(3L, driver.GetWindowStore<string, long>("counts")!.Fetch("a", 10));
        using var all = store.Fetch("a", 0, 100);
        Assert.Equal([0L, 10L], all.Select(kv => kv.Key).ToList());
    }

    [Fact]
    public void Hopping_windows_update_every_window_a_record_falls_in()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)).AdvanceBy(TimeSpan.FromMilliseconds(5)))
            .Count()
            .ToStream()
            .To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Tw10, Serdes.Int64());
        input.PipeInput("a", "x", 7);
        input.PipeInput("b", "x", 12);
        input.PipeInput("a", "x", 9);   // stream time is per task (12): [0,10) closed, [5,15) open
        Assert.Equal(
            [("a", 0, 10, 1, 7), ("a", 5, 15, 1, 7), ("b", 5, 15, 1, 12), ("b", 10, 20, 1, 12), ("a", 5, 15, 2, 9)],
            output.ReadRecordsToList().ConvertAll(Out));
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    [Fact]
    public void Windowed_reduce_and_aggregate_start_from_the_first_value_and_the_initializer()
    {
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey();
        var windows = TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10));
        grouped.WindowedBy(windows).Reduce(Math.Max).ToStream().To("max", Produced.With(Tw10, Serdes.Int64()));
        grouped.WindowedBy(windows).Aggregate(() => "", (k, v, agg) => agg + v, Materialized.With(Serdes.String(), Serdes.String()))
            .ToStream().To("concat", Produced.With(Tw10, Serdes.String()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, long>("in");
        input.PipeInput("k", -5, 1);
        input.PipeInput("k", -7, 2);
        input.PipeInput("k", 3, 11);
        Assert.Equal([-5L, -5L, 3L], driver.CreateOutputTopic("max", Tw10, Serdes.Int64()).ReadValuesToList());
        Assert.Equal(["-5", "-5-7", "3"], driver.CreateOutputTopic("concat", Tw10, Serdes.String()).ReadValuesToList());
    }

    [Fact]
    public void Emit_on_window_close_emits_each_window_once_when_it_closes()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .EmitStrategy(EmitStrategy.OnWindowClose())
            .Count()
            .ToStream()
            .To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config(emitIntervalMs: 0));
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Tw10, Serdes.Int64());
        input.PipeInput("a", "x", 1);
        input.PipeInput("b", "x", 2);
        input.PipeInput("a", "x", 5);
        Assert.True(output.IsEmpty);
        input.PipeInput("a", "x", 10);  // closes [0,10)
        Assert.Equal([("a", 0, 10, 2, 5), ("b", 0, 10, 1, 2)], output.ReadRecordsToList().ConvertAll(Out));
        input.PipeInput("b", "x", 15);
        Assert.True(output.IsEmpty);
        input.PipeInput("a", "x", 3);   // late: dropped
        input.PipeInput("c", "x", 20);  // closes [10,20)
        Assert.Equal([("a", 10, 20, 1, 10), ("b", 10, 20, 1, 15)], output.ReadRecordsToList().ConvertAll(Out));
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    [Fact]
    public void Emit_on_window_close_is_throttled_by_the_emit_interval_in_wall_clock_time()
    {
        var builder = new StreamsBuilder();
        // A long retention, so that no window is about to expire (which forces an emission).
        builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .EmitStrategy(EmitStrategy.OnWindowClose())
            .Count(Materialized<string, long>.As("c").WithRetention(TimeSpan.FromSeconds(1))).ToStream().To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config(emitIntervalMs: 1000));
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", Tw10, Serdes.Int64());
        input.PipeInput("a", "x", 1);   // first check: nothing closed yet, next check in one second
        input.PipeInput("a", "x", 12);  // [0,10) closed, but throttled
        Assert.True(output.IsEmpty);
        driver.AdvanceWallClockTime(TimeSpan.FromSeconds(1));
        input.PipeInput("a", "x", 13);
        Assert.Equal([("a", 0, 10, 1, 1)], output.ReadRecordsToList().ConvertAll(Out));
    }

    [Fact]
    public void Sliding_windows_hold_exactly_the_records_within_the_time_difference()
    {
        // KIP-450's example, as in Kafka's KStreamSlidingWindowAggregateTest (testAggregateSmallInput).
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(SlidingWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)))
            .Aggregate(() => "0", (k, v, agg) => agg + "+" + v, Materialized<string, string>.As("sliding").WithValueSerde(Serdes.String()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("A", "1", 10);
        input.PipeInput("A", "2", 15);
        input.PipeInput("A", "3", 20);
        input.PipeInput("A", "4", 22);
        input.PipeInput("A", "5", 30);
        var store = driver.GetTimestampedWindowStore<string, string>("sliding")!;
        using var it = store.Fetch("A", 0, 100);
        var actual = it.Select(kv => (kv.Key, kv.Value.Value, kv.Value.Timestamp)).ToList();
        Assert.Equal(
            [(0, "0+1", 10), (5, "0+1+2", 15), (10, "0+1+2+3", 20), (11, "0+2+3", 20), (12, "0+2+3+4", 22), (16, "0+3+4", 22),
             (20, "0+3+4+5", 30), (21, "0+4+5", 30), (23, "0+5", 30)],
            actual);
    }

    [Fact]
    public void Sliding_windows_handle_out_of_order_records_within_grace()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(SlidingWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)))
            .Count(Materialized<string, long>.As("sliding"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        // Same records as the in-order case, arriving shuffled: the windows must end up the same.
        foreach (var ts in new long[] { 22, 10, 30, 15, 20 })
        {
            input.PipeInput("A", "x", ts);
        }
        using var it = driver.GetTimestampedWindowStore<string, long>("sliding")!.Fetch("A", 0, 100);
        Assert.Equal([(0, 1), (5, 2), (10, 3), (11, 2), (12, 3), (16, 2), (20, 3), (21, 2), (23, 1)],
            it.Select(kv => (kv.Key, kv.Value.Value)).ToList());
    }

    [Fact]
    public void Session_windows_merge_and_delete_merged_away_sessions_downstream()
    {
        var sessionSerde = WindowedSerdes.SessionWindowedSerdeFrom(Serdes.String());
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .Count(Materialized<string, long>.As("sessions"))
            .ToStream()
            .To("out", Produced.With(sessionSerde, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", sessionSerde, Serdes.Nullable(Serdes.Int64()));
        input.PipeInput("a", "x", 0);
        input.PipeInput("a", "x", 5);    // merges with [0,0]
        input.PipeInput("a", "x", 30);   // a new session
        input.PipeInput("b", "x", 25);
        input.PipeInput("a", "x", 20);   // merges with [30,30] into [20,30]
        var records = output.ReadRecordsToList().ConvertAll(r => (r.Key.Key, r.Key.Window.Start, r.Key.Window.End, r.Value, r.Timestamp));
        Assert.Equal(
            [("a", 0, 0, 1L, 0L), ("a", 0, 0, (long?)null, 0L), ("a", 0, 5, 2L, 5L), ("a", 30, 30, 1L, 30L), ("b", 25, 25, 1L, 25L),
             ("a", 30, 30, null, 30L), ("a", 20, 30, 2L, 30L)],
            records);
        var store = driver.GetSessionStore<string, long>("sessions")!;
        using var sessions = store.Fetch("a");
        Assert.Equal([(0L, 5L, 2L), (20L, 30L, 2L)], sessions.Select(kv => (kv.Key.Window.Start, kv.Key.Window.End, kv.Value)).ToList());
        Assert.Equal(2L, store.FetchSession("a", 20, 30));
    }

    [Fact]
    public void Session_windows_drop_records_whose_session_closed_before_stream_time_minus_gap_and_grace()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in")
            .GroupByKey()
            .WindowedBy(SessionWindows.OfInactivityGapAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5)))
            .Count(Materialized<string, long>.As("sessions"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "x", 100);
        input.PipeInput("b", "x", 86);   // close time 100 - 5 - 10 = 85: accepted
        input.PipeInput("b", "x", 84);   // merges with [86,86]: the merged session ends at 86, accepted
        input.PipeInput("c", "x", 84);   // a session ending at 84 < 85: dropped
        Assert.Equal(1, driver.DroppedRecordsTotal);
        Assert.Equal(2L, driver.GetSessionStore<string, long>("sessions")!.FetchSession("b", 84, 86));
    }

    [Fact]
    public void Session_windowed_reduce_and_aggregate_use_the_merger()
    {
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey();
        var sessions = SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMilliseconds(10));
        grouped.WindowedBy(sessions).Reduce((a, b) => a * b, Materialized<string, long>.As("product"));
        grouped.WindowedBy(sessions).Aggregate(() => "", (k, v, agg) => agg + v + ";", (k, a, b) => a + b, Materialized<string, string>.As("concat").WithValueSerde(Serdes.String()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, long>("in");
        input.PipeInput("k", 2, 0);
        input.PipeInput("k", 3, 20);
        input.PipeInput("k", 5, 10);    // bridges [0,0] and [20,20]
        Assert.Equal(30L, driver.GetSessionStore<string, long>("product")!.FetchSession("k", 0, 20));
        Assert.Equal("2;3;5;", driver.GetSessionStore<string, string>("concat")!.FetchSession("k", 0, 20));
    }

    [Fact]
    public void Session_emit_on_close_emits_final_sessions_only()
    {
        var sessionSerde = WindowedSerdes.SessionWindowedSerdeFrom(Serdes.String());
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .EmitStrategy(EmitStrategy.OnWindowClose())
            .Count().ToStream().To("out", Produced.With(sessionSerde, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config(emitIntervalMs: 0));
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic("out", sessionSerde, Serdes.Int64());
        input.PipeInput("a", "x", 0);
        input.PipeInput("a", "x", 5);
        input.PipeInput("b", "x", 14);
        Assert.True(output.IsEmpty);
        input.PipeInput("b", "x", 16);  // close time 16 - 10 = 6: session [0,5] ended before it
        Assert.Equal([("a", 0L, 5L, 2L)], output.ReadRecordsToList().ConvertAll(r => (r.Key.Key, r.Key.Window.Start, r.Key.Window.End, r.Value)));
        input.PipeInput("c", "x", 40);
        Assert.Equal([("b", 14L, 16L, 2L)], output.ReadRecordsToList().ConvertAll(r => (r.Key.Key, r.Key.Window.Start, r.Key.Window.End, r.Value)));
    }

    [Fact]
    public void Windowed_cogroup_aggregates_several_streams_into_one_windowed_table()
    {
        var builder = new StreamsBuilder();
        var clicks = builder.Stream<string, string>("clicks").GroupByKey();
        var buys = builder.Stream<string, string>("buys").GroupByKey();
        clicks.Cogroup<long>((k, v, agg) => agg + 1)
            .Cogroup(buys, (k, v, agg) => agg + 10)
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .Aggregate(() => 0L, Materialized<string, long>.As("score").WithValueSerde(Serdes.Int64()))
            .ToStream().To("out", Produced.With(Tw10, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("clicks").PipeInput("u", "c", 1);
        driver.CreateInputTopic<string, string>("buys").PipeInput("u", "b", 2);
        driver.CreateInputTopic<string, string>("clicks").PipeInput("u", "c", 12);
        Assert.Equal([("u", 0, 10, 1, 1), ("u", 0, 10, 11, 2), ("u", 10, 20, 1, 12)],
            driver.CreateOutputTopic("out", Tw10, Serdes.Int64()).ReadRecordsToList().ConvertAll(Out));
    }

    [Fact]
    public void Window_store_retention_must_cover_size_and_grace()
    {
        var builder = new StreamsBuilder();
        var ex = Assert.Throws<ArgumentException>(() => builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(TimeWindows.OfSizeAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5)))
            .Count(Materialized<string, long>.As("c").WithRetention(TimeSpan.FromMilliseconds(12))));
        Assert.Contains("must be no smaller than its window size plus the grace period", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windowed_changelog_keys_use_kafkas_window_key_schema()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .Count(Materialized<string, long>.As("counts"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("ab", "x", 17);
        var changelog = driver.CreateOutputTopic("win-counts-changelog", Serdes.ByteArray(), Serdes.ByteArray()).ReadRecord();
        // [key "ab"][8-byte window start 10][4-byte sequence number 0]; value is the plain count, timestamp the aggregate's.
        Assert.Equal(Convert.FromHexString("6162" + "000000000000000A" + "00000000"), changelog.Key);
        Assert.Equal(Convert.FromHexString("0000000000000001"), changelog.Value);
        Assert.Equal(17, changelog.Timestamp);
    }

    [Fact]
    public void Session_changelog_keys_use_kafkas_session_key_schema()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey()
            .WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromMilliseconds(10)))
            .Count(Materialized<string, long>.As("sessions"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "x", 3);
        input.PipeInput("k", "x", 7);
        var records = driver.CreateOutputTopic("win-sessions-changelog", Serdes.ByteArray(), Serdes.ByteArray()).ReadRecordsToList();
        // [key][8-byte end][8-byte start]: the [3,3] session, its deletion, then [3,7].
        Assert.Equal(Convert.FromHexString("6B" + "0000000000000003" + "0000000000000003"), records[0].Key);
        Assert.Equal(Convert.FromHexString("6B" + "0000000000000003" + "0000000000000003"), records[1].Key);
        Assert.Null(records[1].Value);
        Assert.Equal(Convert.FromHexString("6B" + "0000000000000007" + "0000000000000003"), records[2].Key);
    }
}
