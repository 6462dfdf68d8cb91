using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.Kafka;
using Pipelines.Streams;

namespace Pipelines.Delay;

/// <summary>
/// The delay queue's router: an Akka.Streams graph that consumes every tier topic in the routers' consumer group, holds
/// each partition's records until they are eligible, then delivers the due ones to their target topic and writes the
/// others to the tier for their remaining delay, committing each offset only once its produce is acknowledged.
/// </summary>
/// <remarks>
/// <para>
/// Per partition (a substream of <see cref="KafkaConsumer.CommittablePartitionedSource{TKey, TValue}"/>), records wait in
/// a bounded reorder buffer (<see cref="DelayUntilUnorderedExtensions"/>, <c>reorder-buffer</c> records, or
/// <c>smallest-tier-reorder-buffer</c> in the smallest tier, where messages due sooner than its delay overtake) until
/// <see cref="DelayTier.MovableAt"/>: the hop's written time plus the tier's delay, or the due time when that is earlier.
/// Those due within the tier's hold then wait for their due time in a hold buffer (<c>hold-buffer</c> records,
/// <see cref="HoldUntilDueStage{T}"/>, until <see cref="DelayTier.ReleaseTime"/>); when another record arrives while it
/// is full, the one due last moves on at once. The written time is the <see cref="PipelinesHeaders.DelayWrittenAt"/>
/// header, which routers set on every hop, or <see cref="PipelinesHeaders.DelayScheduledAt"/> on the first hop; a header
/// the writer sets is used rather than the record's timestamp, which a topic with
/// <c>message.timestamp.type=LogAppendTime</c> or a mirroring tool replaces. While a partition's reorder buffer is full
/// and nothing in it may move, the substream does not pull and the connector pauses the partition: no sleeping consumer,
/// no polling of the buffer. Memory is bounded by the consumer's buffers, the two buffers and <c>parallelism</c>,
/// however many messages are pending.
/// </para>
/// <para>
/// A released record that is due by the router's clock (the ActorSystem scheduler's <c>Now</c>) is delivered unless it
/// was cancelled: the router reads the cancellation topic from the beginning and continuously, and delivers a message only
/// once it has read every fact acknowledged before the message's due time. Delivered records keep their key, value, user
/// headers and <see cref="PipelinesHeaders.DelayId"/> (so that consumers can drop duplicates by id); the other envelope
/// headers are removed. With <c>record-deliveries</c> on, acknowledged deliveries are recorded as Delivered facts, many
/// to a record (<see cref="DeliveredFactsFlow"/>), and committed once that record is acknowledged: a fact never names a
/// message whose delivery was not acknowledged. A record not due yet goes to <see cref="DelayTiers.NextHop"/> with its envelope and a new written time.
/// </para>
/// <para>
/// Never early: a message is delivered only when the router's clock has reached its due time. At-least-once: an offset
/// is committed only after its produce (and Delivered fact) is acknowledged, so a crash or rebalance redelivers, with
/// the same id, and never loses.
/// </para>
/// </remarks>
public static class DelayRouter
{
    /// <summary>
    /// Runs a router configured from <paramref name="system"/>: <c>pipelines.delay</c>, <c>pipelines.delay.router</c>,
    /// <c>akka.kafka.consumer</c> and <c>akka.kafka.producer</c>, each over the reference configuration.
    /// </summary>
    /// <param name="system">The actor system that runs the router and whose scheduler is its clock.</param>
    /// <param name="logger">Where the router's Kafka clients log; nowhere when null.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelayRouterControl Run(ActorSystem system, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Run(
            system,
            DelaySettings.Create(system),
            DelayRouterSettings.Create(system),
            ConsumerSettings<byte[], byte[]>.Create(system, keyDeserializer: null, valueDeserializer: null),
            ProducerSettings<byte[], byte[]>.Create(system, keySerializer: null, valueSerializer: null),
            logger);
    }

    /// <summary>Runs a router with the given settings in <paramref name="system"/>.</summary>
    /// <param name="system">The actor system that runs the router and whose scheduler is its clock.</param>
    /// <param name="settings">The tiers, topics, router group and cancellation settings.</param>
    /// <param name="routerSettings">Parallelism, reorder buffer, commits and cancellation reading.</param>
    /// <param name="consumerSettings">The consumer's connection and tuning; its group id is replaced by <see cref="DelaySettings.RouterGroupId"/> and <c>auto.offset.reset</c> must be <c>earliest</c> (it is set when missing), so that no scheduled message is skipped.</param>
    /// <param name="producerSettings">The producer's connection and tuning; <c>acks</c> must be <c>all</c> (it is set when missing); its parallelism is <see cref="DelayRouterSettings.Parallelism"/>.</param>
    /// <param name="logger">Where the router's Kafka clients log; nowhere when null.</param>
    /// <returns>The router's control.</returns>
    /// <exception cref="ArgumentException"><c>acks</c> or <c>auto.offset.reset</c> is set to a value that could lose messages.</exception>
    public static DelayRouterControl Run(
        ActorSystem system,
        DelaySettings settings,
        DelayRouterSettings routerSettings,
        ConsumerSettings<byte[], byte[]> consumerSettings,
        ProducerSettings<byte[], byte[]> producerSettings,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(routerSettings);
        consumerSettings = PrepareConsumer(consumerSettings, settings, routerSettings);
        producerSettings = PrepareProducer(producerSettings, routerSettings);
        logger ??= NullLogger.Instance;

        var tiers = new DelayTiers(settings);
        var clock = system.Scheduler;
        var counters = new RouterCounters();
        var committerSettings = CommitterSettings.Create(system)
            .WithMaxBatch(routerSettings.CommitMaxBatch)
            .WithMaxInterval(routerSettings.CommitMaxInterval);
        var cancellations = new RouterCancellationReader(
            settings.CancellationTopic,
            ReaderConfig(consumerSettings),
            CancellationRegistry.ForRouter(settings),
            clock,
            routerSettings.CatchUpTimeout,
            routerSettings.IdlePoll,
            logger);
        var producer = KafkaProducer.CreateProducer(producerSettings, logger);

        try
        {
            var routed = KafkaConsumer.CommittablePartitionedSource(consumerSettings, Subscriptions.Topics([.. tiers.Select(t => t.Topic)]))
                .Via(Flow.Create<(TopicPartition Partition, Source<CommittableMessage<byte[], byte[]>, NotUsed> Records)>()
                    .MergeMany(routerSettings.MaxPartitions, pair => Partition(pair.Partition, pair.Records, tiers, routerSettings, counters)))

                // A drain cuts here: held records are left uncommitted (their partition is read again), released ones finish.
                .ViaMaterialized(new DrainCut<RoutedRecord>(), Keep.Both)
                .Via(new CancellationGateStage(cancellations, tiers, routerSettings.Parallelism))
                .Select(record =>
                {
                    counters.Released();
                    return ToEnvelope(record);
                })
                .Via(KafkaProducer.FlexiFlow<byte[], byte[], RoutedRecord>(producerSettings, producer))
                .Select(result =>
                {
                    counters.Finished(result.PassThrough, clock.Now);
                    return result.PassThrough;
                });

            // With record-deliveries on, the offsets move on only once the deliveries are recorded as well.
            if (settings.RecordDeliveries)
            {
                routed = routed.Via(DeliveredFactsFlow.Create(settings.CancellationTopic, producerSettings, producer, clock));
            }

            var ((consumer, cut), done) = routed
                .Select(record =>
                {
                    counters.Committing();
                    return record.Offset;
                })
                .ToMaterialized(Committer.Sink<ICommittableOffset>(committerSettings), Keep.Both)
                .Named("DelayRouter")
                .Run(system.Materializer());

            var control = DrainingControl<Done>.Create(consumer, done);
            var completion = CloseAfter(control.StreamCompletion, cancellations, producer);
            return new DelayRouterControl(control, cut, completion, counters, cancellations, tiers);
        }
        catch
        {
            cancellations.Dispose();
            producer.Dispose();
            throw;
        }
    }

    private static Source<RoutedRecord, NotUsed> Partition(
        TopicPartition partition, Source<CommittableMessage<byte[], byte[]>, NotUsed> records, DelayTiers tiers, DelayRouterSettings settings, RouterCounters counters)
    {
        if (!tiers.TryGetTier(partition.Topic, out var tier))
        {
            throw new InvalidOperationException($"The router was assigned {partition}, which is not a tier topic of {tiers}.");
        }

        var gauge = new PartitionGauge(partition.Topic);
        counters.Partitions[partition] = gauge;
        var reorderBuffer = tier.Index == 0 ? settings.SmallestTierReorderBuffer : settings.ReorderBuffer;

        // Records wait for the tier's delay in a reorder buffer (nearly in arrival order, so a small one), then those due
        // within the tier's hold wait for their due time in the hold buffer, which lets the one due last move on when full.
        return records
            .Select(message => Parse(message, tier))
            .Via(new DelayUntilUnorderedStage<RoutedRecord>(reorderBuffer, static r => r.MovableAt, discardOnUpstreamFinish: true, gauge.UpdateWaiting))
            .Via(new HoldUntilDueStage<RoutedRecord>(settings.HoldBuffer, static r => r.EligibleAt, discardOnUpstreamFinish: true, gauge.UpdateHolding))
            .WatchTermination((mat, done) =>
            {
                // A partition assigned again gets a new gauge; only this substream's own is removed.
                done.ContinueWith(_ => counters.Partitions.TryRemove(new KeyValuePair<TopicPartition, PartitionGauge>(partition, gauge)), TaskScheduler.Default);
                return mat;
            });
    }

    private static RoutedRecord Parse(CommittableMessage<byte[], byte[]> message, DelayTier tier)
    {
        var record = message.Record;
        var headers = record.Message.Headers;
        var partition = record.Partition.Value;
        var offset = record.Offset.Value;
        var envelope = DelayHeaders.Read(headers, record.Topic, partition, offset);
        var written = envelope.ScheduledAt;
        if (HeaderValues.TryFind(headers, PipelinesHeaders.DelayWrittenAt, out var writtenBytes))
        {
            var at = new RecordPosition(record.Topic, partition, offset);
            written = DateTimeOffset.FromUnixTimeMilliseconds(HeaderValues.ParseUnixMilliseconds(writtenBytes, PipelinesHeaders.DelayWrittenAt, at));
        }

        return new RoutedRecord(record, message.CommittableOffset, tier, envelope, tier.MovableAt(written, envelope.DueTime), tier.ReleaseTime(written, envelope.DueTime));
    }

    private static IEnvelope<byte[], byte[], RoutedRecord> ToEnvelope(RoutedRecord record)
    {
        var message = record.Record.Message;
        var headers = message.Headers ?? [];
        switch (record.Action)
        {
            case RouteAction.Deliver:
            {
                DelayHeaders.RemoveEnvelope(headers, keepId: true);
                var target = record.Envelope.TargetPartition is { } partition
                    ? new ProducerRecord<byte[], byte[]>(record.Envelope.TargetTopic, new Partition(partition), message.Key, message.Value)
                    : new ProducerRecord<byte[], byte[]>(record.Envelope.TargetTopic, message.Key, message.Value);
                target.Headers = headers;
                target.Timestamp = new Timestamp(record.ReleasedAt);
                return ProducerMessage.Single(target, record);
            }

            case RouteAction.Cascade:
            {
                HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.DelayWrittenAt, record.ReleasedAt);
                var next = new ProducerRecord<byte[], byte[]>(record.NextTier!.Topic, message.Key, message.Value)
                {
                    Headers = headers,
                    Timestamp = new Timestamp(record.ReleasedAt),
                };
                return ProducerMessage.Single(next, record);
            }

            default:
                return ProducerMessage.PassThrough<byte[], byte[], RoutedRecord>(record);
        }
    }

    private static async Task CloseAfter(Task stream, RouterCancellationReader cancellations, IProducer<byte[], byte[]> producer)
    {
        try
        {
            await stream.ConfigureAwait(false);
        }
        finally
        {
            cancellations.Dispose();
            await cancellations.Stopped.ConfigureAwait(false);

            // Every produce the stream sent was acknowledged or failed it; nothing is left to flush.
            await Task.Run(producer.Dispose).ConfigureAwait(false);
        }
    }

    private static ConsumerConfig ReaderConfig(ConsumerSettings<byte[], byte[]> settings)
    {
        // A catch-up waits for the facts written since the last one: a short fetch wait keeps it to a few milliseconds.
        var config = CancellationReader.ConsumerConfig(settings.Properties);
        config.FetchWaitMaxMs = 5;
        return config;
    }

    /// <summary>The router consumer's <c>fetch.wait.max.ms</c> when kafka-clients does not set one.</summary>
    internal const string RouterFetchWaitMaxMs = "10";

    internal static ConsumerSettings<byte[], byte[]> PrepareConsumer(ConsumerSettings<byte[], byte[]> settings, DelaySettings delay, DelayRouterSettings router)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings = settings.WithPollInterval(router.ConsumerPollInterval).WithBufferSize(router.ConsumerBufferSize);
        var reset = settings.GetProperty("auto.offset.reset");
        if (reset is not (null or "earliest" or "smallest" or "beginning"))
        {
            throw new ArgumentException(
                $"The delay router needs auto.offset.reset=earliest (a router group without commits must read the tiers from their beginning, or it " +
                $"skips scheduled messages), but {ConsumerSettings<byte[], byte[]>.ConfigPath}.kafka-clients.auto.offset.reset is \"{reset}\": remove it or set it to earliest.",
                nameof(settings));
        }

        settings = settings.WithGroupId(delay.RouterGroupId).WithProperty("auto.offset.reset", "earliest");

        // A router holds a partition's head for up to the largest tier's delay by design; only a head held longer is stuck.
        var largest = delay.Tiers[^1] + TimeSpan.FromMinutes(1);
        if (settings.CommitTimeWarning < largest)
        {
            settings = settings.WithCommitTimeWarning(largest);
        }

        // librdkafka keeps one fetch in flight per broker. While the partitions in it are idle (every head held, or
        // nothing written), that fetch waits fetch.wait.max.ms (500 ms by default) before a resumed partition can be
        // fetched, and the embedded cluster always waits the whole time when a fetch finds nothing. Either way the wait
        // is lateness: the router asks for short fetch waits unless kafka-clients sets one.
        if (settings.GetProperty("fetch.wait.max.ms") is null)
        {
            settings = settings.WithProperty("fetch.wait.max.ms", RouterFetchWaitMaxMs);
        }

        // The connector reports lag (the pending messages per tier) from librdkafka's statistics.
        return settings.GetProperty("statistics.interval.ms") is null ? settings.WithProperty("statistics.interval.ms", "1000") : settings;
    }

    private static ProducerSettings<byte[], byte[]> PrepareProducer(ProducerSettings<byte[], byte[]> settings, DelayRouterSettings router)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var acks = settings.GetProperty("acks");
        if (acks is not (null or "all" or "-1"))
        {
            throw new ArgumentException(
                $"The delay router needs acks=all (a delivered or cascaded message must survive the loss of a broker before its offset is committed), but " +
                $"{ProducerSettings<byte[], byte[]>.ConfigPath}.kafka-clients.acks is \"{acks}\": remove it or set it to all.",
                nameof(settings));
        }

        return settings.WithProperty("acks", "all").WithParallelism(router.Parallelism);
    }
}
