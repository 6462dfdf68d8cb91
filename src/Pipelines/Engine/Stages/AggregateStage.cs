using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Folds every element and emits the final aggregate when upstream completes (Akka fold). Pulls upstream only once
/// downstream asked for the result. Resume keeps the aggregate; Restart resets it to the seed.
/// </summary>
internal sealed class AggregateStage<TIn, TAcc>(TAcc zero, Func<TAcc, TIn, TAcc> aggregate) : GraphStage<FlowShape<TIn, TAcc>>
{
    private readonly TAcc _zero = zero;
    private readonly Func<TAcc, TIn, TAcc> _aggregate = aggregate ?? throw new ArgumentNullException(nameof(aggregate));

    public override FlowShape<TIn, TAcc> Shape { get; } = new(new Inlet<TIn>("Aggregate.in"), new Outlet<TAcc>("Aggregate.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private const int SyncBatch = 128;
        private readonly AggregateStage<TIn, TAcc> _stage;
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TAcc> _out;
        private TAcc _acc;

        public Logic(AggregateStage<TIn, TAcc> stage)
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
            var element = Grab(_in);
            for (var budget = SyncBatch; ; budget--)
            {
                _acc = _stage._aggregate(_acc, element);
                if (budget == 1)
                {
                    Pull(_in);
                    return;
                }

                if (!PullSync(_in, out element))
                {
                    return;
                }
            }
        }

        public override void OnPull()
        {
            if (IsClosed(_in))
            {
                Push(_out, _acc);
                CompleteStage();
            }
            else
            {
                Pull(_in);
            }
        }

        public override void OnUpstreamFinish()
        {
            if (IsAvailable(_out))
            {
                Push(_out, _acc);
                CompleteStage();
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
