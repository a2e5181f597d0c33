using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

public class ProcessorApiTests
{
    private static StreamsConfig Config() => new() { ApplicationId = "papi" };

    private sealed class Recorder : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _ctx = null!;

        public List<string> Seen { get; } = [];

        public void Init(IProcessorContext<string, string> context) => _ctx = context;

        public void Process(Record<string, string> record)
        {
            var m = _ctx.RecordMetadata!.Value;
            Seen.Add($"{record.Key}:{record.Value}@{record.Timestamp} {m.Topic}-{m.Partition}@{m.Offset} task={_ctx.TaskId} app={_ctx.ApplicationId}");
            _ctx.Forward(record.WithValue(record.Value.ToUpperInvariant()), record.Key == "a" ? "sink-a" : "sink-b");
        }
    }

    [Fact]
    public void Processor_sees_record_metadata_and_forwards_to_named_children()
    {
        var recorder = new Recorder();
        var topology = new Topology()
            .AddSource<string, string>("src", ["in"])
            .AddProcessor("rec", () => recorder, "src")
            .AddSink<string, string>("sink-a", "out-a", "rec")
            .AddSink<string, string>("sink-b", "out-b", "rec");
        using var driver = new TopologyTestDriver(topology, Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("a", "x", 100);
        input.PipeInput("b", "y", 200);
        Assert.Equal(["a:x@100 in-0@0 task=0_0 app=papi", "b:y@200 in-0@1 task=0_0 app=papi"], recorder.Seen);
        Assert.Equal(["X"], driver.CreateOutputTopic<string, string>("out-a").ReadValuesToList());
        Assert.Equal(["Y"], driver.CreateOutputTopic<string, string>("out-b").ReadValuesToList());
    }

    private sealed class PunctuatingCounter(PunctuationType type) : IProcessor<string, string, string, long>
    {
        private IProcessorContext<string, long> _ctx = null!;
        private IKeyValueStore<string, long> _store = null!;

        public void Init(IProcessorContext<string, long> context)
        {
            _ctx = context;
            _store = context.GetStateStore<IKeyValueStore<string, long>>("counts");
            context.Schedule(TimeSpan.FromMilliseconds(1000), type, ts =>
            {
                using var all = _store.All();
                foreach (var kv in all)
                {
                    _ctx.Forward(new Record<string, long>(kv.Key, kv.Value, ts));
                }
            });
        }

        public void Process(Record<string, string> record) => _store.Put(record.Key, _store.TryGet(record.Key, out var c) ? c + 1 : 1);
    }

    private static Topology PunctuationTopology(PunctuationType type) => new Topology()
        .AddSource<string, string>("src", ["in"])
        .AddProcessor("count", () => new PunctuatingCounter(type), "src")
        .AddStateStore(Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Int64()), "count")
        .AddSink("sink", "out", ["count"], Serdes.String(), Serdes.Int64());

    [Fact]
    public void Stream_time_punctuation_fires_as_record_timestamps_advance()
    {
        using var driver = new TopologyTestDriver(PunctuationTopology(PunctuationType.StreamTime), Config());
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic<string, long>("out");
        // Aligned to 0: the first record (stream time 0) fires it once; then every 1000 ms of stream time.
        input.PipeInput("a", "x", 0);
        Assert.Equal([new TestRecord<string, long>("a", 1, 0)], output.ReadRecordsToList());
        input.PipeInput("a", "x", 999);
        Assert.True(output.IsEmpty);
        input.PipeInput("b", "x", 1000);
        Assert.Equal([new TestRecord<string, long>("a", 2, 1000), new TestRecord<string, long>("b", 1, 1000)], output.ReadRecordsToList());
        // A jump over several intervals fires once, then realigns to the interval.
        input.PipeInput("b", "x", 3500);
        Assert.Equal(2, output.ReadRecordsToList().Count);
        input.PipeInput("b", "x", 3999);
        Assert.True(output.IsEmpty);
        input.PipeInput("b", "x", 4000);
        Assert.Equal(2, output.QueueSize);
        // Wall-clock time does not move stream-time punctuation.
        output.ReadRecordsToList();
        driver.AdvanceWallClockTime(TimeSpan.FromHours(1));
        Assert.True(output.IsEmpty);
    }

    [Fact]
    public void Wall_clock_punctuation_fires_when_the_driver_clock_advances()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        using var driver = new TopologyTestDriver(PunctuationTopology(PunctuationType.WallClockTime), Config(), start);
        var input = driver.CreateInputTopic<string, string>("in");
        var output = driver.CreateOutputTopic<string, long>("out");
        input.PipeInput("a", "x", 5_000_000);
        Assert.True(output.IsEmpty);
        driver.AdvanceWallClockTime(TimeSpan.FromMilliseconds(999));
        Assert.True(output.IsEmpty);
        driver.AdvanceWallClockTime(TimeSpan.FromMilliseconds(1));
        Assert.Equal([new TestRecord<string, long>("a", 1, 1_001_000)], output.ReadRecordsToList());
        driver.AdvanceWallClockTime(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(1, output.QueueSize);
    }

    private sealed class CancelOnFirst : IProcessor<string, string, string, string>
    {
        public int Fired { get; private set; }

        public void Init(IProcessorContext<string, string> context)
        {
            ICancellable? handle = null;
            handle = context.Schedule(TimeSpan.FromMilliseconds(10), PunctuationType.StreamTime, _ =>
            {
                Fired++;
                handle!.Cancel();
            });
        }

        public void Process(Record<string, string> record) { }
    }

    [Fact]
    public void A_cancelled_punctuation_does_not_fire_again()
    {
        var p = new CancelOnFirst();
        var topology = new Topology().AddSource<string, string>("src", ["in"]).AddProcessor("p", () => p, "src");
        using var driver = new TopologyTestDriver(topology, Config());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "v", 0);
        input.PipeInput("k", "v", 100);
        Assert.Equal(1, p.Fired);
    }

    [Fact]
    public void Schedule_rejects_intervals_below_one_millisecond()
    {
        var topology = new Topology().AddSource<string, string>("src", ["in"])
            .AddProcessor("p", () => new InitProcessor(c => c.Schedule(TimeSpan.Zero, PunctuationType.StreamTime, _ => { })), "src");
        var e = Assert.Throws<StreamsException>(() => new TopologyTestDriver(topology, Config()));
        Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);
    }

    private sealed class InitProcessor(Action<IProcessorContext<string, string>> init) : IProcessor<string, string, string, string>
    {
        public void Init(IProcessorContext<string, string> context) => init(context);

        public void Process(Record<string, string> record) { }
    }

    [Fact]
    public void Getting_a_store_that_is_not_connected_fails_with_a_clear_message()
    {
        var topology = new Topology().AddSource<string, string>("src", ["in"])
            .AddProcessor("p", () => new InitProcessor(c => c.GetStateStore<IKeyValueStore<string, long>>("nope")), "src");
        var e = Assert.Throws<StreamsException>(() => new TopologyTestDriver(topology, Config()));
        Assert.Contains("not connected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topology_rejects_invalid_wiring()
    {
        var t = new Topology().AddSource<string, string>("src", ["in"]);
        Assert.Throws<TopologyException>(() => t.AddSource<string, string>("src2", ["in"]));
        Assert.Throws<TopologyException>(() => t.AddProcessor("p", () => new Recorder(), "missing"));
        Assert.Throws<TopologyException>(() => t.AddProcessor("src", () => new Recorder(), "src"));
        t.AddSink<string, string>("sink", "out", "src");
        Assert.Throws<TopologyException>(() => t.AddProcessor("p2", () => new Recorder(), "sink"));
        Assert.Throws<TopologyException>(() => t.ConnectProcessorAndStateStores("sink", "store"));
    }

    [Fact]
    public void Mismatched_types_between_parent_and_child_fail_when_the_task_is_built()
    {
        var topology = new Topology()
            .AddSource<string, long>("src", ["in"], Serdes.String(), Serdes.Int64())
            .AddProcessor("rec", () => new Recorder(), "src");
        var e = Assert.Throws<TopologyException>(() => new TopologyTestDriver(topology, Config()));
        Assert.Contains("forwards <String, Int64>", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_topologies_are_connected_components_of_nodes_and_shared_stores()
    {
        var topology = new Topology()
            .AddSource<string, string>("s1", ["t1"])
            .AddSource<string, string>("s2", ["t2"])
            .AddSource<string, string>("s3", ["t3"])
            .AddProcessor("p1", () => new Recorder(), "s1")
            .AddProcessor("p2", () => new Recorder(), "s2")
            .AddProcessor("p3", () => new Recorder(), "s3")
            .AddStateStore(Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("shared"), Serdes.String(), Serdes.String()), "p1", "p2");
        var d = topology.Describe();
        Assert.Equal(2, d.Subtopologies.Count);
        Assert.Equal(["p1", "p2", "s1", "s2"], d.Subtopologies[0].Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["p3", "s3"], d.Subtopologies[1].Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pattern_sources_read_every_matching_topic()
    {
        var topology = new Topology()
            .AddSource<string, string>("src", new System.Text.RegularExpressions.Regex("orders-.*"))
            .AddSink<string, string>("sink", "out", "src");
        Assert.Contains("Source: src (topics: orders-.*)", topology.Describe().ToString(), StringComparison.Ordinal);
        using var driver = new TopologyTestDriver(topology, Config());
        driver.CreateInputTopic<string, string>("orders-eu").PipeInput("k", "1");
        driver.CreateInputTopic<string, string>("orders-us").PipeInput("k", "2");
        Assert.Equal(["1", "2"], driver.CreateOutputTopic<string, string>("out").ReadValuesToList());
    }

    private sealed class HeaderTagger : IFixedKeyProcessor<string, string, string>
    {
        private IFixedKeyProcessorContext<string, string> _ctx = null!;

        public void Init(IFixedKeyProcessorContext<string, string> context) => _ctx = context;

        public void Process(FixedKeyRecord<string, string> record)
            => _ctx.Forward(record.WithHeaders(record.Headers.Clone().Add("seen-by", "tagger")).WithValue(record.Value + "!").WithTimestamp(record.Timestamp + 1));
    }

    [Fact]
    public void ProcessValues_keeps_keys_and_can_change_headers_and_timestamps()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").ProcessValues(() => new HeaderTagger()).To("out");
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v", 10, new Headers().Add("origin", "test"));
        var r = driver.CreateOutputTopic<string, string>("out").ReadRecord();
        Assert.Equal(("k", "v!", 11L), (r.Key, r.Value, r.Timestamp!.Value));
        Assert.Equal(["origin", "seen-by"], r.Headers.Select(h => h.Key));
    }

    [Fact]
    public void Process_in_the_dsl_connects_stores_added_to_the_builder()
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Int64()));
        builder.Stream<string, string>("in").Process(() => new PunctuatingCounter(PunctuationType.StreamTime), "counts").To("out", Dsl.Produced.With(Serdes.String(), Serdes.Int64()));
        var text = builder.Build().Describe().ToString();
        Assert.Contains("Processor: KSTREAM-PROCESSOR-0000000001 (stores: [counts])", text, StringComparison.Ordinal);
        using var driver = new TopologyTestDriver(builder.Build(), Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("a", "x", 0);
        Assert.Equal(1L, driver.GetKeyValueStore<string, long>("counts")!.Get("a"));
    }

    private sealed class AddsHeader : IProcessor<string, string, string, string>
    {
        private IProcessorContext<string, string> _ctx = null!;

        public void Init(IProcessorContext<string, string> context) => _ctx = context;

        public void Process(Record<string, string> record)
        {
            record.Headers.Add("trace", "t1");
            _ctx.Forward(record);
        }
    }

    [Fact]
    public void Consumed_records_have_mutable_headers_like_kafka()
    {
        var topology = new Topology().AddSource<string, string>("src", ["in"]).AddProcessor("p", () => new AddsHeader(), "src").AddSink<string, string>("sink", "out", "p");
        using var driver = new TopologyTestDriver(topology, Config());
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v");
        Assert.Equal("t1"u8.ToArray(), driver.CreateOutputTopic<string, string>("out").ReadRecord().Headers.LastValue("trace"));
    }
}
