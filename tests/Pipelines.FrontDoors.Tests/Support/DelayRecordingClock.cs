using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records every delay requested of it, so that a test advances the clock only
/// once the code under test is waiting: advancing before the timer exists would start its wait later than meant.
/// </summary>
internal sealed class DelayRecordingClock : TimeProvider
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public void Advance(TimeSpan by) => _clock.Advance(by);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        Delays.Enqueue(dueTime);
        return timer;
    }
}
