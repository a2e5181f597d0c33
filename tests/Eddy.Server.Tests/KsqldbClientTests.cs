using System.Diagnostics;
using System.Text.Json;

namespace Eddy.Server.Tests;

/// <summary>The real external client: the ksqldb-client npm package (HTTP/2 cleartext) against the server.</summary>
[Collection("server")]
public sealed class KsqldbClientTests(ServerFixture fixture)
{
    [Fact]
    public async Task The_ksqldb_client_npm_package_runs_statements_inserts_and_a_push_query()
    {
        var peers = Path.Combine(RestConformanceTests.RepoRoot(), "tests", "peers", "node");
        Assert.True(Directory.Exists(Path.Combine(peers, "node_modules", "ksqldb-client")), "ksqldb-client is not installed: run ./test.sh (scripts/bootstrap.sh test installs the npm peers)");
        var url = new Uri(fixture.Server.Urls[0]);
        var name = ServerFixture.Name("NODE");

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = peers };
        foreach (var a in new[] { "ksqldb_client.js", url.Host, url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), name })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node did not finish: {await stdout} {await stderr}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {output} {await stderr}");
        var steps = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("step").GetString()!);

        Assert.Equal(200, steps["create"].GetProperty("status").GetInt32());
        Assert.Contains(name, steps["streams"].GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.All(steps["insert"].GetProperty("statuses").EnumerateArray(), s => Assert.Equal(200, s.GetInt32()));
        var push = steps["push"];
        Assert.Equal(200, push.GetProperty("status").GetInt32());
        Assert.Equal("[{\"ID\":1,\"PAGE\":\"home\"},{\"ID\":2,\"PAGE\":\"about\"}]", push.GetProperty("rows").GetRawText());
    }
}
