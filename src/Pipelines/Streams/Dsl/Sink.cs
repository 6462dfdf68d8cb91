using Pipelines.Streams.Implementation;
using Pipelines.Streams.Stage;
using Pipelines.Streams.Stages;

namespace Pipelines.Streams.Dsl;

/// <summary>Factories of sinks.</summary>
public static partial class Sink
{
    /// <summary>Wraps any sink-shaped graph (a custom stage or a graph built elsewhere) as a sink.</summary>
    public static Sink<T, TMat> FromGraph<T, TMat>(IGraph<SinkShape<T>, TMat> graph) =>
        graph as Sink<T, TMat> ?? new Sink<T, TMat>(Module.Of(graph));

    /// <summary>
    /// Collects every element into a list; the task completes with it when the stream completes (the list is unbounded:
    /// use it for finite streams).
    /// </summary>
    public static Sink<T, Task<IReadOnlyList<T>>> Seq<T>() => FromGraph(new SeqSink<T>());

    /// <summary>
    /// Folds every element into an accumulator starting from <paramref name="zero"/>; the task completes with the final value.
    /// Supervision: Resume skips the failing element, Restart resets the accumulator to <paramref name="zero"/>.
    /// </summary>
    public static Sink<TIn, Task<TAcc>> Aggregate<TIn, TAcc>(TAcc zero, Func<TAcc, TIn, TAcc> aggregate) =>
        FromGraph(new AggregateSink<TIn, TAcc>(zero, aggregate));

    /// <summary>Calls <paramref name="action"/> for each element; the task completes with the stream. Supervision: Resume/Restart skip the failing element.</summary>
    public static Sink<T, Task> ForEach<T>(Action<T> action) => FromGraph(new ForEachSink<T>(action));

    /// <summary>Consumes and discards every element; the task completes with the stream.</summary>
    public static Sink<T, Task> Ignore<T>() => FromGraph(new IgnoreSink<T>());
}
