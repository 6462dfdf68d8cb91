using Akka.Streams.Dsl;

namespace Pipelines.Streams;

/// <summary>
/// <c>DelayUntilUnordered</c>: holds up to a bounded number of elements, each until its own due time, and emits the
/// earliest due first, on Akka.Streams sources, flows and subflows.
/// </summary>
public static class DelayUntilUnorderedExtensions
{
    /// <summary>
    /// Holds up to <paramref name="bufferSize"/> elements, each until the due time <paramref name="dueTimeSelector"/>
    /// gives for it, and emits the earliest due among them first; elements with equal due times leave in arrival order.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Unlike <c>DelayUntil</c>, a later element with an earlier due time overtakes the ones held before it, as long as it
    /// gets into the buffer: an element waits behind at most <paramref name="bufferSize"/> elements due after it. Memory
    /// is bounded by the buffer. Time is the ActorSystem scheduler's clock (<c>IScheduler.Now</c>): the wall clock in
    /// production, the virtual clock of Akka.TestKit's <c>TestScheduler</c> in tests; one timer waits for the earliest due
    /// time and the clock is read again before emitting, so no element leaves early. Supervision follows
    /// <c>ActorAttributes.SupervisionStrategy</c>: when the selector throws, <c>Stop</c> (the default) fails the stream,
    /// <c>Resume</c> and <c>Restart</c> drop that element.
    /// </para>
    /// <para><b>Emits when</b> the earliest held element is due and downstream demands.</para>
    /// <para><b>Back-pressures when</b> <paramref name="bufferSize"/> elements are held (none of them due, or downstream back-pressures).</para>
    /// <para><b>Completes when</b> upstream completes and every held element has been emitted.</para>
    /// <para><b>Cancels when</b> downstream cancels; held elements are discarded.</para>
    /// <para><b>Fails when</b> upstream fails (at once; held elements are discarded), or the selector throws under <c>Stop</c>.</para>
    /// </remarks>
    /// <param name="source">The source whose elements are delayed.</param>
    /// <param name="bufferSize">The most elements held at once (at least 1; 1 behaves as <c>DelayUntil</c>).</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The source of the same elements, each emitted no earlier than its due time.</returns>
    public static Source<T, TMat> DelayUntilUnordered<T, TMat>(this Source<T, TMat> source, int bufferSize, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(new DelayUntilUnorderedStage<T>(bufferSize, dueTimeSelector));
    }

    /// <summary>Holds up to <paramref name="bufferSize"/> elements of the flow, each until its due time, emitting the earliest due first.</summary>
    /// <inheritdoc cref="DelayUntilUnordered{T, TMat}(Source{T, TMat}, int, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="flow">The flow whose output is delayed.</param>
    /// <param name="bufferSize">The most elements held at once.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The flow of the same elements, each emitted no earlier than its due time.</returns>
    public static Flow<TIn, T, TMat> DelayUntilUnordered<TIn, T, TMat>(this Flow<TIn, T, TMat> flow, int bufferSize, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(new DelayUntilUnorderedStage<T>(bufferSize, dueTimeSelector));
    }

    /// <summary>Holds up to <paramref name="bufferSize"/> elements of every substream, each until its due time, emitting the earliest due first within its substream.</summary>
    /// <inheritdoc cref="DelayUntilUnordered{T, TMat}(Source{T, TMat}, int, Func{T, DateTimeOffset})" path="/remarks"/>
    /// <param name="flow">The substreams whose elements are delayed.</param>
    /// <param name="bufferSize">The most elements held at once per substream.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <returns>The substreams of the same elements, each emitted no earlier than its due time.</returns>
    public static SubFlow<T, TMat, TClosed> DelayUntilUnordered<T, TMat, TClosed>(this SubFlow<T, TMat, TClosed> flow, int bufferSize, Func<T, DateTimeOffset> dueTimeSelector)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return (SubFlow<T, TMat, TClosed>)flow.Via(new DelayUntilUnorderedStage<T>(bufferSize, dueTimeSelector));
    }
}
