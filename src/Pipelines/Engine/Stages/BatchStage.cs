using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Aggregates elements while downstream is slower than upstream: pulls eagerly, folds each element into the pending
/// aggregate (the first one through the seed), and emits the aggregate as soon as downstream pulls. At most
/// <c>max</c> elements go into one aggregate; then upstream is back-pressured. Supervision of seed and aggregate:
/// Resume drops the element, Restart drops the element and the pending aggregate.
/// </summary>
internal sealed class BatchStage<TIn, TAgg> : GraphStage<FlowShape<TIn, TAgg>>
{
    private readonly long _max;
    private readonly Func<TIn, TAgg> _seed;
    private readonly Func<TAgg, TIn, TAgg> _aggregate;

    public BatchStage(long max, Func<TIn, TAgg> seed, Func<TAgg, TIn, TAgg> aggregate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(aggregate);
        _max = max;
        _seed = seed;
        _aggregate = aggregate;
    }

    public override FlowShape<TIn, TAgg> Shape { get; } = new(new Inlet<TIn>("Batch.in"), new Outlet<TAgg>("Batch.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TAgg> _out;
        private readonly long _max;
        private readonly Func<TIn, TAgg> _seed;
        private readonly Func<TAgg, TIn, TAgg> _aggregate;
        private TAgg _agg = default!;
        private bool _hasAgg;
        private long _count;

        public Logic(BatchStage<TIn, TAgg> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _max = stage._max;
            _seed = stage._seed;
            _aggregate = stage._aggregate;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            if (_hasAgg)
            {
                _agg = _aggregate(_agg, element);
            }
            else
            {
                _agg = _seed(element);
                _hasAgg = true;
            }

            _count++;
            if (IsAvailable(_out))
            {
                Flush();
            }

            PullIfRoom();
        }

        public override void OnPull()
        {
            if (_hasAgg)
            {
                Flush();
                if (IsClosed(_in))
                {
                    CompleteStage();
                    return;
                }

                PullIfRoom();
            }
            else if (IsClosed(_in))
            {
                CompleteStage();
            }
            else
            {
                PullIfRoom();
            }
        }

        public override void OnUpstreamFinish()
        {
            // A pending aggregate is emitted when downstream pulls next; then the stage completes.
            if (!_hasAgg)
            {
                CompleteStage();
            }
        }

        protected internal override void PreStart() => Pull(_in);

        protected override void OnResume(Exception cause) => PullIfRoom();

        protected override void OnRestart(Exception cause)
        {
            _agg = default!;
            _hasAgg = false;
            _count = 0;
            PullIfRoom();
        }

        private void Flush()
        {
            var agg = _agg;
            _agg = default!;
            _hasAgg = false;
            _count = 0;
            Push(_out, agg);
        }

        private void PullIfRoom()
        {
            if (_count < _max && !HasBeenPulled(_in) && !IsClosed(_in))
            {
                Pull(_in);
            }
        }
    }
}
