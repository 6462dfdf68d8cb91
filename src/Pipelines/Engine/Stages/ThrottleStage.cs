using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Limits the rate of elements with a token bucket in the form of the generic cell rate algorithm: a bucket of
/// <c>maximumBurst</c> tokens refilled at <c>cost</c> tokens per <c>per</c>, each element taking its cost. In shaping
/// mode an element that does not fit waits (on the materializer's clock) while upstream is back-pressured; in
/// enforcing mode it fails the stream with <see cref="RateExceededException"/>.
/// </summary>
internal sealed class ThrottleStage<T> : GraphStage<FlowShape<T, T>>
{
    private static readonly object TimerKey = new();

    private readonly int _cost;
    private readonly TimeSpan _per;
    private readonly int _capacity;
    private readonly Func<T, int> _costOf;
    private readonly ThrottleMode _mode;

    public ThrottleStage(int cost, TimeSpan per, int maximumBurst, Func<T, int> costOf, ThrottleMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cost);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(per, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maximumBurst);
        ArgumentNullException.ThrowIfNull(costOf);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown throttle mode.");
        }

        _cost = cost;
        _per = per;
        _capacity = Math.Max(1, maximumBurst);
        _costOf = costOf;
        _mode = mode;
    }

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Throttle.in"), new Outlet<T>("Throttle.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ThrottleStage<T> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        // Time per token and the bucket size, in TimeSpan ticks (doubles keep rates like 3 per second exact enough).
        private readonly double _tokenInterval;
        private readonly double _bucket;
        private long _start;

        // Theoretical arrival time: when the bucket would be full again, in ticks since the stage started.
        private double _tat;
        private T _held = default!;
        private bool _holding;

        public Logic(ThrottleStage<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _tokenInterval = stage._per.Ticks / (double)stage._cost;
            _bucket = stage._capacity * _tokenInterval;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            var cost = _stage._costOf(element);
            if (cost < 0)
            {
                throw new InvalidOperationException($"{this}: the cost of an element must not be negative (was {cost}).");
            }

            var now = (double)TimeProvider.GetElapsedTime(_start).Ticks;
            var increment = cost * _tokenInterval;

            // The element fits when the bucket, after taking its cost, would not overflow.
            var allowedAt = _tat + increment - _bucket;
            if (allowedAt <= now)
            {
                _tat = Math.Max(_tat, now) + increment;
                Push(_out, element);
                return;
            }

            if (_stage._mode == ThrottleMode.Enforcing)
            {
                FailStage(new RateExceededException(
                    $"{this}: an element arrived {TimeSpan.FromTicks((long)(allowedAt - now))} before the rate of {_stage._cost} per {_stage._per} (burst {_stage._capacity}) allowed it."));
                return;
            }

            _tat += increment;
            _held = element;
            _holding = true;
            ScheduleOnce(TimerKey, TimeSpan.FromTicks((long)Math.Ceiling(allowedAt - now)));
        }

        public override void OnPull()
        {
            if (!_holding)
            {
                Pull(_in);
            }
        }

        public override void OnUpstreamFinish()
        {
            // A held element is still emitted; the timer completes the stage after it.
            if (!_holding)
            {
                CompleteStage();
            }
        }

        protected internal override void PreStart() => _start = TimeProvider.GetTimestamp();

        protected override void OnTimer(object timerKey)
        {
            var element = _held;
            _held = default!;
            _holding = false;
            Push(_out, element);
            if (IsClosed(_in))
            {
                CompleteStage();
            }
        }

        protected override void OnResume(Exception cause) => TryPull(_in);
    }
}
