using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// A snapshot of a <see cref="DelayRouter"/>: what it routed since it started, how late its deliveries were, what it
/// holds per tier and partition, and its consumer's metrics. A plain value, for logging or export to a meter.
/// </summary>
/// <param name="Delivered">Messages delivered to their target and acknowledged.</param>
/// <param name="Cascaded">Hops: messages written to the next tier because they were not due yet, and acknowledged.</param>
/// <param name="Cancelled">Due messages not delivered because they were cancelled (their offsets are committed).</param>
/// <param name="DuplicatesSkipped">Due messages not delivered again because a Delivered fact was known for them.</param>
/// <param name="FactsExpired">Cancellation facts forgotten because their message was due longer ago than the retention margin.</param>
/// <param name="Held">Records held in the reorder buffers until eligible, over all partitions.</param>
/// <param name="InFlight">Records released and not yet acknowledged (waiting for the cancellation topic, being produced, or recording a delivery).</param>
/// <param name="CancellationsReadAsOf">The time as of which every acknowledged cancellation fact has been read; <see cref="DateTimeOffset.MinValue"/> before the first read.</param>
/// <param name="CancellationsKnown">Cancelled messages the router's registry holds.</param>
/// <param name="Lateness">How late the deliveries were.</param>
/// <param name="Tiers">Per tier, in tier order.</param>
/// <param name="Consumer">The consumer's metrics (buffers, pauses, commits, lag per partition).</param>
public sealed record DelayRouterMetrics(
    long Delivered,
    long Cascaded,
    long Cancelled,
    long DuplicatesSkipped,
    long FactsExpired,
    long Held,
    long InFlight,
    DateTimeOffset CancellationsReadAsOf,
    int CancellationsKnown,
    DelayLateness Lateness,
    IReadOnlyList<DelayTierMetrics> Tiers,
    ConsumerMetrics Consumer);
