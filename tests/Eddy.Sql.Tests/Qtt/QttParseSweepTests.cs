using System.Text;
using Eddy.Sql.Qtt;
using Xunit.Abstractions;

namespace Eddy.Sql.Tests.Qtt;

/// <summary>
/// Loads every ksqlDB query-validation test file (when ../shared/ksql-qtt exists) and parses every
/// statement of every run. A statement must parse, unless the case expects a parse failure, in which
/// case parsing must fail. The per-file table is written to artifacts/qtt-parse-sweep.md.
/// </summary>
public sealed class QttParseSweepTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_statement_in_the_ksqlDB_test_files_parses_or_fails_as_expected()
    {
        var dir = TestPaths.QttDirectory;
        if (dir is null)
        {
            output.WriteLine("../shared/ksql-qtt not found: nothing to sweep.");
            return;
        }

        var sweep = QttParseSweep.Run(dir);
        var report = sweep.Report();
        output.WriteLine(report);
        var artifacts = Path.Combine(TestPaths.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "qtt-parse-sweep.md"), report);

        Assert.True(sweep.Files > 0, "no QTT files found");
        Assert.True(sweep.Problems.Count == 0, $"{sweep.Problems.Count} statements did not parse as expected:\n" + string.Join("\n", sweep.Problems.Take(40)));
    }
}

/// <summary>The parse sweep over QTT files.</summary>
internal sealed class QttParseSweep
{
    public int Files { get; private set; }

    public int Statements { get; private set; }

    public int Parsed { get; private set; }

    public int ExpectedParseFailures { get; private set; }

    public int ExpectedParseFailuresMatched { get; private set; }

    public int SemanticFailuresAtParse { get; private set; }

    public List<string> Problems { get; } = [];

    public List<string> Notes { get; } = [];

    private readonly List<(string File, int Statements, int Parsed, int Problems)> _perFile = [];

    public static QttParseSweep Run(string dir)
    {
        var sweep = new QttParseSweep();
        foreach (var file in QttLoader.LoadDirectory(dir))
        {
            sweep.Files++;
            var before = (sweep.Statements, sweep.Parsed, sweep.Problems.Count);
            foreach (var testCase in file.Tests)
            {
                foreach (var run in testCase.ExpandRuns())
                {
                    sweep.SweepRun(file, run);
                }
            }

            sweep._perFile.Add((Path.GetRelativePath(dir, file.Path), sweep.Statements - before.Statements, sweep.Parsed - before.Parsed, sweep.Problems.Count - before.Count));
        }

        return sweep;
    }

    private void SweepRun(QttFile file, QttTestRun run)
    {
        var expected = run.Case.ExpectedException;
        var expectParseFailure = expected?.IsParseFailure == true;
        // As ksqlDB's test runner does, the statements are parsed as one script joined by newlines, so
        // error positions count lines across statements.
        var statements = run.Statements;
        Statements += statements.Count;
        SqlException? failure = null;
        string? failedStatement = null;
        try
        {
            SqlParser.ParseStatements(string.Join("\n", statements));
            Parsed += statements.Count;
        }
        catch (SqlException e)
        {
            failure = e;
            var line = e.Location?.Line ?? 1;
            failedStatement = line - 1 < statements.Count ? statements[line - 1] : string.Join(" ", statements);
            Parsed += Math.Max(0, line - 1);
        }

        var where = $"{Path.GetFileName(file.Path)} / {run.Name}";
        if (expectParseFailure)
        {
            ExpectedParseFailures++;
            if (failure is null)
            {
                Problems.Add($"{where}: expected a parse failure ({expected!.Message}) but every statement parsed");
            }
            else if (expected!.Message is null || failure.Message.Contains(expected.Message, StringComparison.Ordinal))
            {
                ExpectedParseFailuresMatched++;
            }
            else
            {
                Notes.Add($"{where}: failed to parse as expected; message differs. expected '{expected.Message}', got '{failure.Message}'");
            }

            return;
        }

        if (failure is null)
        {
            return;
        }

        var expectedMessage = expected?.Message ?? run.Case.ExpectedError?.Message;
        if (expectedMessage is not null && failure.Message.Contains(expectedMessage, StringComparison.Ordinal))
        {
            // A semantic error ksqlDB reports later that Eddy reports while parsing, with the same message.
            SemanticFailuresAtParse++;
            return;
        }

        Problems.Add($"{where}: {failure.Message.Replace("\n", " | ", StringComparison.Ordinal)}\n    statement: {failedStatement}" + (expectedMessage is null ? string.Empty : $"\n    (case expects: {expectedMessage})"));
    }

    public string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# QTT parse sweep");
        sb.AppendLine();
        sb.AppendLine($"{Files} files, {Statements} statements (each run's statements parsed as one script, as ksqlDB's runner does); {Parsed} parsed.");
        sb.AppendLine($"{ExpectedParseFailures} runs expect a parse failure; all of them fail to parse, {ExpectedParseFailuresMatched} with the expected message text.");
        sb.AppendLine($"{SemanticFailuresAtParse} runs expect a semantic error that Eddy already reports while parsing, with the expected text.");
        sb.AppendLine($"{Problems.Count} problems.");
        sb.AppendLine();
        sb.AppendLine("| file | statements | parsed | problems |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var (file, statements, parsed, problems) in _perFile)
        {
            sb.AppendLine($"| {file} | {statements} | {parsed} | {problems} |");
        }

        if (Problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Problems");
            foreach (var p in Problems)
            {
                sb.AppendLine("- " + p);
            }
        }

        if (Notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Expected parse failures with a different message");
            foreach (var n in Notes)
            {
                sb.AppendLine("- " + n);
            }
        }

        return sb.ToString();
    }
}
