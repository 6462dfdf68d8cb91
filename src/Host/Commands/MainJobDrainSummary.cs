using Pipelines.Hosting;

namespace Pipelines.Host.Commands;

/// <summary>The main job's last words: one line per pipeline saying how its drain went.</summary>
internal static class MainJobDrainSummary
{
    /// <summary>Writes <c>Drain summary:</c> and one <c>pipeline=… outcome=… state=… restarts=…</c> line per pipeline.</summary>
    public static async Task WriteAsync(IReadOnlyList<PipelineDrainResult> results, TextWriter messages)
    {
        await messages.WriteLineAsync($"Drain summary ({results.Count} pipeline(s)):").ConfigureAwait(false);
        foreach (var result in results)
        {
            var error = result.Error is null ? string.Empty : $" error=\"{result.Error.Message}\"";
            await messages.WriteLineAsync(
                $"  pipeline={result.Name} outcome={result.Outcome} state={result.State} restarts={result.Restarts} drain-timeout={Durations.Format(result.DrainTimeout)}{error}").ConfigureAwait(false);
        }
    }

    /// <summary>Whether every pipeline drained or had nothing to drain (a timed-out or failed drain may leave records to be consumed again).</summary>
    public static bool AllClean(IReadOnlyList<PipelineDrainResult> results) =>
        results.All(r => r.Outcome is PipelineDrainOutcome.Drained or PipelineDrainOutcome.NotRunning);
}
