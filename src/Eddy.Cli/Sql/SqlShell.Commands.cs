namespace Eddy.Cli.Shell;

/// <summary>What a CLI command asks the loop to do next.</summary>
internal enum CommandOutcome { Continue, Failed, Exit }

/// <summary>A line the CLI runs itself (ksqlDB's console commands): its name and the rest of the line.</summary>
internal sealed record CliCommand(string Name, string Argument);

internal sealed partial class SqlShell
{
    private static readonly string[] CommandNames = ["HELP", "CLEAR", "EXIT", "QUIT", "HISTORY", "OUTPUT", "SERVER", "VERSION"];

    /// <summary>Recognises a CLI command typed on a line of its own (with or without a final ';').</summary>
    public static CliCommand? TryParseCliCommand(string line)
    {
        var text = line.Trim().TrimEnd(';').Trim();
        if (text.Length == 0)
        {
            return null;
        }
        var parts = text.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = parts[0].ToUpperInvariant();
        var argument = parts.Length > 1 ? parts[1] : string.Empty;
        if (CommandNames.Contains(name, StringComparer.Ordinal))
        {
            // "exit" and friends take no argument; "help foo" is not a command, so the server explains it.
            return name is "OUTPUT" or "SERVER" or "HELP" || argument.Length == 0 ? new CliCommand(name, argument) : null;
        }
        // RUN SCRIPT on one line runs at once, as in ksqlDB's CLI, even without its ';'.
        if (name == "RUN" && argument.StartsWith("SCRIPT", StringComparison.OrdinalIgnoreCase))
        {
            return new CliCommand("RUN SCRIPT", text);
        }
        return null;
    }

    private async Task<CommandOutcome> RunCliCommandAsync(CliCommand command, ILineReader reader, CancellationToken cancellationToken)
    {
        switch (command.Name)
        {
            case "EXIT" or "QUIT":
                output.WriteLine("Exiting eddy sql.");
                return CommandOutcome.Exit;
            case "HELP":
                PrintHelp();
                return CommandOutcome.Continue;
            case "CLEAR":
                if (reader.IsInteractive)
                {
                    output.Write("\x1b[H\x1b[2J");
                    output.Flush();
                }
                return CommandOutcome.Continue;
            case "HISTORY":
                for (int i = 0; i < reader.History.Count; i++)
                {
                    output.WriteLine($"{i + 1,5}: {reader.History[i]}");
                }
                return CommandOutcome.Continue;
            case "VERSION":
                output.WriteLine($"CLI v{EddyCommand.Version}, Server v{ServerVersion} located at {_client.Server}");
                return CommandOutcome.Continue;
            case "OUTPUT":
                return SetOutput(command.Argument);
            case "SERVER":
                return await SetServerAsync(command.Argument, cancellationToken).ConfigureAwait(false);
            case "RUN SCRIPT":
                return await RunScriptAsync(command.Argument, cancellationToken).ConfigureAwait(false) ? CommandOutcome.Continue : CommandOutcome.Failed;
            default:
                return CommandOutcome.Failed;
        }
    }

    private CommandOutcome SetOutput(string argument)
    {
        if (argument.Length == 0)
        {
            output.WriteLine($"Output format: {(Format == OutputFormat.Json ? "JSON" : "TABULAR")}");
            return CommandOutcome.Continue;
        }
        if (ParseFormat(argument) is { } format)
        {
            Format = format;
            output.WriteLine($"Output format set to {(format == OutputFormat.Json ? "JSON" : "TABULAR")}");
            return CommandOutcome.Continue;
        }
        error.WriteLine($"error: unknown output format '{argument}'; use TABULAR (or TABLE) or JSON");
        return CommandOutcome.Failed;
    }

    /// <summary>TABULAR/TABLE or JSON, any case; null for anything else.</summary>
    public static OutputFormat? ParseFormat(string text) => text.Trim().ToUpperInvariant() switch
    {
        "TABLE" or "TABULAR" => OutputFormat.Table,
        "JSON" => OutputFormat.Json,
        _ => null,
    };

    private async Task<CommandOutcome> SetServerAsync(string argument, CancellationToken cancellationToken)
    {
        if (argument.Length == 0)
        {
            output.WriteLine($"Current server: {_client.Server}");
            return CommandOutcome.Continue;
        }
        Uri uri;
        try
        {
            uri = KsqlRestClient.ParseServer(argument);
        }
        catch (FormatException e)
        {
            error.WriteLine($"error: {e.Message}");
            return CommandOutcome.Failed;
        }
        var candidate = new KsqlRestClient(uri);
        var previous = _client;
        _client = candidate;
        try
        {
            await ConnectAsync(banner: false, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerUnreachableException e)
        {
            _client = previous;
            candidate.Dispose();
            error.WriteLine($"error: {e.Message}; staying on {previous.Server}");
            return CommandOutcome.Failed;
        }
        output.WriteLine($"Server now: {uri} (v{ServerVersion})");
        await RefreshNamesAsync(cancellationToken).ConfigureAwait(false);
        return CommandOutcome.Continue;
    }

    private void PrintHelp()
    {
        output.WriteLine("""
            Statements end with a ';' (outside quotes and comments) and may span several lines; they
            are sent to the server one at a time. SELECT and PRINT stream their rows: press Ctrl-C to
            stop a push query. At the prompt, Ctrl-C clears the line and Ctrl-D (or EXIT) quits.

            Shell commands (on a line of their own, case-insensitive):
                help                     Show this text.
                exit, quit               Leave the shell.
                clear                    Clear the screen.
                history                  List the lines entered (kept in ~/.eddy/sql-history).
                output [TABULAR|JSON]    Show or change how results are printed.
                server [<url>]           Show or change the server.
                version                  Show the CLI and server versions.
                run script '<file>';     Run the statements in a file.

            Statements the shell handles itself:
                SET '<property>'='<value>';   Set a property sent with every statement and query
                                              (e.g. SET 'auto.offset.reset'='earliest';).
                UNSET '<property>';           Remove it.
                DEFINE <name> = '<value>';    Define a variable, sent with every later statement;
                                              use it as ${name}.
                UNDEFINE <name>;              Remove it.
                SHOW VARIABLES;               List the variables.

            Editing: arrows, Home/End, Ctrl-A/E/K/U/W, Up/Down (Ctrl-P/N) for history, Tab completes
            keywords and stream/table names, Ctrl-L clears the screen.
            """);
    }
}
