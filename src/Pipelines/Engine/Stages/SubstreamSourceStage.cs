using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// The source of one substream: the consumer end of a bounded buffer that a fan-out stage (GroupBy) writes. It runs in
/// the island of whatever materializes it and can be materialized once only.
/// </summary>
internal sealed class SubstreamSourceStage<T>(BoundaryBuffer<T> buffer, string description) : GraphStage<SourceShape<T>>
{
    private int _materialized;

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Substream.out"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name(description);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        if (Interlocked.Exchange(ref _materialized, 1) != 0)
        {
            throw new InvalidOperationException($"The source of {description} was already materialized; a substream can be materialized once only.");
        }

        return new BoundarySourceLogic<T>(buffer);
    }
}
