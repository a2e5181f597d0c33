using System.Text;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Qtt;
using Eddy.Sql.Tests.Functions;
using Eddy.Sql.Types;
using Xunit.Abstractions;

namespace Eddy.Sql.Tests.Qtt;

/// <summary>
/// Runs every statement of every QTT run through the analyzer (CREATE, CREATE AS SELECT, INSERT INTO,
/// queries) against a fresh catalog, then compares the sources the case lists under "post" (schema,
/// kind, formats, window) with what the analyzer produced, and expected errors with the analyzer's
/// messages. The report is written to artifacts/qtt-analysis-sweep.md.
/// </summary>
public sealed class QttAnalysisSweepTests(ITestOutputHelper output)
{
    [Fact]
    public void The_analyzer_agrees_with_the_ksqlDB_test_files()
    {
        var dir = TestPaths.QttDirectory;
        if (dir is null)
        {
            output.WriteLine("../shared/ksql-qtt not found: nothing to sweep.");
            return;
        }

        var sweep = QttAnalysisSweep.Run(dir);
        var report = sweep.Report();
        output.WriteLine(report);
        var artifacts = Path.Combine(TestPaths.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "qtt-analysis-sweep.md"), report);

        Assert.True(sweep.Runs > 0, "no QTT runs found");
        Assert.True(sweep.Crashes.Count == 0, "the analyzer crashed:\n" + string.Join("\n", sweep.Crashes.Take(20)));
        Assert.True(sweep.SchemaMismatches.Count <= QttAnalysisSweep.KnownSchemaMismatches, $"{sweep.SchemaMismatches.Count} schema mismatches:\n" + string.Join("\n", sweep.SchemaMismatches.Take(40)));
        Assert.True(sweep.FalseRejections.Count <= QttAnalysisSweep.KnownFalseRejections, $"{sweep.FalseRejections.Count} valid runs rejected:\n" + string.Join("\n", sweep.FalseRejections.Take(40)));
    }
}

/// <summary>The analysis sweep over QTT files.</summary>
internal sealed class QttAnalysisSweep
{
    /// <summary>Known gaps (see the report); the test fails when these grow.</summary>
    public const int KnownSchemaMismatches = 8;

    /// <summary>Known gaps (see the report); the test fails when these grow.</summary>
    public const int KnownFalseRejections = 72;

    public int Runs { get; private set; }

    public int Skipped { get; private set; }

    public int SchemasChecked { get; private set; }

    public int SchemasMatched { get; private set; }

    public int ExpectedErrors { get; private set; }

    public int ExpectedErrorsMatched { get; private set; }

    public List<string> SchemaMismatches { get; } = [];

    public List<string> FalseRejections { get; } = [];

    public List<string> MissedErrors { get; } = [];

    public List<string> OtherErrors { get; } = [];

    public List<string> Crashes { get; } = [];

    public static QttAnalysisSweep Run(string dir)
    {
        var sweep = new QttAnalysisSweep();
        foreach (var file in QttLoader.LoadDirectory(dir))
        {
            foreach (var testCase in file.Tests)
            {
                foreach (var run in testCase.ExpandRuns())
                {
                    sweep.SweepRun(file, run);
                }
            }
        }

        return sweep;
    }

    private static FunctionRegistry Functions()
    {
        var functions = new FunctionRegistry();
        functions.Register(typeof(WhenCondition));
        functions.Register(typeof(WhenResult));
        return functions;
    }

    private void SweepRun(QttFile file, QttTestRun run)
    {
        var where = $"{Path.GetFileName(file.Path)} / {run.Name}";
        var expected = run.Case.ExpectedException;
        if (expected?.IsParseFailure == true || file.IsRest)
        {
            Skipped++;
            return;
        }

        IReadOnlyList<ParsedStatement> statements;
        try
        {
            statements = SqlParser.ParseStatements(string.Join("\n", run.Statements));
        }
        catch (SqlException)
        {
            Skipped++; // the parse sweep accounts for these
            return;
        }

        Runs++;
        var settings = new AnalysisSettings();
        if (run.Properties.TryGetValue("ksql.persistence.default.format.value", out var dv) && dv is not null)
        {
            settings = settings with { DefaultValueFormat = dv };
        }

        if (run.Properties.TryGetValue("ksql.persistence.default.format.key", out var dk) && dk is not null)
        {
            settings = settings with { DefaultKeyFormat = dk };
        }

        var catalog = new SourceCatalog();
        var types = new TypeRegistry();
        var analyzer = new SqlAnalyzer(catalog, Functions(), types, settings);
        var expectedMessage = expected?.Message;
        var expectsError = expected is not null;
        foreach (var parsed in statements)
        {
            try
            {
                switch (parsed.Statement)
                {
                    case CreateSource cs:
                        catalog.Add(analyzer.AnalyzeCreateSource(cs));
                        break;
                    case CreateAsSelect cas:
                        catalog.Add(analyzer.AnalyzeCreateAsSelect(cas).Sink!);
                        break;
                    case InsertInto ii:
                        analyzer.AnalyzeInsertInto(ii);
                        break;
                    case Query q:
                        analyzer.AnalyzeQuery(q);
                        break;
                    case CreateType ct:
                        types.Register(ct.Name, ct.Type.Resolve(types));
                        break;
                    case DropSource ds:
                        catalog.Remove(ds.Name);
                        break;
                }
            }
            catch (SqlException e)
            {
                var message = e.Message.Replace("\n", " | ", StringComparison.Ordinal);
                if (!expectsError)
                {
                    FalseRejections.Add($"{where}: {message}\n    statement: {parsed.Text}");
                }
                else
                {
                    ExpectedErrors++;
                    if (expectedMessage is null || e.Message.Contains(expectedMessage, StringComparison.Ordinal))
                    {
                        ExpectedErrorsMatched++;
                    }
                    else
                    {
                        OtherErrors.Add($"{where}: expected '{expectedMessage.Replace("\n", " | ", StringComparison.Ordinal)}'\n    got '{message}'\n    statement: {parsed.Text}");
                    }
                }

                return;
            }
            catch (Exception e)
            {
                Crashes.Add($"{where}: {e.GetType().Name}: {e.Message}\n    statement: {parsed.Text}\n{e.StackTrace}");
                return;
            }
        }

        if (expectsError)
        {
            ExpectedErrors++;
            MissedErrors.Add($"{where}: expected '{expectedMessage?.Replace("\n", " | ", StringComparison.Ordinal)}' but every statement was accepted");
            return;
        }

        foreach (var post in run.Case.Post?.Sources ?? [])
        {
            CheckPost(where, post, catalog, types);
        }
    }

    private void CheckPost(string where, QttPostSource post, SourceCatalog catalog, TypeRegistry types)
    {
        var actual = catalog.Find(post.Name);
        if (actual is null)
        {
            SchemasChecked++;
            SchemaMismatches.Add($"{where}: post source {post.Name} was not created");
            return;
        }

        var problems = new List<string>();
        if (post.Schema is not null)
        {
            var expected = LogicalSchema.FromColumns(SqlParser.ParseColumns(post.Schema), types);
            if (!Same(expected.Key, actual.Schema.Key) || !Same(expected.Value.Concat(expected.Headers).ToList(), actual.Schema.Value.Concat(actual.Schema.Headers).ToList()))
            {
                problems.Add($"schema: expected {KeysFirst(expected)}, got {KeysFirst(actual.Schema)}");
            }
        }

        if (!string.Equals(post.Type, actual.IsTable ? "table" : "stream", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"type: expected {post.Type}, got {(actual.IsTable ? "table" : "stream")}");
        }

        if (post.KeyFormat is not null && !string.Equals(post.KeyFormat, actual.KeyFormat.Format, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"key format: expected {post.KeyFormat}, got {actual.KeyFormat.Format}");
        }

        if (post.ValueFormat is not null && !string.Equals(post.ValueFormat, actual.ValueFormat.Format, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"value format: expected {post.ValueFormat}, got {actual.ValueFormat.Format}");
        }

        if (post.WindowType is not null && !string.Equals(post.WindowType, actual.Window?.Type.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"window: expected {post.WindowType}, got {actual.Window?.Type.ToString() ?? "none"}");
        }

        SchemasChecked++;
        if (problems.Count == 0)
        {
            SchemasMatched++;
        }
        else
        {
            SchemaMismatches.Add($"{where}: {post.Name}: {string.Join("; ", problems)}");
        }
    }

    private static bool Same(IReadOnlyList<Column> a, IReadOnlyList<Column> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type));

    private static string KeysFirst(LogicalSchema s) => new LogicalSchema(s.Key.Concat(s.Value).Concat(s.Headers)).ToString();

    public string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# QTT analysis sweep");
        sb.AppendLine();
        sb.AppendLine($"{Runs} runs analyzed ({Skipped} skipped: REST files, expected parse failures).");
        sb.AppendLine($"Post-condition sources: {SchemasMatched} of {SchemasChecked} match (schema, kind, key/value format, window).");
        sb.AppendLine($"Expected errors: {ExpectedErrorsMatched} of {ExpectedErrors + MissedErrors.Count} raised with the expected text; {OtherErrors.Count} raised with other text; {MissedErrors.Count} not raised (most are runtime errors, outside analysis).");
        sb.AppendLine($"Valid runs rejected: {FalseRejections.Count}. Crashes: {Crashes.Count}.");
        Section(sb, "Schema mismatches", SchemaMismatches);
        Section(sb, "Valid runs rejected", FalseRejections);
        Section(sb, "Expected errors raised with other text", OtherErrors);
        Section(sb, "Expected errors not raised", MissedErrors);
        Section(sb, "Crashes", Crashes);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, List<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        sb.AppendLine();
        sb.AppendLine($"## {title} ({lines.Count})");
        sb.AppendLine();
        foreach (var l in lines)
        {
            sb.AppendLine("- " + l);
        }
    }
}
