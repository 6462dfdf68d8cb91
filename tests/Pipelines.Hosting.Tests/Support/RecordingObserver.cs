using System.Collections.Concurrent;

namespace Pipelines.Hosting.Tests.Support;

/// <summary>Keeps every pipeline event it hears, in order.</summary>
public sealed class RecordingObserver : IPipelineObserver
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => [.. _events];

    public void OnStarted(string pipeline, int incarnation) => _events.Enqueue($"started {pipeline} {incarnation}");

    public void OnRestarting(string pipeline, Exception failure, int restarts) => _events.Enqueue($"restarting {pipeline} {restarts} {failure.Message}");

    public void OnFailed(string pipeline, Exception failure) => _events.Enqueue($"failed {pipeline} {failure.Message}");

    public void OnDrained(PipelineDrainResult result) => _events.Enqueue($"drained {result.Name} {result.Outcome}");
}
