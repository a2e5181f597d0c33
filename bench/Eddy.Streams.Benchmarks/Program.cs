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

        // Issue 6: windows and joins. Event time advances 1 ms per 10 records (10,000 records per second of event time).
        var windowed = stateful;
        RunWindowed("(d) tumbling 1 s count, typed", windowed, keys, WindowScenario.Tumbling);
        RunWindowed("(d) tumbling 1 s count, string serdes", windowed, keys, WindowScenario.TumblingSerdes);
        RunWindowed("(e) hopping 10 s/2 s count, typed", windowed, keys, WindowScenario.Hopping);
        RunWindowed("(f) session 10 s gap count, typed", windowed, keys, WindowScenario.Session);
        RunWindowed("(g) stream-table join, typed", windowed, keys, WindowScenario.StreamTable);
        RunWindowed("(h) stream-stream join 10 s, typed", windowed, UniformKeys(windowed, JoinKeys, seed: 3), WindowScenario.StreamStream);
    }

    private const int JoinKeys = 100_000;

    private enum WindowScenario { Tumbling, TumblingSerdes, Hopping, Session, StreamTable, StreamStream }

    private static int[] UniformKeys(long n, int keys, int seed)
    {
        var random = new Random(seed);
        var result = new int[n];
        for (long i = 0; i < n; i++)
        {
            result[i] = random.Next(keys);
        }
        return result;
    }

    private static void RunWindowed(string name, long n, int[] keyIndexes, WindowScenario scenario)
    {
        if (_only is not null && !name.Contains(_only, StringComparison.Ordinal))
        {
            return;
        }
        ExecuteWindowed(Math.Min(n / 5, 1_000_000), keyIndexes, scenario, out _);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        ExecuteWindowed(n, keyIndexes, scenario, out var outputs);
        sw.Stop();
        proc.Refresh();
        var cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        var alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        var wall = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-44} {n,12:N0} {wall,8:F2} {cpu / wall,6:F2} {n / cpu,14:N0} {(double)alloc / n,8:F1}   (outputs {outputs:N0})");
    }

    private static void ExecuteWindowed(long n, int[] keyIndexes, WindowScenario scenario, out long outputs)
    {
        var config = new StreamsConfig { ApplicationId = "bench" };
        var builder = new StreamsBuilder();
        long sink = 0;
        switch (scenario)
        {
            case WindowScenario.Tumbling:
                builder.Stream<string, long>("in").GroupByKey().WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromSeconds(1)))
                    .Count().ToStream().Foreach((k, v) => sink++);
                break;
            case WindowScenario.TumblingSerdes:
                builder.Stream("in", Consumed.With(Serdes.String(), Serdes.String())).GroupByKey().WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromSeconds(1)))
                    .Count().ToStream().To("out", Produced.With(WindowedSerdes.TimeWindowedSerdeFrom(Serdes.String(), 1000), Serdes.Int64()));
                break;
            case WindowScenario.Hopping:
                builder.Stream<string, long>("in").GroupByKey()
                    .WindowedBy(TimeWindows.OfSizeWithNoGrace(TimeSpan.FromSeconds(10)).AdvanceBy(TimeSpan.FromSeconds(2)))
                    .Count().ToStream().Foreach((k, v) => sink++);
                break;
            case WindowScenario.Session:
                builder.Stream<string, long>("in").GroupByKey().WindowedBy(SessionWindows.OfInactivityGapWithNoGrace(TimeSpan.FromSeconds(10)))
                    .Count().ToStream().Foreach((k, v) => sink++);
                break;
            case WindowScenario.StreamTable:
                builder.Stream<string, long>("in").Join(builder.Table<string, long>("table"), (v, t) => v + t).Foreach((k, v) => sink++);
                break;
            case WindowScenario.StreamStream:
                builder.Stream<string, long>("in").Join(builder.Stream<string, long>("right"), (l, r) => l + r,
                    JoinWindows.OfTimeDifferenceWithNoGrace(TimeSpan.FromSeconds(10))).Foreach((k, v) => sink++);
                break;
        }
        var topology = builder.Build();
        topology.Builder.Rewrite(config);
        var producer = new CountingProducer();
        var task = new StreamTask(new TaskId(0, 0), topology.BuildTask(config, null), config, new RecordCollector(producer, NullLogger.Instance),
            new ThreadCache(config.StateStoreCacheMaxBytes), new Dictionary<string, IStateStore>());
        task.Initialize();
        var keyCount = keyIndexes.Max() + 1;
        var keyStrings = new string[keyCount];
        var keyBytes = new byte[keyCount][];
        for (var i = 0; i < keyCount; i++)
        {
            keyStrings[i] = "key-" + i.ToString(CultureInfo.InvariantCulture);
            keyBytes[i] = System.Text.Encoding.UTF8.GetBytes(keyStrings[i]);
        }
        if (scenario == WindowScenario.StreamTable)
        {
            for (var i = 0; i < keyCount; i++)
            {
                task.ProcessTyped("table", 0, i, keyStrings[i], (long)i, 0);
            }
            task.PrepareCommit();
            task.PostCommit();
        }
        var value = "1"u8.ToArray();
        for (long i = 0; i < n; i++)
        {
            var k = keyIndexes[i];
            var ts = i / 10;
            switch (scenario)
            {
                case WindowScenario.TumblingSerdes:
                    task.AddRecord(new RawRecord("in", 0, i, ts, TimestampType.CreateTime, null, keyBytes[k], value));
                    task.Process();
                    break;
                case WindowScenario.StreamStream:
                    // The two sides alternate.
                    task.ProcessTyped((i & 1) == 0 ? "in" : "right", 0, i, keyStrings[k], i, ts);
                    break;
                default:
                    task.ProcessTyped("in", 0, i, keyStrings[k], i, ts);
                    break;
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
