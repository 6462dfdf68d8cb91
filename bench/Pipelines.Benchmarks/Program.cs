namespace Pipelines.Benchmarks;

/// <summary>
/// Side-by-side benchmarks: <c>dotnet run -c Release --project bench/Pipelines.Benchmarks -- &lt;suite|all&gt; [--quick]</c>.
/// </summary>
internal static class Program
{
    // One line per suite; suites live in their own folders.
    private static IReadOnlyList<IBenchmarkSuite> Suites() =>
    [
        new Embedded.EmbeddedClusterSuite(),
        new FrontDoors.FrontDoorsSuite(),
        new Hocon.HoconSuite(),
        new Kafka.KafkaSuite(),
        new Streams.StreamsSuite(),
    ];

    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var suites = Suites();
        if (names.Count == 0)
        {
            Console.Error.WriteLine($"usage: Pipelines.Benchmarks <{string.Join('|', suites.Select(s => s.Name).Append("all"))}> [--quick]");
            return 2;
        }

        var selected = names.Contains("all") ? suites : suites.Where(s => names.Contains(s.Name)).ToList();
        var unknown = names.Where(n => n != "all" && suites.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown suite(s): {string.Join(", ", unknown)}; known: {string.Join(", ", suites.Select(s => s.Name))}");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var report = new BenchReport(Console.Out);
        foreach (var suite in selected)
        {
            Console.WriteLine($"# suite {suite.Name}{(quick ? " (quick)" : string.Empty)}");
            await suite.RunAsync(new BenchOptions(quick), report, cancel.Token).ConfigureAwait(false);
        }

        return 0;
    }
}
