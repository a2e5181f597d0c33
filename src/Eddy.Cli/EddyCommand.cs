using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Eddy.Cli;

/// <summary>
/// Builds the <c>eddy</c> command tree. Each verb lives in its own file and adds itself here,
/// so that tests can parse and invoke exactly what the executable runs.
/// </summary>
public static class EddyCommand
{
    /// <summary>The product version, as stamped on the assembly.</summary>
    public static string Version { get; } =
        typeof(EddyCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>Creates the root command with every verb.</summary>
    /// <example>
    /// <code>
    /// int exitCode = await EddyCommand.Create().Parse(args).InvokeAsync();
    /// </code>
    /// </example>
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "Eddy: Kafka-style stream processing for .NET. A Kafka-compatible embedded broker, " +
            "a Kafka Streams library and a ksqlDB-compatible streaming SQL server.");

        // The default version action reports the entry assembly, which is a test host under tests.
        foreach (var option in root.Options)
        {
            if (option is VersionOption versionOption)
            {
                versionOption.Action = new PrintVersionAction();
            }
        }

        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(TopicCommand.Create());
        root.Subcommands.Add(ProduceCommand.Create());
        root.Subcommands.Add(ConsumeCommand.Create());
        root.Subcommands.Add(SqlCommand.Create());

        var version = new Command("version", "Print the version of eddy.");
        version.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        });
        root.Subcommands.Add(version);
        root.Subcommands.Add(SqlTestCommand.Create());

        // With no verb, say which build this is and what it can do.
        root.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"eddy {Version}");
            output.WriteLine();
            new HelpAction().Invoke(parseResult);
            return 0;
        });
        return root;
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        }
    }
}
