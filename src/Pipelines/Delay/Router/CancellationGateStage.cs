using Akka.Streams;
using Akka.Streams.Stage;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Delay;

/// <summary>
/// Decides what happens to each released record, on the router's clock: not due yet → the tier for its remaining
/// delay; due → asks the cancellation registry, and holds the record while the registry has not read the cancellation
/// topic as of its due time (a catch-up is requested and its end wakes the stage; nothing polls).
/// </summary>
/// <remarks>
/// Holds one record. Emits when the held record is decided and downstream pulls; back-pressures while it waits for the
/// cancellation topic; completes when upstream completes and the held record was emitted; fails when the cancellation
/// reader fails.
/// </remarks>
internal sealed class CancellationGateStage : GraphStage<FlowShape<RoutedRecord, RoutedRecord>>
{
    private readonly RouterCancellationReader _cancellations;
    private readonly DelayTiers _tiers;

    public CancellationGateStage(RouterCancellationReader cancellations, DelayTiers tiers)
    {
        _cancellations = cancellations;
        _tiers = tiers;
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
        private ITimeProvider _clock = null!;
        private RoutedRecord? _held;

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
            _held = Grab(_in);
            TryRelease();
        }

        public void OnUpstreamFinish()
        {
            if (_held is null)
            {
                CompleteStage();
            }
        }

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        public void OnPull() => TryRelease();

        public void OnDownstreamFinish(Exception cause) => InternalOnDownstreamFinish(cause);

        private void OnProgress()
        {
            if (_stage._cancellations.Failure is { } failure)
            {
                FailStage(failure);
                return;
            }

            TryRelease();
        }

        private void TryRelease()
        {
            var record = _held;
            if (record is null)
            {
                return;
            }

            if (record.Action == RouteAction.None && !Decide(record))
            {
                return;
            }

            if (!IsAvailable(_out))
            {
                return;
            }

            _held = null;
            Push(_out, record);
            if (IsClosed(_in))
            {
                CompleteStage();
            }
            else
            {
                Pull(_in);
            }
        }

        private bool Decide(RoutedRecord record)
        {
            var now = _clock.Now;
            var due = record.Envelope.DueTime;
            if (due > now)
            {
                record.NextTier = _stage._tiers.NextHop(now, due).Tier;
                record.ReleasedAt = now;
                record.Action = RouteAction.Cascade;
                return true;
            }

            switch (_stage._cancellations.Decide(record.Envelope.Id, due))
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
                    // The end of the catch-up calls OnProgress, which decides again.
                    _stage._cancellations.Request(now);
                    return false;
            }

            record.ReleasedAt = now;
            return true;
        }
    }
}
