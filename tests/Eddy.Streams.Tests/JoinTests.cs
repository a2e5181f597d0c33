using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

/// <summary>Every join kind through the test driver: expected outputs with out-of-order, late and tombstone inputs.</summary>
public class JoinTests
{
    private static StreamsConfig Config() => new()
    {
        ApplicationId = "join",
        ["__emit.interval.ms.kstreams.outer.join.spurious.results.fix__"] = 0L,
    };

    private static List<(string Key, string? Value, long Ts)> Read(TopologyTestDriver driver, string topic = "out")
        => driver.CreateOutputTopic<string, string>(topic).ReadRecordsToList().ConvertAll(r => (r.Key, (string?)r.Value, r.Timestamp!.Value));

    private static (TopologyTestDriver Driver, TestInputTopic<string, string> Left, TestInputTopic<string, string> Right) StreamStream(
        Func<IKStream<string, string>, IKStream<string, string>, IKStream<string, string>> join)
    {
        var builder = new StreamsBuilder();
        var left = builder.Stream<string, string>("left");
        var right = builder.Stream<string, string>("right");
        join(left, right).To("out");
        var driver = new TopologyTestDriver(builder.Build(), Config());
        return (driver, driver.CreateInputTopic<string, string>("left"), driver.CreateInputTopic<string, string>("right"));
    }

    [Fact]
    public void Stream_stream_inner_join_matches_records_within_the_window_in_any_arrival_order()
    {
        var windows = JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMilliseconds(10));
        var (driver, left, right) = StreamStream((l, r) => l.Join(r, (a, b) => a + "+" + b, windows));
        using (driver)
        {
            left.PipeInput("k", "A", 0);
            right.PipeInput("k", "a", 5);    // A is 5 ms earlier: joins, at the later timestamp
            right.PipeInput("k", "b", 20);   // A is 20 ms earlier: no
            left.PipeInput("k", "B", 15);    // joins a (10 earlier) and b (5 later)
            left.PipeInput("k", "C", 1);     // out of order, still retained by the right store: joins a
            left.PipeInput("x", "X", 15);    // another key: nothing
            Assert.Equal([("k", "A+a", 5L), ("k", "B+a", 15L), ("k", "B+b", 20L), ("k", "C+a", 5L)], Read(driver));
        }
    }

    [Fact]
    public void Stream_stream_join_window_can_be_asymmetric()
    {
        // Right records may be at most 2 ms earlier and 5 ms later than left records.
        var windows = JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.Zero).Before(TimeSpan.FromMilliseconds(2)).After(TimeSpan.FromMilliseconds(5));
        var (driver, left, right) = StreamStream((l, r) => l.Join(r, (a, b) => a + "+" + b, windows));
        using (driver)
        {
            right.PipeInput("k", "early", 7);
            right.PipeInput("k", "late", 15);
            left.PipeInput("k", "L", 10);     // early is 3 ms earlier (> 2): no; late is 5 ms later: yes
            right.PipeInput("k", "r", 9);     // L is 1 ms later than r: yes
            Assert.Equal([("k", "L+late", 15L), ("k", "L+r", 10L)], Read(driver));
        }
    }

    [Fact]
    public void Stream_stream_left_join_emits_unmatched_records_only_after_the_window_closes()
    {
        var windows = JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMilliseconds(10));
        var (driver, left, right) = StreamStream((l, r) => l.LeftJoin(r, (a, b) => a + "+" + (b ?? "null"), windows));
        using (driver)
        {
            left.PipeInput("k1", "A", 0);
            left.PipeInput("k2", "B", 3);
            right.PipeInput("k1", "a", 5);   // A matches: no "A+null" is ever emitted
            Assert.Equal([("k1", "A+a", 5L)], Read(driver));
            right.PipeInput("k3", "z", 13);  // stream time 13: B's window [3-10, 3+10] has not closed (13 is its end)
            Assert.Empty(Read(driver));
            right.PipeInput("k3", "z", 14);  // now it has
            Assert.Equal([("k2", "B+null", 3L)], Read(driver));
        }
    }

    [Fact]
    public void Legacy_join_windows_emit_left_join_non_matches_eagerly_as_Kafka_JoinWindows_of_does()
    {
        var windows = JoinWindows.Of(TimeSpan.FromMilliseconds(10));
        Assert.False(windows.EnableSpuriousResultFix);
        Assert.Equal((24 * 3600 * 1000L) - 20, windows.GracePeriodMs);
        var (driver, left, right) = StreamStream((l, r) => l.LeftJoin(r, (a, b) => a + "+" + (b ?? "null"), windows));
        using (driver)
        {
            left.PipeInput("k1", "A", 0);
            Assert.Equal([("k1", "A+null", 0L)], Read(driver)); // at once, no waiting for the window to close
            right.PipeInput("k1", "a", 5);
            Assert.Equal([("k1", "A+a", 5L)], Read(driver));
        }
    }

    [Fact]
    public void Stream_stream_left_join_waits_for_the_grace_period()
    {
        var windows = JoinWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5));
        var (driver, left, right) = StreamStream((l, r) => l.LeftJoin(r, (a, b) => a + "+" + (b ?? "null"), windows));
        using (driver)
        {
            left.PipeInput("k", "A", 0);
            right.PipeInput("x", "x", 15);  // A's window closes at 10, plus grace 5: still waiting
            Assert.Empty(Read(driver));
            right.PipeInput("k", "a", 9);   // arrives within grace: joins, so A is never emitted unmatched
            right.PipeInput("x", "x", 30);
            Assert.Equal([("k", "A+a", 9L)], Read(driver));
        }
    }

    [Fact]
    public void Stream_stream_outer_join_emits_unmatched_records_of_both_sides()
    {
        var windows = JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMilliseconds(10));
        var (driver, left, right) = StreamStream((l, r) => l.OuterJoin(r, (a, b) => (a ?? "null") + "+" + (b ?? "null"), windows));
        using (driver)
        {
            left.PipeInput("k1", "A", 0);
            right.PipeInput("k2", "b", 1);
            right.PipeInput("k1", "a", 2);
            left.PipeInput("k3", "C", 30);   // closes everything before 20: b is emitted unmatched, A matched
            Assert.Equal([("k1", "A+a", 2L), ("k2", "null+b", 1L)], Read(driver));
            right.PipeInput("k9", "z", 50);
            Assert.Equal([("k3", "C+null", 30L)], Read(driver));
        }
    }

    [Fact]
    public void Stream_stream_join_drops_records_with_null_keys_or_values_and_left_join_emits_null_keys()
    {
        var windows = JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromMilliseconds(10));
        var (driver, left, right) = StreamStream((l, r) => l.LeftJoin(r, (a, b) => a + "+" + (b ?? "null"), windows));
        using (driver)
        {
            left.PipeInput(null!, "N", 1);       // KIP-962: a left join emits it at once
            left.PipeInput("k", null!, 2);       // dropped
            Assert.Equal([(null!, "N+null", 1L)], Read(driver));
            Assert.Equal(1, driver.DroppedRecordsTotal);
        }
    }

    [Fact]
    public void Stream_table_join_uses_the_table_value_at_the_time_of_the_stream_record()
    {
        var builder = new StreamsBuilder();
        var table = builder.Table<string, string>("table");
        var stream = builder.Stream<string, string>("stream");
        stream.Join(table, (s, t) => s + "+" + t).To("inner");
        stream.LeftJoin(table, (s, t) => s + "+" + (t ?? "null")).To("left");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var t = driver.CreateInputTopic<string, string>("table");
        var s = driver.CreateInputTopic<string, string>("stream");
        s.PipeInput("k", "s0", 0);          // no table value yet
        t.PipeInput("k", "T1", 1);
        s.PipeInput("k", "s1", 2);
        t.PipeInput("k", "T2", 3);          // table updates do not trigger output
        s.PipeInput("k", "s2", 1);          // out of order: joins the current value regardless of time
        t.PipeInput("k", null!, 4);         // tombstone
        s.PipeInput("k", "s3", 5);
        Assert.Equal([("k", "s1+T1", 2L), ("k", "s2+T2", 1L)], Read(driver, "inner"));
        Assert.Equal([("k", "s0+null", 0L), ("k", "s1+T1", 2L), ("k", "s2+T2", 1L), ("k", "s3+null", 5L)], Read(driver, "left"));
    }

    [Fact]
    public void Stream_global_table_join_looks_up_a_selected_key()
    {
        var builder = new StreamsBuilder();
        var countries = builder.GlobalTable<string, string>("countries", materialized: Materialized<string, string>.As("countries-store"));
        var orders = builder.Stream<string, string>("orders");
        orders.Join(countries, (orderId, country) => country, (order, name) => order + "@" + name).To("inner");
        orders.LeftJoin(countries, (orderId, country) => country, (order, name) => order + "@" + (name ?? "?")).To("left");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("countries").PipeInput("fr", "France", 0);
        var o = driver.CreateInputTopic<string, string>("orders");
        o.PipeInput("o1", "fr", 1);
        o.PipeInput("o2", "de", 2);
        Assert.Equal([("o1", "fr@France", 1L)], Read(driver, "inner"));
        Assert.Equal([("o1", "fr@France", 1L), ("o2", "de@?", 2L)], Read(driver, "left"));
    }

    private static (TopologyTestDriver Driver, TestInputTopic<string, string> Left, TestInputTopic<string, string> Right) TableTable(
        Func<IKTable<string, string>, IKTable<string, string>, IKTable<string, string>> join)
    {
        var builder = new StreamsBuilder();
        join(builder.Table<string, string>("left"), builder.Table<string, string>("right")).ToStream().To("out");
        var driver = new TopologyTestDriver(builder.Build(), Config());
        return (driver, driver.CreateInputTopic<string, string>("left"), driver.CreateInputTopic<string, string>("right"));
    }

    private static void PipeTableScript(TestInputTopic<string, string> left, TestInputTopic<string, string> right)
    {
        left.PipeInput("a", "L1", 1);
        right.PipeInput("a", "R1", 2);
        right.PipeInput("a", null!, 3);
        left.PipeInput("a", null!, 4);
        right.PipeInput("b", "R2", 5);
        left.PipeInput("b", "L2", 3);   // out of order: the result takes the larger timestamp
    }

    [Fact]
    public void Table_table_inner_join_follows_updates_and_deletes()
    {
        var (driver, left, right) = TableTable((l, r) => l.Join(r, (a, b) => a + "+" + b));
        using (driver)
        {
            PipeTableScript(left, right);
            Assert.Equal([("a", "L1+R1", 2L), ("a", null, 3L), ("b", "L2+R2", 5L)], Read(driver));
        }
    }

    [Fact]
    public void Table_table_left_join_keeps_every_left_row()
    {
        var (driver, left, right) = TableTable((l, r) => l.LeftJoin(r, (a, b) => a + "+" + (b ?? "null")));
        using (driver)
        {
            PipeTableScript(left, right);
            Assert.Equal([("a", "L1+null", 1L), ("a", "L1+R1", 2L), ("a", "L1+null", 3L), ("a", null, 4L), ("b", "L2+R2", 5L)], Read(driver));
        }
    }

    [Fact]
    public void Table_table_outer_join_keeps_rows_of_either_side()
    {
        var (driver, left, right) = TableTable((l, r) => l.OuterJoin(r, (a, b) => (a ?? "null") + "+" + (b ?? "null")));
        using (driver)
        {
            PipeTableScript(left, right);
            Assert.Equal([("a", "L1+null", 1L), ("a", "L1+R1", 2L), ("a", "L1+null", 3L), ("a", null, 4L), ("b", "null+R2", 5L), ("b", "L2+R2", 5L)], Read(driver));
        }
    }

    [Fact]
    public void Table_table_join_result_can_be_materialized_and_queried()
    {
        var builder = new StreamsBuilder();
        builder.Table<string, string>("left").Join(builder.Table<string, string>("right"), (a, b) => a + b, materialized: Materialized<string, string>.As("joined"));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("left").PipeInput("k", "x", 1);
        driver.CreateInputTopic<string, string>("right").PipeInput("k", "y", 2);
        Assert.Equal("xy", driver.GetKeyValueStore<string, string>("joined")!.Get("k"));
    }

    private static (TopologyTestDriver Driver, TestInputTopic<string, string> Orders, TestInputTopic<string, string> Customers) ForeignKey(bool leftJoin)
    {
        var builder = new StreamsBuilder();
        var orders = builder.Table<string, string>("orders");
        var customers = builder.Table<string, string>("customers");
        static string Fk(string order) => order.Split('|')[0];
        var joined = leftJoin
            ? orders.LeftJoin(customers, Fk, (o, c) => o + "/" + (c ?? "null"))
            : orders.Join(customers, Fk, (o, c) => o + "/" + c);
        joined.ToStream().To("out");
        var driver = new TopologyTestDriver(builder.Build(), Config());
        return (driver, driver.CreateInputTopic<string, string>("orders"), driver.CreateInputTopic<string, string>("customers"));
    }

    [Fact]
    public void Foreign_key_inner_join_follows_updates_and_deletes_on_both_sides()
    {
        var (driver, orders, customers) = ForeignKey(leftJoin: false);
        using (driver)
        {
            customers.PipeInput("c1", "Alice", 1);
            orders.PipeInput("o1", "c1|10", 2);
            orders.PipeInput("o2", "c2|5", 3);        // no customer yet: nothing
            customers.PipeInput("c2", "Bob", 4);
            customers.PipeInput("c1", "Alicia", 5);
            orders.PipeInput("o1", "c2|10", 6);       // the foreign key changes
            customers.PipeInput("c1", "Ann", 7);      // o1 no longer refers to c1: nothing
            customers.PipeInput("c2", null!, 8);      // deletes both results
            orders.PipeInput("o2", null!, 9);         // already deleted: an idempotent tombstone
            Assert.Equal(
                [("o1", "c1|10/Alice", 2L), ("o2", "c2|5/Bob", 4L), ("o1", "c1|10/Alicia", 5L), ("o1", "c2|10/Bob", 6L),
                 ("o1", null, 8L), ("o2", null, 8L), ("o2", null, 9L)],
                Read(driver));
        }
    }

    [Fact]
    public void Foreign_key_left_join_emits_every_primary_row()
    {
        var (driver, orders, customers) = ForeignKey(leftJoin: true);
        using (driver)
        {
            orders.PipeInput("o1", "c1|10", 1);
            customers.PipeInput("c1", "Alice", 2);
            customers.PipeInput("c1", null!, 3);
            orders.PipeInput("o1", null!, 4);
            Assert.Equal([("o1", "c1|10/null", 1L), ("o1", "c1|10/Alice", 2L), ("o1", "c1|10/null", 3L), ("o1", null, 4L)], Read(driver));
        }
    }

    [Fact]
    public void Foreign_key_join_drops_stale_responses_by_value_hash()
    {
        var (driver, orders, customers) = ForeignKey(leftJoin: false);
        using (driver)
        {
            customers.PipeInput("c1", "Alice", 1);
            orders.PipeInput("o1", "c1|10", 2);
            Assert.Single(Read(driver));
            const string responseTopic = "join-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic";
            var response = driver.CreateOutputTopic(responseTopic, Serdes.ByteArray(), Serdes.ByteArray()).ReadRecord();
            orders.PipeInput("o1", "c1|20", 3);
            Assert.Equal([("o1", "c1|20/Alice", 3L)], Read(driver));
            // The response to the first subscription arrives late (out of order): its hash is of "c1|10", so it is dropped.
            driver.CreateInputTopic(responseTopic, Serdes.ByteArray(), Serdes.ByteArray()).PipeInput(response.Key, response.Value, 4);
            Assert.Empty(Read(driver));
        }
    }

    [Fact]
    public void Foreign_key_join_names_its_internal_topics_and_store_as_kafka()
    {
        // KTableKTableForeignKeyJoinScenarioTest / TopologyInformation tests in Kafka: two tables, then the join uses
        // REGISTRATION-0000000006, STATE-STORE-0000000010 and RESPONSE-0000000014.
        var (driver, orders, customers) = ForeignKey(leftJoin: false);
        using (driver)
        {
            customers.PipeInput("c1", "Alice", 1);
            orders.PipeInput("o1", "c1|10", 2);
            Assert.Contains("join-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic", driver.ProducedTopicNames);
            Assert.Contains("join-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic", driver.ProducedTopicNames);
            Assert.Contains("join-KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010-changelog", driver.ProducedTopicNames);
        }
    }
}
