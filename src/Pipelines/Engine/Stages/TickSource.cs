using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits a tick element after an initial delay and then at a fixed interval, on the materializer's clock. A tick that
/// finds no demand is skipped (ticks are not buffered). The materialized <see cref="ICancelable"/> completes the source.
/// </summary>
internal sealed class TickSource<T>(TimeSpan initialDelay, TimeSpan interval, T tick) : GraphStageWithMaterializedValue<SourceShape<T>, ICancelable>
{
    private static readonly object TickKey = new();

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Tick.out"));

    public override (GraphStageLogic Logic, ICancelable MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return (logic, logic.Cancelable);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly TickSource<T> _stage;
        private readonly Outlet<T> _out;

        public Logic(TickSource<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
            Cancelable = new TickCancelable(GetAsyncCallback(CompleteStage));
        }

        public TickCancelable Cancelable { get; }

        public override void OnPull()
        {
        }

        protected internal override void PreStart()
        {
            if (Cancelable.IsCancelled)
            {
                CompleteStage();
                return;
            }

            SchedulePeriodicallyWithInitialDelay(TickKey, _stage._initialDelay, _stage._interval);
        }

        protected override void OnTimer(object timerKey)
        {
            if (IsAvailable(_out))
            {
                Push(_out, _stage._tick);
            }
        }
    }

    private sealed class TickCancelable(StageCallback cancel) : ICancelable
    {
        private int _cancelled;

        public bool IsCancelled => Volatile.Read(ref _cancelled) == 1;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                cancel.Invoke();
            }
        }
    }

    private readonly TimeSpan _initialDelay = initialDelay >= TimeSpan.Zero ? initialDelay : throw new ArgumentOutOfRangeException(nameof(initialDelay));
    private readonly TimeSpan _interval = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval));
    private readonly T _tick = tick;
}
