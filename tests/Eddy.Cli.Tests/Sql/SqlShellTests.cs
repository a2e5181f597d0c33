using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Eddy.Server;

namespace Eddy.Cli.Tests.Sql;

/// <summary>An <c>eddy server</c> started in the test process: embedded broker and HTTP on ephemeral ports.</summary>
public sealed class SqlServerFixture : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "eddy-sql-shell-" + Guid.NewGuid().ToString("N"));

    public EddyServer Server { get; private set; } = null!;

    public string Url => Server.Urls[0];

    public async Task InitializeAsync()
    {
        var options = new EddyServerOptions { DataDirectory = _dir, BrokerPort = 0 };
        options.Listeners.Add("http://127.0.0.1:0");
        Server = await EddyServer.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SqlServerCollection : ICollectionFixture<SqlServerFixture>
{
    public const string Name = "eddy sql against eddy server";
}

[Collection(SqlServerCollection.Name)]
public sealed class SqlScriptTests(SqlServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<string> _scripts = [];

    public void Dispose()
    {
        foreach (var path in _scripts)
        {
            File.Delete(path);
        }
    }

    private async Task<(int ExitCode, string Output, string Error)> EddySql(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var config = new InvocationConfiguration { Output = output, Error = error };
        int exit = await EddyCommand.Create().Parse(["sql", fixture.Url, .. args]).InvokeAsync(config);
        return (exit, output.ToString(), error.ToString());
    }

    private string Script(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "eddy-sql-" + Guid.NewGuid().ToString("N") + ".sql");
        File.WriteAllText(path, text);
        _scripts.Add(path);
        return path;
    }

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    [Fact]
    public async Task A_script_creates_a_stream_inserts_lists_and_queries_it()
    {
        var stream = NewName("CLICKS_");
        var table = NewName("CLICKS_BY_USER_");
        var script = Script($"""
            -- the statements end at ';' outside quotes and comments; a ';' in a string stays in it
            CREATE STREAM {stream} (user_id VARCHAR KEY, page VARCHAR, ms INT)
              WITH (kafka_topic='{stream.ToLowerInvariant()}', partitions=1, value_format='json');
            INSERT INTO {stream} (user_id, page, ms) VALUES ('alice', 'home', 10);
            INSERT INTO {stream} (user_id, page, ms) VALUES ('bob', 'cart; checkout', 20);
            INSERT INTO {stream} (user_id, page, ms) VALUES ('alice', 'about', 30);
            SHOW STREAMS;
            DESCRIBE {stream};
            SET 'auto.offset.reset'='earliest';
            SELECT user_id, page, ms FROM {stream} EMIT CHANGES LIMIT 3;
            CREATE TABLE {table} AS SELECT user_id, COUNT(*) AS views FROM {stream} GROUP BY user_id EMIT CHANGES;
            """);
        var (exit, output, error) = await EddySql("-f", script);
        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        Assert.Contains("Stream created", output, StringComparison.Ordinal);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // SHOW STREAMS: ksqlDB's listing, with our stream's row.
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ Stream Name +\| Kafka Topic +\| Key Format \| Value Format \| Windowed$"));
        Assert.Contains(lines, l => l.StartsWith($" {stream} ", StringComparison.Ordinal) && l.Contains("| KAFKA ", StringComparison.Ordinal) && l.Contains("| JSON ", StringComparison.Ordinal));
        // DESCRIBE: the key column marked as ksqlDB marks it.
        Assert.Contains($"Name                 : {stream}", output, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(" USER_ID | VARCHAR(STRING)  (key)", StringComparison.Ordinal));
        Assert.Contains("Successfully changed local property 'auto.offset.reset' to 'earliest'.", output, StringComparison.Ordinal);
        // The push query: the three rows in order in the grid, ended by the LIMIT.
        Assert.Contains("Press CTRL-C to interrupt", output, StringComparison.Ordinal);
        var header = lines.FindIndex(l => l.StartsWith("|USER_ID ", StringComparison.Ordinal));
        Assert.True(header > 0, output);
        var rows = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..^1]).ToList();
        Assert.Equal([["alice", "home", "10"], ["bob", "cart; checkout", "20"], ["alice", "about", "30"]], rows);
        Assert.Contains("Query terminated", output, StringComparison.Ordinal);
        Assert.Contains(table, output, StringComparison.Ordinal);

        // A pull query on the table, once the aggregation has caught up: a grid sized to its rows.
        string pull = string.Empty;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Deadline)
        {
            var result = await EddySql("-e", $"SELECT * FROM {table} WHERE user_id = 'alice';");
            pull = result.Output;
            if (result.ExitCode == 0 && pull.Contains("|alice  |2    |", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.Contains("|USER_ID|VIEWS|", pull, StringComparison.Ordinal);
        Assert.Contains("|alice  |2    |", pull, StringComparison.Ordinal);
        Assert.DoesNotContain("Press CTRL-C", pull, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_statement_stops_the_script_with_the_servers_error_and_exit_code_1()
    {
        var stream = NewName("NEVER_");
        var (exit, output, error) = await EddySql("-e", $"SHOW STREAMS; SELEC * FROM nowhere; CREATE STREAM {stream} (a INT) WITH (kafka_topic='{stream}', partitions=1, value_format='json');");
        Assert.Equal(1, exit);
        Assert.Contains("Stream Name", output, StringComparison.Ordinal);
        Assert.Contains("Syntax error at or near 'SELEC'", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("line 1:1", error, StringComparison.Ordinal);
        var streams = await EddySql("-e", "SHOW STREAMS;");
        Assert.DoesNotContain(stream, streams.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_prints_the_servers_entities()
    {
        var (exit, output, error) = await EddySql("--output", "json", "-e", "SHOW STREAMS;");
        Assert.True(exit == 0, error);
        var entities = JsonDocument.Parse(output).RootElement;
        Assert.Equal("streams", entities[0].GetProperty("@type").GetString());
        Assert.Equal(JsonValueKind.Array, entities[0].GetProperty("streams").ValueKind);
    }

    [Fact]
    public async Task Run_script_and_variables_from_define_reach_the_server()
    {
        var stream = NewName("VARS_");
        var inner = Script($"CREATE STREAM ${{name}} (a INT) WITH (kafka_topic='${{topic}}', partitions=1, value_format='json');\nSHOW STREAMS;\n");
        var (exit, output, error) = await EddySql("-d", $"name={stream}", "-e", $"DEFINE topic = '{stream.ToLowerInvariant()}'; RUN SCRIPT '{inner}'; UNDEFINE name; SHOW VARIABLES;");
        Assert.True(exit == 0, $"{error}\n{output}");
        Assert.Contains($" {stream} ", output, StringComparison.Ordinal);
        Assert.Contains($"| {stream.ToLowerInvariant()} ", output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^ topic +\| {stream.ToLowerInvariant()}$", output);
        Assert.DoesNotMatch(@"(?m)^ name +\|", output);
    }

    [Fact]
    public async Task Piped_input_is_read_line_by_line_and_stops_at_the_first_failure()
    {
        var stream = NewName("PIPED_");
        var (exit, output, error) = await RunEddyProcess(
            $"CREATE STREAM {stream} (a INT)\n  WITH (kafka_topic='{stream.ToLowerInvariant()}',\n        partitions=1, value_format='json');\n" +
            "SHOW STREAMS;\nSHOW NONSENSE;\nSHOW TABLES;\n");
        Assert.Equal(1, exit);
        Assert.DoesNotContain("eddy>", output, StringComparison.Ordinal);
        Assert.Contains($" {stream} ", output, StringComparison.Ordinal);
        Assert.Contains("NONSENSE", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Table Name", output, StringComparison.Ordinal);

        // The shell's own commands: help, output, exit (nothing after it runs).
        var ok = await RunEddyProcess("help\noutput json\nshow streams;\nexit\nshow tables;\n");
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains("Shell commands", ok.Output, StringComparison.Ordinal);
        Assert.Contains("Output format set to JSON", ok.Output, StringComparison.Ordinal);
        Assert.Contains("\"@type\": \"streams\"", ok.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Stream Name", ok.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"@type\": \"tables\"", ok.Output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunEddyProcess(string input)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "eddy.dll"), "sql", fixture.Url })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await EddyCommand.Create().Parse(["sql", "http://127.0.0.1:1", "-e", "SHOW STREAMS;"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.Equal(1, exit);
        Assert.Contains("cannot reach the server at http://127.0.0.1:1/", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("eddy server", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await EddyCommand.Create().Parse(["sql", "ftp://x", "-e", "SHOW STREAMS;"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }));
    }
}
