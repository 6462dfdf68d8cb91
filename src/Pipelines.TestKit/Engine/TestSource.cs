using Pipelines.Engine.Dsl;

namespace Pipelines.TestKit.Engine;

/// <summary>Test sources.</summary>
public static class TestSource
{
    /// <summary>A source that materializes a <see cref="SourceProbe{T}"/>: elements sent by hand, assertions on demand and cancellation.</summary>
    public static Source<T, SourceProbe<T>> Probe<T>() => Source.FromGraph(new ProbeSourceStage<T>());
}
