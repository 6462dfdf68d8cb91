using System.Diagnostics;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// Processing steps with a span per consumed record. Activity.Current does not flow through Akka.Streams stages, so a
/// record's trace context travels in its headers: these operators start a consumer span whose parent is that context, make it
/// <see cref="Activity.Current"/> while the user's function runs (so its own instrumentation, and the records it makes for a
/// producer stage, become children), and end it when the function's result is ready. Without listeners on the
/// <see cref="PipelinesTelemetry.ActivitySourceName"/> source they call the function directly.
/// </summary>
/// <remarks>
/// Emits, back-pressures, completes and cancels as <c>Select</c> and <c>SelectAsync</c> do. A function that throws (or whose
/// task faults) ends its span with an error status and the exception, then fails the stream as it would without tracing.
/// </remarks>
public static class KafkaTracing
{
    /// <summary>Like <c>SelectAsync</c>, with a process span named <paramref name="name"/> around each call of <paramref name="process"/>.</summary>
    /// <param name="source">A source of committable records.</param>
    /// <param name="parallelism">Calls running at once (results stay in input order).</param>
    /// <param name="name">The span name, e.g. <c>process orders</c>.</param>
    /// <param name="process">The processing of one record.</param>
    public static Source<TOut, TMat> SelectAsyncTraced<TKey, TValue, TOut, TMat>(
        this Source<CommittableMessage<TKey, TValue>, TMat> source, int parallelism, string name, Func<CommittableMessage<TKey, TValue>, Task<TOut>> process)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.SelectAsync(parallelism, Traced(name, static (CommittableMessage<TKey, TValue> m) => m.Record, process));
    }

    /// <summary>Like <c>SelectAsync</c>, with a process span named <paramref name="name"/> around each call of <paramref name="process"/>.</summary>
    /// <param name="source">A source of consumed records.</param>
    /// <param name="parallelism">Calls running at once (results stay in input order).</param>
    /// <param name="name">The span name, e.g. <c>process orders</c>.</param>
    /// <param name="process">The processing of one record.</param>
    public static Source<TOut, TMat> SelectAsyncTraced<TKey, TValue, TOut, TMat>(
        this Source<ConsumeResult<TKey, TValue>, TMat> source, int parallelism, string name, Func<ConsumeResult<TKey, TValue>, Task<TOut>> process)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.SelectAsync(parallelism, Traced(name, static (ConsumeResult<TKey, TValue> r) => r, process));
    }

    /// <summary>Like <c>SelectAsync</c> on a flow, with a process span named <paramref name="name"/> around each call of <paramref name="process"/>.</summary>
    /// <param name="flow">A flow emitting committable records.</param>
    /// <param name="parallelism">Calls running at once (results stay in input order).</param>
    /// <param name="name">The span name.</param>
    /// <param name="process">The processing of one record.</param>
    public static Flow<TIn, TOut, TMat> SelectAsyncTraced<TIn, TKey, TValue, TOut, TMat>(
        this Flow<TIn, CommittableMessage<TKey, TValue>, TMat> flow, int parallelism, string name, Func<CommittableMessage<TKey, TValue>, Task<TOut>> process)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.SelectAsync(parallelism, Traced(name, static (CommittableMessage<TKey, TValue> m) => m.Record, process));
    }

    /// <summary>Like <c>Select</c>, with a process span named <paramref name="name"/> around each call of <paramref name="process"/>.</summary>
    /// <param name="source">A source of committable records.</param>
    /// <param name="name">The span name.</param>
    /// <param name="process">The processing of one record.</param>
    public static Source<TOut, TMat> SelectTraced<TKey, TValue, TOut, TMat>(
        this Source<CommittableMessage<TKey, TValue>, TMat> source, string name, Func<CommittableMessage<TKey, TValue>, TOut> process)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Traced(name, static (CommittableMessage<TKey, TValue> m) => m.Record, process));
    }

    /// <summary>Like <c>Select</c>, with a process span named <paramref name="name"/> around each call of <paramref name="process"/>.</summary>
    /// <param name="source">A source of consumed records.</param>
    /// <param name="name">The span name.</param>
    /// <param name="process">The processing of one record.</param>
    public static Source<TOut, TMat> SelectTraced<TKey, TValue, TOut, TMat>(
        this Source<ConsumeResult<TKey, TValue>, TMat> source, string name, Func<ConsumeResult<TKey, TValue>, TOut> process)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Traced(name, static (ConsumeResult<TKey, TValue> r) => r, process));
    }

    /// <summary>
    /// Wraps an asynchronous processing function so that each call runs in a process span, for operators that take one
    /// (<c>SelectAsyncUnordered</c>, <c>SelectAsyncPartitioned</c>, a <c>SourceWithOffsetContext</c> pipeline).
    /// </summary>
    /// <param name="name">The span name.</param>
    /// <param name="record">Picks the consumed record (whose headers carry the parent context) out of an element.</param>
    /// <param name="process">The processing of one element.</param>
    public static Func<TIn, Task<TOut>> Traced<TIn, TKey, TValue, TOut>(string name, Func<TIn, ConsumeResult<TKey, TValue>> record, Func<TIn, Task<TOut>> process)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(process);
        return element => PipelinesTelemetry.Source.HasListeners() ? RunAsync(name, record(element), element, process) : process(element);
    }

    /// <summary>Wraps a synchronous processing function so that each call runs in a process span.</summary>
    /// <param name="name">The span name.</param>
    /// <param name="record">Picks the consumed record (whose headers carry the parent context) out of an element.</param>
    /// <param name="process">The processing of one element.</param>
    public static Func<TIn, TOut> Traced<TIn, TKey, TValue, TOut>(string name, Func<TIn, ConsumeResult<TKey, TValue>> record, Func<TIn, TOut> process)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(process);
        return element => PipelinesTelemetry.Source.HasListeners() ? Run(name, record(element), element, process) : process(element);
    }

    private static async Task<TOut> RunAsync<TIn, TKey, TValue, TOut>(string name, ConsumeResult<TKey, TValue> record, TIn element, Func<TIn, Task<TOut>> process)
    {
        // Inside an async method: the span is current for the function and its continuations, and the caller's (the stream
        // thread's) current activity is restored when this method yields.
        using var activity = ProcessSpan.Start(name, record);
        try
        {
            return await process(element).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProcessSpan.Fail(activity, ex))
        {
            throw;
        }
    }

    private static TOut Run<TIn, TKey, TValue, TOut>(string name, ConsumeResult<TKey, TValue> record, TIn element, Func<TIn, TOut> process)
    {
        var previous = Activity.Current;
        var activity = ProcessSpan.Start(name, record);
        try
        {
            return process(element);
        }
        catch (Exception ex) when (ProcessSpan.Fail(activity, ex))
        {
            throw;
        }
        finally
        {
            activity?.Dispose();
            Activity.Current = previous;
        }
    }
}
