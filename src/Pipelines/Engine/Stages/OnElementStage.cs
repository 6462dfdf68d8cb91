using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Calls an action with each element before passing it on unchanged (a tap for metrics or tracing). A throwing action
/// is handled by supervision: Stop fails the stream, Resume and Restart drop the element.
/// </summary>
internal sealed class OnElementStage<T>(Action<T> action) : GraphStage<FlowShape<T, T>>
{
    private readonly Action<T> _action = action ?? throw new ArgumentNullException(nameof(action));

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("OnElement.in"), new Outlet<T>("OnElement.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly Action<T> _action;

        public Logic(OnElementStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _action = stage._action;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            _action(element);
            Push(_out, element);
        }

        public override void OnPull() => Pull(_in);

        protected override void OnResume(Exception cause) => TryPull(_in);
    }
}
