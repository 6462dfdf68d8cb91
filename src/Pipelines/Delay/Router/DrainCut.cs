using Akka.Streams;
using Akka.Streams.Stage;

namespace Pipelines.Delay;

/// <summary>
/// Where a router's drain cuts its stream: once <see cref="Control.Cut"/> is called, the stage completes what follows it
/// (the released records finish and are committed) but does not cancel what precedes it. A kill switch would cancel the
/// consumer's source too, and the consumer, stopping with its last source, could no longer commit those records; here
/// the consumer stays until the drain shuts it down after the last commit.
/// </summary>
internal sealed class DrainCut<T> : GraphStageWithMaterializedValue<FlowShape<T, T>, DrainCut<T>.Control>
{
    private readonly Inlet<T> _in = new("DrainCut.in");
    private readonly Outlet<T> _out = new("DrainCut.out");

    public DrainCut()
    {
        Shape = new FlowShape<T, T>(_in, _out);
    }

    public override FlowShape<T, T> Shape { get; }

    public override ILogicAndMaterializedValue<Control> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new Control();
        return new LogicAndMaterializedValue<Control>(new Logic(this, control), control);
    }

    /// <summary>Cuts the stream; idempotent, from any thread.</summary>
    internal sealed class Control
    {
        private readonly TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Task Requested => _cut.Task;

        public void Cut() => _cut.TrySetResult();
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly DrainCut<T> _stage;
        private readonly Control _control;

        public Logic(DrainCut<T> stage, Control control)
            : base(stage.Shape)
        {
            _stage = stage;
            _control = control;
            SetHandler(stage._in, this);
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            var cut = GetAsyncCallback(OnCut);
            _control.Requested.ContinueWith(_ => cut(), TaskScheduler.Default);
        }

        public override void OnPush() => Push(_stage._out, Grab(_stage._in));

        public override void OnPull()
        {
            if (!IsClosed(_stage._in) && !HasBeenPulled(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        // Downstream completes now; the inlet stays open and unpulled, so the stage lives on until upstream ends.
        private void OnCut()
        {
            if (!IsClosed(_stage._out))
            {
                Complete(_stage._out);
            }

            SetHandler(_stage._in, onPush: () => { }, onUpstreamFinish: CompleteStage, onUpstreamFailure: FailStage);
        }
    }
}
