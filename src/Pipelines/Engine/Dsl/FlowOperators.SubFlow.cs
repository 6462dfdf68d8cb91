using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Flow<TIn, TOut, TMat>
{
    /// <inheritdoc cref="Source{TOut,TMat}.GroupBy{TKey}(int,Func{TOut,TKey},bool)"/>
    public SubFlow<TOut, TMat, Sink<TIn, TMat>> GroupBy<TKey>(int maxSubstreams, Func<TOut, TKey> keySelector, bool allowClosedSubstreamRecreation = false)
        where TKey : notnull =>
        FlowSubFlowRoot<TIn, TOut, TMat>.Create(Via(new GroupByStage<TOut, TKey>(maxSubstreams, keySelector, allowClosedSubstreamRecreation)));
}
