using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Eddy.Protocol.Compression;

namespace Eddy.Benchmarks;

/// <summary>
/// Compresses ~100 KB of record payload (1,000 records of 100 bytes of semi-repetitive JSON-ish
/// text) per codec. The MB/s column is uncompressed bytes per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CompressionBenchmarks.ThroughputConfig))]
public class CompressionCompressBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 18);
    private byte[] _payload = [];

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup() => _payload = CompressionBenchmarks.Payload();

    [Benchmark]
    public int Compress()
    {
        _output.ResetWrittenCount();
        CompressionCodecs.Compress(Codec, _payload, _output);
        return _output.WrittenCount;
    }
}

/// <summary>
/// Decompresses the same payload per codec. Zstd's input is the payload compressed by the zstd CLI
/// at level 3 (piped, so without a content size, as streaming producers write it).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CompressionBenchmarks.ThroughputConfig))]
public class CompressionDecompressBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 18);
    private byte[] _compressed = [];

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] payload = CompressionBenchmarks.Payload();
        _compressed = Codec == CompressionType.Zstd ? CompressionBenchmarks.ZstdFrame(payload) : CompressionBenchmarks.Compressed(Codec, payload);
    }

    [Benchmark]
    public int Decompress()
    {
        _output.ResetWrittenCount();
        CompressionCodecs.Decompress(Codec, _compressed, _output, 1 << 20);
        return _output.WrittenCount;
    }
}

/// <summary>The shared payload and the MB/s column.</summary>
public static class CompressionBenchmarks
{
    /// <summary>The payload size, for the MB/s column.</summary>
    public static int PayloadBytes => 100_000;

    /// <summary>1,000 records of 100 bytes: ids, user names, event names, timestamps, a number.</summary>
    public static byte[] Payload()
    {
        string[] events = ["click", "view", "purchase", "login", "logout", "search", "scroll", "share"];
        var random = new Random(42);
        var builder = new StringBuilder(PayloadBytes);
        for (int i = 0; i < 1000; i++)
        {
            string record = string.Create(CultureInfo.InvariantCulture,
                $"{{\"id\":{1000000 + i},\"user\":\"user-{random.Next(500)}\",\"event\":\"{events[random.Next(events.Length)]}\",\"ts\":{1700000000000L + (i * 37)},\"v\":{random.NextDouble():F4}}}");
            builder.Append(record.PadRight(100, ' ')[..100]);
        }

        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    public static byte[] Compressed(CompressionType codec, byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        CompressionCodecs.Compress(codec, payload, writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The payload as a zstd -3 frame, made by the CLI when it is installed (it is, by scripts/bootstrap.sh test).</summary>
    public static byte[] ZstdFrame(byte[] payload)
    {
        var start = new System.Diagnostics.ProcessStartInfo("zstd", "-q -c -3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var writer = Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(payload);
            process.StandardInput.Close();
        });
        var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        writer.Wait();
        return output.ToArray();
    }

    /// <summary>Adds MB/s (payload bytes per mean operation time) and the compressed size.</summary>
    public sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new ThroughputColumn());
        }
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "MBps";

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Uncompressed megabytes (10^6 bytes) per second";

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is null)
            {
                return "-";
            }

            double seconds = report.ResultStatistics.Mean / 1e9;
            return (PayloadBytes / seconds / 1e6).ToString("F0", CultureInfo.InvariantCulture);
        }
    }
}
