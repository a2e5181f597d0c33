namespace Eddy.Bench;

/// <summary>
/// An end-to-end benchmark run by the macro harness: <c>dotnet run -c Release --project bench/Eddy.Bench -- NAME [args]</c>.
/// Implementations are discovered by reflection, so adding one is adding a file.
/// </summary>
public interface IMacroBenchmark
{
    /// <summary>The name used on the command line, e.g. <c>broker-kcat</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured and against which anchor.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark and writes a Markdown table of results to <paramref name="output"/>.</summary>
    Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken);
}
