using Akka.Streams;
using Akka.Streams.Stage;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Delay;

/// <summary>
/// Decides what happens to each released record, on the router's clock: not due yet → the tier for its remaining
/// delay; due → asks the cancellation registry. Due records wait in a bounded FIFO while the registry has not read the
/// cancellation topic as of their due time (a catch-up is requested and its end wakes the stage; nothing polls), and
/// records behind them keep flowing: one catch-up releases every record that waited for it.
/// </summary>
/// <remarks>
/// Holds at most <c>capacity</c> records (waiting plus decided). Emits when a record is decided and downstream pulls;
/// back-pressures when it holds <c>capacity</c> records; completes when upstream completes and every held record was
/// emitted; fails when the cancellation reader fails. Due records leave in arrival order.
/// </remarks>
internal sealed class CancellationGateStage : GraphStage<FlowShape<RoutedRecord, RoutedRecord>>
{
    private readonly RouterCancellationReader _cancellations;
    private readonly DelayTiers _tiers;
    private readonly int _capacity;

    public CancellationGateStage(RouterCancellationReader cancellations, DelayTiers tiers, int capacity)
    {
        _cancellations = cancellations;
        _tiers = tiers;
        _capacity = capacity;
        Shape = new FlowShape<RoutedRecord, RoutedRecord>(new Inlet<RoutedRecord>("CancellationGate.in"), new Outlet<RoutedRecord>("CancellationGate.out"));
    }

    public override FlowShape<RoutedRecord, RoutedRecord> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("delayRouterCancellationGate");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic, IInHandler, IOutHandler
    {
        private readonly CancellationGateStage _stage;
        private readonly Inlet<RoutedRecord> _in;
        private readonly Outlet<RoutedRecord> _out;
        private readonly Queue<RoutedRecord> _waiting = new();
        private readonly Queue<RoutedRecord> _ready = new();
        private ITimeProvider _clock = null!;

        public Logic(CancellationGateStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandler(_in, this);
            SetHandler(_out, this);
        }

        public override void PreStart()
        {
            _clock = ((ActorMaterializer)Materializer).System.Scheduler;
            var progress = GetAsyncCallback(OnProgress);
            _stage._cancellations.Start(() => progress());
            Pull(_in);
        }

        public void OnPush()
        {
            var record = Grab(_in);
            var now = _clock.Now;
            if (record.Envelope.DueTime > now)
            {
                record.NextTier = _stage._tiers.NextHop(now, record.Envelope.DueTime).Tier;
                record.ReleasedAt = now;
                record.Action = RouteAction.Cascade;
                _ready.Enqueue(record);
            }
            else if (_waiting.Count == 0 && Decide(record, now))
            {
                _ready.Enqueue(record);
            }
            else
            {
                // Behind a waiting record, a due record waits too: due records leave in arrival order.
                _waiting.Enqueue(record);
                _stage._cancellations.Request(now);
            }

            TryPush();
            PullIfRoom();
        }

        public void OnUpstreamFinish() => CompleteIfDone();

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        public void OnPull()
        {
            TryPush();
            PullIfRoom();
        }

        public void OnDownstreamFinish(Exception cause) => InternalOnDownstreamFinish(cause);

        private void OnProgress()
        {
            if (_stage._cancellations.Failure is { } failure)
            {
                FailStage(failure);
                return;
            }

            var now = _clock.Now;
            while (_waiting.TryPeek(out var head) && Decide(head, now))
            {
                _ready.Enqueue(_waiting.Dequeue());
            }

            if (_waiting.Count > 0)
            {
                _stage._cancellations.Request(now);
            }

            TryPush();
            PullIfRoom();
        }

        private void TryPush()
        {
            if (IsAvailable(_out) && _ready.TryDequeue(out var record))
            {
                Push(_out, record);
            }

            CompleteIfDone();
        }

        private void PullIfRoom()
        {
            if (_waiting.Count + _ready.Count < _stage._capacity && !IsClosed(_in) && !HasBeenPulled(_in))
            {
                Pull(_in);
            }
        }

        private void CompleteIfDone()
        {
            if (IsClosed(_in) && _waiting.Count == 0 && _ready.Count == 0)
            {
                CompleteStage();
            }
        }

        private bool Decide(RoutedRecord record, DateTimeOffset now)
        {
            switch (_stage._cancellations.Decide(record.Envelope.Id, record.Envelope.DueTime))
            {
                case DeliveryDecision.Deliver:
                    record.Action = RouteAction.Deliver;
                    break;
                case DeliveryDecision.Drop:
                    record.Action = RouteAction.Cancelled;
                    break;
                case DeliveryDecision.SkipDuplicate:
                    record.Action = RouteAction.Duplicate;
                    break;
                default:
                    return false;
            }

            record.ReleasedAt = now;
            return true;
        }
    }
}
