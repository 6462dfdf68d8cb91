using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

/// <summary>Factories of sources.</summary>
public static partial class Source
{
    /// <summary>Wraps any source-shaped graph (a custom <see cref="GraphStage{TShape}"/> or a graph built elsewhere) as a source.</summary>
    public static Source<T, TMat> FromGraph<T, TMat>(IGraph<SourceShape<T>, TMat> graph) =>
        graph as Source<T, TMat> ?? new Source<T, TMat>(Module.Of(graph));

    /// <summary>
    /// Emits the elements of <paramref name="elements"/>, enumerating it afresh for each materialization.
    /// <para>Emits when: downstream pulls and the enumerator has a next element. Completes when: the enumeration ends.
    /// Fails when: the enumeration throws.</para>
    /// </summary>
    public static Source<T, NotUsed> From<T>(IEnumerable<T> elements) => FromGraph(new EnumerableSource<T>(elements));

    /// <summary>
    /// Emits the elements of <paramref name="elements"/>, enumerating it afresh for each materialization; the enumeration
    /// is cancelled and disposed when the stream stops early.
    /// <para>Emits when: downstream pulls and <c>MoveNextAsync</c> yields an element. Completes when: the enumeration ends.
    /// Fails when: the enumeration throws.</para>
    /// </summary>
    public static Source<T, NotUsed> From<T>(IAsyncEnumerable<T> elements) => FromGraph(new AsyncEnumerableSource<T>(elements));

    /// <summary>Emits <paramref name="element"/> once, then completes.</summary>
    public static Source<T, NotUsed> Single<T>(T element) => FromGraph(new SingleSource<T>(element));

    /// <summary>Completes at once without emitting.</summary>
    public static Source<T, NotUsed> Empty<T>() => FromGraph(new EmptySource<T>());

    /// <summary>Fails at once with <paramref name="cause"/>.</summary>
    public static Source<T, NotUsed> Failed<T>(Exception cause) => FromGraph(new FailedSource<T>(cause));

    /// <summary>Emits <paramref name="element"/> forever, as fast as downstream pulls.</summary>
    public static Source<T, NotUsed> Repeat<T>(T element) => FromGraph(new RepeatSource<T>(element));

    /// <summary>
    /// Emits <paramref name="tick"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/> on the
    /// materializer's clock; the materialized <see cref="ICancelable"/> completes it.
    /// <para>Emits when: a tick is due and downstream has pulled; a tick that finds no demand is skipped, not buffered.
    /// Completes when: cancelled.</para>
    /// </summary>
    public static Source<T, ICancelable> Tick<T>(TimeSpan initialDelay, TimeSpan interval, T tick) =>
        FromGraph(new TickSource<T>(initialDelay, interval, tick));

    /// <summary>
    /// Emits elements produced asynchronously from a state: each pull calls <paramref name="unfold"/> with the current state;
    /// a result <c>(next state, element)</c> emits the element, <see langword="null"/> completes the stream.
    /// <para>Emits when: the call for a pull completes with a value. Completes when: a call returns <see langword="null"/>.
    /// Fails when: a call fails.</para>
    /// </summary>
    public static Source<TOut, NotUsed> UnfoldAsync<TState, TOut>(TState state, Func<TState, Task<(TState State, TOut Element)?>> unfold) =>
        FromGraph(new UnfoldAsyncSource<TState, TOut>(state, unfold));

    /// <summary>Emits the result of <paramref name="task"/> once it completes, then completes; fails if the task fails or is cancelled.</summary>
    public static Source<T, NotUsed> FromTask<T>(Task<T> task) => FromGraph(new TaskSource<T>(task));

    /// <summary>
    /// A source fed from outside through the materialized <see cref="ISourceQueueWithComplete{T}"/>. Up to
    /// <paramref name="bufferSize"/> offered elements wait for downstream (0: an offer waits until downstream pulls); when
    /// the buffer is full, <paramref name="overflowStrategy"/> decides: <see cref="OverflowStrategy.Backpressure"/> makes
    /// <c>OfferAsync</c> wait, the drop strategies answer at once, <see cref="OverflowStrategy.Fail"/> fails the stream.
    /// <para>Emits when: an offered element is buffered and downstream pulls. Completes when: the queue is completed and
    /// the buffer drained. Fails when: the queue is failed.</para>
    /// </summary>
    public static Source<T, ISourceQueueWithComplete<T>> Queue<T>(int bufferSize, OverflowStrategy overflowStrategy = OverflowStrategy.Backpressure) =>
        FromGraph(new QueueSource<T>(bufferSize, overflowStrategy));
}
