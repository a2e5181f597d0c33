using System.CommandLine;
using System.Diagnostics;

namespace Eddy.Cli.Tests.Sql;

/// <summary>
/// <c>eddy sql</c> in a real pseudo-terminal: tmux runs the shell, send-keys types and capture-pane
/// reads the screen, polled with a deadline. Each test has its own tmux server (-L) and HOME.
/// </summary>
[Collection(SqlServerCollection.Name)]
public sealed class InteractiveShellTests(SqlServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _socket = "eddy-sql-test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _home = Directory.CreateTempSubdirectory("eddy-sql-home-").FullName;

    public void Dispose()
    {
        try
        {
            // tmux leaves its socket file behind; ask for its path before the server goes.
            var socket = Tmux(check: false, "display-message", "-p", "#{socket_path}").Trim();
            Tmux(check: false, "kill-server");
            if (socket.EndsWith(_socket, StringComparison.Ordinal))
            {
                File.Delete(socket);
            }
        }
        finally
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public async Task Prompt_tables_multi_line_input_completion_and_ctrl_c_in_a_terminal()
    {
        var stream = "TTY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await Prepare($"""
            CREATE STREAM {stream} (user_id VARCHAR KEY, page VARCHAR) WITH (kafka_topic='{stream.ToLowerInvariant()}', partitions=1, value_format='json');
            INSERT INTO {stream} (user_id, page) VALUES ('alice', 'home');
            INSERT INTO {stream} (user_id, page) VALUES ('bob', 'cart');
            """);

        var eddy = Path.Combine(AppContext.BaseDirectory, "eddy.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        Tmux(check: true, "new-session", "-d", "-s", "shell", "-x", "120", "-y", "50",
            $"env HOME='{_home}' '{dotnet}' '{eddy}' sql {fixture.Url}; echo EXITED:$?; sleep 600");

        WaitFor(s => s.Contains("CLI v", StringComparison.Ordinal) && s.TrimEnd().EndsWith("eddy>", StringComparison.Ordinal), "the banner and the prompt");

        // Two Tabs on an ambiguous word list the keywords it may become, in the case typed.
        Keys("show str", "Tab", "Tab");
        WaitFor(s => s.Contains("stream   streams  string   struct", StringComparison.Ordinal), "the list of completions");
        Type("eams;");
        var screen = WaitFor(s => s.Contains($" {stream} ", StringComparison.Ordinal), "the SHOW STREAMS table");
        Assert.Matches(@"(?m)^ Stream Name +\| Kafka Topic +\| Key Format \| Value Format \| Windowed$", screen);

        // Tab completes the stream's name, fetched from the server at start-up.
        Keys("describe tty_", "Tab");
        Type(";");
        WaitFor(s => s.Contains($"Name                 : {stream}", StringComparison.Ordinal), "DESCRIBE of the completed name");

        // A statement over two lines: the continuation prompt, then the push query's rows as they arrive.
        Type("SET 'auto.offset.reset'='earliest';");
        WaitFor(s => s.Contains("Successfully changed local property", StringComparison.Ordinal), "SET");
        Type("SELECT user_id, page");
        WaitFor(s => s.TrimEnd().EndsWith("    >", StringComparison.Ordinal), "the continuation prompt");
        Type($"FROM {stream} EMIT CHANGES;");
        screen = WaitFor(s => s.Contains("|bob ", StringComparison.Ordinal), "the push query's rows");
        Assert.Contains("Press CTRL-C to interrupt", screen, StringComparison.Ordinal);
        Assert.Contains("|alice ", screen, StringComparison.Ordinal);
        Assert.Single(WaitForQueries(q => q.Count == 1));

        // Ctrl-C stops the push query (the server closes it) and gives the prompt back.
        Keys("C-c");
        screen = WaitFor(s => s.Contains("Query terminated", StringComparison.Ordinal) && s.TrimEnd().EndsWith("eddy>", StringComparison.Ordinal), "the end of the query and a new prompt");
        WaitForQueries(q => q.Count == 0);

        // Ctrl-C at the prompt drops the line typed so far.
        Keys("garbage here");
        Keys("C-c");
        Type("show tables;");
        screen = WaitFor(s => s.Contains(" Table Name", StringComparison.Ordinal), "SHOW TABLES after a cleared line");
        Assert.DoesNotContain("error at or near", screen, StringComparison.OrdinalIgnoreCase);

        // Ctrl-D quits; the history file keeps what was typed (the two-line statement on one line).
        Keys("C-d");
        screen = WaitFor(s => s.Contains("EXITED:", StringComparison.Ordinal), "the shell to exit");
        Assert.Contains("Exiting eddy sql.", screen, StringComparison.Ordinal);
        Assert.Contains("EXITED:0", screen, StringComparison.Ordinal);
        var history = File.ReadAllLines(Path.Combine(_home, ".eddy", "sql-history"));
        Assert.Contains("show streams;", history);
        Assert.Contains($"SELECT user_id, page FROM {stream} EMIT CHANGES;", history);
        Assert.DoesNotContain(history, l => l.Contains("garbage", StringComparison.Ordinal));
    }

    private async Task Prepare(string statements)
    {
        var error = new StringWriter();
        int exit = await EddyCommand.Create().Parse(["sql", fixture.Url, "-e", statements])
            .InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error });
        Assert.True(exit == 0, error.ToString());
    }

    /// <summary>Types text and Enter. A trailing ';' is escaped, since tmux reads it as a command separator.</summary>
    private void Type(string text)
    {
        Keys(text);
        Keys("Enter");
    }

    private void Keys(string text, params string[] keys)
    {
        if (keys.Length == 0 && text is "Enter" or "Tab" or "C-c" or "C-d")
        {
            Tmux(check: true, "send-keys", "-t", "shell", text);
            return;
        }
        var literal = text.EndsWith(';') ? text[..^1] + "\\;" : text;
        Tmux(check: true, "send-keys", "-t", "shell", "-l", literal);
        foreach (var key in keys)
        {
            Tmux(check: true, "send-keys", "-t", "shell", key);
        }
    }

    private string Screen() => Tmux(check: true, "capture-pane", "-p", "-t", "shell", "-S", "-300");

    private string WaitFor(Func<string, bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        string screen = string.Empty;
        while (sw.Elapsed < Deadline)
        {
            screen = Screen();
            if (condition(screen))
            {
                return screen;
            }
            Thread.Sleep(100);
        }
        Assert.Fail($"Timed out waiting for {what}. The screen:\n{screen}");
        return screen;
    }

    private IReadOnlyCollection<string> WaitForQueries(Func<IReadOnlyCollection<string>, bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition(fixture.Server.ActivePushQueries))
        {
            Assert.True(sw.Elapsed < Deadline, $"push queries on the server: [{string.Join(", ", fixture.Server.ActivePushQueries)}]\n{Screen()}");
            Thread.Sleep(100);
        }
        return fixture.Server.ActivePushQueries;
    }

    private string Tmux(bool check, params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000), "tmux did not answer");
        Assert.True(!check || process.ExitCode == 0, $"tmux {string.Join(' ', args)} failed: {stderr}");
        return stdout.Result;
    }
}
