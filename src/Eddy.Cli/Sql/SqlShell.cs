using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eddy.Cli.Shell;

/// <summary>Table (ksqlDB's TABULAR) or JSON output.</summary>
internal enum OutputFormat { Table, Json }

/// <summary>
/// The shell proper: reads statements (from a line reader, a script or -e), runs the CLI's own
/// commands locally and sends everything else to the server, one statement per request so that a
/// failure names its statement and stops a script.
/// </summary>
internal sealed partial class SqlShell(KsqlRestClient client, TextWriter output, TextWriter error)
{
    public const string Prompt = "eddy> ";
    public const string ContinuationPrompt = "    > ";
    private const int PullBufferLimit = 1000;

    private readonly object _gate = new();
    private CancellationTokenSource? _operation;
    private KsqlRestClient _client = client;

    public OutputFormat Format { get; set; } = OutputFormat.Table;

    /// <summary>Properties set with SET, sent with every request (streamsProperties).</summary>
    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Variables from --define and DEFINE, sent with every request (sessionVariables); names ignore case.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The width query grids are fitted to.</summary>
    public int TerminalWidth { get; set; } = 120;

    /// <summary>Measures the terminal before each query, so that a resized window is used in full.</summary>
    public Func<int>? MeasureWidth { get; set; }

    public SqlCompleter Completer { get; } = new();

    /// <summary>Keeps the completer's names current after CREATE and DROP (only worth the requests at a terminal).</summary>
    public bool CompleteNames { get; set; }

    public string ServerVersion { get; private set; } = "unknown";

    /// <summary>
    /// Stops what is running (a push query, a request) as Ctrl-C does. False when nothing was running,
    /// so that the caller can let the signal end the process instead.
    /// </summary>
    public bool Interrupt()
    {
        lock (_gate)
        {
            if (_operation is null)
            {
                return false;
            }
            _operation.Cancel();
            return true;
        }
    }

    /// <summary>Checks the server with GET /info and prints the welcome banner.</summary>
    public async Task ConnectAsync(bool banner, CancellationToken cancellationToken)
    {
        var info = await _client.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        ServerVersion = EntityPrinter.Str(info, "version") is { Length: > 0 } v ? v : "unknown";
        if (banner)
        {
            output.WriteLine();
            output.WriteLine("  ___  __| |  __| | _   _ ");
            output.WriteLine(" / _ \\/ _` | / _` || | | |");
            output.WriteLine("|  __/ (_| || (_| || |_| |");
            output.WriteLine(" \\___|\\__,_| \\__,_| \\__, |   streaming SQL");
            output.WriteLine("                    |___/ ");
            output.WriteLine();
            output.WriteLine($"CLI v{EddyCommand.Version}, Server v{ServerVersion} located at {_client.Server}");
            if (EntityPrinter.Str(info, "serverStatus") is { Length: > 0 } status && status != "RUNNING")
            {
                output.WriteLine($"Server Status: {status}");
            }
            output.WriteLine();
            output.WriteLine("Having trouble? Type 'help' (case-insensitive) for a rundown of how things work!");
            output.WriteLine();
        }
    }

    /// <summary>Fetches stream and table names for completion; a failure only leaves completion poorer.</summary>
    public async Task RefreshNamesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        foreach (var (statement, property) in new[] { ("SHOW STREAMS;", "streams"), ("SHOW TABLES;", "tables") })
        {
            try
            {
                var entities = await _client.ExecuteAsync(statement, Properties, Variables, cancellationToken).ConfigureAwait(false);
                foreach (var entity in entities.EnumerateArray())
                {
                    if (entity.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        names.AddRange(list.EnumerateArray().Select(s => EntityPrinter.Str(s, "name")).Where(n => n.Length > 0));
                    }
                }
            }
            catch (Exception e) when (e is KsqlServerException or ServerUnreachableException or OperationCanceledException)
            {
                return;
            }
        }
        Completer.SetNames(names);
    }

    /// <summary>
    /// The read-eval-print loop. Lines gather until the text ends a statement (a ';' outside quotes and
    /// comments); a line that is a CLI command runs at once. Returns the exit code.
    /// </summary>
    public async Task<int> RunAsync(ILineReader reader, CancellationToken cancellationToken)
    {
        var pending = new StringBuilder();
        bool failed = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = reader.ReadLine(pending.Length == 0 ? Prompt : ContinuationPrompt);
            if (read.Status == LineStatus.EndOfInput)
            {
                if (reader.IsInteractive)
                {
                    output.WriteLine("Exiting eddy sql.");
                }
                else if (!StatementSplitter.IsBlank(pending.ToString()))
                {
                    error.WriteLine($"error: the input ended inside a statement (missing ';'?): {pending.ToString().Trim()}");
                    failed = true;
                }
                break;
            }
            if (read.Status == LineStatus.Interrupted)
            {
                pending.Clear();
                continue;
            }
            if (pending.Length == 0 && TryParseCliCommand(read.Text) is { } command)
            {
                reader.AddHistory(read.Text);
                var outcome = await RunCliCommandAsync(command, reader, cancellationToken).ConfigureAwait(false);
                if (outcome == CommandOutcome.Exit)
                {
                    break;
                }
                failed |= outcome == CommandOutcome.Failed;
                continue;
            }
            pending.Append(read.Text).Append('\n');
            var split = StatementSplitter.Split(pending.ToString());
            if (!split.IsComplete)
            {
                continue;
            }
            var text = pending.ToString().TrimEnd();
            pending.Clear();
            if (split.Statements.Count == 0)
            {
                continue;
            }
            reader.AddHistory(text);
            foreach (var statement in split.Statements)
            {
                var ok = await ExecuteStatementAsync(statement, cancellationToken).ConfigureAwait(false);
                if (!ok)
                {
                    failed = true;
                    // At a terminal the user carries on; a piped script stops at its first failure.
                    if (!reader.IsInteractive)
                    {
                        return 1;
                    }
                    break;
                }
            }
        }
        return failed && !reader.IsInteractive ? 1 : 0;
    }

    /// <summary>Runs every statement of a script (-e, -f, RUN SCRIPT); stops at the first failure.</summary>
    public async Task<bool> ExecuteScriptAsync(string text, CancellationToken cancellationToken)
    {
        var split = StatementSplitter.Split(text);
        foreach (var statement in split.Statements)
        {
            if (!await ExecuteStatementAsync(statement, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        if (!split.IsComplete)
        {
            // ksqlDB runs a last statement without its ';' too; do the same rather than drop it silently.
            return await ExecuteStatementAsync(split.Remainder.Trim() + ";", cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Runs one statement (ending in ';'): locally for SET/UNSET/RUN SCRIPT, else on the server.</summary>
    public async Task<bool> ExecuteStatementAsync(string statement, CancellationToken cancellationToken)
    {
        var words = StatementSplitter.LeadingWords(statement, 2);
        var bare = StatementSplitter.StripComments(statement).Trim().TrimEnd(';').Trim();
        try
        {
            switch (words.FirstOrDefault())
            {
                case "SET" when SetPattern().Match(bare) is { Success: true } set:
                    SetProperty(Unquote(set.Groups[1].Value), Unquote(set.Groups[2].Value));
                    return true;
                case "UNSET" when UnsetPattern().Match(bare) is { Success: true } unset:
                    UnsetProperty(Unquote(unset.Groups[1].Value));
                    return true;
                // REST requests are independent, so variables live in the shell, as in ksqlDB's CLI,
                // and travel with every later request as sessionVariables.
                case "DEFINE" when DefinePattern().Match(bare) is { Success: true } define:
                    Variables[define.Groups[1].Value] = Unquote(define.Groups[2].Value);
                    return true;
                case "UNDEFINE" when UndefinePattern().Match(bare) is { Success: true } undefine:
                    if (!Variables.Remove(undefine.Groups[1].Value))
                    {
                        output.WriteLine($"WARNING: Cannot undefine variable '{undefine.Groups[1].Value}' which was never defined");
                    }
                    return true;
                case "SHOW" or "LIST" when words.ElementAtOrDefault(1) == "VARIABLES":
                    PrintVariables();
                    return true;
                case "RUN" when words.ElementAtOrDefault(1) == "SCRIPT":
                    return await RunScriptAsync(bare, cancellationToken).ConfigureAwait(false);
                case "SELECT" or "PRINT":
                    return await RunQueryAsync(statement, cancellationToken).ConfigureAwait(false);
                default:
                    return await RunOnServerAsync(statement, words, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (KsqlServerException e)
        {
            PrintError(e);
            return false;
        }
        catch (ServerUnreachableException e)
        {
            error.WriteLine($"error: {e.Message}");
            return false;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            error.WriteLine($"error: the connection to the server broke: {e.Message}");
            return false;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            error.WriteLine($"error: the server's answer could not be understood: {e.Message}");
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C stopped a request that was not a query.
            output.WriteLine("Statement interrupted (the server may still complete it).");
            return false;
        }
    }

    private async Task<bool> RunOnServerAsync(string statement, string[] words, CancellationToken cancellationToken)
    {
        JsonElement entities;
        using (var operation = BeginOperation(cancellationToken))
        {
            entities = await _client.ExecuteAsync(statement, Properties, Variables, operation.Token).ConfigureAwait(false);
        }
        if (Format == OutputFormat.Json)
        {
            output.WriteLine(EntityPrinter.ToIndentedJson(entities));
        }
        else
        {
            foreach (var entity in entities.EnumerateArray())
            {
                // As ksqlDB's CLI: a blank line sets each result off from the statement above it.
                if (EntityPrinter.Str(entity, "@type") != "insertValues")
                {
                    output.WriteLine();
                }
                EntityPrinter.Print(output, entity);
            }
        }
        switch (words.FirstOrDefault())
        {
            case "CREATE" or "DROP" when CompleteNames:
                await RefreshNamesAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
        return true;
    }

    private async Task<bool> RunQueryAsync(string statement, CancellationToken cancellationToken)
    {
        if (MeasureWidth is not null)
        {
            TerminalWidth = Math.Max(20, MeasureWidth());
        }
        using var operation = BeginOperation(cancellationToken);
        QueryStream stream;
        stream = await _client.StreamQueryAsync(statement, Properties, Variables, operation.Token).ConfigureAwait(false);
        using (stream)
        {
            bool push = IsPushQuery(statement) || !stream.IsTabular;
            if (Format == OutputFormat.Json && stream.HeaderText is { } header)
            {
                output.WriteLine(header);
            }
            if (push && Format == OutputFormat.Table)
            {
                output.WriteLine("Press CTRL-C to interrupt");
                output.Flush();
            }
            var grid = stream.IsTabular && push ? RowGrid.ForTerminal(stream.ColumnNames, TerminalWidth) : null;
            if (Format == OutputFormat.Table)
            {
                grid?.WriteHeader(output);
            }
            var buffered = new List<IReadOnlyList<string>>();
            bool interrupted = false;
            try
            {
                while (await stream.ReadAsync(operation.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.Row is not { } row)
                    {
                        output.WriteLine(line.Text);
                    }
                    else if (Format == OutputFormat.Json)
                    {
                        output.WriteLine(line.Text);
                    }
                    else
                    {
                        var cells = row.ValueKind == JsonValueKind.Array ? row.EnumerateArray().Select(RowGrid.Cell).ToList() : [RowGrid.Cell(row)];
                        if (grid is not null)
                        {
                            grid.WriteRow(output, cells);
                        }
                        else
                        {
                            buffered.Add(cells);
                            // A big pull result is sized on its first rows rather than held whole in memory.
                            if (buffered.Count == PullBufferLimit)
                            {
                                grid = WriteBuffered(stream.ColumnNames, buffered);
                            }
                        }
                    }
                    output.Flush();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && operation.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }
            if (interrupted && stream.QueryId is { } queryId)
            {
                await _client.CloseQueryAsync(queryId).ConfigureAwait(false);
            }
            if (Format == OutputFormat.Table)
            {
                if (interrupted && MeasureWidth is not null)
                {
                    // The terminal echoed ^C at the start of the line: write the closing border over it.
                    output.Write('\r');
                }
                if (grid is null && stream.IsTabular)
                {
                    grid = WriteBuffered(stream.ColumnNames, buffered);
                }
                if (stream.IsTabular)
                {
                    grid?.WriteBorder(output);
                }
                output.WriteLine(stream.IsTabular ? "Query terminated" : "Topic printing ceased");
            }
            return true;
        }
    }

    private RowGrid WriteBuffered(IReadOnlyList<string> columns, List<IReadOnlyList<string>> rows)
    {
        var grid = RowGrid.FitToContent(columns, rows, TerminalWidth);
        grid.WriteHeader(output);
        foreach (var cells in rows)
        {
            grid.WriteRow(output, cells);
        }
        rows.Clear();
        return grid;
    }

    /// <summary>
    /// A push query says EMIT CHANGES (or EMIT FINAL); the response cannot tell, since servers give pull
    /// queries a query id too. Push rows print as they arrive, pull rows once all are in.
    /// </summary>
    internal static bool IsPushQuery(string statement) =>
        EmitPattern().IsMatch(StringLiteralPattern().Replace(StatementSplitter.StripComments(statement), "''"));

    private async Task<bool> RunScriptAsync(string bare, CancellationToken cancellationToken)
    {
        var match = RunScriptPattern().Match(bare);
        if (!match.Success)
        {
            error.WriteLine("error: RUN SCRIPT expects a quoted file name: RUN SCRIPT '/path/to/file.sql';");
            return false;
        }
        var path = Unquote(match.Groups[1].Value);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read script '{path}': {e.Message}");
            return false;
        }
        return await ExecuteScriptAsync(text, cancellationToken).ConfigureAwait(false);
    }

    private void PrintVariables()
    {
        if (Format == OutputFormat.Json)
        {
            var variables = Variables.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase).Select(v => new { name = v.Key, value = v.Value });
            output.WriteLine(JsonSerializer.Serialize(new object[] { new Dictionary<string, object> { ["@type"] = "variables", ["variables"] = variables } }));
            return;
        }
        output.WriteLine();
        ListingTable.Write(output, ["Variable Name", "Value"],
            Variables.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase).Select(v => (IReadOnlyList<string>)[v.Key, v.Value]));
    }

    private void SetProperty(string name, string value)
    {
        output.WriteLine(Properties.TryGetValue(name, out var old)
            ? $"Successfully changed local property '{name}' from '{old}' to '{value}'."
            : $"Successfully changed local property '{name}' to '{value}'.");
        Properties[name] = value;
    }

    private void UnsetProperty(string name)
    {
        if (Properties.Remove(name, out var old))
        {
            output.WriteLine($"Successfully unset local property '{name}' (value was '{old}').");
        }
        else
        {
            output.WriteLine($"Local property '{name}' was not set.");
        }
    }

    private void PrintError(KsqlServerException e)
    {
        if (Format == OutputFormat.Json && e.Body is { ValueKind: JsonValueKind.Object } body)
        {
            error.WriteLine(EntityPrinter.ToIndentedJson(body));
            return;
        }
        // ksqlDB's CLI prints the error's message as is: the server already made it readable.
        error.WriteLine(e.Message);
    }

    private Operation BeginOperation(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            _operation = source;
        }
        return new Operation(this, source);
    }

    private void EndOperation(CancellationTokenSource source)
    {
        lock (_gate)
        {
            if (_operation == source)
            {
                _operation = null;
            }
        }
        source.Dispose();
    }

    private sealed class Operation(SqlShell shell, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose() => shell.EndOperation(source);
    }

    private static string Unquote(string text)
    {
        text = text.Trim();
        return text.Length >= 2 && text[0] == '\'' && text[^1] == '\'' ? text[1..^1].Replace("''", "'", StringComparison.Ordinal) : text;
    }

    [GeneratedRegex(@"^SET\s+('(?:[^']|'')*'|\S+)\s*=\s*('(?:[^']|'')*'|\S+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^UNSET\s+('(?:[^']|'')*'|\S+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex UnsetPattern();

    [GeneratedRegex(@"^DEFINE\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^']|'')*')$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"\bEMIT\s+(CHANGES|FINAL)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EmitPattern();

    [GeneratedRegex(@"'(?:[^']|'')*'")]
    private static partial Regex StringLiteralPattern();

    [GeneratedRegex(@"^UNDEFINE\s+([A-Za-z_][A-Za-z0-9_]*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex UndefinePattern();

    [GeneratedRegex(@"^RUN\s+SCRIPT\s+('(?:[^']|'')*'|\S+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RunScriptPattern();
}
