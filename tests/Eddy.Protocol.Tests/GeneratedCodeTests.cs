namespace Eddy.Protocol.Tests;

public class GeneratedCodeTests
{
    [Fact]
    public void Checked_in_codecs_match_the_generator_output()
    {
        string root = Generator.Generator.FindRepositoryRoot(AppContext.BaseDirectory);
        var expected = Generator.Generator.GenerateAll(Generator.Generator.DefinitionsDirectory(root));
        string outputDir = Generator.Generator.OutputDirectory(root);
        var actual = Directory.GetFiles(outputDir, "*.g.cs").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Keys.ToList(), actual);
        foreach (var (name, content) in expected)
        {
            Assert.True(
                content == File.ReadAllText(Path.Combine(outputDir, name)),
                $"{name} is stale: run `dotnet run --project tools/Eddy.Protocol.Generator`");
        }
    }
}
