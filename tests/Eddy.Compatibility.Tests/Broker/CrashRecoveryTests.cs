using System.Globalization;
using Eddy.Compatibility.Tests.Infrastructure;

namespace Eddy.Compatibility.Tests.Broker;

/// <summary>
/// The broker as a real process (<c>eddy broker</c>): kill -9 while acks=all producers run, restart,
/// and check that every acknowledged record is there exactly once at its acknowledged offset.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Eddy => Path.Combine(Peers.RepositoryRoot, "artifacts", "bin", "Eddy.Cli", "release", "eddy.dll");

    private static PeerProcess StartBroker(string dataDirectory) => new("dotnet",
    [
        Eddy, "broker", "--data-dir", dataDirectory, "--port", "0",
        "--set", "num.partitions=3", "--set", "group.initial.rebalance.delay.ms=0", "--set", "log.segment.bytes=1048576",
    ]);

    private static async Task<string> BootstrapOf(PeerProcess broker)
    {
        await broker.WaitForLineAsync(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal), Timeout, "the broker to listen");
        var line = broker.Lines.First(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal));
        return line["bootstrap.servers=".Length..line.IndexOf(' ', StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Killing_the_broker_process_during_acks_all_produce_loses_no_acknowledged_record()
    {
        string dir = Path.Combine(Path.GetTempPath(), "eddy-crash-" + Guid.NewGuid().ToString("N"));
        try
        {
            var acked = new Dictionary<(int, long), string>();
            await using (var broker = StartBroker(dir))
            {
                string bootstrap = await BootstrapOf(broker);
                await using var producers = new PeerProcess(Peers.Python, [Path.Combine(Peers.PythonPeers, "broker_confluent.py"), "produce-until-killed", bootstrap, "crash", "first"]);
                await using var second = new PeerProcess(Peers.Python, [Path.Combine(Peers.PythonPeers, "broker_confluent.py"), "produce-until-killed", bootstrap, "crash", "second"]);
                await producers.WaitUntilAsync((lines, _) => lines.Count >= 20_000 && second.Lines.Count >= 2_000, Timeout, "acknowledged records from both producers");

                // SIGKILL: no shutdown hook, no flush, no marker.
                broker.Kill();
                await broker.WaitForExitAsync(Timeout);
                await Task.Delay(500); // let acknowledgements already on the wire be printed; not needed for correctness
                producers.Kill();
                second.Kill();
                foreach (var line in producers.Lines.Concat(second.Lines))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int p) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long o))
                    {
                        Assert.True(acked.TryAdd((p, o), parts[2]), $"offset {p}/{o} acknowledged twice");
                    }
                }
            }

            Assert.True(acked.Count >= 22_000, $"only {acked.Count} acknowledgements");
            Assert.False(File.Exists(Path.Combine(dir, ".eddy_cleanshutdown")));

            await using (var restarted = StartBroker(dir))
            {
                string bootstrap = await BootstrapOf(restarted);
                Assert.Contains("recovering", restarted.Errors, StringComparison.Ordinal);
                var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", bootstrap, "-C", "-t", "crash", "-o", "beginning", "-e", "-q", "-f", "%p %o %s\n"], Timeout);
                Assert.True(consumed.ExitCode == 0, consumed.ToString());
                var log = new Dictionary<(int, long), string>();
                foreach (var line in consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = line.Split(' ');
                    var key = (int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
                    log.Add(key, parts[2]);
                }

                foreach (var ((p, o), value) in acked)
                {
                    Assert.True(log.TryGetValue((p, o), out var stored), $"acknowledged {value} at {p}/{o} is missing after the crash");
                    Assert.Equal(value, stored);
                }

                // Exactly once: idempotent producers never store a value twice, acknowledged or not.
                foreach (var group in log.GroupBy(e => e.Value))
                {
                    Assert.True(group.Count() == 1, $"{group.Key} is stored {group.Count()} times");
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Broker_process_shuts_down_cleanly_on_SIGTERM_and_restarts_without_recovery()
    {
        string dir = Path.Combine(Path.GetTempPath(), "eddy-sigterm-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var broker = StartBroker(dir))
            {
                string bootstrap = await BootstrapOf(broker);
                await ConfluentKafkaBrokerTests.ProduceAsync(bootstrap, "term", 0, 1000);
                var kill = await Peers.RunAsync("/bin/kill", ["-TERM", broker.Id.ToString(CultureInfo.InvariantCulture)], Timeout);
                Assert.Equal(0, kill.ExitCode);
                Assert.Equal(0, await broker.WaitForExitAsync(Timeout));
                Assert.Contains("eddy broker stopped cleanly", broker.Lines);
            }

            Assert.True(File.Exists(Path.Combine(dir, ".eddy_cleanshutdown")));
            await using (var restarted = StartBroker(dir))
            {
                string bootstrap = await BootstrapOf(restarted);
                Assert.DoesNotContain("recovering", restarted.Errors, StringComparison.Ordinal);
                var consumed = await Peers.RunAsync(Peers.Kcat, ["-b", bootstrap, "-C", "-t", "term", "-o", "beginning", "-e", "-q", "-f", "%s\n"], Timeout);
                Assert.Equal(1000, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Count());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Eddy_broker_reads_a_kafka_style_properties_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "eddy-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "server.properties");
            await File.WriteAllTextAsync(file, $"# a Kafka server.properties\nlog.dirs={Path.Combine(dir, "data")}\nlisteners=PLAINTEXT://127.0.0.1:0\nnum.partitions=5\nlog.retention.hours=24\n");
            await using var broker = new PeerProcess("dotnet", [Eddy, "broker", "--config", file]);
            string bootstrap = await BootstrapOf(broker);
            Assert.Contains(Path.Combine(dir, "data"), broker.Lines.First(l => l.StartsWith("bootstrap.servers=", StringComparison.Ordinal)), StringComparison.Ordinal);
            var produce = await Peers.RunAsync(Peers.Kcat, ["-b", bootstrap, "-P", "-t", "auto-created"], Timeout, "hello\n");
            Assert.True(produce.ExitCode == 0, produce.ToString());
            var metadata = await Peers.RunAsync(Peers.Kcat, ["-b", bootstrap, "-L", "-J", "-t", "auto-created"], Timeout);
            using var json = System.Text.Json.JsonDocument.Parse(metadata.Output);
            Assert.Equal(5, json.RootElement.GetProperty("topics")[0].GetProperty("partitions").GetArrayLength());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
