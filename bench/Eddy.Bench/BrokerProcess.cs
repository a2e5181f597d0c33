using System.Diagnostics;
using System.Globalization;

namespace Eddy.Bench;

/// <summary>The real <c>eddy broker</c> executable, started on a loopback port with a temporary data directory.</summary>
internal sealed class BrokerProcess : IAsyncDisposable
{
    private BrokerProcess(Process process, string bootstrap)
    {
        Process = process;
        Bootstrap = bootstrap;
    }

    public Process Process { get; }

    public string Bootstrap { get; }

    /// <summary>Starts <c>eddy broker</c> (built with <c>dotnet build src/Eddy.Cli -c Release</c>); null with a message if it is not built.</summary>
    public static async Task<BrokerProcess?> StartAsync(string dataDirectory, IEnumerable<string> settings, TextWriter output, CancellationToken cancellationToken)
    {
        string eddy = Path.Combine(FindRoot(), "artifacts", "bin", "Eddy.Cli", "release", "eddy.dll");
        if (!File.Exists(eddy))
        {
            output.WriteLine($"{eddy} is missing: run `dotnet build src/Eddy.Cli -c Release` first");
            return null;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { eddy, "broker", "--data-dir", dataDirectory, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start)!;
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(cancellationToken)) is not null && !line.StartsWith("bootstrap.servers=", StringComparison.Ordinal))
        {
        }

        if (line is null)
        {
            string errors = await process.StandardError.ReadToEndAsync(cancellationToken);
            throw new InvalidOperationException($"eddy broker did not start: {errors}");
        }

        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        return new BrokerProcess(process, line["bootstrap.servers=".Length..].Split(' ')[0]);
    }

    /// <summary>The broker process's CPU time so far.</summary>
    public TimeSpan Cpu()
    {
        Process.Refresh();
        return Process.TotalProcessorTime;
    }

    /// <summary>The broker process's peak resident memory (VmHWM), in MiB.</summary>
    public double PeakMemoryMiB()
    {
        string status = $"/proc/{Process.Id}/status";
        if (File.Exists(status))
        {
            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        Process.Refresh();
        return Process.PeakWorkingSet64 / 1048576.0;
    }

    /// <summary>The 1-minute load average (the machine is shared: noted beside each figure).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static string FindRoot()
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

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync(CancellationToken.None);
        }

        Process.Dispose();
    }
}
