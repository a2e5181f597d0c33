using System.Text;
using Eddy.Sql.Qtt;
using Eddy.Sql.Testing;
using Eddy.TestSupport;
using Xunit.Abstractions;

namespace Eddy.Sql.Tests.Qtt;

/// <summary>
/// Runs the QTT runner (what <c>eddy sql-test</c> runs) over ../shared/ksql-qtt when that folder exists,
/// writes the per-file table and every failure with its reason into the "ksqlDB query-validation tests"
/// section of docs/conformance.md, and fails when the pass rate over runnable cases falls below the floor
/// recorded from the last run (so regressions fail CI, failing cases alone do not).
/// </summary>
public sealed class QttConformanceTests(ITestOutputHelper output)
{
    /// <summary>The pass rate over runnable runs measured at the last recorded run, rounded down.</summary>
    private const double PassRateFloor = 0.91;

    private const string SectionTitle = "## ksqlDB query-validation tests";

    [Fact]
    public void The_runner_passes_at_least_the_recorded_share_of_ksqlDB_test_runs()
    {
        var dir = TestPaths.QttDirectory;
        if (dir is null)
        {
            output.WriteLine("../shared/ksql-qtt not found: nothing to run.");
            return;
        }

        var runner = new QttRunner();
        var results = QttLoader.LoadDirectory(dir).Select(runner.RunFile).OrderBy(r => r.File, StringComparer.Ordinal).ToList();
        var passed = results.Sum(r => r.Passed);
        var failed = results.Sum(r => r.Failed);
        var skipped = results.Sum(r => r.Skipped);
        var summary = $"{passed} passed, {failed} failed, {skipped} skipped";
        output.WriteLine(summary);
        WriteSection(results, passed, failed, skipped);

        Assert.True(passed + failed > 0, "no runnable QTT runs found");
        var rate = (double)passed / (passed + failed);
        Assert.True(rate >= PassRateFloor, $"pass rate {rate:P1} fell below the recorded floor {PassRateFloor:P0}: {summary}");
    }

    private static void WriteSection(List<QttFileResult> results, int passed, int failed, int skipped)
    {
        var sb = new StringBuilder();
        sb.AppendLine(SectionTitle);
        sb.AppendLine();
        sb.AppendLine("`eddy sql-test ../shared/ksql-qtt` runs ksqlDB's query-validation test files with the topology test driver");
        sb.AppendLine("(src/Eddy.Sql/Testing/QttRunner.cs); `QttConformanceTests` runs it in CI and rewrites this section.");
        var rate = passed + failed == 0 ? 0 : 100.0 * passed / (passed + failed);
        sb.AppendLine();
        sb.AppendLine($"**{passed} passed, {failed} failed, {skipped} skipped** ({rate:F1}% of runnable runs pass). Skipped runs need AVRO, PROTOBUF or");
        sb.AppendLine("JSON_SR with a schema registry, or the REST server (the `rest/` files), or are disabled in the file.");
        sb.AppendLine();
        sb.AppendLine("| file | passed | failed | skipped |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.AppendLine($"| {r.File} | {r.Passed} | {r.Failed} | {r.Skipped} |");
        }

        sb.AppendLine();
        sb.AppendLine("### Remaining failures");
        sb.AppendLine();
        foreach (var r in results.SelectMany(f => f.Runs).Where(r => r.Outcome == QttOutcome.Failed))
        {
            sb.AppendLine($"- {r.File} / {ConformanceDoc.Escape(r.Name)}: {ConformanceDoc.Escape(r.Reason ?? string.Empty)}");
        }

        ConformanceDoc.ReplaceSection(TestPaths.RepoRoot, SectionTitle, sb.ToString(), "## ksqlDB query tests");
    }
}
