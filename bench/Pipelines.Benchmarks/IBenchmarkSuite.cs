namespace Pipelines.Benchmarks;

/// <summary>A named group of side-by-side cases; each case reports one BENCH line.</summary>
internal interface IBenchmarkSuite
{
    /// <summary>The suite's name on the command line (e.g. <c>streams</c>).</summary>
    string Name { get; }

    /// <summary>Runs every case of the suite, reporting each through <paramref name="report"/>.</summary>
    Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken);
}
