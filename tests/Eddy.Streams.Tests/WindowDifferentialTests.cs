using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

/// <summary>
/// Differential tests on random timestamped input with bounded and unbounded disorder (deterministic seeds): windowed
/// aggregates after all input equal a batch computation (LINQ group-by over window assignment, with the grace rule
/// deciding which records count), and stream-stream join results equal a nested-loop join restricted to the window.
/// </summary>
public class WindowDifferentialTests
{
    private sealed record Input(int Seq, string Key, long Value, long Timestamp);

    /// <summary>
    /// Timestamps grow by about 3 ms per record; each record is then delayed. Bounded: by up to <paramref name="maxDelay"/>.
    /// Unbounded: additionally, one record in ten is delayed by up to 50 times that, so some miss their grace period.
    /// </summary>
    private static List<Input> Generate(int seed, int count, int keys, long maxDelay, bool unbounded)
    {
        var random = new Random(seed);
        var list = new List<Input>(count);
        for (var i = 0; i < count; i++)
        {
            var t = 1000 + (i * 3L);
            var delay = random.NextInt64(0, maxDelay + 1);
            if (unbounded && random.Next(10) == 0)
            {
                delay = random.NextInt64(0, (maxDelay * 50) + 1);
            }
            list.Add(new Input(i, "k" + random.Next(keys), random.Next(-20, 100), Math.Max(0, t - delay)));
        }
        return list;
    }

    /// <summary>Which records a windowed aggregation counts: for each window a record falls in, whether the window was still open.</summary>
    private static List<(Input Record, long WindowStart)> Accepted(List<Input> input, long size, long advance, long grace, out int dropped)
    {
        var accepted = new List<(Input, long)>();
        dropped = 0;
        var streamTime = -1L;
        foreach (var r in input)
        {
            streamTime = Math.Max(streamTime, r.Timestamp);
            var closeTime = streamTime - grace;
            for (var start = Math.Max(0, r.Timestamp - size + advance) / advance * advance; start <= r.Timestamp; start += advance)
            {
                if (start + size > closeTime)
                {
                    accepted.Add((r, start));
                }
                else
                {
                    dropped++;
                }
            }
        }
        return accepted;
    }

    [Theory]
    [InlineData(1, 50, 50, 20, false)]
    [InlineData(2, 50, 50, 20, true)]
    [InlineData(3, 60, 20, 15, false)]
    [InlineData(4, 60, 20, 15, true)]
    [InlineData(5, 10, 10, 0, true)]
    public void Windowed_count_and_sum_equal_a_batch_group_by_over_window_assignment(int seed, long size, long advance, long grace, bool unbounded)
    {
        var input = Generate(seed, 3000, 25, maxDelay: grace == 0 ? 5 : grace - 1, unbounded);
        var windows = TimeWindows.OfSizeAndGrace(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(grace)).AdvanceBy(TimeSpan.FromMilliseconds(advance));
        var serde = WindowedSerdes.TimeWindowedSerdeFrom(Serdes.String(), size);
        var builder = new StreamsBuilder();
        var grouped = builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey();
        grouped.WindowedBy(windows).Count(Materialized<string, long>.As("counts").WithCachingDisabled()).ToStream().To("counts", Produced.With(serde, Serdes.Int64()));
        grouped.WindowedBy(windows).Aggregate(() => 0L, (k, v, agg) => agg + v, Materialized<string, long>.As("sums").WithValueSerde(Serdes.Int64()))
            .ToStream().To("sums", Produced.With(serde, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "diff" });
        var topic = driver.CreateInputTopic<string, long>("in");
        foreach (var r in input)
        {
            topic.PipeInput(r.Key, r.Value, r.Timestamp);
        }

        var accepted = Accepted(input, size, advance, grace, out var dropped);
        var expectedCounts = accepted.GroupBy(a => (a.Record.Key, a.WindowStart)).ToDictionary(g => g.Key, g => (long)g.Count());
        var expectedSums = accepted.GroupBy(a => (a.Record.Key, a.WindowStart)).ToDictionary(g => g.Key, g => g.Sum(a => a.Record.Value));
        var counts = driver.CreateOutputTopic("counts", serde, Serdes.Int64()).ReadKeyValuesToMap()
            .ToDictionary(kv => (kv.Key.Key, kv.Key.Window.Start), kv => kv.Value);
        var sums = driver.CreateOutputTopic("sums", serde, Serdes.Int64()).ReadKeyValuesToMap()
            .ToDictionary(kv => (kv.Key.Key, kv.Key.Window.Start), kv => kv.Value);
        Assert.Equal(expectedCounts.OrderBy(kv => kv.Key), counts.OrderBy(kv => kv.Key));
        Assert.Equal(expectedSums.OrderBy(kv => kv.Key), sums.OrderBy(kv => kv.Key));
        // Two aggregations see every record, and each drops every window it finds closed.
        Assert.Equal(2 * dropped, driver.DroppedRecordsTotal);
        if (unbounded)
        {
            Assert.True(dropped > 0, "the unbounded disorder should make some records miss their grace period");
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Session_counts_equal_a_batch_sessionization_under_bounded_disorder(int seed)
    {
        const long gap = 20;
        // A grace period longer than the disorder: no record is late, so sessions are the gaps between sorted timestamps.
        var input = Generate(seed, 2000, 40, maxDelay: 30, unbounded: false);
        var serde = WindowedSerdes.SessionWindowedSerdeFrom(Serdes.String());
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey()
            .WindowedBy(SessionWindows.OfInactivityGapAndGrace(TimeSpan.FromMilliseconds(gap), TimeSpan.FromMilliseconds(40)))
            .Aggregate(() => 0L, (k, v, agg) => agg + v, (k, a, b) => a + b, Materialized<string, long>.As("sessions").WithValueSerde(Serdes.Int64()))
            .ToStream().To("out", Produced.With(serde, Serdes.Int64()));
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "diff" });
        var topic = driver.CreateInputTopic<string, long>("in");
        foreach (var r in input)
        {
            topic.PipeInput(r.Key, r.Value, r.Timestamp);
        }
        var expected = new Dictionary<(string, long, long), long>();
        foreach (var byKey in input.GroupBy(r => r.Key))
        {
            var sorted = byKey.OrderBy(r => r.Timestamp).ToList();
            var start = sorted[0].Timestamp;
            var end = start;
            var sum = 0L;
            foreach (var r in sorted)
            {
                if (r.Timestamp - end > gap)
                {
                    expected[(byKey.Key, start, end)] = sum;
                    start = r.Timestamp;
                    sum = 0;
                }
                end = r.Timestamp;
                sum += r.Value;
            }
            expected[(byKey.Key, start, end)] = sum;
        }
        // The latest value of each session key; merged-away sessions end as tombstones.
        var actual = driver.CreateOutputTopic("out", serde, Serdes.Nullable(Serdes.Int64())).ReadKeyValuesToMap()
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => (kv.Key.Key, kv.Key.Window.Start, kv.Key.Window.End), kv => kv.Value!.Value);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        Assert.Equal(0, driver.DroppedRecordsTotal);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Sliding_window_counts_equal_the_records_within_each_window_under_bounded_disorder(int seed)
    {
        const long td = 15;
        var input = Generate(seed, 1500, 10, maxDelay: 20, unbounded: false);
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64())).GroupByKey()
            .WindowedBy(SlidingWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(td), TimeSpan.FromMilliseconds(30)))
            .Count(Materialized<string, long>.As("sliding").WithRetention(TimeSpan.FromDays(1)));
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "diff" });
        var topic = driver.CreateInputTopic<string, long>("in");
        foreach (var r in input)
        {
            topic.PipeInput(r.Key, r.Value, r.Timestamp);
        }
        var store = driver.GetTimestampedWindowStore<string, long>("sliding")!;
        foreach (var byKey in input.GroupBy(r => r.Key))
        {
            var times = byKey.Select(r => r.Timestamp).ToList();
            // KIP-450: a left window [t - td, t] per record, and a right window [t + 1, t + 1 + td] for each record with a later record within td.
            var starts = new SortedSet<long>(times.Select(t => Math.Max(0, t - td)));
            foreach (var t in times.Where(t => times.Any(u => u > t && u <= t + td)))
            {
                starts.Add(t + 1);
            }
            var expected = starts.Select(s => (s, (long)times.Count(t => t >= s && t <= s + td))).ToList();
            using var it = store.Fetch(byKey.Key, 0, long.MaxValue);
            var actual = it.Select(kv => (kv.Key, kv.Value.Value)).ToList();
            Assert.Equal(expected, actual);
        }
    }

    private sealed record Side(int Seq, bool Left, string Key, string Id, long Timestamp);

    private static List<Side> GenerateJoinInput(int seed, int count, long maxDelay, bool unbounded)
    {
        var random = new Random(seed);
        var list = new List<Side>(count);
        for (var i = 0; i < count; i++)
        {
            var t = 1000 + (i * 2L);
            var delay = random.NextInt64(0, maxDelay + 1);
            if (unbounded && random.Next(10) == 0)
            {
                delay = random.NextInt64(0, (maxDelay * 40) + 1);
            }
            var left = random.Next(2) == 0;
            list.Add(new Side(i, left, "k" + random.Next(15), (left ? "L" : "R") + i, Math.Max(0, t - delay)));
        }
        return list;
    }

    /// <summary>
    /// A nested-loop join restricted to the window, with the retention rule of the join buffers: a pair joins when the
    /// later-arriving record finds the earlier one still in its side's store (window start above the store's stream
    /// time minus its retention, window size plus grace).
    /// </summary>
    private static List<(string Key, string Left, string Right, long Ts)> NestedLoop(List<Side> input, long before, long after, long grace)
    {
        var retention = before + after + grace;
        var maxLeft = new long[input.Count + 1];
        var maxRight = new long[input.Count + 1];
        long ml = -1, mr = -1;
        for (var i = 0; i < input.Count; i++)
        {
            maxLeft[i] = ml;
            maxRight[i] = mr;
            if (input[i].Left)
            {
                ml = Math.Max(ml, input[i].Timestamp);
            }
            else
            {
                mr = Math.Max(mr, input[i].Timestamp);
            }
        }
        var result = new List<(string, string, string, long)>();
        foreach (var l in input.Where(s => s.Left))
        {
            foreach (var r in input.Where(s => !s.Left && s.Key == l.Key))
            {
                if (r.Timestamp < l.Timestamp - before || r.Timestamp > l.Timestamp + after)
                {
                    continue;
                }
                var (earlier, later) = l.Seq < r.Seq ? (l, r) : (r, l);
                var storeTime = earlier.Left ? maxLeft[later.Seq] : maxRight[later.Seq];
                if (earlier.Timestamp >= storeTime - retention + 1)
                {
                    result.Add((l.Key, l.Id, r.Id, Math.Max(l.Timestamp, r.Timestamp)));
                }
            }
        }
        return result;
    }

    [Theory]
    [InlineData(31, 10, 10, 5, false)]
    [InlineData(32, 10, 10, 5, true)]
    [InlineData(33, 4, 12, 0, true)]
    public void Stream_stream_inner_join_equals_a_nested_loop_join_restricted_to_the_window(int seed, long before, long after, long grace, bool unbounded)
    {
        var input = GenerateJoinInput(seed, 2500, maxDelay: 8, unbounded);
        var builder = new StreamsBuilder();
        var windows = JoinWindows.OfTimeDifferenceAndGrace(TimeSpan.Zero, TimeSpan.FromMilliseconds(grace))
            .Before(TimeSpan.FromMilliseconds(before)).After(TimeSpan.FromMilliseconds(after));
        builder.Stream<string, string>("left").Join(builder.Stream<string, string>("right"), (l, r) => l + "|" + r, windows).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "diff" });
        var left = driver.CreateInputTopic<string, string>("left");
        var right = driver.CreateInputTopic<string, string>("right");
        foreach (var s in input)
        {
            (s.Left ? left : right).PipeInput(s.Key, s.Id, s.Timestamp);
        }
        var actual = driver.CreateOutputTopic<string, string>("out").ReadRecordsToList()
            .Select(r => (r.Key, r.Value.Split('|')[0], r.Value.Split('|')[1], r.Timestamp!.Value)).OrderBy(x => x).ToList();
        var expected = NestedLoop(input, before, after, grace).OrderBy(x => x).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void Stream_stream_left_join_equals_the_nested_loop_plus_each_unmatched_left_record_once(int seed)
    {
        const long w = 10;
        const long grace = 8;
        // Disorder up to the grace period: no match arrives after its record was emitted unmatched.
        var input = GenerateJoinInput(seed, 2000, maxDelay: grace, unbounded: false);
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("left").LeftJoin(builder.Stream<string, string>("right"), (l, r) => l + "|" + (r ?? "null"),
            JoinWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(w), TimeSpan.FromMilliseconds(grace))).To("out");
        var config = new StreamsConfig { ApplicationId = "diff", ["__emit.interval.ms.kstreams.outer.join.spurious.results.fix__"] = 0L };
        using var driver = new TopologyTestDriver(builder.Build(), config);
        var left = driver.CreateInputTopic<string, string>("left");
        var right = driver.CreateInputTopic<string, string>("right");
        foreach (var s in input)
        {
            (s.Left ? left : right).PipeInput(s.Key, s.Id, s.Timestamp);
        }
        // Advance stream time far ahead on both sides so that every window closes.
        left.PipeInput("flush", "Lflush", 1_000_000);
        right.PipeInput("flush", "Rflush", 1_000_000);
        var actual = driver.CreateOutputTopic<string, string>("out").ReadRecordsToList()
            .Where(r => r.Key != "flush")
            .Select(r => (r.Key, r.Value.Split('|')[0], r.Value.Split('|')[1], r.Timestamp!.Value)).OrderBy(x => x).ToList();
        var joined = NestedLoop(input, w, w, grace);
        var matchedLeft = joined.Select(j => j.Left).ToHashSet();
        var expected = joined.Concat(input.Where(s => s.Left && !matchedLeft.Contains(s.Id)).Select(s => (s.Key, s.Id, "null", s.Timestamp)))
            .OrderBy(x => x).ToList();
        Assert.Equal(expected, actual);
    }
}
