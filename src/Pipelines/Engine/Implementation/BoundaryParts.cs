using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>The two stages of an async boundary: the producer end (in the upstream island) and the consumer end.</summary>
internal sealed record BoundaryParts(GraphStageLogic Producer, GraphStageLogic Consumer)
{
    public static BoundaryParts Create<T>(int capacity)
    {
        var buffer = new BoundaryBuffer<T>(capacity);
        return new BoundaryParts(new BoundarySinkLogic<T>(buffer), new BoundarySourceLogic<T>(buffer));
    }
}
