using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Follows a substream's source (<see cref="SubstreamSourceStage{T}"/>) and passes its elements through unchanged. When
/// the source completes — it drained its buffer after the producer completed it — this stage tells the producer that
/// nothing more will be read, as a cancellation without cause: a GroupBy that may hand unread elements of a cancelled
/// substream to a new one waits for that before it completes.
/// </summary>
internal sealed class SubstreamDrainedStage<T>(BoundaryBuffer<T> buffer) : GraphStage<FlowShape<T, T>>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("SubstreamDrained.in"), new Outlet<T>("SubstreamDrained.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, buffer);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FlowShape<T, T> _shape;
        private readonly BoundaryBuffer<T> _buffer;

        public Logic(FlowShape<T, T> shape, BoundaryBuffer<T> buffer)
            : base(shape)
        {
            _shape = shape;
            _buffer = buffer;
            SetHandlers(shape.Inlet, shape.Outlet, this);
        }

        public override void OnPush() => Push(_shape.Outlet, Grab(_shape.Inlet));

        public override void OnPull() => Pull(_shape.Inlet);

        public override void OnUpstreamFinish()
        {
            // The source read everything and stopped reading: the producer may now consider the substream done.
            _buffer.Cancel(null);
            CompleteStage();
        }
    }
}
