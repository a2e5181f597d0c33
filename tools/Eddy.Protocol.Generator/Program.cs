namespace Eddy.Protocol.Generator;

/// <summary>
/// Regenerates src/Eddy.Protocol/Messages/Generated from the Kafka message definitions.
/// Run: dotnet run --project tools/Eddy.Protocol.Generator. A test fails if the checked-in output is stale.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string root = Generator.FindRepositoryRoot(args.Length > 0 ? args[0] : Directory.GetCurrentDirectory());
        string output = Generator.OutputDirectory(root);
        Directory.CreateDirectory(output);
        var files = Generator.GenerateAll(Generator.DefinitionsDirectory(root));
        foreach (var stale in Directory.GetFiles(output, "*.g.cs"))
        {
            if (!files.ContainsKey(Path.GetFileName(stale)))
            {
                File.Delete(stale);
            }
        }

        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(output, name), content);
        }

        Console.WriteLine($"wrote {files.Count} files to {output}");
        return 0;
    }
}
