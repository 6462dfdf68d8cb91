namespace Pipelines.Streams.Tests.Support;

/// <summary>A test class with its own materializer, disposed (stopping every stream it started) after each test.</summary>
public abstract class StreamTest : IAsyncLifetime
{
    protected Materializer Materializer { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Materializer.DisposeAsync();

    /// <summary>Fails unless every stage of every stream of this test stopped (nothing leaks, nothing hangs).</summary>
    protected Task AssertAllStagesStoppedAsync() => Materializer.AssertAllStagesStoppedAsync();
}
