using System.CommandLine;
using Eddy.Sql.Qtt;
using Eddy.Sql.Testing;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy sql-test PATH...</c>: runs ksqlDB query-validation test files (a file, or every *.json in a
/// folder) with the topology test driver. Prints one line per file and, last, exactly
/// <c>N passed, M failed, K skipped</c> counting runs; <c>--verbose</c> lists each failed or skipped run with
/// its reason. Exits 1 when a run failed.
/// </summary>
public static class SqlTestCommand
{
    /// <summary>Creates the <c>sql-test</c> verb.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(SqlTestCommand.Create());
    /// // eddy sql-test ../shared/ksql-qtt --verbose
    /// </code>
    /// </example>
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "QTT files, or folders of *.json files", Arity = ArgumentArity.OneOrMore };
        var verbose = new Option<bool>("--verbose") { Description = "List every failed and skipped run with its reason" };
        var command = new Command("sql-test", "Run ksqlDB query-validation tests (QTT JSON files) against Eddy.Sql.") { paths, verbose };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var files = new List<string>();
            foreach (var p in parseResult.GetValue(paths) ?? [])
            {
                if (Directory.Exists(p))
                {
                    files.AddRange(Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
                }
                else if (File.Exists(p))
                {
                    files.Add(p);
                }
                else
                {
                    error.WriteLine($"sql-test: no such file or folder: {p}");
                    return 2;
                }
            }

            var runner = new QttRunner();
            int passed = 0, failed = 0, skipped = 0;
            foreach (var path in files)
            {
                QttFileResult result;
                try
                {
                    result = runner.RunFile(QttLoader.LoadFile(path));
                }
                catch (Exception e) when (e is Sql.SqlException or System.Text.Json.JsonException or IOException)
                {
                    error.WriteLine($"{Path.GetFileName(path)}: cannot read: {e.Message}");
                    failed++;
                    continue;
                }

                output.WriteLine(result.Summary);
                if (parseResult.GetValue(verbose))
                {
                    foreach (var r in result.Runs.Where(r => r.Outcome != QttOutcome.Passed))
                    {
                        output.WriteLine($"  {r.Outcome.ToString().ToUpperInvariant()} {r.Name}: {r.Reason}");
                    }
                }

                passed += result.Passed;
                failed += result.Failed;
                skipped += result.Skipped;
            }

            output.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
            return failed > 0 ? 1 : 0;
        });
        return command;
    }
}
