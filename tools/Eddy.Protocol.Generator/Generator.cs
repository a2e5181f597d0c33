namespace Eddy.Protocol.Generator;

/// <summary>Turns the definitions folder into the generated C# files (file name → content).</summary>
public static class Generator
{
    public static SortedDictionary<string, string> GenerateAll(string definitionsDirectory)
    {
        var messages = new Dictionary<string, MessageSpec>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(definitionsDirectory, "*.json").OrderBy(p => p, StringComparer.Ordinal))
        {
            var spec = MessageSpec.Parse(File.ReadAllText(path));
            messages[spec.Name] = spec;
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in messages.Values)
        {
            if (spec.Kind == "header")
            {
                continue; // Request and response headers are hand-written: their version follows from the API.
            }

            files[spec.Name + ".g.cs"] = new MessageEmitter(spec).Emit();
        }

        var (apiKey, apis) = Catalog.Emit(messages);
        files["ApiKey.g.cs"] = apiKey;
        files["KafkaApis.g.cs"] = apis;
        return files;
    }

    /// <summary>Finds the repository root (the folder holding Eddy.slnx) above <paramref name="start"/>.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Eddy.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Eddy.slnx not found above {start}");
    }

    public static string DefinitionsDirectory(string root) => Path.Combine(root, "src", "Eddy.Protocol", "Messages", "Definitions");

    public static string OutputDirectory(string root) => Path.Combine(root, "src", "Eddy.Protocol", "Messages", "Generated");
}
