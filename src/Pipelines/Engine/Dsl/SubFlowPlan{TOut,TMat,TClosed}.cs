using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Dsl;

/// <summary>What a <see cref="SubFlow{TOut,TMat,TClosed}"/> has accumulated, without the substreams' original element type.</summary>
internal abstract class SubFlowPlan<TOut, TMat, TClosed>
{
    public abstract SubFlowPlan<TNext, TMat, TClosed> Via<TNext, TMat2>(IGraph<FlowShape<TOut, TNext>, TMat2> flow);

    public abstract TClosed To<TMat2>(IGraph<SinkShape<TOut>, TMat2> sink);

    /// <summary>The merged stream: a <see cref="Source{TOut,TMat}"/> or a <see cref="Flow{TIn,TOut,TMat}"/>, as the root decides.</summary>
    public abstract object Merge(int breadth);
}
