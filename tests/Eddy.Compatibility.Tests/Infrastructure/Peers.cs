using System.Diagnostics;
using System.Text;

namespace Eddy.Compatibility.Tests.Infrastructure;

/// <summary>The real Kafka clients the tests drive, and a way to run them with a deadline.</summary>
internal static class Peers
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string NodePeers => Path.Combine(RepositoryRoot, "tests", "peers", "node");

    public static string PythonPeers => Path.Combine(RepositoryRoot, "tests", "peers", "python");

    /// <summary>Debian's python, which has python3-kafka and python3-confluent-kafka.</summary>
    public const string Python = "/usr/bin/python3";

    public static string Kcat => Require("kcat");

    public static string Node => Require("node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Eddy.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Eddy.slnx not found above the test directory");
    }

    /// <summary>Finds a tool on PATH; a missing peer is a failure, not a skip, since ./test.sh installs them.</summary>
    public static string Require(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            string path = Path.Combine(dir, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{tool} is not installed: run ./test.sh (scripts/bootstrap.sh test installs the test peers)");
    }

    /// <summary>Runs a process to completion, killing it at the deadline.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? standardInput = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (stdout)
        {
            lock (stderr)
            {
                return new ProcessResult(timedOut ? -1 : process.ExitCode, timedOut, stdout.ToString(), stderr.ToString());
            }
        }
    }
}

internal sealed record ProcessResult(int ExitCode, bool TimedOut, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}{(TimedOut ? " (timed out)" : string.Empty)}\nstdout:\n{Output}\nstderr:\n{Error}";
}
