using System.Diagnostics;

namespace Eddy.Bench;

/// <summary>
/// Wall time, CPU time and peak memory of this process over a measured section, so results can be
/// reported as records/s and records/s per core (CPU time / wall time = cores used).
/// </summary>
public sealed class Measurement
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Stops the clock and returns what was measured for <paramref name="records"/> records of <paramref name="bytes"/> bytes.</summary>
    public Result Stop(long records, long bytes)
    {
        _wall.Stop();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Result(records, bytes, _wall.Elapsed, process.TotalProcessorTime - _cpuStart, process.PeakWorkingSet64);
    }

    /// <summary>The outcome of one measured section.</summary>
    public sealed record Result(long Records, long Bytes, TimeSpan Wall, TimeSpan Cpu, long PeakWorkingSetBytes)
    {
        public double RecordsPerSecond => Records / Wall.TotalSeconds;

        public double MegabytesPerSecond => Bytes / 1e6 / Wall.TotalSeconds;

        public double CoresUsed => Cpu.TotalSeconds / Wall.TotalSeconds;

        public double RecordsPerSecondPerCore => CoresUsed > 0 ? Records / Cpu.TotalSeconds : double.NaN;

        public override string ToString() =>
            $"{Records:N0} records in {Wall.TotalSeconds:F2} s: {RecordsPerSecond:N0} rec/s, {MegabytesPerSecond:F1} MB/s, " +
            $"{CoresUsed:F2} cores, {RecordsPerSecondPerCore:N0} rec/s/core, peak {PeakWorkingSetBytes / 1048576.0:F0} MiB";
    }

    /// <summary>CPU time of another process (a peer such as kcat), for per-core figures of both sides.</summary>
    public static TimeSpan CpuOf(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
