using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

public abstract partial class GraphStageLogic
{
    private Dictionary<object, TimerEvent>? _timers;

    /// <summary>Calls <see cref="OnTimer"/> with <paramref name="timerKey"/> once, after <paramref name="delay"/> on the materializer's clock; replaces a timer with the same key.</summary>
    protected void ScheduleOnce(object timerKey, TimeSpan delay) => StartTimer(timerKey, delay, Timeout.InfiniteTimeSpan);

    /// <summary>Calls <see cref="OnTimer"/> with <paramref name="timerKey"/> every <paramref name="interval"/>; replaces a timer with the same key.</summary>
    protected void SchedulePeriodically(object timerKey, TimeSpan interval) => SchedulePeriodicallyWithInitialDelay(timerKey, interval, interval);

    /// <summary>Calls <see cref="OnTimer"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>; replaces a timer with the same key.</summary>
    protected void SchedulePeriodicallyWithInitialDelay(object timerKey, TimeSpan initialDelay, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        StartTimer(timerKey, initialDelay, interval);
    }

    /// <summary>Cancels the timer with <paramref name="timerKey"/>; a tick already on its way is discarded.</summary>
    protected void CancelTimer(object timerKey)
    {
        ArgumentNullException.ThrowIfNull(timerKey);
        if (_timers is not null && _timers.Remove(timerKey, out var timer))
        {
            timer.Cancel();
        }
    }

    /// <summary>Whether a timer with <paramref name="timerKey"/> is scheduled.</summary>
    protected bool IsTimerActive(object timerKey) => _timers is not null && _timers.ContainsKey(timerKey);

    /// <summary>Runs inside the island when a timer of this stage fires.</summary>
    /// <param name="timerKey">The key the timer was scheduled with.</param>
    protected virtual void OnTimer(object timerKey) =>
        throw new InvalidOperationException($"{this} scheduled timer '{timerKey}' but does not override OnTimer.");

    internal void StopAllTimers()
    {
        if (_timers is null)
        {
            return;
        }

        foreach (var timer in _timers.Values)
        {
            timer.Cancel();
        }

        _timers.Clear();
    }

    private void StartTimer(object timerKey, TimeSpan delay, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(timerKey);
        CancelTimer(timerKey);
        _timers ??= [];
        var timer = new TimerEvent(this, timerKey, period != Timeout.InfiniteTimeSpan);
        _timers[timerKey] = timer;
        timer.Start(TimeProvider, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, period);
    }

    // Fired on a timer thread, the event is posted to the island; it runs only if it is still the key's current timer.
    private sealed class TimerEvent(GraphStageLogic logic, object key, bool periodic) : MailboxEvent
    {
        private ITimer? _timer;
        private volatile bool _cancelled;

        public override GraphStageLogic Logic => logic;

        public void Start(TimeProvider clock, TimeSpan delay, TimeSpan period)
        {
            _timer = clock.CreateTimer(static s => ((TimerEvent)s!).Fire(), this, delay, period);
            if (_cancelled)
            {
                _timer.Dispose();
            }
        }

        public void Cancel()
        {
            _cancelled = true;
            _timer?.Dispose();
        }

        public override void Run()
        {
            if (_cancelled || logic._timers is null || !logic._timers.TryGetValue(key, out var current) || !ReferenceEquals(current, this))
            {
                return;
            }

            if (!periodic)
            {
                logic._timers.Remove(key);
                _timer?.Dispose();
            }

            logic.OnTimer(key);
        }

        private void Fire()
        {
            if (!_cancelled)
            {
                logic.Post(this);
            }
        }
    }
}
