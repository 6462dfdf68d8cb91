using Akka;
using Akka.Streams;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// The handle of a running <see cref="DelayRouter"/>: drains or stops it, tells when it is done, and reports its
/// metrics. The usual stop is <see cref="DrainAndShutdown"/>: no more records are taken, the records being produced are
/// acknowledged and committed, held records are left to be read again by the next owner of their partition.
/// </summary>
public sealed class DelayRouterControl
{
    private readonly RouterCounters _counters;
    private readonly RouterCancellationReader _cancellations;
    private readonly DelayTiers _tiers;
    private readonly DrainCut<RoutedRecord>.Control _cut;

    internal DelayRouterControl(DrainingControl<Done> control, DrainCut<RoutedRecord>.Control cut, Task completion, RouterCounters counters, RouterCancellationReader cancellations, DelayTiers tiers)
    {
        Consumer = control;
        _cut = cut;
        Completion = completion;
        _counters = counters;
        _cancellations = cancellations;
        _tiers = tiers;
    }

    /// <summary>
    /// The control of the router's consumer and stream (its <see cref="DrainingControl{T}.StreamCompletion"/> is the stream's
    /// outcome); stop the router with <see cref="DrainAndShutdown"/>, which also releases partitions whose buffers are full.
    /// </summary>
    public DrainingControl<Done> Consumer { get; }

    /// <summary>
    /// Completes when the router has stopped and closed its clients: after a drain, a shutdown, a failure (it faults with
    /// the failure, such as a <see cref="DelayRouterException"/> or a malformed envelope's <see cref="KafkaHeaderException"/>)
    /// or the end of its actor system.
    /// </summary>
    public Task Completion { get; }

    /// <summary>A snapshot of what the router did and holds.</summary>
    public DelayRouterMetrics Metrics
    {
        get
        {
            var consumer = Consumer.Metrics;
            var tiers = new List<DelayTierMetrics>(_tiers.Count);
            long held = 0;
            foreach (var tier in _tiers)
            {
                var partitions = new List<DelayPartitionMetrics>();
                long pending = 0, buffered = 0, tierHeld = 0;
                var lagKnown = false;
                foreach (var (tp, state) in consumer.Partitions)
                {
                    if (tp.Topic != tier.Topic)
                    {
                        continue;
                    }

                    var gauge = _counters.Partitions.GetValueOrDefault(tp);
                    var partitionHeld = gauge?.Held ?? 0;
                    partitions.Add(new DelayPartitionMetrics(tp.Partition.Value, partitionHeld, gauge?.HeadEligibleAt, state.Buffered, state.Lag, state.Paused));
                    buffered += state.Buffered;
                    tierHeld += partitionHeld;
                    if (state.Lag >= 0)
                    {
                        pending += state.Lag;
                        lagKnown = true;
                    }
                }

                partitions.Sort((a, b) => a.Partition.CompareTo(b.Partition));
                held += tierHeld;
                tiers.Add(new DelayTierMetrics(tier.Topic, tier.Delay, lagKnown ? pending : -1, buffered, tierHeld, partitions));
            }

            return new DelayRouterMetrics(
                _counters.Delivered,
                _counters.Cascaded,
                _counters.Cancelled,
                _counters.Duplicates,
                _cancellations.Expired,
                held,
                _counters.InFlight,
                _cancellations.CaughtUpAsOf,
                _cancellations.CancelledCount,
                _counters.Lateness.Snapshot(),
                tiers,
                consumer);
        }
    }

    /// <summary>
    /// Stops taking records, waits until every released record is acknowledged and committed, then leaves the group and
    /// closes the router's clients; completes with <see cref="Completion"/>.
    /// </summary>
    public async Task DrainAndShutdown()
    {
        // Held records would never drain (a full reorder buffer pulls nothing): the stream is cut behind them, and what
        // was released finishes and is committed.
        _cut.Cut();
        await Consumer.DrainAndShutdown().ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Stops the consumer at once (records being produced may be read again by the partition's next owner) and closes the router's clients.</summary>
    public async Task Shutdown()
    {
        _cut.Cut();
        await Consumer.Shutdown().ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }
}
