using Pipelines.Streams.Stage;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>
/// Runs an asynchronous function on up to <c>parallelism</c> elements at once and emits the results in completion order
/// (the semantics of SelectAsyncUnordered), for the out-of-order commit scenarios.
/// </summary>
public sealed class UnorderedAsyncStage<TIn, TOut>(int parallelism, Func<TIn, Task<TOut>> function) : GraphStage<FlowShape<TIn, TOut>>
{
    private int Parallelism { get; } = parallelism;

    private Func<TIn, Task<TOut>> Function { get; } = function;

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("UnorderedAsync.in"), new Outlet<TOut>("UnorderedAsync.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly UnorderedAsyncStage<TIn, TOut> _stage;
        private readonly Queue<TOut> _ready = new();
        private StageCallback<(TOut Value, Exception? Failure)>? _onDone;
        private int _inFlight;

        public Logic(UnorderedAsyncStage<TIn, TOut> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandlers(stage.Shape.Inlet, stage.Shape.Outlet, this);
        }

        protected internal override void PreStart() => _onDone = GetAsyncCallback<(TOut Value, Exception? Failure)>(OnDone);

        public override void OnPush()
        {
            _inFlight++;
            _ = RunAsync(Grab(_stage.Shape.Inlet));
            PullIfRoom();
        }

        public override void OnPull()
        {
            if (_ready.Count > 0)
            {
                Push(_stage.Shape.Outlet, _ready.Dequeue());
            }

            PullIfRoom();
        }

        public override void OnUpstreamFinish() => CompleteIfDone();

        private async Task RunAsync(TIn element)
        {
            try
            {
                _onDone!.Invoke((await _stage.Function(element), null));
            }
            catch (Exception ex)
            {
                _onDone!.Invoke((default!, ex));
            }
        }

        private void OnDone((TOut Value, Exception? Failure) outcome)
        {
            _inFlight--;
            if (outcome.Failure is not null)
            {
                FailStage(outcome.Failure);
                return;
            }

            if (IsAvailable(_stage.Shape.Outlet))
            {
                Push(_stage.Shape.Outlet, outcome.Value);
            }
            else
            {
                _ready.Enqueue(outcome.Value);
            }

            PullIfRoom();
            CompleteIfDone();
        }

        private void PullIfRoom()
        {
            var inlet = _stage.Shape.Inlet;
            if (_inFlight + _ready.Count < _stage.Parallelism && !HasBeenPulled(inlet) && !IsClosed(inlet))
            {
                Pull(inlet);
            }
        }

        private void CompleteIfDone()
        {
            if (IsClosed(_stage.Shape.Inlet) && _inFlight == 0 && _ready.Count == 0)
            {
                CompleteStage();
            }
        }
    }
}
