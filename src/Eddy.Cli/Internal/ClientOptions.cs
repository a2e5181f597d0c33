using System.CommandLine;
using Eddy.Client;

namespace Eddy.Cli.Internal;

/// <summary>The connection options every client verb shares (kcat's -b and -X).</summary>
internal sealed class ClientOptions
{
    public const string BootstrapEnvironmentVariable = "EDDY_BOOTSTRAP_SERVERS";

    public Option<string?> Bootstrap { get; } = new("--bootstrap-servers", "-b")
    {
        Description = $"Kafka bootstrap servers, host:port[,host:port] (default: ${BootstrapEnvironmentVariable}, else 127.0.0.1:9092)",
    };

    public Option<string[]> Properties { get; } = new("--property", "-X")
    {
        Description = "A client property as name=value (e.g. -X compression.type=lz4); may be repeated",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Bootstrap);
        command.Options.Add(Properties);
    }

    /// <summary>Fills a client config from the options; a malformed -X is a usage error.</summary>
    public T Apply<T>(ParseResult parseResult, T config)
        where T : ClientConfig
    {
        config.BootstrapServers = parseResult.GetValue(Bootstrap)
            ?? Environment.GetEnvironmentVariable(BootstrapEnvironmentVariable)
            ?? "127.0.0.1:9092";
        config.ClientId ??= "eddy-cli";
        foreach (var pair in parseResult.GetValue(Properties) ?? [])
        {
            var (name, value) = SplitPair(pair, "-X");
            config[name] = value;
        }
        return config;
    }

    public static (string Name, string Value) SplitPair(string pair, string option)
    {
        int eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"{option} expects name=value, got '{pair}'");
        }
        return (pair[..eq], pair[(eq + 1)..]);
    }
}

/// <summary>A mistake in how a verb was called: printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Runs a verb's body and turns the failures a user can cause into one clear line and an exit code.</summary>
internal static class VerbRunner
{
    public static async Task<int> RunAsync(ParseResult parseResult, Func<TextWriter, Task<int>> body)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await body(error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UsageException or KafkaConfigException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is KafkaException or FormatException or IOException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }
}
