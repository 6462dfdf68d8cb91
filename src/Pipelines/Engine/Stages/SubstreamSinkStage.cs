using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// The end of one substream: the producer end of a bounded buffer that a fan-in stage (MergeSubstreams) reads. It runs
/// in the substream's own island and can be materialized once only.
/// </summary>
internal sealed class SubstreamSinkStage<T>(BoundaryBuffer<T> buffer) : GraphStage<SinkShape<T>>
{
    private int _materialized;

    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("Substream.in"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        if (Interlocked.Exchange(ref _materialized, 1) != 0)
        {
            throw new InvalidOperationException("A substream sink can be materialized once only.");
        }

        return new BoundarySinkLogic<T>(buffer);
    }
}
