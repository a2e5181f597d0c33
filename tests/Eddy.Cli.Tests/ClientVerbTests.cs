using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Eddy.Broker;

namespace Eddy.Cli.Tests;

/// <summary>The embedded broker, started once for the client verbs' tests (ephemeral port, temporary data directory).</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "eddy-cli-tests-" + Guid.NewGuid().ToString("N"));

    public KafkaBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Broker = await KafkaBroker.StartAsync(new BrokerOptions { DataDirectory = _dir, Port = 0 });

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

public class ClientVerbTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private async Task<(int ExitCode, string Output, string Error)> Eddy(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var config = new InvocationConfiguration { Output = output, Error = error };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exit = await EddyCommand.Create().Parse([.. args, "-b", Bootstrap]).InvokeAsync(config, timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }

    private static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "eddy-cli-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, content);
        return path;
    }

    private static string NewTopic() => "cli-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<string> KcatAsync(string input, params string[] args)
    {
        var start = new ProcessStartInfo("kcat") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kcat failed: {await stderr}");
        return await stdout;
    }

    [Fact]
    public async Task Topic_create_list_describe_delete()
    {
        var topic = NewTopic();
        var created = await Eddy("topic", "create", topic, "--partitions", "3", "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact");
        Assert.True(created.ExitCode == 0, created.Error);

        var again = await Eddy("topic", "create", topic, "--partitions", "3");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("TOPIC_ALREADY_EXISTS", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Eddy("topic", "create", topic, "--if-not-exists")).ExitCode);

        var list = await Eddy("topic", "list");
        Assert.Contains(topic, list.Output.Split('\n', StringSplitOptions.TrimEntries));

        var describe = await Eddy("topic", "describe", topic);
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains($"Topic: {topic}", describe.Output, StringComparison.Ordinal);
        Assert.Contains("PartitionCount: 3", describe.Output, StringComparison.Ordinal);
        Assert.Contains("cleanup.policy=compact", describe.Output, StringComparison.Ordinal);
        Assert.Contains("retention.ms=3600000", describe.Output, StringComparison.Ordinal);
        Assert.Equal(3, describe.Output.Split('\n').Count(l => l.Contains("Partition: ", StringComparison.Ordinal)));

        Assert.Equal(0, (await Eddy("topic", "delete", topic)).ExitCode);
        Assert.DoesNotContain(topic, (await Eddy("topic", "list")).Output.Split('\n', StringSplitOptions.TrimEntries));
        var missing = await Eddy("topic", "delete", topic);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", missing.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Eddy("topic", "delete", topic, "--if-exists")).ExitCode);
    }

    [Fact]
    public async Task Produced_messages_are_read_back_by_eddy_and_by_kcat()
    {
        var topic = NewTopic();
        Assert.Equal(0, (await Eddy("topic", "create", topic, "--partitions", "2")).ExitCode);
        var file = TempFile("k1:{\"n\":1}\nk2:{\"n\":2}\nk3:{\"n\":3}\n");
        var produced = await Eddy("produce", topic, "-K", ":", "--value-format", "json", "-H", "source=cli", "-f", file);
        Assert.True(produced.ExitCode == 0, produced.Error);
        Assert.Contains("3 messages produced", produced.Error, StringComparison.Ordinal);

        var consumed = await Eddy("consume", topic, "--from-beginning", "-e", "--json", "--value-format", "json");
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        var records = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["k1", "k2", "k3"], records.Select(r => r.GetProperty("key").GetString()).Order(StringComparer.Ordinal));
        foreach (var r in records)
        {
            var key = r.GetProperty("key").GetString()!;
            Assert.Equal(int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture), r.GetProperty("value").GetProperty("n").GetInt32());
            Assert.Equal("cli", r.GetProperty("headers")[0].GetProperty("value").GetString());
        }

        // The same partitions and bytes through librdkafka.
        var kcat = await KcatAsync("", "-b", Bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k|%s|%p|%h\n");
        var eddyLines = records.Select(r => $"{r.GetProperty("key").GetString()}|{r.GetProperty("value").GetRawText().Replace(" ", "", StringComparison.Ordinal)}|{r.GetProperty("partition").GetInt32()}|source=cli");
        Assert.Equal(eddyLines.Order(StringComparer.Ordinal), kcat.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Messages_from_kcat_are_printed_with_format_offsets_and_fixed_width_numbers()
    {
        var topic = NewTopic();
        Assert.Equal(0, (await Eddy("topic", "create", topic, "--partitions", "1")).ExitCode);
        await KcatAsync("a;one\nb;two\nc;three\n", "-b", Bootstrap, "-P", "-t", topic, "-K", ";");

        var all = await Eddy("consume", topic, "-o", "beginning", "-e", "-K", "=");
        Assert.Equal("a=one\nb=two\nc=three\n", all.Output);
        var last = await Eddy("consume", topic, "-o", "-1", "-e", "-f", "%k@%o:%s\\n");
        Assert.Equal("c@2:three\n", last.Output);
        var fromOne = await Eddy("consume", topic, "-o", "1", "-c", "1");
        Assert.Equal("two\n", fromOne.Output);

        var numbers = NewTopic();
        var file = TempFile("7\n-8\n");
        Assert.Equal(0, (await Eddy("produce", numbers, "--value-format", "long", "-f", file)).ExitCode);
        var hex = await KcatAsync("", "-b", Bootstrap, "-C", "-t", numbers, "-e", "-q", "-s", "value=q", "-f", "%s\n");
        Assert.Equal("7\n-8\n", hex);
        Assert.Equal("7\n-8\n", (await Eddy("consume", numbers, "--from-beginning", "-e", "--value-format", "long")).Output);
    }

    [Fact]
    public async Task A_group_consumer_commits_so_the_next_run_starts_after_what_was_read()
    {
        var topic = NewTopic();
        var group = "g-" + topic;
        Assert.Equal(0, (await Eddy("produce", topic, "-f", TempFile("1\n2\n3\n"))).ExitCode);
        var first = await Eddy("consume", topic, "-G", group, "--from-beginning", "-e");
        Assert.Equal(["1", "2", "3"], first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await Eddy("produce", topic, "-f", TempFile("4\n"))).ExitCode);
        var second = await Eddy("consume", topic, "-G", group, "--from-beginning", "-e");
        Assert.Equal("4\n", second.Output);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error_and_exit_code()
    {
        var topic = NewTopic();
        var badJson = await Eddy("produce", topic, "--value-format", "json", "-f", TempFile("{\"ok\":1}\n{broken\n"));
        Assert.Equal(1, badJson.ExitCode);
        Assert.Contains("value of message 2 is not valid JSON", badJson.Error, StringComparison.Ordinal);

        var noDelimiter = await Eddy("produce", topic, "-K", ":", "-f", TempFile("no-delimiter-here\n"));
        Assert.Equal(1, noDelimiter.ExitCode);
        Assert.Contains("message 1 has no key delimiter ':'", noDelimiter.Error, StringComparison.Ordinal);

        var badNumber = await Eddy("produce", topic, "--key-format", "int", "-K", ":", "-f", TempFile("12x:v\n"));
        Assert.Equal(1, badNumber.ExitCode);
        Assert.Contains("key of message 1 '12x' is not a valid int", badNumber.Error, StringComparison.Ordinal);

        var unknownFormat = await Eddy("consume", topic, "--value-format", "avro");
        Assert.Equal(2, unknownFormat.ExitCode);
        Assert.Contains("unknown format 'avro'", unknownFormat.Error, StringComparison.Ordinal);

        var noTopic = await Eddy("consume", "does-not-exist-" + topic, "-e");
        Assert.Equal(1, noTopic.ExitCode);
        Assert.Contains("does not exist", noTopic.Error, StringComparison.Ordinal);

        var badOffset = await Eddy("consume", topic, "-o", "yesterday");
        Assert.Equal(2, badOffset.ExitCode);
        Assert.Contains("--offset", badOffset.Error, StringComparison.Ordinal);

        var badProperty = await Eddy("topic", "list", "-X", "no-equals-sign");
        Assert.Equal(2, badProperty.ExitCode);
        Assert.Contains("-X expects name=value", badProperty.Error, StringComparison.Ordinal);
    }
}
