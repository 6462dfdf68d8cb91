namespace Pipelines.Benchmarks;

/// <summary>
/// Side-by-side benchmarks: <c>dotnet run -c Release --project bench/Pipelines.Benchmarks -- &lt;suite|all&gt; [--quick]</c>.
/// </summary>
internal static class Program
{
    // One line per suite; suites live in their own folders.
    internal static IReadOnlyList<IBenchmarkSuite> Suites() =>
    [
        new Delay.DelaySuite(),
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
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        try
        {
            await BenchmarkRunner.RunAsync(names, quick, Console.Out, cancel.Token).ConfigureAwait(false);
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"usage: Pipelines.Benchmarks <{string.Join('|', BenchmarkRunner.SuiteNames.Append("all"))}> [--quick]: {e.Message}");
            return 2;
        }
    }
}
