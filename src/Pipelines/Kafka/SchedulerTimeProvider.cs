using Akka.Actor;

namespace Pipelines.Kafka;

/// <summary>
/// The actor system scheduler's monotonic clock as a <see cref="TimeProvider"/>, for the consumer actor's timeouts,
/// backoffs and warnings: under Akka.TestKit's <c>TestScheduler</c> it is the test's virtual time.
/// </summary>
internal sealed class SchedulerTimeProvider(IScheduler scheduler) : TimeProvider
{
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => scheduler.MonotonicClock.Ticks;

    public override DateTimeOffset GetUtcNow() => scheduler.Now;
}
