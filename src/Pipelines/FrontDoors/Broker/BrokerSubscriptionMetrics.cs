namespace Pipelines.FrontDoors.Broker;

/// <summary>What a subscription did so far; read from any thread.</summary>
public sealed class BrokerSubscriptionMetrics
{
    private long _handled;
    private long _failures;
    private long _deadLettered;

    /// <summary>Messages whose handler returned.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Handler calls that failed (each retried, or passed to the retry route).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Messages sent to the dead-letter topic (undecodable, or given up by the retry route).</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered) + (Route?.Snapshot().DeadLettered ?? 0);

    /// <summary>The retry route's counts, under <see cref="BrokerRetryMode.Route"/> (null otherwise): in-place retries, retries scheduled, dead letters.</summary>
    public Pipelines.Delay.RetryMetrics? Route { get; internal set; }

    internal void OnHandled() => Interlocked.Increment(ref _handled);

    internal void OnFailure() => Interlocked.Increment(ref _failures);

    internal void OnDeadLettered() => Interlocked.Increment(ref _deadLettered);

    /// <inheritdoc />
    public override string ToString() => $"handled={Handled} failures={Failures} dead-lettered={DeadLettered}";
}
