using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits a group when it has <c>n</c> elements or when <c>interval</c> (on the materializer's clock) has passed since
/// the group's first element, whichever comes first. Keeps pulling until the group is full; empty groups are never
/// emitted; a partial group is emitted when upstream completes, never dropped.
/// </summary>
internal sealed class GroupedWithinStage<T>(int size, TimeSpan interval) : GraphStage<FlowShape<T, IReadOnlyList<T>>>
{
    private static readonly object GroupTimer = new();
    private readonly int _size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The group size must be positive.");
    private readonly TimeSpan _interval = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");

    public override FlowShape<T, IReadOnlyList<T>> Shape { get; } = new(new Inlet<T>("GroupedWithin.in"), new Outlet<IReadOnlyList<T>>("GroupedWithin.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly GroupedWithinStage<T> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<IReadOnlyList<T>> _out;
        private List<T> _group;
        private bool _groupReady;

        public Logic(GroupedWithinStage<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _group = new List<T>(stage._size);
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            _group.Add(Grab(_in));
            if (_group.Count == 1)
            {
                ScheduleOnce(GroupTimer, _stage._interval);
            }

            if (_group.Count >= _stage._size)
            {
                _groupReady = true;
                TryEmit();
            }
            else
            {
                Pull(_in);
            }
        }

        public override void OnPull() => TryEmit();

        public override void OnUpstreamFinish()
        {
            if (_group.Count == 0)
            {
                CompleteStage();
                return;
            }

            _groupReady = true;
            TryEmit();
        }

        protected internal override void PreStart() => Pull(_in);

        protected override void OnTimer(object timerKey)
        {
            if (_group.Count > 0)
            {
                _groupReady = true;
                TryEmit();
            }
        }

        private void TryEmit()
        {
            if (!_groupReady || !IsAvailable(_out))
            {
                return;
            }

            var group = _group;
            _group = new List<T>(_stage._size);
            _groupReady = false;
            CancelTimer(GroupTimer);
            Push(_out, group);
            if (IsClosed(_in))
            {
                CompleteStage();
            }
            else if (!HasBeenPulled(_in))
            {
                Pull(_in);
            }
        }
    }
}
