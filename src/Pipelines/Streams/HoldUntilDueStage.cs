using Akka.Streams;
using Akka.Streams.Stage;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Streams;

/// <summary>
/// Holds up to <c>capacity</c> elements, each until its due time, and emits the earliest due first (ties in arrival
/// order); when another element arrives while it is full, the element due last leaves at once, before its due time, to
/// make room. A hold that never back-pressures for long: it trades an early exit for the element with the most time
/// left against blocking the ones behind.
/// </summary>
/// <remarks>
/// <para>
/// Use it where an element that leaves before its due time can still wait elsewhere (the delay router writes it to the
/// tier for its remaining delay), so that a full hold never makes a later element late. It pulls while it holds at most
/// <c>capacity</c> elements, so it holds at most one more; it does not read ahead while its earliest element is due and
/// downstream back-pressures.
/// </para>
/// <para>
/// Due times are judged by the ActorSystem scheduler's clock (<see cref="ITimeProvider.Now"/>), read again before every
/// emission, as in <see cref="DelayUntilUnorderedStage{T}"/>: Akka.TestKit's <c>TestScheduler</c> in tests.
/// </para>
/// </remarks>
internal sealed class HoldUntilDueStage<T> : GraphStage<FlowShape<T, T>>
{
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(1);

    private readonly int _capacity;
    private readonly Func<T, DateTimeOffset> _dueTimeSelector;
    private readonly bool _discardOnUpstreamFinish;
    private readonly Action<int, DateTimeOffset?>? _onHeldChanged;

    /// <param name="capacity">The most elements held before the one due last leaves early.</param>
    /// <param name="dueTimeSelector">The instant before which an element leaves only to make room.</param>
    /// <param name="discardOnUpstreamFinish">Whether upstream completion completes the stage at once, discarding held elements, instead of emitting them when due.</param>
    /// <param name="onHeldChanged">Told the number of held elements and the earliest due time after every change; called on the stage's thread.</param>
    public HoldUntilDueStage(int capacity, Func<T, DateTimeOffset> dueTimeSelector, bool discardOnUpstreamFinish = false, Action<int, DateTimeOffset?>? onHeldChanged = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _dueTimeSelector = dueTimeSelector ?? throw new ArgumentNullException(nameof(dueTimeSelector));
        _discardOnUpstreamFinish = discardOnUpstreamFinish;
        _onHeldChanged = onHeldChanged;
        Shape = new FlowShape<T, T>(new Inlet<T>("HoldUntilDue.in"), new Outlet<T>("HoldUntilDue.out"));
    }

    public override FlowShape<T, T> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("holdUntilDue");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private readonly record struct Held(long DueTicks, long Sequence, T Element);

    // By due time, then arrival; the element is not compared.
    private sealed class ByDueThenArrival : IComparer<Held>
    {
        public static readonly ByDueThenArrival Instance = new();

        public int Compare(Held x, Held y)
        {
            var byDue = x.DueTicks.CompareTo(y.DueTicks);
            return byDue != 0 ? byDue : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class Logic : DueTimeStageLogic<T>, IInHandler, IOutHandler
    {
        private static readonly object DueTimer = new();

        private readonly HoldUntilDueStage<T> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        // Both ends are needed: the earliest leaves when due, the latest when room is needed.
        private readonly SortedSet<Held> _held = new(ByDueThenArrival.Instance);
        private long _sequence;
        private long _timerDueTicks = long.MaxValue;

        public Logic(HoldUntilDueStage<T> stage, Attributes inheritedAttributes)
            : base(stage.Shape, "HoldUntilDue", stage._dueTimeSelector, inheritedAttributes)
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

            _held.Add(new Held(due.UtcTicks, _sequence++, element));
            Changed();
            TryEmit();
            PullIfRoom();
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

        private void PullIfRoom()
        {
            if (_held.Count <= _stage._capacity && !IsClosed(_in) && !HasBeenPulled(_in)
                && !(_held.Count > 0 && _held.Min.DueTicks <= Clock.Now.UtcTicks && !IsAvailable(_out)))
            {
                Pull(_in);
            }
        }

        private void TryEmit()
        {
            if (_held.Count == 0)
            {
                return;
            }

            var head = _held.Min;
            var wait = head.DueTicks - Clock.Now.UtcTicks;
            Held leaving;
            if (wait <= 0)
            {
                leaving = head;
            }
            else if (_held.Count > _stage._capacity)
            {
                // Full and one more came: the element with the most time left makes room.
                leaving = _held.Max;
            }
            else
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

            _held.Remove(leaving);
            Changed();
            Push(_out, leaving.Element);
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
                observer(_held.Count, _held.Count > 0 ? new DateTimeOffset(_held.Min.DueTicks, TimeSpan.Zero) : null);
            }
        }
    }
}
