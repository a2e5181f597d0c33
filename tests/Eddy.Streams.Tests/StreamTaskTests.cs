using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Tests;

/// <summary>The task as the Kafka runtime will drive it: fetched batches per partition, processed in time order.</summary>
public class StreamTaskTests
{
    private sealed class Capture : IStreamsProducer
    {
        public List<ProducerRecord> Sent { get; } = [];

        public int? PartitionsFor(string topic) => 3;

        public void Send(in ProducerRecord record) => Sent.Add(record);

        public void Flush() { }
    }

    private static (StreamTask Task, Capture Producer) Task(Action<StreamsBuilder> build)
    {
        var builder = new StreamsBuilder();
        build(builder);
        var topology = builder.Build();
        var config = new StreamsConfig { ApplicationId = "task" };
        topology.Builder.Rewrite(config);
        var producer = new Capture();
        var task = new StreamTask(new TaskId(0, 1), topology.BuildTask(config, null), config,
            new RecordCollector(producer, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), new ThreadCache(1 << 20), new Dictionary<string, IStateStore>());
        task.Initialize();
        return (task, producer);
    }

    private static RawRecord Raw(string topic, int partition, long offset, long ts, string value)
        => new(topic, partition, offset, ts, TimestampType.CreateTime, null, "k"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(value));

    [Fact]
    public void Task_processes_records_across_partitions_in_timestamp_order_and_tracks_stream_time()
    {
        var (task, producer) = Task(b => b.Stream<string, string>("a").Merge(b.Stream<string, string>("b")).To("out"));
        task.AddRecords(new TopicPartition("a", 1), [Raw("a", 1, 0, 10, "a10"), Raw("a", 1, 1, 30, "a30")]);
        task.AddRecords(new TopicPartition("b", 1), [Raw("b", 1, 0, 20, "b20"), Raw("b", 1, 1, 25, "b25")]);
        Assert.Equal(4, task.BufferedRecords);
        while (task.Process())
        {
        }
        Assert.Equal(["a10", "b20", "b25", "a30"], producer.Sent.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)));
        Assert.Equal(30, task.StreamTime);
        var offsets = task.PrepareCommit();
        Assert.Equal(2, offsets[new TopicPartition("a", 1)]);
        Assert.Equal(2, offsets[new TopicPartition("b", 1)]);
        task.PostCommit();
        Assert.False(task.CommitNeeded);
    }

    [Fact]
    public void Changelog_records_go_to_the_task_partition_and_commit_flushes_the_cache_first()
    {
        var (task, producer) = Task(b => b.Stream<string, string>("in").GroupByKey().Count(Dsl.Materialized<string, long>.As("c")));
        task.AddRecords(new TopicPartition("in", 1), [Raw("in", 1, 0, 1, "x"), Raw("in", 1, 1, 2, "y")]);
        while (task.Process())
        {
        }
        Assert.Empty(producer.Sent);
        task.PrepareCommit();
        var changelog = Assert.Single(producer.Sent);
        Assert.Equal(("task-c-changelog", (int?)1, 2L), (changelog.Topic, changelog.Partition, changelog.Timestamp));
        Assert.Equal(2L, Serdes.Int64().Deserialize(changelog.Value, false, default));
    }

    [Fact]
    public void Stream_partitioner_chooses_the_output_partition()
    {
        var (task, producer) = Task(b => b.Stream<string, string>("in")
            .To("out", Dsl.Produced<string, string>.With(Serdes.String(), Serdes.String()).WithStreamPartitioner(new StreamPartitioner<string, string>((t, k, v, n) => n - 1))));
        task.AddRecords(new TopicPartition("in", 1), [Raw("in", 1, 0, 1, "x")]);
        task.Process();
        Assert.Equal(2, producer.Sent.Single().Partition);
    }

    [Fact]
    public void A_closed_task_rejects_work()
    {
        var (task, _) = Task(b => b.Stream<string, string>("in").To("out"));
        task.Close();
        Assert.Throws<InvalidOperationException>(() => task.Process());
    }

    [Fact]
    public void Records_for_topics_the_task_does_not_read_are_rejected()
    {
        var (task, _) = Task(b => b.Stream<string, string>("in").To("out"));
        Assert.Throws<StreamsException>(() => task.AddRecords(new TopicPartition("other", 0), [Raw("other", 0, 0, 0, "x")]));
    }
}

public class MetricsTests
{
    [Fact]
    public void Dropped_and_processed_records_are_published_on_the_eddy_streams_meter()
    {
        long dropped = 0, processed = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Eddy.Streams")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            var app = tags.ToArray().FirstOrDefault(t => t.Key == "application-id").Value as string;
            if (app != "metrics-test")
            {
                return;
            }
            if (instrument.Name == "eddy.streams.task.dropped_records")
            {
                Interlocked.Add(ref dropped, value);
            }
            else if (instrument.Name == "eddy.streams.task.processed_records")
            {
                Interlocked.Add(ref processed, value);
            }
        });
        listener.Start();
        var builder = new StreamsBuilder();
        builder.Stream<string?, string>("in").GroupByKey().Count();
        using (var driver = new Testing.TopologyTestDriver(builder.Build(), new StreamsConfig { ApplicationId = "metrics-test" }))
        {
            var input = driver.CreateInputTopic<string?, string>("in");
            input.PipeInput(null, "v");
            input.PipeInput("k", "v");
        }
        Assert.Equal(1, Interlocked.Read(ref dropped));
        Assert.Equal(2, Interlocked.Read(ref processed));
    }
}

public class TaskCloseTests
{
    private sealed class Capture : IStreamsProducer
    {
        public List<ProducerRecord> Sent { get; } = [];

        public int? PartitionsFor(string topic) => 1;

        public void Send(in ProducerRecord record) => Sent.Add(record);

        public void Flush() { }
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    public void A_clean_close_flushes_caches_first_and_a_dirty_close_drops_them(bool clean, int expectedSends)
    {
        var builder = new StreamsBuilder();
        builder.Stream<string, string>("in").GroupByKey().Count().ToStream().To("out");
        var topology = builder.Build();
        var config = new StreamsConfig { ApplicationId = "close" };
        topology.Builder.Rewrite(config);
        var producer = new Capture();
        var task = new StreamTask(new TaskId(0, 0), topology.BuildTask(config, null), config,
            new RecordCollector(producer, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), new ThreadCache(1 << 20), new Dictionary<string, IStateStore>());
        task.Initialize();
        task.AddRecords(new TopicPartition("in", 0), [new RawRecord("in", 0, 0, 1, TimestampType.CreateTime, null, "k"u8.ToArray(), "v"u8.ToArray())]);
        task.Process();
        Assert.Empty(producer.Sent);
        task.Close(clean);
        // A clean close sends the changelog record and the output record.
        Assert.Equal(expectedSends, producer.Sent.Count);
    }
}
