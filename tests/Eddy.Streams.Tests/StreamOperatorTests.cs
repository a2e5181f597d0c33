using Eddy.Streams.Dsl;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

public class StreamOperatorTests
{
    private static StreamsConfig Config() => new() { ApplicationId = "app" };

    private static (TopologyTestDriver Driver, TestInputTopic<string, string> Input, TestOutputTopic<string, string> Output) Run(Action<IKStream<string, string>> build)
    {
        var builder = new StreamsBuilder();
        build(builder.Stream<string, string>("in"));
        var driver = new TopologyTestDriver(builder.Build(), Config());
        return (driver, driver.CreateInputTopic<string, string>("in"), driver.CreateOutputTopic<string, string>("out"));
    }

    [Fact]
    public void Filter_drops_records_failing_the_predicate()
    {
        var (driver, input, output) = Run(s => s.Filter((k, v) => v.Length > 2).To("out"));
        using var _ = driver;
        input.PipeInput("a", "xx", 1);
        input.PipeInput("b", "xyz", 2);
        Assert.Equal(new TestRecord<string, string>("b", "xyz", 2), output.ReadRecord());
        Assert.True(output.IsEmpty);
    }

    [Fact]
    public void FilterNot_keeps_records_failing_the_predicate()
    {
        var (driver, input, output) = Run(s => s.FilterNot((k, v) => v.Length > 2).To("out"));
        using var _ = driver;
        input.PipeInput("a", "xx", 1);
        input.PipeInput("b", "xyz", 2);
        Assert.Equal([KeyValue.Pair("a", "xx")], output.ReadKeyValuesToList());
    }

    [Fact]
    public void Map_changes_key_and_value_and_keeps_timestamp_and_headers()
    {
        var (driver, input, output) = Run(s => s.Map((k, v) => KeyValue.Pair(v, k)).To("out"));
        using var _ = driver;
        var headers = new Headers().Add("h", "1"u8.ToArray());
        input.PipeInput("k", "v", 42, headers);
        Assert.Equal(new TestRecord<string, string>("v", "k", 42, new Headers().Add("h", "1"u8.ToArray())), output.ReadRecord());
    }

    [Fact]
    public void MapValues_changes_values_with_and_without_the_key()
    {
        var builder = new StreamsBuilder();
        var s = builder.Stream<string, string>("in");
        s.MapValues(v => v.Length).To("lengths", Produced.With(Serdes.String(), Serdes.Int32()));
        s.MapValues((k, v) => k + v).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "abc", 5);
        Assert.Equal(new TestRecord<string, int>("k", 3, 5), driver.CreateOutputTopic<string, int>("lengths").ReadRecord());
        Assert.Equal("kabc", driver.CreateOutputTopic<string, string>("out").ReadValue());
    }

    [Fact]
    public void FlatMap_and_FlatMapValues_emit_zero_or_more_records()
    {
        var builder = new StreamsBuilder();
        var s = builder.Stream<string, string>("in");
        s.FlatMapValues(v => v.Split(' ')).To("words");
        s.FlatMap((k, v) => v.Split(' ').Select(w => KeyValue.Pair(w, k))).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "a b", 7);
        input.PipeInput("k", "", 8);
        Assert.Equal(["a", "b", ""], driver.CreateOutputTopic<string, string>("words").ReadValuesToList());
        var records = driver.CreateOutputTopic<string, string>("out").ReadRecordsToList();
        Assert.Equal(3, records.Count);
        Assert.Equal(new TestRecord<string, string>("a", "k", 7), records[0]);
    }

    [Fact]
    public void SelectKey_Peek_and_Foreach_see_every_record()
    {
        var peeked = new List<string>();
        var each = new List<string>();
        var (driver, input, output) = Run(s =>
        {
            var keyed = s.SelectKey((k, v) => v.ToUpperInvariant()).Peek((k, v) => peeked.Add(k));
            keyed.To("out");
            keyed.Foreach((k, v) => each.Add(v));
        });
        using var _ = driver;
        input.PipeInput("k1", "x");
        input.PipeInput("k2", "y");
        Assert.Equal(["X", "Y"], peeked);
        Assert.Equal(["x", "y"], each);
        Assert.Equal([KeyValue.Pair("X", "x"), KeyValue.Pair("Y", "y")], output.ReadKeyValuesToList());
    }

    [Fact]
    public void Split_routes_each_record_to_the_first_matching_branch_or_the_default()
    {
        var builder = new StreamsBuilder();
        var branches = builder.Stream<string, int>("in", Consumed.With(Serdes.String(), Serdes.Int32()))
            .Split(Named.As("route-"))
            .Branch((k, v) => v > 100, Branched<string, int>.As("big"))
            .Branch((k, v) => v > 10, Branched<string, int>.WithConsumer(b => b.To("medium"), "medium"))
            .DefaultBranch(Branched<string, int>.As("small"));
        Assert.Equal(["route-big", "route-small"], branches.Keys.Order(StringComparer.Ordinal));
        branches["route-big"].To("big");
        branches["route-small"].To("small");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, int>("in");
        foreach (var v in new[] { 5, 50, 500, 150 })
        {
            input.PipeInput("k", v);
        }
        Assert.Equal([500, 150], driver.CreateOutputTopic<string, int>("big").ReadValuesToList());
        Assert.Equal([50], driver.CreateOutputTopic<string, int>("medium").ReadValuesToList());
        Assert.Equal([5], driver.CreateOutputTopic<string, int>("small").ReadValuesToList());
    }

    [Fact]
    public void Branch_sends_records_matching_no_predicate_nowhere()
    {
        var builder = new StreamsBuilder();
        var b = builder.Stream<string, string>("in").Branch((k, v) => v == "a", (k, v) => v == "b");
        b[0].To("a");
        b[1].To("b");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeValueList(["a", "c", "b", "a"]);
        Assert.Equal(2, driver.CreateOutputTopic<string, string>("a").QueueSize);
        Assert.Equal(1, driver.CreateOutputTopic<string, string>("b").QueueSize);
    }

    [Fact]
    public void Merge_interleaves_two_streams_in_processing_order()
    {
        var builder = new StreamsBuilder();
        var a = builder.Stream<string, string>("a");
        var b = builder.Stream<string, string>("b");
        a.Merge(b).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("a").PipeInput("1", "from-a", 1);
        driver.CreateInputTopic<string, string>("b").PipeInput("2", "from-b", 2);
        Assert.Equal(["from-a", "from-b"], driver.CreateOutputTopic<string, string>("out").ReadValuesToList());
    }

    [Fact]
    public void Repartition_writes_through_an_internal_topic_prefixed_with_the_application_id()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").SelectKey((k, v) => v).Repartition(Repartitioned<string, string>.As("by-value")).To("out");
        var topology = builder.Build();
        Assert.Contains("app-by-value-repartition", topology.InternalTopics("app"));
        using var driver = new TopologyTestDriver(topology, Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v", 9);
        Assert.Equal(new TestRecord<string, string>("v", "v", 9), driver.CreateOutputTopic<string, string>("out").ReadRecord());
        Assert.Equal(1, driver.CreateOutputTopic<string, string>("app-by-value-repartition").QueueSize);
    }

    [Fact]
    public void To_with_a_topic_name_extractor_chooses_the_topic_per_record()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").To(new TopicNameExtractor<string, string>((k, v, ctx) => "out-" + k + "-" + ctx.Topic));
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("x", "1");
        Assert.Equal("1", driver.CreateOutputTopic<string, string>("out-x-in").ReadValue());
    }

    [Fact]
    public void ToTable_turns_updates_into_a_table_with_tombstones()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string?>("in").ToTable(materialized: Materialized<string, string?>.As("t").WithCachingDisabled()).ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string?>("in");
        input.PipeInput("k", "v1", 1);
        input.PipeInput("k", null, 2);
        var output = driver.CreateOutputTopic<string, string?>("out");
        Assert.Equal(new TestRecord<string, string?>("k", "v1", 1), output.ReadRecord());
        Assert.Equal(new TestRecord<string, string?>("k", null, 2), output.ReadRecord());
        Assert.Null(driver.GetKeyValueStore<string, string?>("t")!.Get("k"));
    }

    [Fact]
    public void Records_with_null_keys_are_dropped_by_aggregations_and_counted()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string?, string>("in").GroupByKey().Count().ToStream().To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string?, string>("in");
        input.PipeInput(null, "v");
        input.PipeInput("k", "v");
        Assert.Equal(1, driver.DroppedRecordsTotal);
        Assert.Equal([KeyValue.Pair<string?, long>("k", 1)], driver.CreateOutputTopic<string?, long>("out").ReadKeyValuesToList());
    }

    [Fact]
    public void Consumed_timestamp_extractor_sets_record_time()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Int64()).WithTimestampExtractor(new ValueTimestamp())).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, long>("in").PipeInput("k", 12345L, 1);
        Assert.Equal(12345L, driver.CreateOutputTopic<string, long>("out").ReadRecord().Timestamp);
    }

    private sealed class ValueTimestamp : ITimestampExtractor
    {
        public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime) => record.Value is long l ? l : record.Timestamp;
    }

    [Fact]
    public void Negative_extracted_timestamps_are_dropped_with_the_log_and_skip_extractor()
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed.With(Serdes.String(), Serdes.String()).WithTimestampExtractor(new LogAndSkipOnInvalidTimestamp())).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "bad", -5);
        input.PipeInput("k", "good", 5);
        Assert.Equal(["good"], driver.CreateOutputTopic<string, string>("out").ReadValuesToList());
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    [Fact]
    public void Fail_on_invalid_timestamp_is_the_default_extractor()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        var e = Assert.Throws<Errors.StreamsException>(() => driver.CreateInputTopic<string, string>("in").PipeInput("k", "v", -1));
        Assert.Contains("invalid (negative) timestamp", e.Message, StringComparison.Ordinal);
    }
}

public class RecordPropagationTests
{
    public static TheoryData<string> Operators => new() { "filter", "filterNot", "map", "mapValues", "flatMap", "flatMapValues", "selectKey", "peek", "merge", "repartition", "split", "processValues", "count-cached", "count-uncached", "toTable" };

    [Theory]
    [MemberData(nameof(Operators))]
    public void Every_operator_keeps_the_input_timestamp_and_headers(string op)
    {
        var builder = new StreamsBuilder();
        var s = builder.Stream<string, string>("in");
        IKStream<string, string> result = op switch
        {
            "filter" => s.Filter((k, v) => true),
            "filterNot" => s.FilterNot((k, v) => false),
            "map" => s.Map((k, v) => KeyValue.Pair(k, v)),
            "mapValues" => s.MapValues(v => v),
            "flatMap" => s.FlatMap((k, v) => new[] { KeyValue.Pair(k, v) }),
            "flatMapValues" => s.FlatMapValues(v => new[] { v }),
            "selectKey" => s.SelectKey((k, v) => k),
            "peek" => s.Peek((k, v) => { }),
            "merge" => s.Merge(builder.Stream<string, string>("other")),
            "repartition" => s.Repartition(),
            "split" => s.Split().DefaultBranch().Values.Single(),
            "processValues" => s.ProcessValues(() => new Identity()),
            "count-cached" => s.GroupByKey().Count().ToStream().MapValues(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "count-uncached" => s.GroupByKey().Count(Materialized<string, long>.With(null, null).WithCachingDisabled()).ToStream().MapValues(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "toTable" => s.ToTable(materialized: Materialized<string, string>.As("t")).ToStream(),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        result.To("out");
        using var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "prop" });
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "1", 1234, new Headers().Add("trace", "abc"));
        var record = driver.CreateOutputTopic<string, string>("out").ReadRecord();
        Assert.Equal(("k", "1", 1234L), (record.Key, record.Value, record.Timestamp!.Value));
        Assert.Equal("abc"u8.ToArray(), record.Headers.LastValue("trace"));
    }

    private sealed class Identity : IFixedKeyProcessor<string, string, string>
    {
        private IFixedKeyProcessorContext<string, string> _ctx = null!;

        public void Init(IFixedKeyProcessorContext<string, string> context) => _ctx = context;

        public void Process(FixedKeyRecord<string, string> record) => _ctx.Forward(record);
    }
}

public class PrintTests
{
    [Fact]
    public void Print_writes_label_key_and_value_lines_to_a_file()
    {
        var path1 = Path.Combine(Path.GetTempPath(), "eddy-print-" + Guid.NewGuid().ToString("N") + ".txt");
        var path2 = Path.Combine(Path.GetTempPath(), "eddy-print-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            var builder = new StreamsBuilder();
            var s = builder.Stream<string, string>("in");
            s.Print(Printed<string, string>.ToFile(path1).WithLabel("in"));
            s.Print(Printed<string, string>.ToFile(path2).WithKeyValueMapper((k, v) => k + "=" + v));
            using (var driver = new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "print" }))
            {
                driver.CreateInputTopic<string, string>("in").PipeInput("k", "v");
            }
            Assert.Equal(["[in]: k, v"], File.ReadAllLines(path1));
            Assert.Equal(["[KSTREAM-PRINTER-0000000002]: k=v"], File.ReadAllLines(path2));
        }
        finally
        {
            File.Delete(path1);
            File.Delete(path2);
        }
    }
}
