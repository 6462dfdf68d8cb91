using Pipelines.Engine;

namespace Pipelines.TestKit.Engine;

/// <summary>Assertions about the streams a materializer runs.</summary>
public static class MaterializerAssertions
{
    /// <summary>
    /// Waits until every stage started by <paramref name="materializer"/> has stopped; fails listing the stages still
    /// running after <paramref name="timeout"/> (default 5 s). Call it at the end of a test to catch leaked streams.
    /// </summary>
    public static async Task AssertAllStagesStoppedAsync(this Materializer materializer, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(materializer);
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await materializer.WhenAllStoppedAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            var running = materializer.RunningIslands.SelectMany(i => i.RunningStages().Select(s => $"{i}: {s}")).ToList();
            throw new ExpectationFailedException($"Expected all stages to be stopped within {limit}, but these are still running: {string.Join("; ", running)}.");
        }
    }
}
