using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Testing.Tests;

public class TopologyTestDriverTests
{
    private static TopologyTestDriver PassThrough(DateTimeOffset? start = null)
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").To("out");
        builder.Stream<string, string>("in2").GroupByKey().Count(Materialized<string, long>.As("counts"));
        return new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "driver" }, start);
    }

    [Fact]
    public void Input_topic_stamps_records_from_its_start_time_and_auto_advance()
    {
        using var driver = PassThrough();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1000);
        var input = driver.CreateInputTopic<string, string>("in", startTimestamp: start, autoAdvance: TimeSpan.FromMilliseconds(10));
        input.PipeInput("a", "1");
        input.PipeInput("b", "2");
        input.AdvanceTime(TimeSpan.FromMilliseconds(100));
        input.PipeInput("c", "3");
        input.PipeInput("d", "4", 5);
        var times = driver.CreateOutputTopic<string, string>("out").ReadRecordsToList().Select(r => r.Timestamp!.Value);
        Assert.Equal([1000L, 1010L, 1120L, 5L], times);
    }

    [Fact]
    public void Input_topic_default_time_is_the_driver_wall_clock()
    {
        using var driver = PassThrough(DateTimeOffset.FromUnixTimeMilliseconds(123_456));
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v");
        Assert.Equal(123_456, driver.CreateOutputTopic<string, string>("out").ReadRecord().Timestamp);
    }

    [Fact]
    public void Lists_of_values_pairs_and_records_can_be_piped()
    {
        using var driver = PassThrough();
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeValueList(["v1"]);
        input.PipeKeyValueList([KeyValue.Pair("k2", "v2")]);
        input.PipeRecordList([new TestRecord<string, string>("k3", "v3", 3, new Headers().Add("h", "x"))]);
        var output = driver.CreateOutputTopic<string, string>("out");
        Assert.Equal(3, output.QueueSize);
        Assert.Null(output.ReadKeyValue().Key);
        Assert.Equal(KeyValue.Pair("k2", "v2"), output.ReadKeyValue());
        var r = output.ReadRecord();
        Assert.Equal("x"u8.ToArray(), r.Headers.LastValue("h"));
        Assert.True(output.IsEmpty);
    }

    [Fact]
    public void Reading_an_empty_topic_fails()
    {
        using var driver = PassThrough();
        var output = driver.CreateOutputTopic<string, string>("out");
        Assert.True(output.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => output.ReadValue());
    }

    [Fact]
    public void ReadKeyValuesToMap_keeps_the_latest_value_per_key()
    {
        using var driver = PassThrough();
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "1");
        input.PipeInput("b", "2");
        input.PipeInput("a", "3");
        var map = driver.CreateOutputTopic<string, string>("out").ReadKeyValuesToMap();
        Assert.Equal(new Dictionary<string, string> { ["a"] = "3", ["b"] = "2" }, map);
    }

    [Fact]
    public void Stores_are_reachable_by_name_and_kind()
    {
        using var driver = PassThrough();
        driver.CreateInputTopic<string, string>("in2").PipeInput("k", "v", 17);
        Assert.NotNull(driver.GetStateStore("counts"));
        Assert.Contains("counts", driver.GetAllStateStores().Keys);
        Assert.Equal(1L, driver.GetKeyValueStore<string, long>("counts")!.Get("k"));
        Assert.Equal(State.ValueAndTimestamp.Make(1L, 17), driver.GetTimestampedKeyValueStore<string, long>("counts")!.Get("k"));
        Assert.Null(driver.GetStateStore("missing"));
        Assert.Null(driver.GetKeyValueStore<int, int>("counts"));
    }

    [Fact]
    public void Piping_to_an_unknown_topic_fails()
    {
        using var driver = PassThrough();
        Assert.Throws<ArgumentException>(() => driver.CreateInputTopic<string, string>("nope").PipeInput("k", "v"));
    }

    [Fact]
    public void Produced_topic_names_include_internal_topics()
    {
        using var driver = PassThrough();
        driver.CreateInputTopic<string, string>("in2").PipeInput("k", "v");
        Assert.Contains("driver-counts-changelog", driver.ProducedTopicNames);
    }

    [Fact]
    public void A_disposed_driver_rejects_input()
    {
        var driver = PassThrough();
        var input = driver.CreateInputTopic<string, string>("in");
        driver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => input.PipeInput("k", "v"));
    }

    [Fact]
    public void Test_records_compare_by_key_value_timestamp_and_headers()
    {
        Assert.Equal(new TestRecord<string, int>("k", 1, 2, new Headers().Add("a", "b")), new TestRecord<string, int>("k", 1, 2, new Headers().Add("a", "b")));
        Assert.NotEqual(new TestRecord<string, int>("k", 1, 2), new TestRecord<string, int>("k", 1, 3));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(2), new TestRecord<string, int>("k", 1, 2).RecordTime);
    }

    [Fact]
    public void Driver_runs_through_string_serdes_configured_as_defaults()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").MapValues(v => v.Length).To("out");
        var config = new StreamsConfig { ApplicationId = "d", DefaultKeySerde = Serdes.String(), DefaultValueSerde = Serdes.Int32() };
        using var driver = new TopologyTestDriver(builder.Build(), config);
        driver.CreateInputTopic("in", Serdes.String(), Serdes.String()).PipeInput("k", "four");
        Assert.Equal(4, driver.CreateOutputTopic<string, int>("out").ReadValue());
    }
}
