using System.Globalization;
using Eddy.Broker;
using Eddy.Client;
using Eddy.Streams;
using Eddy.Streams.Dsl;
using Eddy.Streams.SerDes;

namespace Eddy.Bench;

/// <summary>
/// Eddy.Streams on Kafka, end to end through the embedded broker on loopback (broker in this process): N pre-loaded
/// records (100-byte values, 10,000 keys) through (1) a raw Eddy.Client consume-and-produce pipe, (2) a stateless
/// topology (filter + mapValues), (3) a keyed count (groupByKey().count(), cache on). Each run ends when the group's
/// committed offsets reach the end of the input. Reports records/s and cores used (process CPU, broker included).
/// usage: streams-runtime [--records N]
/// </summary>
public sealed class StreamsRuntimeBenchmark : IMacroBenchmark
{
    private const int Partitions = 4;

    public string Name => "streams-runtime";

    public string Description => "Eddy.Streams runtime vs a raw Eddy.Client pipe on the embedded broker: stateless and keyed count over 1M records";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var records = 1_000_000;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--records")
            {
                records = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }
        var dir = Path.Combine(Path.GetTempPath(), "eddy-streams-bench-" + Environment.ProcessId);
        var options = new BrokerOptions { DataDirectory = Path.Combine(dir, "broker"), Port = 0 };
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        options.Settings["offsets.topic.num.partitions"] = "2";
        var broker = await KafkaBroker.StartAsync(options, cancellationToken);
        try
        {
            var bootstrap = broker.BootstrapServers;
            await broker.CreateTopicAsync("bench-in", Partitions);
            foreach (var t in new[] { "bench-raw-out", "bench-stateless-out", "bench-count-out" })
            {
                await broker.CreateTopicAsync(t, Partitions);
            }
            await PreloadAsync(bootstrap, records, cancellationToken);
            output.WriteLine($"Pre-loaded {records:N0} records (100-byte values, 10,000 keys, {Partitions} partitions).");
            output.WriteLine();
            output.WriteLine("| pipeline | records/s | cores used | records/s per core | vs raw pipe |");
            output.WriteLine("|---|---|---|---|---|");

            var raw = await RawPipeAsync(bootstrap, records, cancellationToken);
            output.WriteLine($"| raw Eddy.Client consume → produce | {raw.RecordsPerSecond:N0} | {raw.CoresUsed:F2} | {raw.RecordsPerSecondPerCore:N0} | 100% |");

            var sb = new StreamsBuilder();
            sb.Stream<string, byte[]>("bench-in", Consumed.With(Serdes.String(), Serdes.ByteArray()))
                .Filter((_, v) => v.Length > 0 && v[0] != 0)
                .MapValues(v => v)
                .To("bench-stateless-out", Produced.With(Serdes.String(), Serdes.ByteArray()));
            var stateless = await RunStreamsAsync(bootstrap, "bench-stateless", sb.Build(), records, dir, cancellationToken);
            output.WriteLine($"| Streams: filter + mapValues | {stateless.RecordsPerSecond:N0} | {stateless.CoresUsed:F2} | {stateless.RecordsPerSecondPerCore:N0} | {stateless.RecordsPerSecond / raw.RecordsPerSecond:P0} |");

            var cb = new StreamsBuilder();
            cb.Stream<string, byte[]>("bench-in", Consumed.With(Serdes.String(), Serdes.ByteArray()))
                .GroupByKey(Grouped.With(Serdes.String(), Serdes.ByteArray()))
                .Count(Materialized<string, long>.As("bench-counts").WithKeySerde(Serdes.String()).WithValueSerde(Serdes.Int64()))
                .ToStream()
                .To("bench-count-out", Produced.With(Serdes.String(), Serdes.Int64()));
            var count = await RunStreamsAsync(bootstrap, "bench-count", cb.Build(), records, dir, cancellationToken);
            output.WriteLine($"| Streams: groupByKey().count() (10,000 keys) | {count.RecordsPerSecond:N0} | {count.CoresUsed:F2} | {count.RecordsPerSecondPerCore:N0} | {count.RecordsPerSecond / raw.RecordsPerSecond:P0} |");
            output.WriteLine();
            output.WriteLine($"Machine: {Environment.ProcessorCount} cores; broker, clients and streams threads in one process (CPU includes the broker).");
            return 0;
        }
        finally
        {
            await broker.DisposeAsync();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task PreloadAsync(string bootstrap, int records, CancellationToken ct)
    {
        await using var producer = new KafkaProducer<string, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, BatchSize = 256 * 1024 },
            Serializers.Utf8, Serializers.ByteArray);
        var rnd = new Random(42);
        var value = new byte[100];
        var pending = new List<Task>();
        for (var i = 0; i < records; i++)
        {
            rnd.NextBytes(value);
            pending.Add(producer.ProduceAsync("bench-in", new Message<string, byte[]?> { Key = "key-" + rnd.Next(10_000).ToString(CultureInfo.InvariantCulture), Value = (byte[])value.Clone() }, ct));
            if (pending.Count >= 50_000)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }

    private static async Task<Measurement.Result> RawPipeAsync(string bootstrap, int records, CancellationToken ct)
    {
        var m = new Measurement();
        await using var consumer = new KafkaConsumer<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-raw",
            AutoOffsetReset = Client.AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }, Deserializers.ByteArray, Deserializers.ByteArray);
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }, Serializers.ByteArray, Serializers.ByteArray);
        consumer.Subscribe(["bench-in"]);
        long seen = 0;
        long lastCommit = Environment.TickCount64;
        while (seen < records)
        {
            foreach (var r in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(100), ct))
            {
                producer.Produce(new Client.TopicPartition("bench-raw-out", r.Partition), new Message<byte[]?, byte[]?> { Key = r.Key, Value = r.Value });
                seen++;
            }
            if (Environment.TickCount64 - lastCommit > 1000)
            {
                await producer.FlushAsync(ct);
                await consumer.CommitAsync(ct);
                lastCommit = Environment.TickCount64;
            }
        }
        await producer.FlushAsync(ct);
        await consumer.CommitAsync(ct);
        return m.Stop(records, records * 100L);
    }

    private static async Task<Measurement.Result> RunStreamsAsync(string bootstrap, string appId, Topology topology, int records, string dir, CancellationToken ct)
    {
        var config = new StreamsConfig
        {
            ApplicationId = appId,
            BootstrapServers = bootstrap,
            StateDir = Path.Combine(dir, "state"),
            CommitInterval = TimeSpan.FromSeconds(1),
        };
        var m = new Measurement();
        await using var streams = new KafkaStreams(topology, config);
        await streams.StartAsync(ct);
        await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = bootstrap });
        while (true)
        {
            var committed = await admin.ListConsumerGroupOffsetsAsync(appId, cancellationToken: ct);
            if (committed.Where(o => o.Topic == "bench-in").Sum(o => Math.Max(0, o.Offset)) >= records)
            {
                break;
            }
            await Task.Delay(50, ct);
        }
        var result = m.Stop(records, records * 100L);
        await streams.CloseAsync(TimeSpan.FromSeconds(30));
        return result;
    }
}
