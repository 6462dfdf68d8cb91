namespace Pipelines.Benchmarks;

/// <summary>Options common to every suite.</summary>
/// <param name="Quick">Shrink input sizes so a suite finishes in seconds (for smoke runs, not for figures).</param>
internal sealed record BenchOptions(bool Quick)
{
    /// <summary>Returns <paramref name="full"/>, or <paramref name="quick"/> when running with <c>--quick</c>.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;
}
