using Akka.Streams.Dsl;

namespace Pipelines.Streams;

/// <summary>
/// <c>SelectAsyncPartitioned</c>: per-key ordered parallel processing on Akka.Streams sources, flows, subflows and their
/// context-carrying variants.
/// </summary>
public static class SelectAsyncPartitionedExtensions
{
    /// <summary>
    /// Calls <paramref name="function"/> for each element with at most <paramref name="parallelism"/> calls in flight and
    /// at most one call per key (elements of one key are processed one after another, in input order, different keys in
    /// parallel), and emits the results in input order.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The stage holds at most 2 × <paramref name="parallelism"/> elements: up to <paramref name="parallelism"/> in
    /// flight, the rest waiting for their key's earlier element or, finished, for an earlier element to be emitted. An
    /// element whose key is busy waits there without holding back later elements of other keys. A synchronously
    /// completed task is taken at once. Supervision follows <c>ActorAttributes.SupervisionStrategy</c>: <c>Stop</c> (the
    /// default) fails the stream, <c>Resume</c> drops the failed element and goes on, <c>Restart</c> drops every element
    /// the stage holds and goes on; calls already running then finish unobserved, still counting against both bounds.
    /// </para>
    /// <para><b>Emits when</b> the call of the oldest element still held has finished and downstream demands.</para>
    /// <para>
    /// <b>Back-pressures when</b> the stage holds 2 × parallelism elements, which happens when downstream back-pressures,
    /// when the oldest call is slow, or when a busy key's elements fill the room.
    /// </para>
    /// <para><b>Completes when</b> upstream completes and every element it sent has been emitted or dropped by supervision.</para>
    /// <para><b>Cancels when</b> downstream cancels; calls in flight run to their end and their results are discarded.</para>
    /// <para>
    /// <b>Fails when</b> upstream fails (at once; elements held are discarded), or under <c>Stop</c> when the key selector
    /// or the function throws, a task faults or is canceled, or a call completes with null.
    /// </para>
    /// </remarks>
    /// <param name="source">The source whose elements are processed.</param>
    /// <param name="parallelism">The most calls in flight at once (at least 1).</param>
    /// <param name="keySelector">The key of an element: calls for elements with equal keys never overlap.</param>
    /// <param name="function">The asynchronous call for one element.</param>
    /// <returns>The source of the calls' results, in input order.</returns>
    public static Source<TOut, TMat> SelectAsyncPartitioned<TIn, TOut, TKey, TMat>(
        this Source<TIn, TMat> source, int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(Plain(parallelism, keySelector, function));
    }

    /// <summary>
    /// Calls <paramref name="function"/> for each element of the flow with at most <paramref name="parallelism"/> calls
    /// in flight and at most one call per key, and emits the results in input order.
    /// </summary>
    /// <inheritdoc cref="SelectAsyncPartitioned{TIn, TOut, TKey, TMat}(Source{TIn, TMat}, int, Func{TIn, TKey}, Func{TIn, Task{TOut}})" path="/remarks"/>
    /// <param name="flow">The flow whose output is processed.</param>
    /// <param name="parallelism">The most calls in flight at once (at least 1).</param>
    /// <param name="keySelector">The key of an element: calls for elements with equal keys never overlap.</param>
    /// <param name="function">The asynchronous call for one element.</param>
    /// <returns>The flow of the calls' results, in input order.</returns>
    public static Flow<TFlowIn, TOut, TMat> SelectAsyncPartitioned<TFlowIn, TIn, TOut, TKey, TMat>(
        this Flow<TFlowIn, TIn, TMat> flow, int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(Plain(parallelism, keySelector, function));
    }

    /// <summary>
    /// Calls <paramref name="function"/> for each element of every substream with at most
    /// <paramref name="parallelism"/> calls in flight and at most one call per key within that substream, and emits the
    /// results in input order.
    /// </summary>
    /// <inheritdoc cref="SelectAsyncPartitioned{TIn, TOut, TKey, TMat}(Source{TIn, TMat}, int, Func{TIn, TKey}, Func{TIn, Task{TOut}})" path="/remarks"/>
    /// <param name="flow">The substreams whose elements are processed.</param>
    /// <param name="parallelism">The most calls in flight at once in each substream (at least 1).</param>
    /// <param name="keySelector">The key of an element: calls for elements with equal keys never overlap.</param>
    /// <param name="function">The asynchronous call for one element.</param>
    /// <returns>The substreams of the calls' results, in input order.</returns>
    public static SubFlow<TOut, TMat, TClosed> SelectAsyncPartitioned<TIn, TOut, TKey, TMat, TClosed>(
        this SubFlow<TIn, TMat, TClosed> flow, int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(flow);
        return (SubFlow<TOut, TMat, TClosed>)flow.Via(Plain(parallelism, keySelector, function));
    }

    /// <summary>
    /// Calls <paramref name="function"/> for each element with at most <paramref name="parallelism"/> calls in flight and
    /// at most one call per key, and emits each result with its element's context (a Kafka offset, say), in input order.
    /// </summary>
    /// <inheritdoc cref="SelectAsyncPartitioned{TIn, TOut, TKey, TMat}(Source{TIn, TMat}, int, Func{TIn, TKey}, Func{TIn, Task{TOut}})" path="/remarks"/>
    /// <param name="source">The source whose elements are processed; the context passes through unchanged.</param>
    /// <param name="parallelism">The most calls in flight at once (at least 1).</param>
    /// <param name="keySelector">The key of an element: calls for elements with equal keys never overlap.</param>
    /// <param name="function">The asynchronous call for one element (the context is not passed to it).</param>
    /// <returns>The source of the calls' results with their contexts, in input order.</returns>
    public static SourceWithContext<TOut, TCtx, TMat> SelectAsyncPartitioned<TIn, TCtx, TOut, TKey, TMat>(
        this SourceWithContext<TIn, TCtx, TMat> source, int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(WithContext<TIn, TCtx, TOut, TKey>(parallelism, keySelector, function));
    }

    /// <summary>
    /// Calls <paramref name="function"/> for each element of the flow with at most <paramref name="parallelism"/> calls
    /// in flight and at most one call per key, and emits each result with its element's context, in input order.
    /// </summary>
    /// <inheritdoc cref="SelectAsyncPartitioned{TIn, TOut, TKey, TMat}(Source{TIn, TMat}, int, Func{TIn, TKey}, Func{TIn, Task{TOut}})" path="/remarks"/>
    /// <param name="flow">The flow whose output is processed; the context passes through unchanged.</param>
    /// <param name="parallelism">The most calls in flight at once (at least 1).</param>
    /// <param name="keySelector">The key of an element: calls for elements with equal keys never overlap.</param>
    /// <param name="function">The asynchronous call for one element (the context is not passed to it).</param>
    /// <returns>The flow of the calls' results with their contexts, in input order.</returns>
    public static FlowWithContext<TFlowIn, TCtxIn, TOut, TCtx, TMat> SelectAsyncPartitioned<TFlowIn, TCtxIn, TIn, TCtx, TOut, TKey, TMat>(
        this FlowWithContext<TFlowIn, TCtxIn, TIn, TCtx, TMat> flow, int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Via(WithContext<TIn, TCtx, TOut, TKey>(parallelism, keySelector, function));
    }

    private static SelectAsyncPartitionedStage<TIn, TKey, TOut, TOut> Plain<TIn, TOut, TKey>(
        int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull =>
        new(parallelism, keySelector, function, static (_, result) => result);

    private static SelectAsyncPartitionedStage<(TIn, TCtx), TKey, TOut, (TOut, TCtx)> WithContext<TIn, TCtx, TOut, TKey>(
        int parallelism, Func<TIn, TKey> keySelector, Func<TIn, Task<TOut>> function)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(function);

        // The context stays in the stage's slot with its element while the call runs and is paired with the result after.
        return new(parallelism, pair => keySelector(pair.Item1), pair => function(pair.Item1), static (pair, result) => (result, pair.Item2));
    }
}
