using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Cancels upstream as soon as the stream starts.</summary>
internal sealed class CancelledSink<T> : GraphStage<SinkShape<T>>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("Cancelled.in"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape);

    private sealed class Logic : InGraphStageLogic
    {
        public Logic(SinkShape<T> shape)
            : base(shape) => SetHandler(shape.Inlet, this);

        public override void OnPush()
        {
        }

        protected internal override void PreStart() => CompleteStage();
    }
}
