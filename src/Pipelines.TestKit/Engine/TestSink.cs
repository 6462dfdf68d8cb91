using Pipelines.Engine.Dsl;

namespace Pipelines.TestKit.Engine;

/// <summary>Test sinks.</summary>
public static class TestSink
{
    /// <summary>A sink that materializes a <see cref="SinkProbe{T}"/>: demand by hand, assertions on what arrives.</summary>
    public static Sink<T, SinkProbe<T>> Probe<T>() => Sink.FromGraph(new ProbeSinkStage<T>());
}
