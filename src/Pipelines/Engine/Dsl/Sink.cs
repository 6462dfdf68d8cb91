using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// Factories of sinks. Every sink that materializes a task completes it when the stream completes and faults it with the
/// stream's failure (or <see cref="AbruptStageTerminationException"/> if the materializer is disposed first).
/// </summary>
public static partial class Sink
{
    /// <summary>Wraps any sink-shaped graph (a custom stage or a graph built elsewhere) as a sink.</summary>
    public static Sink<T, TMat> FromGraph<T, TMat>(IGraph<SinkShape<T>, TMat> graph) =>
        graph as Sink<T, TMat> ?? new Sink<T, TMat>(Module.Of(graph));

    /// <summary>Consumes and discards every element; the task completes with the stream.</summary>
    public static Sink<T, Task> Ignore<T>() => FromGraph(new IgnoreSink<T>());

    /// <summary>Calls <paramref name="action"/> for each element; the task completes with the stream. Supervision: Resume/Restart skip the failing element.</summary>
    public static Sink<T, Task> ForEach<T>(Action<T> action) => FromGraph(new ForEachSink<T>(action));

    /// <summary>
    /// Calls <paramref name="action"/> for each element with up to <paramref name="parallelism"/> calls in flight; the task
    /// completes when the stream completed and every call finished. Supervision: Resume/Restart skip a failed call.
    /// </summary>
    public static Sink<T, Task> ForEachAsync<T>(int parallelism, Func<T, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Flow.Create<T>()
            .SelectAsyncUnordered(parallelism, async element =>
            {
                await action(element).ConfigureAwait(false);
                return NotUsed.Instance;
            })
            .ToMaterialized(Ignore<NotUsed>(), Keep.Right)
            .Named("ForEachAsync");
    }

    /// <summary>
    /// Collects every element into a list; the task completes with it when the stream completes (the list is unbounded:
    /// use it for finite streams).
    /// </summary>
    public static Sink<T, Task<IReadOnlyList<T>>> Seq<T>() => FromGraph(new SeqSink<T>());

    /// <summary>Completes the task with the first element and cancels upstream; fails with <see cref="InvalidOperationException"/> on an empty stream.</summary>
    public static Sink<T, Task<T>> First<T>() => FromGraph(new FirstSink<T>(orDefault: false));

    /// <summary>Completes the task with the first element (or the default value on an empty stream) and cancels upstream.</summary>
    public static Sink<T, Task<T>> FirstOrDefault<T>() => FromGraph(new FirstSink<T>(orDefault: true));

    /// <summary>Completes the task with the last element when the stream completes; fails with <see cref="InvalidOperationException"/> on an empty stream.</summary>
    public static Sink<T, Task<T>> Last<T>() => FromGraph(new LastSink<T>(orDefault: false));

    /// <summary>Completes the task with the last element (or the default value on an empty stream) when the stream completes.</summary>
    public static Sink<T, Task<T>> LastOrDefault<T>() => FromGraph(new LastSink<T>(orDefault: true));

    /// <summary>
    /// Folds every element into an accumulator starting from <paramref name="zero"/>; the task completes with the final value.
    /// Supervision: Resume skips the failing element, Restart resets the accumulator to <paramref name="zero"/>.
    /// </summary>
    public static Sink<TIn, Task<TAcc>> Aggregate<TIn, TAcc>(TAcc zero, Func<TAcc, TIn, TAcc> aggregate) =>
        FromGraph(new AggregateSink<TIn, TAcc>(zero, aggregate));

    /// <summary>Cancels upstream as soon as the stream starts.</summary>
    public static Sink<T, NotUsed> Cancelled<T>() => FromGraph(new CancelledSink<T>());
}
