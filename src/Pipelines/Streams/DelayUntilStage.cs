using Akka.Streams;
using Akka.Streams.Stage;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Streams;

/// <summary>
/// Holds each element until its due time, then emits it, in arrival order: the stage holds one element (the head), and
/// while the head is not due it pulls nothing (back-pressure) and one timer of the stage waits for the due time, so there
/// is no polling. A later element with an earlier due time waits behind the head: the stage is meant for streams whose
/// due times arrive in order, such as a delay tier where every record waits the same fixed delay.
/// </summary>
/// <remarks>
/// Due times are wall-clock instants (a record's timestamp plus a delay), so they are judged by the ActorSystem
/// scheduler's wall clock, <see cref="ITimeProvider.Now"/>: <see cref="DateTimeOffset.UtcNow"/> in production, the
/// virtual clock that Akka.TestKit's <c>TestScheduler</c> advances in tests. (The scheduler's monotonic clock is real time
/// even under the TestScheduler, and it cannot be compared with a DateTimeOffset.) The timer waits the difference; when it
/// fires, the clock is read again and an element that is still not due (a timer firing early, the wall clock stepped back)
/// waits for another timer: the stage never emits early.
/// </remarks>
internal sealed class DelayUntilStage<T> : GraphStage<FlowShape<T, T>>
{
    // A due time years away is re-checked once a day rather than handing the scheduler a delay it may not represent.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(1);

    private readonly Func<T, DateTimeOffset> _dueTimeSelector;

    public DelayUntilStage(Func<T, DateTimeOffset> dueTimeSelector)
    {
        _dueTimeSelector = dueTimeSelector ?? throw new ArgumentNullException(nameof(dueTimeSelector));
        Shape = new FlowShape<T, T>(new Inlet<T>("DelayUntil.in"), new Outlet<T>("DelayUntil.out"));
    }

    public override FlowShape<T, T> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("delayUntil");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : DueTimeStageLogic<T>, IInHandler, IOutHandler
    {
        private static readonly object DueTimer = new();

        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private T _held = default!;
        private DateTimeOffset _due;
        private bool _holding;

        public Logic(DelayUntilStage<T> stage, Attributes inheritedAttributes)
            : base(stage.Shape, "DelayUntil", stage._dueTimeSelector, inheritedAttributes)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandler(_in, this);
            SetHandler(_out, this);
        }

        public override void PreStart()
        {
            base.PreStart();
            Pull(_in);
        }

        public void OnPush()
        {
            var element = Grab(_in);
            var selection = SelectDueTime(element, out var due);
            if (selection == Selection.Failed)
            {
                return;
            }

            if (selection == Selection.Dropped)
            {
                if (IsClosed(_in))
                {
                    CompleteStage();
                }
                else
                {
                    Pull(_in);
                }

                return;
            }

            _held = element;
            _due = due;
            _holding = true;
            TryEmit();
        }

        public void OnUpstreamFinish()
        {
            // A held element is emitted when due; TryEmit completes the stage after it.
            if (!_holding)
            {
                CompleteStage();
            }
        }

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        public void OnPull() => TryEmit();

        public void OnDownstreamFinish(Exception cause) => InternalOnDownstreamFinish(cause);

        protected override void OnTimer(object timerKey) => TryEmit();

        private void TryEmit()
        {
            if (!_holding)
            {
                return;
            }

            var wait = _due - Clock.Now;
            if (wait > TimeSpan.Zero)
            {
                // One timer for the head; a pull while it waits does not schedule another.
                if (!IsTimerActive(DueTimer))
                {
                    ScheduleOnce(DueTimer, wait < LongestTimer ? wait : LongestTimer);
                }

                return;
            }

            if (!IsAvailable(_out))
            {
                return;
            }

            var element = _held;
            _held = default!;
            _holding = false;
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
