namespace Pipelines.Benchmarks;

/// <summary>
/// Runs benchmark suites by name and prints their BENCH lines: the entry of <c>dotnet run --project bench/Pipelines.Benchmarks</c>
/// and of the host's <c>bench</c> command.
/// </summary>
public static class BenchmarkRunner
{
    private static readonly List<IBenchmarkSuite> Added = [];

    /// <summary>The names of the suites, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<string> SuiteNames => Suites().Select(s => s.Name).ToList();

    /// <summary>
    /// Adds a suite defined outside this assembly (the host's suite of its example topology, which this assembly cannot
    /// reference); a suite of the same name is replaced.
    /// </summary>
    internal static void AddSuite(IBenchmarkSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        lock (Added)
        {
            Added.RemoveAll(s => s.Name == suite.Name);
            Added.Add(suite);
        }
    }

    /// <summary>Every suite, by name.</summary>
    private static List<IBenchmarkSuite> Suites()
    {
        lock (Added)
        {
            return [.. Program.Suites().Where(s => Added.All(a => a.Name != s.Name)).Concat(Added).OrderBy(s => s.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Runs the suites named in <paramref name="names"/> (<c>all</c> for every one), writing to <paramref name="output"/>.</summary>
    /// <param name="names">Suite names, or <c>all</c>.</param>
    /// <param name="quick">Shrink input sizes so a suite finishes in seconds (for smoke runs, not for figures).</param>
    /// <param name="output">Where the BENCH lines and notes go.</param>
    /// <param name="cancellationToken">Stops between and within cases.</param>
    /// <returns>The BENCH lines printed.</returns>
    /// <exception cref="ArgumentException">No name, or a name that is not a suite.</exception>
    public static async Task<IReadOnlyList<string>> RunAsync(IReadOnlyCollection<string> names, bool quick, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(output);
        var suites = Suites();
        if (names.Count == 0)
        {
            throw new ArgumentException($"name a suite: {string.Join(", ", suites.Select(s => s.Name).Append("all"))}.", nameof(names));
        }

        var unknown = names.Where(n => n != "all" && suites.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown suite(s): {string.Join(", ", unknown)}; known: {string.Join(", ", suites.Select(s => s.Name).Append("all"))}.", nameof(names));
        }

        var selected = names.Contains("all") ? suites : suites.Where(s => names.Contains(s.Name)).ToList();
        var report = new BenchReport(output);
        foreach (var suite in selected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await output.WriteLineAsync($"# suite {suite.Name}{(quick ? " (quick)" : string.Empty)}").ConfigureAwait(false);
            await suite.RunAsync(new BenchOptions(quick), report, cancellationToken).ConfigureAwait(false);
        }

        return report.Lines;
    }
}
