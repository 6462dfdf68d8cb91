using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Holds each element until its due time on the materializer's clock, then emits it, in arrival order. While the held
/// element is not due, upstream is back-pressured (nothing more is pulled) and a single timer waits for the due time:
/// no polling. Resume/Restart drop an element whose due-time function failed.
/// </summary>
internal sealed class DelayUntilStage<T>(Func<T, DateTimeOffset> dueTime) : GraphStage<FlowShape<T, T>>
{
    private static readonly object DueTimer = new();
    private readonly Func<T, DateTimeOffset> _dueTime = dueTime ?? throw new ArgumentNullException(nameof(dueTime));

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("DelayUntil.in"), new Outlet<T>("DelayUntil.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Func<T, DateTimeOffset> _dueTime;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private T _held = default!;
        private DateTimeOffset _due;
        private bool _holding;
        private bool _isDue;

        public Logic(DelayUntilStage<T> stage)
            : base(stage.Shape)
        {
            _dueTime = stage._dueTime;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            _due = _dueTime(element);
            _held = element;
            _holding = true;
            CheckDue();
        }

        public override void OnPull() => TryEmit();

        public override void OnUpstreamFinish()
        {
            if (!_holding)
            {
                CompleteStage();
            }
        }

        protected internal override void PreStart() => Pull(_in);

        protected override void OnTimer(object timerKey) => CheckDue();

        protected override void OnResume(Exception cause) => TryPull(_in);

        private void CheckDue()
        {
            var wait = _due - TimeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                // Re-checked when the timer fires: a timer may fire a little early on a real clock.
                ScheduleOnce(DueTimer, wait);
                return;
            }

            _isDue = true;
            TryEmit();
        }

        private void TryEmit()
        {
            if (!_holding || !_isDue || !IsAvailable(_out))
            {
                return;
            }

            var element = _held;
            _held = default!;
            _holding = false;
            _isDue = false;
            Push(_out, element);
            if (IsClosed(_in))
            {
                CompleteStage();
            }
            else
            {
                Pull(_in);
            }
        }
    }
}
