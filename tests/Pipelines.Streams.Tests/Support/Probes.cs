using Pipelines.Streams.Dsl;

namespace Pipelines.Streams.Tests.Support;

/// <summary>Factories and helpers of the stream test probes.</summary>
public static class Probes
{
    /// <summary>How long an Expect method waits (real time) before it fails.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>A short real-time wait for "nothing happens" checks.</summary>
    public static TimeSpan NoMessage { get; } = TimeSpan.FromMilliseconds(150);

    public static Sink<T, SinkProbe<T>> Sink<T>() => SinkProbe<T>.Create();

    public static Source<T, SourceProbe<T>> Source<T>() => SourceProbe<T>.Create();

    /// <summary>Fails unless every stream of <paramref name="materializer"/> stopped within <see cref="Timeout"/> (no leaked stages).</summary>
    public static async Task AssertAllStagesStoppedAsync(this Materializer materializer)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await materializer.WhenAllStoppedAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var running = materializer.RunningIslands.SelectMany(island => island.RunningStages());
            throw new Xunit.Sdk.XunitException($"Stages still running after {Timeout}: {string.Join(", ", running)}.");
        }
    }
}
