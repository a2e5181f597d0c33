using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eddy.Cli.Tests;

public sealed class ServerCommandTests
{
    private sealed class SyncWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }

    [Fact]
    public async Task Server_starts_on_the_embedded_broker_prints_its_url_serves_info_and_stops_cleanly()
    {
        var dir = Path.Combine(Path.GetTempPath(), "eddy-cli-server-" + Guid.NewGuid().ToString("N")[..8]);
        var output = new SyncWriter();
        var config = new InvocationConfiguration { Output = output, Error = output };
        using var stop = new CancellationTokenSource();
        var run = EddyCommand.Create().Parse(["server", "--listeners", "http://127.0.0.1:0", "--broker-port", "0", "--data-dir", dir]).InvokeAsync(config, stop.Token);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            Match url;
            while (!(url = Regex.Match(output.ToString(), @"listening on (http://[^;, ]+)")).Success)
            {
                Assert.False(run.IsCompleted, $"server exited early: {output}");
                Assert.True(DateTime.UtcNow < deadline, $"no URL printed: {output}");
                await Task.Delay(100);
            }

            using var http = new HttpClient();
            var info = JsonDocument.Parse(await http.GetStringAsync(url.Groups[1].Value + "/info")).RootElement;
            Assert.Equal("RUNNING", info.GetProperty("KsqlServerInfo").GetProperty("serverStatus").GetString());
            Assert.Contains("embedded broker", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("stopped cleanly", output.ToString(), StringComparison.Ordinal);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_config_value_fails_with_a_message_naming_the_key()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "eddy.broker.port=not-a-port\n");
        var output = new StringWriter();
        var exit = await EddyCommand.Create().Parse(["server", "--config", file]).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        File.Delete(file);
        Assert.Equal(2, exit);
        Assert.Contains("eddy.broker.port", output.ToString(), StringComparison.Ordinal);
    }
}
