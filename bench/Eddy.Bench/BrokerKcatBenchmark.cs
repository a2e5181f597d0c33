using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Eddy.Bench;

/// <summary>
/// kcat (librdkafka 2.0.2) as producer and as consumer against <c>eddy broker</c> on loopback:
/// 1,000,000 messages of 100 bytes with acks=all and with acks=1. Reports messages/s, MB/s and the
/// broker process's CPU. Anchors: Kafka's single-producer figure (~820,000 msgs/s at 100 bytes) and
/// librdkafka's own (over 1M produced, 3M consumed per second).
/// </summary>
/// <remarks>
/// usage: <c>dotnet run -c Release --project bench/Eddy.Bench -- broker-kcat [messages] [partitions] [rounds]</c>.
/// Needs <c>dotnet build src/Eddy.Cli -c Release</c> first (the harness runs the real eddy executable).
/// </remarks>
public sealed class BrokerKcatBenchmark : IMacroBenchmark
{
    public string Name => "broker-kcat";

    public string Description => "kcat producer/consumer vs `eddy broker` on loopback: 1M x 100 B, acks=all and acks=1";

    public async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        int messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        int partitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        string root = FindRoot();
        string eddy = Path.Combine(root, "artifacts", "bin", "Eddy.Cli", "release", "eddy.dll");
        if (!File.Exists(eddy))
        {
            output.WriteLine($"{eddy} is missing: run `dotnet build src/Eddy.Cli -c Release` first");
            return 1;
        }

        string work = Path.Combine(Path.GetTempPath(), "eddy-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        string input = Path.Combine(work, "messages.txt");
        await WriteMessagesAsync(input, messages, cancellationToken);
        int port = 29092 + Random.Shared.Next(1000);
        var broker = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { eddy, "broker", "--data-dir", Path.Combine(work, "data"), "--port", port.ToString(CultureInfo.InvariantCulture), "--set", $"num.partitions={partitions}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            string? line;
            while ((line = await broker.StandardOutput.ReadLineAsync(cancellationToken)) is not null && !line.StartsWith("bootstrap.servers=", StringComparison.Ordinal))
            {
            }

            _ = broker.StandardError.ReadToEndAsync(cancellationToken);
            string bootstrap = $"127.0.0.1:{port}";
            output.WriteLine($"{KcatVersion()} vs eddy broker; {messages:N0} messages x 100 bytes; {partitions} partition(s); {Environment.ProcessorCount} cores");
            output.WriteLine();
            output.WriteLine("| run | messages | seconds | msgs/s | MB/s | broker CPU s | broker cores |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            // Three rounds, median reported: the machine is shared and single runs are noisy.
            foreach (var acks in new[] { "all", "1" })
            {
                var produced = new List<(TimeSpan Wall, TimeSpan BrokerCpu)>();
                var consumed = new List<(TimeSpan Wall, TimeSpan BrokerCpu)>();
                for (int round = 0; round < rounds; round++)
                {
                    string topic = $"bench-acks-{acks}-{round}";
                    produced.Add(await MeasureAsync(broker, $"kcat -P -b {bootstrap} -t {topic} -X acks={acks} -X linger.ms=5 -X queue.buffering.max.messages=1000000 < {input}", cancellationToken));
                    consumed.Add(await MeasureAsync(broker, $"kcat -C -b {bootstrap} -t {topic} -o beginning -c {messages} -q > /dev/null", cancellationToken));
                }

                Report(output, $"produce acks={acks}", messages, Median(produced));
                Report(output, $"consume (written with acks={acks})", messages, Median(consumed));
            }

            return 0;
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Kill(entireProcessTree: true);
                await broker.WaitForExitAsync(CancellationToken.None);
            }

            broker.Dispose();
            Directory.Delete(work, recursive: true);
        }
    }

    private static (TimeSpan Wall, TimeSpan BrokerCpu) Median(List<(TimeSpan Wall, TimeSpan BrokerCpu)> runs) =>
        runs.OrderBy(r => r.Wall).ElementAt(runs.Count / 2);

    private static void Report(TextWriter output, string run, int messages, (TimeSpan Wall, TimeSpan BrokerCpu) result)
    {
        double seconds = result.Wall.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {run} | {messages:N0} | {seconds:F2} | {messages / seconds:N0} | {messages * 100.0 / 1e6 / seconds:F1} | {result.BrokerCpu.TotalSeconds:F2} | {result.BrokerCpu.TotalSeconds / seconds:F2} |"));
    }

    private static async Task<(TimeSpan Wall, TimeSpan BrokerCpu)> MeasureAsync(Process broker, string command, CancellationToken cancellationToken)
    {
        broker.Refresh();
        var cpuBefore = broker.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var kcat = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command }, RedirectStandardError = true })!;
        var errors = kcat.StandardError.ReadToEndAsync(cancellationToken);
        await kcat.WaitForExitAsync(cancellationToken);
        clock.Stop();
        broker.Refresh();
        if (kcat.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed: {await errors}");
        }

        return (clock.Elapsed, broker.TotalProcessorTime - cpuBefore);
    }

    private static async Task WriteMessagesAsync(string path, int count, CancellationToken cancellationToken)
    {
        await using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var random = new Random(42);
        var line = new char[100];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < line.Length; c++)
            {
                line[c] = (char)('a' + random.Next(26));
            }

            await file.WriteLineAsync(line, cancellationToken);
        }
    }

    private static string KcatVersion()
    {
        using var p = Process.Start(new ProcessStartInfo("kcat", "-V") { RedirectStandardOutput = true })!;
        string all = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var version = all.Split('\n').FirstOrDefault(l => l.StartsWith("kcat - ", StringComparison.Ordinal) || l.Contains("librdkafka version", StringComparison.Ordinal));
        return (version ?? "kcat").Trim();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Eddy.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Eddy.slnx not found");
    }
}
