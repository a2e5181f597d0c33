using System.CommandLine;
using System.Runtime.InteropServices;
using Eddy.Cli.Internal;
using Eddy.Cli.Shell;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy sql [URL]</c>: an interactive SQL shell like ksqlDB's CLI, talking to any ksqlDB-compatible
/// REST server (<c>eddy server</c> or ksqlDB itself). With <c>-e</c> or <c>-f</c> it runs statements
/// and exits, non-zero when one fails; with piped input it reads statements from stdin. docs/cli.md
/// describes the commands and keys.
/// </summary>
public static class SqlCommand
{
    /// <summary>The server the shell connects to when no URL is given.</summary>
    public const string DefaultServer = "http://localhost:8088";

    /// <summary>Creates the <c>sql</c> verb.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(SqlCommand.Create());
    /// // eddy sql http://localhost:8088
    /// // eddy sql -e "SHOW STREAMS;" --output json
    /// // eddy sql -f setup.sql -d env=prod
    /// </code>
    /// </example>
    public static Command Create()
    {
        var server = new Argument<string>("server")
        {
            Description = "The server's URL",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => DefaultServer,
        };
        var execute = new Option<string?>("--execute", "-e") { Description = "Run these statements, then exit" };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Run the statements in this file, then exit" };
        var output = new Option<string>("--output", "-o") { Description = "Result format: table (ksqlDB's TABULAR) or json", DefaultValueFactory = _ => "table" };
        var define = new Option<string[]>("--define", "-d") { Description = "A session variable as name=value, usable as ${name}; may be repeated", AllowMultipleArgumentsPerToken = false };
        var properties = new Option<string[]>("--property", "-X") { Description = "A property sent with every statement, as name=value (like SET); may be repeated", AllowMultipleArgumentsPerToken = false };
        var command = new Command("sql", "Interactive SQL shell for a ksqlDB-compatible server (eddy server, or ksqlDB).")
        {
            server, execute, file, output, define, properties,
        };
        // A synchronous action: System.CommandLine then leaves SIGINT alone, and Ctrl-C can stop a query
        // and return to the prompt instead of ending the process.
        command.SetAction(parseResult => RunAsync(parseResult, server, execute, file, output, define, properties).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parseResult, Argument<string> serverArgument, Option<string?> executeOption, Option<FileInfo?> fileOption,
        Option<string> outputOption, Option<string[]> defineOption, Option<string[]> propertyOption)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        string? script = parseResult.GetValue(executeOption);
        var file = parseResult.GetValue(fileOption);
        if (script is not null && file is not null)
        {
            await error.WriteLineAsync("error: use either --execute or --file, not both").ConfigureAwait(false);
            return 2;
        }
        if (SqlShell.ParseFormat(parseResult.GetValue(outputOption)!) is not { } format)
        {
            await error.WriteLineAsync($"error: --output must be table or json, not '{parseResult.GetValue(outputOption)}'").ConfigureAwait(false);
            return 2;
        }
        Uri uri;
        try
        {
            uri = KsqlRestClient.ParseServer(parseResult.GetValue(serverArgument)!);
            if (file is not null)
            {
                script = await File.ReadAllTextAsync(file.FullName).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e is FormatException ? 2 : 1;
        }

        using var client = new KsqlRestClient(uri);
        // Output that goes to the real console is the interactive case; tests pass their own writers.
        bool console = ReferenceEquals(output, Console.Out);
        bool terminal = console && script is null && !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var shell = new SqlShell(client, output, error)
        {
            Format = format,
            MeasureWidth = console && !Console.IsOutputRedirected ? () => Console.WindowWidth : null,
        };
        try
        {
            foreach (var pair in parseResult.GetValue(defineOption) ?? [])
            {
                var (name, value) = ClientOptions.SplitPair(pair, "--define");
                shell.Variables[name] = value;
            }
            foreach (var pair in parseResult.GetValue(propertyOption) ?? [])
            {
                var (name, value) = ClientOptions.SplitPair(pair, "--property");
                shell.Properties[name] = value;
            }
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl-C stops the running query or request; with nothing running it ends a script, and at a
        // terminal the line editor sees it as a key instead.
        using var sigint = console ? PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (shell.Interrupt() || terminal)
            {
                context.Cancel = true;
            }
        }) : null;
        try
        {
            await shell.ConnectAsync(banner: terminal, stop.Token).ConfigureAwait(false);
        }
        catch (ServerUnreachableException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync($"Is the server running? Start one with 'eddy server', or name another: eddy sql http://host:8088").ConfigureAwait(false);
            return 1;
        }

        if (script is not null)
        {
            return await shell.ExecuteScriptAsync(script, stop.Token).ConfigureAwait(false) ? 0 : 1;
        }
        ILineReader reader;
        if (terminal)
        {
            shell.CompleteNames = true;
            await shell.RefreshNamesAsync(stop.Token).ConfigureAwait(false);
            reader = new ConsoleLineEditor(new LineHistory(LineHistory.DefaultPath()), shell.Completer);
        }
        else
        {
            reader = new PlainLineReader(console ? Console.In : TextReader.Null);
        }
        return await shell.RunAsync(reader, stop.Token).ConfigureAwait(false);
    }
}
