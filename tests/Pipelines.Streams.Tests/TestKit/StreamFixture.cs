using Pipelines.Streams;

namespace Pipelines.Streams.Tests.TestKit;

/// <summary>
/// A materializer on a manual clock with a recording logger; disposing it checks that every stream the test
/// started has stopped (a stage left running is a leak), then stops the materializer.
/// </summary>
internal sealed class StreamFixture : IAsyncDisposable
{
    public StreamFixture()
    {
        Materializer = new Materializer(new MaterializerSettings { TimeProvider = Clock, Logger = Logger });
    }

    public ManualTimeProvider Clock { get; } = new();

    public ListLogger Logger { get; } = new();

    public Materializer Materializer { get; }

    /// <summary>Waits (up to 30 s) until no stream of the materializer is running.</summary>
    public async Task AssertAllStagesStoppedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Materializer.WhenAllStoppedAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var running = Materializer.RunningIslands.SelectMany(i => i.RunningStages());
            throw new Xunit.Sdk.XunitException($"Stages still running after 30 s: {string.Join(", ", running)}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AssertAllStagesStoppedAsync();
        }
        finally
        {
            Materializer.Dispose();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await Materializer.WhenAllStoppedAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var running = Materializer.RunningIslands.SelectMany(i => i.RunningStages());
                throw new Xunit.Sdk.XunitException($"Stages still running 30 s after the materializer was disposed: {string.Join(", ", running)}.");
            }
        }
    }
}
