namespace Eddy.Sql.Tests;

/// <summary>Locations the tests read from.</summary>
internal static class TestPaths
{
    /// <summary>The repository root (the folder holding Eddy.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>ksqlDB's query-validation tests, when present: $EDDY_KSQL_QTT or ../shared/ksql-qtt.</summary>
    public static string? QttDirectory
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("EDDY_KSQL_QTT");
            if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv))
            {
                return fromEnv;
            }

            var candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "ksql-qtt"));
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>The case files of this project.</summary>
    public static string CasesDirectory => Path.Combine(RepoRoot, "tests", "Eddy.Sql.Tests", "Cases");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Eddy.slnx")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException("Cannot find the repository root (Eddy.slnx) above " + AppContext.BaseDirectory);
    }
}
