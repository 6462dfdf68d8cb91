using Akka.Streams.Dsl;

namespace Pipelines.Streams;

/// <summary>
/// <c>DelayUntil</c>: holds each element until its own due time, on Akka.Streams sources, flows, subflows and their
/// context-carrying variants.
/// </summary>
public static class DelayUntilExtensions
{
    /// <summary>
    /// Holds each element until the due time <paramref name="dueTimeSelector"/> gives for it, then emits it; elements
    /// already due pass at once. Elements leave in arrival order.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Time is the ActorSystem scheduler's clock (<c>IScheduler.Now</c>): the wall clock in production, the virtual clock
    /// of Akka.TestKit's <c>TestScheduler</c> in tests. One timer of the stage waits for the held element's due time, so
    /// nothing polls, and the clock is read again before emitting, so no element leaves early. The stage holds one
    /// element: a later element with an earlier due time waits behind it. That is the contract: it is meant for streams
    /// whose due times arrive in order, such as a delay tier in which every record waits the same fixed delay.
    /// Supervision follows <c>ActorAttributes.SupervisionStrategy</c>: when the selector throws, <c>Stop</c> (the
    /// default) fails the stream, <c>Resume</c> and <c>Restart</c> drop that element.
    /// </para>
    /// <para><b>Emits when</b> the held element is due and downstream demands.</para>
    /// <para><b>Back-pressures when</b> the held element is not due yet, or downstream back-pressures.</para>
    /// <para><b>Completes when</b> upstream completes and the held element, if any, has been emitted.</para>
    /// <para><b>Cancels when</b> downstream cancels; the held element is discarded.</para>
    /// <para>
    /// <b>Fails when</b> upstream fails (at once; the held element is discarded), or the due-time selector throws under
    /// <c>Stop</c>.
    /// </para>
    /// </remarks>
    /// <param name="source">The source whose elements are delayed.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The source of the same elements, each emitted no earlier than its due time.</returns>
    public static Source<T, TMat> DelayUntil<T, TMat>(this Source<T, TMat> source, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(new DelayUntilStage<T>(dueTimeSelector));
    }

    /// <summary>
    /// Holds each element of the flow until the due time <paramref name="dueTimeSelector"/> gives for it, then emits it,
    /// in arrival order.
    /// </summary>
    /// <inheritdoc cref="DelayUntil{T, TMat}(Source{T, TMat}, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="flow">The flow whose output is delayed.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The flow of the same elements, each emitted no earlier than its due time.</returns>
    public static Flow<TIn, T, TMat> DelayUntil<TIn, T, TMat>(this Flow<TIn, T, TMat> flow, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(new DelayUntilStage<T>(dueTimeSelector));
    }

    /// <summary>
    /// Holds each element of every substream until the due time <paramref name="dueTimeSelector"/> gives for it, then
    /// emits it, in arrival order within its substream.
    /// </summary>
    /// <inheritdoc cref="DelayUntil{T, TMat}(Source{T, TMat}, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="flow">The substreams whose elements are delayed.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The substreams of the same elements, each emitted no earlier than its due time.</returns>
    public static SubFlow<T, TMat, TClosed> DelayUntil<T, TMat, TClosed>(this SubFlow<T, TMat, TClosed> flow, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return (SubFlow<T, TMat, TClosed>)flow.Via(new DelayUntilStage<T>(dueTimeSelector));
    }

    /// <summary>
    /// Holds each element, with its context, until the due time <paramref name="dueTimeSelector"/> gives for the element,
    /// then emits both, in arrival order.
    /// </summary>
    /// <inheritdoc cref="DelayUntil{T, TMat}(Source{T, TMat}, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="source">The source whose elements are delayed; each context travels with its element.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The source of the same elements and contexts, each emitted no earlier than its due time.</returns>
    public static SourceWithContext<T, TCtx, TMat> DelayUntil<T, TCtx, TMat>(this SourceWithContext<T, TCtx, TMat> source, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(WithContext<T, TCtx>(dueTimeSelector));
    }

    /// <summary>
    /// Holds each element of the flow, with its context, until the due time <paramref name="dueTimeSelector"/> gives for
    /// the element, then emits both, in arrival order.
    /// </summary>
    /// <inheritdoc cref="DelayUntil{T, TMat}(Source{T, TMat}, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="flow">The flow whose output is delayed; each context travels with its element.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The flow of the same elements and contexts, each emitted no earlier than its due time.</returns>
    public static FlowWithContext<TIn, TCtxIn, T, TCtx, TMat> DelayUntil<TIn, TCtxIn, T, TCtx, TMat>(
        this FlowWithContext<TIn, TCtxIn, T, TCtx, TMat> flow, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(WithContext<T, TCtx>(dueTimeSelector));
    }

    private static DelayUntilStage<(T, TCtx)> WithContext<T, TCtx>(Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(dueTimeSelector);
        return new DelayUntilStage<(T, TCtx)>(pair => dueTimeSelector(pair.Item1));
    }
}
