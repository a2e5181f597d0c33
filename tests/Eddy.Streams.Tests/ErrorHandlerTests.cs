using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Streams.Tests;

public class ErrorHandlerTests
{
    private static TopologyTestDriver Driver(Action<StreamsBuilder> build, Action<StreamsConfig> configure)
    {
        var builder = new StreamsBuilder();
        build(builder);
        var config = new StreamsConfig { ApplicationId = "errors" };
        configure(config);
        return new TopologyTestDriver(builder.Build(), config);
    }

    [Fact]
    public void Deserialization_errors_fail_the_task_by_default()
    {
        using var driver = Driver(b => b.Stream("in", Dsl.Consumed.With(Serdes.String(), Serdes.Int64())).To("out"), _ => { });
        var input = driver.CreateInputTopic<string, string>("in", Serdes.String(), Serdes.String());
        var e = Assert.Throws<StreamsException>(() => input.PipeInput("k", "not-a-long"));
        Assert.Contains("Deserialization exception handler is set to fail", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_and_continue_drops_undeserializable_records_and_counts_them()
    {
        using var driver = Driver(b => b.Stream("in", Dsl.Consumed.With(Serdes.String(), Serdes.Int64())).To("out"),
            c => c.DeserializationExceptionHandler = new LogAndContinueExceptionHandler());
        var input = driver.CreateInputTopic<string, byte[]>("in", Serdes.String(), Serdes.ByteArray());
        input.PipeInput("k", [1, 2, 3]);
        input.PipeInput("k", [0, 0, 0, 0, 0, 0, 0, 7]);
        Assert.Equal([7L], driver.CreateOutputTopic<string, long>("out").ReadValuesToList());
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    [Fact]
    public void Processing_errors_fail_by_default_and_continue_with_the_continue_handler()
    {
        static void Build(StreamsBuilder b) => b.Stream<string, string>("in").MapValues(v => v == "boom" ? throw new InvalidOperationException("boom") : v).To("out");
        using (var failing = Driver(Build, _ => { }))
        {
            var e = Assert.Throws<FailedProcessingException>(() => failing.CreateInputTopic<string, string>("in").PipeInput("k", "boom"));
            Assert.Equal("KSTREAM-MAPVALUES-0000000001", e.ProcessorName);
        }
        using var driver = Driver(Build, c => c.ProcessingExceptionHandler = new LogAndContinueProcessingExceptionHandler());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "boom");
        input.PipeInput("k", "ok");
        Assert.Equal(["ok"], driver.CreateOutputTopic<string, string>("out").ReadValuesToList());
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    private sealed class Capturing : IProcessingExceptionHandler
    {
        public List<ErrorHandlerContext> Contexts { get; } = [];

        public HandlerResponse Handle(in ErrorHandlerContext context, object? key, object? value, Exception exception, Microsoft.Extensions.Logging.ILogger logger)
        {
            Contexts.Add(context);
            return HandlerResponse.Continue;
        }
    }

    [Fact]
    public void Processing_handler_sees_the_failing_processor_and_input_record_origin()
    {
        var handler = new Capturing();
        using var driver = Driver(b => b.Stream<string, string>("in").Filter((k, v) => throw new FormatException()).To("out"),
            c => c.ProcessingExceptionHandler = handler);
        driver.CreateInputTopic<string, string>("in").PipeInput("k", "v", 55);
        var ctx = Assert.Single(handler.Contexts);
        Assert.Equal(("KSTREAM-FILTER-0000000001", "in", 0, 0L, 55L), (ctx.ProcessorNodeId, ctx.Topic, ctx.Partition, ctx.Offset, ctx.Timestamp));
    }

    private sealed class ThrowingSerializer : ISerde<string>, ISerdeProvider
    {
        public byte[]? Serialize(string data, SerializationContext context) => data == "bad" ? throw new SerializationException("cannot") : System.Text.Encoding.UTF8.GetBytes(data);

        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => System.Text.Encoding.UTF8.GetString(data);

        public ISerde<T>? GetSerde<T>() => this as ISerde<T>;
    }

    [Fact]
    public void Production_handler_decides_on_serialization_errors_at_sinks()
    {
        static void Build(StreamsBuilder b) => b.Stream<string, string>("in").To("out", Dsl.Produced.With(Serdes.String(), new ThrowingSerializer()));
        using (var failing = Driver(Build, _ => { }))
        {
            Assert.Throws<StreamsException>(() => failing.CreateInputTopic<string, string>("in").PipeInput("k", "bad"));
        }
        using var driver = Driver(Build, c => c.ProductionExceptionHandler = new ContinueOnProductionExceptionHandler());
        var input = driver.CreateInputTopic<string, string>("in");
        input.PipeInput("k", "bad");
        input.PipeInput("k", "good");
        Assert.Equal(["good"], driver.CreateOutputTopic<string, string>("out").ReadValuesToList());
        Assert.Equal(1, driver.DroppedRecordsTotal);
    }

    [Fact]
    public void Missing_serdes_fail_with_a_message_naming_the_setting()
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, DateTime>("in").To("out");
        var e = Assert.Throws<StreamsException>(() => new TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "x" }));
        Assert.Contains("default.value.serde", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_answers_to_kafka_names_and_validates()
    {
        var c = new StreamsConfig(new Dictionary<string, object?> { ["application.id"] = "a", ["cache.max.bytes.buffering"] = "0", ["commit.interval.ms"] = 100 });
        Assert.Equal("a", c.ApplicationId);
        Assert.Equal(0, c.StateStoreCacheMaxBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(100), c.CommitInterval);
        Assert.IsType<FailOnInvalidTimestamp>(c.DefaultTimestampExtractor);
        Assert.IsType<LogAndFailExceptionHandler>(c.DeserializationExceptionHandler);
        c[StreamsConfig.ProcessingGuaranteeConfig] = "exactly_once_v2";
        Assert.Equal(ProcessingGuarantee.ExactlyOnceV2, c.ProcessingGuarantee);
        Assert.Throws<StreamsException>(() => new StreamsConfig().Validate());
    }
}
