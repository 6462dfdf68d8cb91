using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>
/// A stream split into substreams (by <c>GroupBy</c>), built like one flow: every operator added here is applied to
/// each substream separately. End it with <c>MergeSubstreams</c>/<c>MergeSubstreamsWithParallelism</c> (back to one
/// stream) or with <see cref="To{TMat2}"/> (each substream into its own materialization of a sink). Substreams are
/// materialized while the stream runs, so their materialized values are not available; the result keeps the
/// materialized value of the stream before the split.
/// </summary>
/// <typeparam name="TOut">The type of the substreams' elements.</typeparam>
/// <typeparam name="TMat">The materialized value of the stream before the split.</typeparam>
/// <typeparam name="TClosed">What <see cref="To{TMat2}"/> returns: a <see cref="RunnableGraph{TMat}"/> when the split
/// stream is a source, a <see cref="Sink{TIn,TMat}"/> when it is a flow.</typeparam>
public sealed partial class SubFlow<TOut, TMat, TClosed>
{
    internal SubFlow(SubFlowPlan<TOut, TMat, TClosed> plan) => Plan = plan;

    internal SubFlowPlan<TOut, TMat, TClosed> Plan { get; }

    /// <summary>
    /// Appends <paramref name="flow"/> to every substream (its materialized values are discarded); any operator not
    /// offered on sub-flows directly applies this way: <c>subFlow.Via(Flow.Create&lt;T&gt;().Operator(...))</c>.
    /// </summary>
    public SubFlow<TNext, TMat, TClosed> Via<TNext, TMat2>(IGraph<FlowShape<TOut, TNext>, TMat2> flow) => new(Plan.Via(flow));

    /// <summary>
    /// Runs every substream into a fresh materialization of <paramref name="sink"/> (its materialized values are
    /// discarded). A substream whose sink fails fails the whole stream; a sink that cancels closes its key.
    /// </summary>
    public TClosed To<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink) => Plan.To(sink);
}
