using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Pipelines.Delay.Tests.Retry;

/// <summary>
/// Virtual time that never makes a test wait: each timer moves a fake clock on by its own due time as soon as it is
/// created, so a delay ends at once while the clock reads as if it had passed. Every requested delay is recorded.
/// </summary>
internal sealed class AutoAdvancingClock : TimeProvider
{
    private readonly FakeTimeProvider _clock;

    public AutoAdvancingClock(FakeTimeProvider clock)
    {
        _clock = clock;
    }

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Delays.Enqueue(dueTime);

            // After the caller has stored its timer: advancing inside CreateTimer would fire the callback before it has.
            ThreadPool.QueueUserWorkItem(static s => s.Clock.Advance(s.By), (Clock: _clock, By: dueTime), preferLocal: false);
        }

        return timer;
    }
}
