using System.Diagnostics;
using System.Globalization;

namespace Eddy.Streams.Integration.Tests;

/// <summary>
/// The test assembly run as a program (<c>dotnet Eddy.Streams.Integration.Tests.dll wordcount-peer bootstrap app stateDir port</c>):
/// one word-count application instance in its own process, printing its state changes; it closes cleanly when its
/// standard input closes or says "stop", and otherwise runs until killed.
/// </summary>
public static class PeerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 5 || args[0] != "wordcount-peer")
        {
            await Console.Error.WriteLineAsync("usage: wordcount-peer <bootstrap> <application.id> <state.dir> <port>");
            return 2;
        }
        var config = new StreamsConfig
        {
            ApplicationId = args[2],
            BootstrapServers = args[1],
            StateDir = args[3],
            CommitInterval = TimeSpan.FromMilliseconds(200),
            ApplicationServer = "localhost:" + args[4],
            PollInterval = TimeSpan.FromMilliseconds(20),
        };
        if (args.Length > 5)
        {
            config.NumStandbyReplicas = int.Parse(args[5], CultureInfo.InvariantCulture);
        }
        config["consumer.session.timeout.ms"] = "6000";
        config["consumer.heartbeat.interval.ms"] = "500";
        if (FileLoggerProvider.CreateOrNull("peer@" + args[4]) is { } lf)
        {
            config.LoggerFactory = lf;
        }
        await using var streams = new KafkaStreams(StreamsCluster.WordCount(), config);
        streams.StateChanged += (now, _) => Console.WriteLine("STATE " + now + " restored=" + streams.RestoredRecords().ToString(CultureInfo.InvariantCulture)
            + " active=" + string.Join(",", streams.LocalTasks().Active.Order()) + " standby=" + string.Join(",", streams.LocalTasks().Standby.Order()));
        await streams.StartAsync();
        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
        }
        var closed = await streams.CloseAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine("CLOSED " + closed);
        return 0;
    }
}

/// <summary>A child process whose output lines are collected.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public ChildProcess(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add("ERR " + e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public List<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static ChildProcess WordCountPeer(string bootstrap, string appId, string stateDir, int port, int standbys = 0)
        => new("dotnet", [typeof(PeerProgram).Assembly.Location, "wordcount-peer", bootstrap, appId, stateDir, port.ToString(CultureInfo.InvariantCulture), standbys.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Waits until a line at index <paramref name="fromLine"/> or later matches; earlier lines are ignored
    /// because a process can print the very same state line before and after an event under test.</summary>
    public async Task WaitForAsync(Func<string, bool> predicate, TimeSpan timeout, string what, int fromLine = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        bool Seen() => Lines.Skip(fromLine).Any(predicate);
        while (!Seen())
        {
            if (_process.HasExited && !Seen())
            {
                Assert.Fail($"the process exited ({_process.ExitCode}) before {what}: {string.Join(" | ", Lines.TakeLast(10))}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}: {string.Join(" | ", Lines.TakeLast(10))}");
            }
            await Task.Delay(50);
        }
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            await _process.StandardInput.WriteLineAsync("stop");
            await _process.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await _process.WaitForExitAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
