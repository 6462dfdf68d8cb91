using Microsoft.Extensions.Logging;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Delay;

/// <summary>
/// How a <see cref="DelayQueue"/> reads the clock, logs, creates its topics and bounds its waits; the delay queue's own
/// settings (tiers, topics, cancellation) are in <see cref="DelaySettings"/>. Change a copy with <c>with { … }</c>.
/// </summary>
public sealed record DelayQueueOptions
{
    /// <summary>The options every default stands for.</summary>
    public static DelayQueueOptions Default { get; } = new();

    /// <summary>The clock that decides due times, tiers, fact times and whether a cancel came too late.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the queue's Kafka clients log (librdkafka's lines and errors).</summary>
    /// <value>Defaults to <see langword="null"/>: nothing is logged.</value>
    public ILogger? Logger { get; init; }

    /// <summary>Whether the first schedule or cancel creates missing tier topics and the cancellation topic (<see cref="DelayQueue.EnsureTopicsAsync"/>).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool EnsureTopicsOnFirstUse { get; init; } = true;

    /// <summary>How long creating the topics may take (metadata and the CreateTopics request).</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan AdminTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a cancel may take to read the cancellation topic up to its end before it fails; the first cancel reads
    /// the whole topic, later ones only what was written since.
    /// </summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The embedded cluster the queue talks to, when it is one: it does not answer the admin API's CreateTopics request,
    /// so topics are created through it instead (with the partitions and replicas of the settings; it keeps no topic configs).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: topics are created through the admin API.</value>
    public EmbeddedKafkaCluster? EmbeddedCluster { get; init; }

    /// <summary>Creates missing topics in place of the admin API or the embedded cluster (tests observe the specifications with it).</summary>
    internal IDelayTopicCreator? TopicCreator { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (AdminTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AdminTimeout), AdminTimeout, "The admin timeout must be greater than zero.");
        }

        if (CatchUpTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CatchUpTimeout), CatchUpTimeout, "The catch-up timeout must be greater than zero.");
        }
    }
}
