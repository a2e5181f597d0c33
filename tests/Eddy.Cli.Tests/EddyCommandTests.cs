using System.CommandLine;

namespace Eddy.Cli.Tests;

public class EddyCommandTests
{
    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var config = new InvocationConfiguration { Output = output, Error = output };
        int exit = EddyCommand.Create().Parse(args).Invoke(config);
        return (exit, output.ToString());
    }

    [Fact]
    public void No_verb_prints_version_then_help()
    {
        var (exit, output) = Run();
        Assert.Equal(0, exit);
        Assert.StartsWith($"eddy {EddyCommand.Version}", output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_option_prints_the_assembly_version()
    {
        var (exit, output) = Run("--version");
        Assert.Equal(0, exit);
        Assert.Equal(EddyCommand.Version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", EddyCommand.Version);
    }

    [Fact]
    public void Version_verb_prints_the_same_version()
    {
        var (exit, output) = Run("version");
        Assert.Equal(0, exit);
        Assert.Equal(EddyCommand.Version, output.Trim());
    }

    [Fact]
    public void Unknown_verb_fails_with_a_message_naming_it()
    {
        var (exit, output) = Run("frobnicate");
        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", output, StringComparison.Ordinal);
    }
}
