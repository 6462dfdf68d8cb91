using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>Transforms each element with a function (LINQ Select, Akka map). Supports Resume/Restart: the failing element is dropped.</summary>
internal sealed class SelectStage<TIn, TOut>(Func<TIn, TOut> selector) : GraphStage<FlowShape<TIn, TOut>>
{
    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("Select.in"), new Outlet<TOut>("Select.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private readonly Func<TIn, TOut> _selector;

        public Logic(SelectStage<TIn, TOut> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _selector = stage._selector;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush() => Push(_out, _selector(Grab(_in)));

        public override void OnPull() => Pull(_in);

        protected override void OnResume(Exception cause) => TryPull(_in);
    }

    private readonly Func<TIn, TOut> _selector = selector ?? throw new ArgumentNullException(nameof(selector));
}
