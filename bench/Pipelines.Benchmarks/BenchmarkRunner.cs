namespace Pipelines.Benchmarks;

/// <summary>
/// Runs benchmark suites by name and prints their BENCH lines: the entry of <c>dotnet run --project bench/Pipelines.Benchmarks</c>
/// and of the host's <c>bench</c> command.
/// </summary>
public static class BenchmarkRunner
{
    /// <summary>The names of the suites, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<string> SuiteNames => Program.Suites().Select(s => s.Name).ToList();

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
        var suites = Program.Suites();
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
