using System.Diagnostics;
using System.Globalization;
using Eddy.Client;

namespace Eddy.Bench;

/// <summary>
/// Eddy.Client and kcat (librdkafka 2.0.2) on the same broker, side by side in one run: produce N
/// records of 100 bytes with acks=1 and acks=all (idempotent for both clients), then consume them.
/// Reports records/s and records/s per core of each client process (the broker's CPU is not counted).
/// usage: client-kcat [--records N] [--bootstrap host:port] (default: librdkafka's mock cluster, 3 brokers)
/// </summary>
public sealed class ClientKcatBenchmark : IMacroBenchmark
{
    public string Name => "client-kcat";

    public string Description => "Eddy.Client vs kcat: produce (acks=1, acks=all) and consume 1M x 100-byte records on one broker";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        int records = 1_000_000;
        string? bootstrap = null;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--records")
            {
                records = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--bootstrap")
            {
                bootstrap = args[i + 1];
            }
        }

        Process? cluster = null;
        string brokerName = "external broker";
        if (bootstrap is null)
        {
            (cluster, bootstrap) = await StartMockClusterAsync();
            brokerName = "librdkafka 2.0.2 mock cluster (3 brokers, loopback)";
        }

        string dir = Path.Combine(Path.GetTempPath(), "eddy-client-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "input.txt");
            await WriteInputAsync(input, records);
            var rows = new List<(string Client, string Test, double Rate, double PerCore, double Cores, double Seconds)>();

            // Warm-up (JIT, connections): not measured.
            string warmup = $"bench-warmup-{Environment.ProcessId}";
            await ProduceWithEddyAsync(bootstrap, warmup, 100_000, "1", cancellationToken);
            await ConsumeWithEddyAsync(bootstrap, warmup, cancellationToken);

            foreach (var acks in new[] { "all", "1" })
            {
                string eddyTopic = $"bench-eddy-acks{acks}-{Environment.ProcessId}";
                string kcatTopic = $"bench-kcat-acks{acks}-{Environment.ProcessId}";
                var eddy = await ProduceWithEddyAsync(bootstrap, eddyTopic, records, acks, cancellationToken);
                rows.Add(("Eddy.Client", $"produce acks={acks}", eddy.RecordsPerSecond, eddy.RecordsPerSecondPerCore, eddy.CoresUsed, eddy.Wall.TotalSeconds));
                var kcat = await TimeAsync(
                    $"kcat -P -b {bootstrap} -t {kcatTopic} -X acks={(acks == "all" ? "all" : "1")} -X enable.idempotence={(acks == "all" ? "true" : "false")} -X linger.ms=5 < {input}", records);
                rows.Add(("kcat", $"produce acks={acks}", kcat.Rate, kcat.PerCore, kcat.Cores, kcat.Seconds));
                output.WriteLine($"produce acks={acks}: Eddy {eddy}; kcat {kcat.Rate:N0} rec/s, {kcat.PerCore:N0} rec/s/core");

                if (acks == "1")
                {
                    var eddyConsume = await ConsumeWithEddyAsync(bootstrap, eddyTopic, cancellationToken);
                    rows.Add(("Eddy.Client", $"consume ({eddyConsume.Records:N0} records)", eddyConsume.RecordsPerSecond, eddyConsume.RecordsPerSecondPerCore, eddyConsume.CoresUsed, eddyConsume.Wall.TotalSeconds));
                    string consumed = Path.Combine(dir, "consumed.txt");
                    var kcatConsume = await TimeAsync($"kcat -C -b {bootstrap} -t {kcatTopic} -o beginning -e -q -f '%o\\n' > {consumed}", -1, consumed);
                    rows.Add(("kcat", $"consume ({kcatConsume.Records:N0} records)", kcatConsume.Rate, kcatConsume.PerCore, kcatConsume.Cores, kcatConsume.Seconds));
                    output.WriteLine($"consume: Eddy {eddyConsume}; kcat {kcatConsume.Rate:N0} rec/s, {kcatConsume.PerCore:N0} rec/s/core");
                }
            }

            output.WriteLine();
            output.WriteLine($"{records:N0} records of 100 bytes, {brokerName}, {Environment.ProcessorCount} cores");
            output.WriteLine();
            output.WriteLine("| test | client | records/s | records/s per core | cores used | seconds |");
            output.WriteLine("|---|---|---:|---:|---:|---:|");
            foreach (var row in rows.OrderBy(r => r.Test, StringComparer.Ordinal).ThenBy(r => r.Client, StringComparer.Ordinal))
            {
                output.WriteLine($"| {row.Test} | {row.Client} | {row.Rate:N0} | {row.PerCore:N0} | {row.Cores:F2} | {row.Seconds:F2} |");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            if (cluster is not null)
            {
                cluster.StandardInput.Close();
                if (!cluster.WaitForExit(5000))
                {
                    cluster.Kill(entireProcessTree: true);
                }

                cluster.Dispose();
            }
        }
    }

    private static async Task<Measurement.Result> ProduceWithEddyAsync(string bootstrap, string topic, int records, string acks, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, BatchSize = 64 * 1024 };
        config["acks"] = acks;
        await using var producer = new KafkaProducer<Null, byte[]>(config, Serializers.Null, Serializers.ByteArray, BenchLoggerFactory.FromEnvironment());
        // Warm up: metadata, connections, producer id.
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = new byte[100] }, cancellationToken);
        var value = new byte[100];
        long failed = 0;
        Action<DeliveryResult<Null, byte[]>> report = r =>
        {
            if (!r.IsSuccess)
            {
                Interlocked.Increment(ref failed);
            }
        };
        var message = new Message<Null, byte[]> { Value = value };
        var measurement = new Measurement();
        for (int i = 0; i < records - 1; i++)
        {
            producer.Produce(topic, message, report);
        }

        await producer.FlushAsync(cancellationToken);
        var result = measurement.Stop(records, (long)records * 100);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} records failed");
        }

        return result;
    }

    /// <summary>Consumes everything the broker holds (librdkafka's mock cluster keeps only ~5 MB per partition).</summary>
    private static async Task<Measurement.Result> ConsumeWithEddyAsync(string bootstrap, string topic, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, AutoOffsetReset = AutoOffsetReset.Earliest, MaxPollRecords = 10_000, FetchMaxBytes = 64 << 20, MaxPartitionFetchBytes = 4 << 20 };
        await using var consumer = new KafkaConsumer<Null, byte[]>(config, Deserializers.Ignore, Deserializers.ByteArray, BenchLoggerFactory.FromEnvironment());
        await using (var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = bootstrap }))
        {
            var topics = await admin.DescribeTopicsAsync([topic], cancellationToken);
            consumer.Assign(topics[0].Partitions.Select(p => new TopicPartition(topic, p.Partition)));
        }

        var ends = new Dictionary<TopicPartition, long>();
        foreach (var tp in consumer.Assignment)
        {
            ends[tp] = (await consumer.QueryWatermarkOffsetsAsync(tp, cancellationToken)).High;
        }

        var measurement = new Measurement();
        long count = 0;
        long bytes = 0;
        while (ends.Any(e => consumer.Position(e.Key) < e.Value))
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromSeconds(1), cancellationToken))
            {
                bytes += record.Value.Length;
                count++;
            }
        }

        return measurement.Stop(count, bytes);
    }

    private static async Task<(double Rate, double PerCore, double Cores, double Seconds, long Records)> TimeAsync(string command, long records, string? countLinesOf = null)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"/usr/bin/time -f '%e %U %S' {command}");
        using var process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' failed: {stderr}");
        }

        var last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ');
        double wall = double.Parse(last[0], CultureInfo.InvariantCulture);
        double cpu = double.Parse(last[1], CultureInfo.InvariantCulture) + double.Parse(last[2], CultureInfo.InvariantCulture);
        if (countLinesOf is not null)
        {
            records = File.ReadLines(countLinesOf).LongCount();
        }

        return (records / wall, records / Math.Max(cpu, 0.01), cpu / wall, wall, records);
    }

    private static async Task WriteInputAsync(string path, int records)
    {
        await using var writer = new StreamWriter(path);
        string line = new('x', 100);
        for (int i = 0; i < records; i++)
        {
            await writer.WriteLineAsync(line);
        }
    }

    private static async Task<(Process Process, string Bootstrap)> StartMockClusterAsync()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Eddy.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Eddy.slnx not found");
        }

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(root, "tests", "peers", "python", "mock_cluster.py"));
        start.ArgumentList.Add("3");
        var process = Process.Start(start)!;
        string bootstrap = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the mock cluster did not start");
        return (process, bootstrap);
    }
}

/// <summary>A minimal console logger for diagnosing benchmark runs (EDDY_BENCH_LOG=Debug).</summary>
internal sealed class BenchLoggerFactory(Microsoft.Extensions.Logging.LogLevel minimum) : Microsoft.Extensions.Logging.ILoggerFactory
{
    public static Microsoft.Extensions.Logging.ILoggerFactory? FromEnvironment() =>
        Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(Environment.GetEnvironmentVariable("EDDY_BENCH_LOG"), out var level) ? new BenchLoggerFactory(level) : null;

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, Microsoft.Extensions.Logging.LogLevel minimum) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
