using Akka.Streams;
using Akka.Streams.Stage;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Streams;

/// <summary>
/// Holds up to <c>bufferSize</c> elements, each until its due time, and emits the earliest due first (ties in arrival
/// order): a bounded out-of-order hold. While fewer than <c>bufferSize</c> elements are held it pulls; when full it
/// back-pressures until one is emitted. One timer of the stage waits for the earliest due time, so nothing polls.
/// </summary>
/// <remarks>
/// Due times are judged by the ActorSystem scheduler's wall clock (<see cref="ITimeProvider.Now"/>), as in
/// <see cref="DelayUntilStage{T}"/>: the virtual clock of Akka.TestKit's <c>TestScheduler</c> in tests. The clock is read
/// again before every emission, so a timer that fires early never lets an element out early.
/// </remarks>
internal sealed class DelayUntilUnorderedStage<T> : GraphStage<FlowShape<T, T>>
{
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(1);

    private readonly int _bufferSize;
    private readonly Func<T, DateTimeOffset> _dueTimeSelector;
    private readonly bool _discardOnUpstreamFinish;
    private readonly Action<int, DateTimeOffset?>? _onHeldChanged;

    /// <param name="bufferSize">The most elements held at once.</param>
    /// <param name="dueTimeSelector">The instant before which an element must not be emitted.</param>
    /// <param name="discardOnUpstreamFinish">Whether upstream completion completes the stage at once, discarding held elements (a consumer whose records are redelivered anyway), instead of emitting them when due.</param>
    /// <param name="onHeldChanged">Told the number of held elements and the earliest due time after every change (for gauges); called on the stage's thread.</param>
    public DelayUntilUnorderedStage(int bufferSize, Func<T, DateTimeOffset> dueTimeSelector, bool discardOnUpstreamFinish = false, Action<int, DateTimeOffset?>? onHeldChanged = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        _bufferSize = bufferSize;
        _dueTimeSelector = dueTimeSelector ?? throw new ArgumentNullException(nameof(dueTimeSelector));
        _discardOnUpstreamFinish = discardOnUpstreamFinish;
        _onHeldChanged = onHeldChanged;
        Shape = new FlowShape<T, T>(new Inlet<T>("DelayUntilUnordered.in"), new Outlet<T>("DelayUntilUnordered.out"));
    }

    public override FlowShape<T, T> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("delayUntilUnordered");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : DueTimeStageLogic<T>, IInHandler, IOutHandler
    {
        private static readonly object DueTimer = new();

        private readonly DelayUntilUnorderedStage<T> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        // Ordered by due time, then arrival: a value-tuple priority compares without allocating.
        private readonly PriorityQueue<T, (long DueTicks, long Sequence)> _held = new();
        private long _sequence;
        private long _timerDueTicks = long.MaxValue;

        public Logic(DelayUntilUnorderedStage<T> stage, Attributes inheritedAttributes)
            : base(stage.Shape, "DelayUntilUnordered", stage._dueTimeSelector, inheritedAttributes)
        {
            _stage = stage;
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

        public override void PostStop()
        {
            if (_held.Count > 0)
            {
                _held.Clear();
                _stage._onHeldChanged?.Invoke(0, null);
            }
        }

        public void OnPush()
        {
            var element = Grab(_in);
            var selection = SelectDueTime(element, out var due);
            if (selection != Selection.Due)
            {
                if (selection == Selection.Dropped)
                {
                    PullIfRoom();
                }

                return;
            }

            _held.Enqueue(element, (due.UtcTicks, _sequence++));
            Changed();
            PullIfRoom();
            TryEmit();
        }

        public void OnUpstreamFinish()
        {
            if (_stage._discardOnUpstreamFinish || _held.Count == 0)
            {
                CompleteStage();
            }
        }

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        public void OnPull() => TryEmit();

        public void OnDownstreamFinish(Exception cause) => InternalOnDownstreamFinish(cause);

        protected override void OnTimer(object timerKey)
        {
            _timerDueTicks = long.MaxValue;
            TryEmit();
        }

        // Reads ahead while there is room, to find elements due before the held ones; not while the earliest is already
        // due and waits for downstream: nothing read could leave sooner, and the buffer would only fill with more waiting.
        private void PullIfRoom()
        {
            if (_held.Count < _stage._bufferSize && !IsClosed(_in) && !HasBeenPulled(_in)
                && !(_held.TryPeek(out _, out var head) && head.DueTicks <= Clock.Now.UtcTicks && !IsAvailable(_out)))
            {
                Pull(_in);
            }
        }

        private void TryEmit()
        {
            if (!_held.TryPeek(out _, out var head))
            {
                return;
            }

            var wait = head.DueTicks - Clock.Now.UtcTicks;
            if (wait > 0)
            {
                // One timer, for the earliest due time; an earlier element arriving moves it.
                if (!IsTimerActive(DueTimer) || head.DueTicks < _timerDueTicks)
                {
                    _timerDueTicks = head.DueTicks;
                    ScheduleOnce(DueTimer, wait < LongestTimer.Ticks ? TimeSpan.FromTicks(wait) : LongestTimer);
                }

                return;
            }

            if (!IsAvailable(_out))
            {
                return;
            }

            var element = _held.Dequeue();
            Changed();
            Push(_out, element);
            if (IsClosed(_in))
            {
                if (_held.Count == 0)
                {
                    CompleteStage();
                }
            }
            else
            {
                PullIfRoom();
            }
        }

        private void Changed()
        {
            if (_stage._onHeldChanged is { } observer)
            {
                observer(_held.Count, _held.TryPeek(out _, out var head) ? new DateTimeOffset(head.DueTicks, TimeSpan.Zero) : null);
            }
        }
    }
}
