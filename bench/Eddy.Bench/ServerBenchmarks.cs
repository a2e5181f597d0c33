using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Eddy.Client;
using Eddy.Server;

namespace Eddy.Bench;

/// <summary>Starts an <see cref="EddyServer"/> on the embedded broker (ephemeral ports, a temporary data dir) for the server benchmarks.</summary>
internal static class BenchServer
{
    public static async Task<(EddyServer Server, HttpClient Http, string Dir)> StartAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), "eddy-server-bench-" + Environment.ProcessId);
        var options = new EddyServerOptions { DataDirectory = dir, BrokerPort = 0 };
        options.Listeners.Add("http://127.0.0.1:0");
        options.BrokerSettings["group.initial.rebalance.delay.ms"] = "0";
        var server = await EddyServer.StartAsync(options, cancellationToken);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var http = new HttpClient(handler) { BaseAddress = new Uri(server.Urls[0]), Timeout = TimeSpan.FromMinutes(5) };
        return (server, http, dir);
    }

    public static async Task StopAsync(EddyServer server, HttpClient http, string dir)
    {
        http.Dispose();
        await server.DisposeAsync();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static async Task KsqlAsync(HttpClient http, string ksql, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { ksql, streamsProperties = new Dictionary<string, string> { ["auto.offset.reset"] = "earliest" } });
        using var response = await http.PostAsync("/ksql", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{ksql} failed: {text}");
        }
    }

    /// <summary>Produces rows with INT keys 0..keys-1 (Kafka's big-endian serializer) and JSON values straight to the topic.</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, int rows, int keys, CancellationToken cancellationToken)
    {
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(
            new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }, Serializers.ByteArray, Serializers.ByteArray);
        var pending = new List<Task>(1024);
        for (var i = 0; i < rows; i++)
        {
            var key = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(key, i % keys);
            var value = Encoding.UTF8.GetBytes($"{{\"PAGE\":\"page-{i % 100}\",\"AMOUNT\":{i}}}");
            pending.Add(producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = key, Value = value }, cancellationToken));
            if (pending.Count == 1024)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }
}

/// <summary>
/// Push-query fan-out: N HTTP clients each run <c>SELECT * FROM S EMIT CHANGES</c> on /query-stream (HTTP/1.1,
/// delimited); then M rows are produced to the stream's topic, and the clock stops when every client has
/// received every row. Reports rows/s delivered in total (N × M / time) and per client.
/// usage: server-push-fanout [--rows M] [--clients 1,4,16]
/// </summary>
public sealed class ServerPushFanoutBenchmark : IMacroBenchmark
{
    public string Name => "server-push-fanout";

    public string Description => "eddy server push queries: rows/s delivered to N concurrent HTTP clients of /query-stream";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var rows = 20_000;
        int[] clientCounts = [1, 4, 16];
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--rows")
            {
                rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--clients")
            {
                clientCounts = [.. args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            }
        }

        var (server, http, dir) = await BenchServer.StartAsync(cancellationToken);
        try
        {
            output.WriteLine($"{rows:N0} rows produced per run (INT key, 2-column JSON value); each client reads all of them.");
            output.WriteLine();
            output.WriteLine("| clients | rows delivered | seconds | rows/s delivered | rows/s per client | cores used |");
            output.WriteLine("|---:|---:|---:|---:|---:|---:|");
            var run = 0;
            foreach (var n in clientCounts)
            {
                var stream = $"FANOUT_{run++}";
                await BenchServer.KsqlAsync(http, $"CREATE STREAM {stream} (ID INT KEY, PAGE STRING, AMOUNT BIGINT) WITH (kafka_topic='{stream.ToLowerInvariant()}', value_format='JSON', partitions=1);", cancellationToken);
                var ready = new CountdownEvent(n);
                var readers = Enumerable.Range(0, n).Select(_ => ReadAsync(http, stream, rows, ready, cancellationToken)).ToList();
                await Task.Run(() => ready.Wait(TimeSpan.FromMinutes(2), cancellationToken), cancellationToken);
                var measurement = new Measurement();
                await BenchServer.ProduceAsync(server.BootstrapServers, stream.ToLowerInvariant(), rows, rows, cancellationToken);
                await Task.WhenAll(readers);
                var result = measurement.Stop((long)rows * n, 0);
                output.WriteLine($"| {n} | {(long)rows * n:N0} | {result.Wall.TotalSeconds:F2} | {result.RecordsPerSecond:N0} | {result.RecordsPerSecond / n:N0} | {result.CoresUsed:F2} |");
            }
        }
        finally
        {
            await BenchServer.StopAsync(server, http, dir);
        }

        return 0;
    }

    private static async Task ReadAsync(HttpClient http, string stream, int rows, CountdownEvent ready, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { sql = $"SELECT * FROM {stream} EMIT CHANGES LIMIT {rows};", properties = new Dictionary<string, string> { ["auto.offset.reset"] = "latest" } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/query-stream") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        _ = await reader.ReadLineAsync(cancellationToken);

        // The metadata line is written once the query's consumer is assigned; a little slack lets it reach "latest".
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        ready.Signal();
        var seen = 0;
        while (seen < rows && await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                seen++;
            }
        }

        if (seen < rows)
        {
            throw new InvalidOperationException($"a client saw {seen} of {rows} rows");
        }
    }
}

/// <summary>
/// Pull-query latency: a CTAS count over a stream with K distinct INT keys (100,000 by default), then an
/// open-loop load of key lookups at a fixed rate (1,000 requests/s by default) for a fixed time on /query.
/// Latency is measured from each request's scheduled start (no coordinated omission). Reports p50, p99,
/// p99.9, max and the rate achieved.
/// usage: server-pull-latency [--keys K] [--rate R] [--seconds S]
/// </summary>
public sealed class ServerPullLatencyBenchmark : IMacroBenchmark
{
    public string Name => "server-pull-latency";

    public string Description => "eddy server pull queries: p50/p99 latency of key lookups at 1,000 req/s on a 100,000-key table";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var keys = 100_000;
        var rate = 1_000;
        var seconds = 15;
        for (var i = 0; i < args.Length - 1; i += 2)
        {
            var v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--keys":
                    keys = v;
                    break;
                case "--rate":
                    rate = v;
                    break;
                case "--seconds":
                    seconds = v;
                    break;
            }
        }

        var (server, http, dir) = await BenchServer.StartAsync(cancellationToken);
        try
        {
            await BenchServer.KsqlAsync(http, "CREATE STREAM EVENTS (ID INT KEY, PAGE STRING, AMOUNT BIGINT) WITH (kafka_topic='events', value_format='JSON', partitions=1);", cancellationToken);
            await BenchServer.KsqlAsync(http, "CREATE TABLE TOTALS AS SELECT ID, COUNT(*) AS N, SUM(AMOUNT) AS TOTAL FROM EVENTS GROUP BY ID;", cancellationToken);
            var load = Stopwatch.StartNew();
            await BenchServer.ProduceAsync(server.BootstrapServers, "events", keys, keys, cancellationToken);
            while (await LookupAsync(http, keys - 1, cancellationToken) is not true)
            {
                await Task.Delay(200, cancellationToken);
            }

            output.WriteLine($"Table TOTALS: {keys:N0} keys materialized in {load.Elapsed.TotalSeconds:F1} s (produce + aggregate).");

            // Warm-up, then the measured open-loop run.
            await RunLoadAsync(http, keys, rate, 2, cancellationToken);
            var measurement = new Measurement();
            var (latencies, errors) = await RunLoadAsync(http, keys, rate, seconds, cancellationToken);
            var result = measurement.Stop(latencies.Count, 0);
            latencies.Sort();
            double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
            output.WriteLine();
            output.WriteLine("| target req/s | achieved req/s | requests | errors | p50 ms | p99 ms | p99.9 ms | max ms | cores used |");
            output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            if (_firstError is not null)
            {
                output.WriteLine($"first failed lookup: {_firstError}");
            }

            output.WriteLine($"| {rate:N0} | {latencies.Count / (double)seconds:N0} | {latencies.Count:N0} | {errors} | {P(0.50):F2} | {P(0.99):F2} | {P(0.999):F2} | {latencies.LastOrDefault():F2} | {result.CoresUsed:F2} |");
        }
        finally
        {
            await BenchServer.StopAsync(server, http, dir);
        }

        return 0;
    }

    private static string? _firstError;

    private static async Task<bool?> LookupAsync(HttpClient http, int key, CancellationToken cancellationToken)
    {
        var body = $"{{\"ksql\":\"SELECT * FROM TOTALS WHERE ID={key};\"}}";
        using var response = await http.PostAsync("/query", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var ok = response.StatusCode == HttpStatusCode.OK && text.Contains("\"row\"", StringComparison.Ordinal);
        if (!ok)
        {
            Interlocked.CompareExchange(ref _firstError, $"key {key}: {(int)response.StatusCode} {text}", null);
        }

        return response.StatusCode == HttpStatusCode.OK ? ok : null;
    }

    private static async Task<(List<double> Latencies, int Errors)> RunLoadAsync(HttpClient http, int keys, int rate, int seconds, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(rate * seconds);
        var errors = 0;
        var random = new Random(42);
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>(rate * seconds);
        var total = rate * seconds;
        for (var i = 0; i < total; i++)
        {
            var scheduled = TimeSpan.FromSeconds(i / (double)rate);
            var wait = scheduled - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            var key = random.Next(keys);
            tasks.Add(Task.Run(async () =>
            {
                var found = await LookupAsync(http, key, cancellationToken);
                var latency = (clock.Elapsed - scheduled).TotalMilliseconds;
                lock (latencies)
                {
                    if (found is true)
                    {
                        latencies.Add(latency);
                    }
                    else
                    {
                        errors++;
                    }
                }
            }, cancellationToken));
        }

        await Task.WhenAll(tasks);
        return (latencies, errors);
    }
}
