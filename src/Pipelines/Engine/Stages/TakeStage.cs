using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits the first <c>n</c> elements, then completes downstream and cancels upstream.</summary>
internal sealed class TakeStage<T>(long count) : GraphStage<FlowShape<T, T>>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Take.in"), new Outlet<T>("Take.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, count);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private long _remaining;

        public Logic(FlowShape<T, T> shape, long count)
            : base(shape)
        {
            _in = shape.Inlet;
            _out = shape.Outlet;
            _remaining = count;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            Push(_out, Grab(_in));
            if (--_remaining <= 0)
            {
                CompleteStage();
            }
        }

        public override void OnPull() => Pull(_in);

        protected internal override void PreStart()
        {
            if (_remaining <= 0)
            {
                CompleteStage();
            }
        }
    }
}
