namespace Eddy.Bench;

/// <summary>The macro (end-to-end) benchmark harness. Micro-benchmarks live in bench/Eddy.Benchmarks.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var benchmarks = typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMacroBenchmark).IsAssignableFrom(t))
            .Select(t => (IMacroBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var chosen = args.Length > 0 ? benchmarks.FirstOrDefault(b => b.Name == args[0]) : null;
        if (chosen is null)
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/Eddy.Bench -- NAME [args]");
            foreach (var benchmark in benchmarks)
            {
                Console.WriteLine($"  {benchmark.Name,-24} {benchmark.Description}");
            }

            return args.Length == 0 ? 0 : 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await chosen.RunAsync(args[1..], Console.Out, cancel.Token);
    }
}
