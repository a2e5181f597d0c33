using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Dsl;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Streams.Benchmarks;

public sealed record Event(long Id, string Kind, double Amount);

[JsonSerializable(typeof(Event))]
public sealed partial class BenchJson : JsonSerializerContext
{
}

/// <summary>
/// In-process throughput of Eddy.Streams tasks, driven like the runtime drives them (records added to a task's
/// queues, processed one by one, committed periodically), with no broker. Reports records/s per core: records
/// divided by process CPU time (all threads, GC included), and bytes allocated per record.
/// Usage: dotnet run -c Release --project bench/Eddy.Streams.Benchmarks [-- --records N] [--quick] [--only "(b)"]
/// </summary>
public static class Program
{
    private const int Keys = 10_000;
    private const int CommitEvery = 100_000;

    public static void Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var recordsArg = Array.IndexOf(args, "--records");
        long stateless = recordsArg >= 0 ? long.Parse(args[recordsArg + 1], CultureInfo.InvariantCulture) : quick ? 1_000_000 : 20_000_000;
        var stateful = stateless / 2;
        var onlyArg = Array.IndexOf(args, "--only");
        _only = onlyArg >= 0 ? args[onlyArg + 1] : null;

        Console.WriteLine($"Eddy.Streams in-process benchmark: {Environment.ProcessorCount} cores, {Keys:N0} Zipf(1.0) keys, commit every {CommitEvery:N0} records");
        Console.WriteLine($"{"scenario",-44} {"records",12} {"wall s",8} {"cores",6} {"rec/s/core",14} {"B/rec",8}");
        var keys = ZipfKeys(Math.Max(stateless, stateful), seed: 1);

        Run("(a) filter+mapValues, typed", stateless, keys, Scenario.Stateless, Format.Typed, 0);
        Run("(a) filter+mapValues, string serdes", stateless, keys, Scenario.Stateless, Format.String, 0);
        Run("(a) filter+mapValues, JSON serdes", stateless, keys, Scenario.Stateless, Format.Json, 0);
        Run("(b) groupByKey.count cached, typed", stateful, keys, Scenario.Count, Format.Typed, StreamsConfig.DefaultStateStoreCacheMaxBytes);
        Run("(b) groupByKey.count cached, string serdes", stateful, keys, Scenario.Count, Format.String, StreamsConfig.DefaultStateStoreCacheMaxBytes);
        Run("(b) groupByKey.count cached, JSON serdes", stateful, keys, Scenario.Count, Format.Json, StreamsConfig.DefaultStateStoreCacheMaxBytes);
        Run("(c) groupByKey.count uncached, typed", stateful, keys, Scenario.Count, Format.Typed, 0);
        Run("(c) groupByKey.count uncached, string serdes", stateful, keys, Scenario.Count, Format.String, 0);
        Run("(c) groupByKey.count uncached, JSON serdes", stateful, keys, Scenario.Count, Format.Json, 0);
    }

    private enum Scenario { Stateless, Count }

    private enum Format { Typed, String, Json }

    private static int[] ZipfKeys(long n, int seed)
    {
        var cdf = new double[Keys];
        double sum = 0;
        for (var i = 0; i < Keys; i++)
        {
            sum += 1.0 / (i + 1);
            cdf[i] = sum;
        }
        var random = new Random(seed);
        var result = new int[n];
        for (long i = 0; i < n; i++)
        {
            var u = random.NextDouble() * sum;
            var idx = Array.BinarySearch(cdf, u);
            result[i] = idx >= 0 ? idx : Math.Min(~idx, Keys - 1);
        }
        return result;
    }

    private sealed class CountingProducer : IStreamsProducer
    {
        public long Count;

        public int? PartitionsFor(string topic) => 1;

        public void Send(in ProducerRecord record) => Count++;

        public void Flush() { }
    }

    private static string? _only;

    private static void Run(string name, long n, int[] keyIndexes, Scenario scenario, Format format, long cacheBytes)
    {
        if (_only is not null && !name.Contains(_only, StringComparison.Ordinal))
        {
            return;
        }
        // Warm up (JIT, tiering) on a smaller run, then measure a fresh task.
        Execute(Math.Min(n / 5, 2_000_000), keyIndexes, scenario, format, cacheBytes, out _);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        Execute(n, keyIndexes, scenario, format, cacheBytes, out var outputs);
        sw.Stop();
        proc.Refresh();
        var cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        var alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        var wall = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-44} {n,12:N0} {wall,8:F2} {cpu / wall,6:F2} {n / cpu,14:N0} {(double)alloc / n,8:F1}   (outputs {outputs:N0})");
    }

    private static void Execute(long n, int[] keyIndexes, Scenario scenario, Format format, long cacheBytes, out long outputs)
    {
        var config = new StreamsConfig { ApplicationId = "bench", StateStoreCacheMaxBytes = cacheBytes };
        var builder = new StreamsBuilder();
        long sink = 0;
        switch (scenario, format)
        {
            case (Scenario.Stateless, Format.Typed):
                builder.Stream<string, long>("in").Filter((k, v) => (v & 7) != 0).MapValues(v => v * 2).Foreach((k, v) => sink++);
                break;
            case (Scenario.Stateless, Format.String):
                builder.Stream("in", Consumed.With(Serdes.String(), Serdes.String()))
                    .Filter((k, v) => v[^1] != '0').MapValues(v => v + "!").To("out", Produced.With(Serdes.String(), Serdes.String()));
                break;
            case (Scenario.Stateless, Format.Json):
                builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Json(BenchJson.Default.Event)))
                    .Filter((k, v) => v.Kind != "refund").MapValues(v => v with { Amount = v.Amount * 2 })
                    .To("out", Produced.With(Serdes.String(), Serdes.Json(BenchJson.Default.Event)));
                break;
            case (Scenario.Count, Format.Typed):
                builder.Stream<string, long>("in").GroupByKey().Count().ToStream().Foreach((k, v) => sink++);
                break;
            case (Scenario.Count, Format.String):
                builder.Stream("in", Consumed.With(Serdes.String(), Serdes.String())).GroupByKey().Count()
                    .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
                break;
            case (Scenario.Count, Format.Json):
                builder.Stream("in", Consumed.With(Serdes.String(), Serdes.Json(BenchJson.Default.Event))).GroupByKey().Count()
                    .ToStream().To("out", Produced.With(Serdes.String(), Serdes.Int64()));
                break;
        }
        var topology = builder.Build();
        topology.Builder.Rewrite(config);
        var producer = new CountingProducer();
        var task = new StreamTask(new TaskId(0, 0), topology.BuildTask(config, null), config, new RecordCollector(producer, NullLogger.Instance),
            cacheBytes > 0 ? new ThreadCache(cacheBytes) : null, new Dictionary<string, IStateStore>());
        task.Initialize();

        var keyStrings = new string[Keys];
        var keyBytes = new byte[Keys][];
        for (var i = 0; i < Keys; i++)
        {
            keyStrings[i] = "key-" + i.ToString(CultureInfo.InvariantCulture);
            keyBytes[i] = System.Text.Encoding.UTF8.GetBytes(keyStrings[i]);
        }
        const int distinctValues = 1024;
        var values = new byte[distinctValues][];
        for (var i = 0; i < distinctValues; i++)
        {
            values[i] = format == Format.Json
                ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Event(i, i % 10 == 0 ? "refund" : "sale", i * 1.25), BenchJson.Default.Event)
                : System.Text.Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture));
        }

        for (long i = 0; i < n; i++)
        {
            var k = keyIndexes[i];
            if (format == Format.Typed)
            {
                task.ProcessTyped("in", 0, i, keyStrings[k], i, i);
            }
            else
            {
                task.AddRecord(new RawRecord("in", 0, i, i, TimestampType.CreateTime, null, keyBytes[k], values[i & (distinctValues - 1)]));
                task.Process();
            }
            if ((i + 1) % CommitEvery == 0)
            {
                task.PrepareCommit();
                task.PostCommit();
            }
        }
        task.PrepareCommit();
        task.PostCommit();
        task.Close();
        outputs = sink + producer.Count;
    }
}
