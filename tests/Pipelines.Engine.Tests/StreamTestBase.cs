using Pipelines.Engine.Dsl;
using Pipelines.Engine.Tests.Support;
using Pipelines.TestKit.Engine;
using Pipelines.TestKit.Time;

namespace Pipelines.Engine.Tests;

/// <summary>
/// A fresh materializer on a manual clock with a recording logger per test; after each test every stage it started must
/// have stopped.
/// </summary>
public abstract class StreamTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan NoMessage = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a test waits (real time) for something that must happen.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected StreamTestBase()
    {
        Clock = new ManualTimeProvider();
        Materializer = new Materializer(new MaterializerSettings { TimeProvider = Clock, Logger = Logger });
    }

    protected ManualTimeProvider Clock { get; }

    /// <summary>Records what the stages log.</summary>
    protected ListLogger Logger { get; } = new();

    protected Materializer Materializer { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            await Materializer.AssertAllStagesStoppedAsync();
        }
        finally
        {
            await Materializer.DisposeAsync();
        }
    }

    /// <summary>Runs <paramref name="flow"/> between a source probe and a sink probe.</summary>
    protected (SourceProbe<TIn> Upstream, SinkProbe<TOut> Downstream) Probe<TIn, TOut, TMat>(Flow<TIn, TOut, TMat> flow) =>
        TestSource.Probe<TIn>().Via(flow).ToMaterialized(TestSink.Probe<TOut>(), Keep.Both).Run(Materializer);
}
