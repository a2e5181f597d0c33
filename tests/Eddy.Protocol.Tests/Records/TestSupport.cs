using System.Diagnostics;
using Eddy.Protocol.Compression;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Eddy.Protocol.Tests.Records;

/// <summary>
/// A theory whose first argument is a <see cref="CompressionType"/>: rows for codecs that
/// <see cref="CompressionCodecs"/> cannot handle yet are reported as skipped, with the reason, so they
/// light up on their own when the codec lands.
/// </summary>
[XunitTestCaseDiscoverer("Eddy.Protocol.Tests.Records.CodecTheoryDiscoverer", "Eddy.Protocol.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class CodecTheoryAttribute : TheoryAttribute
{
    /// <summary>Whether the rows need compression (true) or only decompression (false).</summary>
    public bool NeedsCompress { get; set; } = true;
}

public sealed class CodecTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        if (dataRow.Length > 0 && dataRow[0] is CompressionType type)
        {
            bool compress = theoryAttribute.GetNamedArgument<bool?>(nameof(CodecTheoryAttribute.NeedsCompress)) ?? true;
            bool supported = compress ? CompressionCodecs.CanCompress(type) && CompressionCodecs.CanDecompress(type) : CompressionCodecs.CanDecompress(type);
            if (!supported)
            {
                return CreateTestCasesForSkippedDataRow(
                    discoveryOptions, testMethod, theoryAttribute, dataRow,
                    $"CompressionCodecs cannot {(compress ? "compress" : "decompress")} {type} yet");
            }
        }

        return base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow);
    }
}

/// <summary>A fact that needs Debian's python3-kafka (kafka-python 2.0.2) under /usr/bin/python3.</summary>
public sealed class KafkaPythonFactAttribute : FactAttribute
{
    public KafkaPythonFactAttribute()
    {
        if (!KafkaPython.IsAvailable)
        {
            Skip = "kafka-python is not installed for /usr/bin/python3 (scripts/bootstrap.sh test installs python3-kafka)";
        }
    }
}

/// <summary>A theory that needs kafka-python; see <see cref="KafkaPythonFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("Eddy.Protocol.Tests.Records.CodecTheoryDiscoverer", "Eddy.Protocol.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class KafkaPythonCodecTheoryAttribute : TheoryAttribute
{
    public KafkaPythonCodecTheoryAttribute()
    {
        if (!KafkaPython.IsAvailable)
        {
            Skip = "kafka-python is not installed for /usr/bin/python3 (scripts/bootstrap.sh test installs python3-kafka)";
        }
    }

    public bool NeedsCompress { get; set; } = true;
}

internal static class KafkaPython
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            var (code, _, _) = Run("import kafka.record.default_records", [], TimeSpan.FromSeconds(30));
            return code == 0;
        }
        catch (Exception)
        {
            return false;
        }
    });

    public static bool IsAvailable => Available.Value;

    /// <summary>Runs a Python script with arguments; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(string script, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 did not finish within {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Whether kafka-python has the library for a codec (python3-snappy, python3-lz4, python3-zstandard).</summary>
    public static bool HasCodec(CompressionType type)
    {
        string check = type switch
        {
            CompressionType.None or CompressionType.Gzip => "True",
            CompressionType.Snappy => "kafka.codec.has_snappy()",
            CompressionType.Lz4 => "kafka.codec.has_lz4()",
            CompressionType.Zstd => "kafka.codec.has_zstd()",
            _ => "False",
        };
        var (code, _, _) = Run($"import sys, kafka.codec\nsys.exit(0 if {check} else 1)", [], TimeSpan.FromSeconds(30));
        return code == 0;
    }
}

public static class Codecs
{
    public static TheoryData<CompressionType> All => [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
}
