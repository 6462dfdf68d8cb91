namespace Pipelines.TestKit.Time;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when the test moves it (<see cref="Advance"/>, <see cref="SetUtcNow"/>).
/// Timers fire, in due-time order and at their due time, while the clock is moved; never otherwise. Thread-safe; timer
/// callbacks run on the thread that moves the clock, outside the provider's lock.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _timerWaiters = [];
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>Creates a provider whose clock starts at <paramref name="start"/> (default 2024-01-01T00:00:00Z).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The number of timers that are scheduled to fire.</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        MoveTo(target);
    }

    /// <summary>Sets the clock to <paramref name="value"/>, which must not be earlier than now, firing timers that fall due.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_gate)
        {
            if (value < _now)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The clock cannot go back (now {_now:O}).");
            }
        }

        MoveTo(value);
    }

    /// <summary>Waits (in real time) until at least <paramref name="count"/> timers are scheduled, e.g. before advancing the clock.</summary>
    /// <exception cref="ExpectationFailedException">Not enough timers were scheduled within <paramref name="timeout"/> (default 10 s).</exception>
    public async Task WaitForTimersAsync(int count = 1, TimeSpan? timeout = null)
    {
        Task signal;
        lock (_gate)
        {
            if (_timers.Count >= count)
            {
                return;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((count, tcs));
            signal = tcs.Task;
        }

        var limit = timeout ?? TimeSpan.FromSeconds(10);
        try
        {
            await signal.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ExpectationFailedException($"Expected at least {count} scheduled timer(s) within {limit}, but {ActiveTimerCount} are scheduled.");
        }
    }

    private void MoveTo(DateTimeOffset target)
    {
        while (true)
        {
            ManualTimer? due = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.Due <= target && (due is null || timer.Due < due.Due || (timer.Due == due.Due && timer.Sequence < due.Sequence)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.Due > _now)
                {
                    _now = due.Due;
                }

                if (due.Period > TimeSpan.Zero)
                {
                    due.Due += due.Period;
                    due.Sequence = ++_sequence;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        List<TaskCompletionSource>? released = null;
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
                timer.Due = _now + dueTime;
                timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                timer.Sequence = ++_sequence;
                _timers.Add(timer);
                for (var i = _timerWaiters.Count - 1; i >= 0; i--)
                {
                    if (_timers.Count >= _timerWaiters[i].Count)
                    {
                        (released ??= []).Add(_timerWaiters[i].Signal);
                        _timerWaiters.RemoveAt(i);
                    }
                }
            }
        }

        released?.ForEach(s => s.TrySetResult());
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private volatile bool _disposed;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Fire()
        {
            if (!_disposed)
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            _disposed = true;
            owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
