using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through until its <see cref="SharedKillSwitch"/> fires: a shutdown completes downstream and
/// cancels upstream, an abort fails downstream and cancels upstream with the cause. The stage registers a listener with
/// the switch when it starts (stopping at once if the switch already fired) and removes it when it stops.
/// </summary>
internal sealed class SharedKillSwitchStage<T>(SharedKillSwitch killSwitch) : GraphStageWithMaterializedValue<FlowShape<T, T>, SharedKillSwitch>
{
    private readonly SharedKillSwitch _killSwitch = killSwitch;

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("KillSwitch.in"), new Outlet<T>("KillSwitch.out"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name(killSwitch.ToString());

    public override (GraphStageLogic Logic, SharedKillSwitch MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes) =>
        (new Logic(this), _killSwitch);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly SharedKillSwitch _killSwitch;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly Action<Exception?> _listener;

        public Logic(SharedKillSwitchStage<T> stage)
            : base(stage.Shape)
        {
            _killSwitch = stage._killSwitch;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _listener = GetAsyncCallback<Exception?>(Stop).Invoke;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush() => Push(_out, Grab(_in));

        public override void OnPull() => Pull(_in);

        protected internal override void PreStart()
        {
            var (running, cause) = _killSwitch.Register(_listener);
            if (!running)
            {
                Stop(cause);
            }
        }

        protected internal override void PostStop() => _killSwitch.Unregister(_listener);

        private void Stop(Exception? cause)
        {
            if (cause is null)
            {
                CompleteStage();
            }
            else
            {
                FailStage(cause);
            }
        }
    }
}
