using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.Support;

/// <summary>Emits the first <c>count</c> elements, then completes and cancels upstream (a substream that stops early).</summary>
public sealed class TakeStage<T>(int count) : GraphStage<FlowShape<T, T>>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Take.in"), new Outlet<T>("Take.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, count);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FlowShape<T, T> _shape;
        private int _left;

        public Logic(FlowShape<T, T> shape, int count)
            : base(shape)
        {
            _shape = shape;
            _left = count;
            SetHandlers(shape.Inlet, shape.Outlet, this);
        }

        public override void OnPush()
        {
            Push(_shape.Outlet, Grab(_shape.Inlet));
            if (--_left == 0)
            {
                CompleteStage();
            }
        }

        public override void OnPull() => Pull(_shape.Inlet);
    }
}
