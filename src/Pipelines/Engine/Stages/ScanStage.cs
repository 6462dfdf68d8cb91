using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits the running aggregate: first the seed, then the aggregate after each element (Akka scan). Resume keeps the
/// aggregate and drops the failing element; Restart resets the aggregate to the seed.
/// </summary>
internal sealed class ScanStage<TIn, TAcc>(TAcc zero, Func<TAcc, TIn, TAcc> aggregate) : GraphStage<FlowShape<TIn, TAcc>>
{
    private readonly TAcc _zero = zero;
    private readonly Func<TAcc, TIn, TAcc> _aggregate = aggregate ?? throw new ArgumentNullException(nameof(aggregate));

    public override FlowShape<TIn, TAcc> Shape { get; } = new(new Inlet<TIn>("Scan.in"), new Outlet<TAcc>("Scan.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ScanStage<TIn, TAcc> _stage;
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TAcc> _out;
        private TAcc _acc;
        private bool _seedEmitted;

        public Logic(ScanStage<TIn, TAcc> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _acc = stage._zero;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            _acc = _stage._aggregate(_acc, Grab(_in));
            Push(_out, _acc);
        }

        public override void OnPull()
        {
            if (!_seedEmitted)
            {
                _seedEmitted = true;
                Push(_out, _acc);
            }
            else
            {
                Pull(_in);
            }
        }

        public override void OnUpstreamFinish()
        {
            if (_seedEmitted)
            {
                CompleteStage();
            }
            else
            {
                _seedEmitted = true;
                Emit(_out, _acc, CompleteStage);
            }
        }

        protected override void OnResume(Exception cause) => TryPull(_in);

        protected override void OnRestart(Exception cause)
        {
            _acc = _stage._zero;
            TryPull(_in);
        }
    }
}
