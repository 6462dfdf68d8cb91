using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// Kafka sources as Akka.Streams sources, named as in Akka.Streams.Kafka. Each materialization starts its own consumer
/// actor (<see cref="KafkaConsumerActor"/>, on a thread of its own) under the materializer's actor system, except the
/// external sources, which share one the user created; every source materializes an <see cref="IControl"/>.
/// </summary>
/// <remarks>
/// Emits when downstream pulls and a record is buffered. Back-pressures by pausing the partitions whose buffer
/// (<c>buffer-size</c> records each) is full; the consumer keeps polling, so it keeps its group membership however long
/// downstream stalls. Completes on <see cref="IControl.Stop"/>. Fails when the consumer hits a fatal error, a record
/// cannot be deserialized, or the consumer actor stops while the source reads from it. When cancelled, the consumer stops
/// fetching and closes after <c>stop-timeout</c>, so committers downstream can finish.
/// </remarks>
public static class KafkaConsumer
{
    /// <summary>
    /// Emits the consumed records without offsets: nothing is committed by the source (use Kafka's auto-commit or store
    /// offsets elsewhere).
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <param name="subscription">What to read.</param>
    public static Source<ConsumeResult<TKey, TValue>, IControl> PlainSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(PlainSource), trackOffsets: false, partitioned: false),
            static r => r.Result,
            atMostOnce: false));

    /// <summary>
    /// Emits each record with its committable offset, for at-least-once processing: pass the offset to a committer
    /// (<see cref="Committer"/>) once the record is processed. A partition's commit never passes a record that did not
    /// reach a committer (or was not marked processed), whatever the order in which records finish.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    public static Source<CommittableMessage<TKey, TValue>, IControl> CommittableSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(CommittableSource), trackOffsets: true, partitioned: false),
            static r => new CommittableMessage<TKey, TValue>(r.Result, r.CreateCommittableOffset()),
            atMostOnce: false));

    /// <summary>
    /// Like <see cref="CommittableSource{TKey, TValue}"/>, with a metadata string per record that Kafka stores next to the
    /// committed offset: a commit sends, per partition, the metadata of the last record it covers.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    /// <param name="metadataFromRecord">Computes a record's metadata (called on the stream's thread as the record is emitted).</param>
    public static Source<CommittableMessage<TKey, TValue>, IControl> CommitWithMetadataSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription, Func<ConsumeResult<TKey, TValue>, string> metadataFromRecord)
    {
        ArgumentNullException.ThrowIfNull(metadataFromRecord);
        return Source.FromGraph(new KafkaSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(CommitWithMetadataSource), trackOffsets: true, partitioned: false),
            r => new CommittableMessage<TKey, TValue>(
                r.Result,
                new CommittableOffsetMetadata(
                    r.Partition, r.Epoch, r.Sequence, r.Result.Offset.Value, metadataFromRecord(r.Result) ?? string.Empty, r.Result.Message?.Headers)),
            atMostOnce: false));
    }

    /// <summary>
    /// Emits each record paired with its committable offset as context: transform the record and keep the offset, then end
    /// with <see cref="Committer.SinkWithOffsetContext{T}"/>.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    public static Source<(ConsumeResult<TKey, TValue> Record, ICommittableOffset Offset), IControl> SourceWithOffsetContext<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, (ConsumeResult<TKey, TValue>, ICommittableOffset)>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(SourceWithOffsetContext), trackOffsets: true, partitioned: false),
            static r => (r.Result, r.CreateCommittableOffset()),
            atMostOnce: false));

    /// <summary>
    /// Commits each record's offset before emitting it: a record is never processed twice, and may be lost if processing
    /// fails after the commit. One commit round trip per record, so it is slow by nature.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    public static Source<ConsumeResult<TKey, TValue>, IControl> AtMostOnceSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(AtMostOnceSource), trackOffsets: false, partitioned: false),
            static r => r.Result,
            atMostOnce: true));

    /// <summary>
    /// Emits one substream per assigned partition; a substream completes when its partition is revoked or lost.
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    public static Source<(TopicPartition Partition, Source<ConsumeResult<TKey, TValue>, NotUsed> Records), IControl> PlainPartitionedSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, AutoSubscription subscription) =>
        Source.FromGraph(new PartitionedSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(PlainPartitionedSource), trackOffsets: false, partitioned: true),
            static r => r.Result));

    /// <summary>
    /// Emits one substream of committable records per assigned partition; a substream completes when its partition is
    /// revoked or lost, after the processed offsets of that partition were committed.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    public static Source<(TopicPartition Partition, Source<CommittableMessage<TKey, TValue>, NotUsed> Records), IControl> CommittablePartitionedSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, AutoSubscription subscription) =>
        Source.FromGraph(new PartitionedSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(settings, subscription, nameof(CommittablePartitionedSource), trackOffsets: true, partitioned: true),
            static r => new CommittableMessage<TKey, TValue>(r.Result, r.CreateCommittableOffset())));

    /// <summary>
    /// Emits one substream per assigned partition, starting each partition at the offset <paramref name="getOffsetsOnAssign"/>
    /// returns for it (offsets kept outside Kafka, e.g. in a database next to the results).
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    /// <param name="getOffsetsOnAssign">
    /// Called on the consumer actor's thread, inside the rebalance, with the newly assigned partitions; returns the offset to start each
    /// at (partitions left out start at their committed offset). Keep it fast: the rebalance waits for it.
    /// </param>
    public static Source<(TopicPartition Partition, Source<ConsumeResult<TKey, TValue>, NotUsed> Records), IControl> PlainPartitionedManualOffsetSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings,
        AutoSubscription subscription,
        Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>> getOffsetsOnAssign)
    {
        ArgumentNullException.ThrowIfNull(getOffsetsOnAssign);
        return Source.FromGraph(new PartitionedSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Owned(
                settings, subscription, nameof(PlainPartitionedManualOffsetSource), trackOffsets: false, partitioned: true, getOffsetsOnAssign),
            static r => r.Result));
    }

    /// <summary>
    /// Emits the records of partitions assigned by hand through a consumer actor shared with other sources (create it with
    /// <see cref="KafkaConsumerActor.Props{TKey, TValue}(ConsumerSettings{TKey, TValue})"/>); nothing is committed by the source.
    /// </summary>
    /// <param name="consumer">The consumer actor; its key and value types must be <typeparamref name="TKey"/> and <typeparamref name="TValue"/>.</param>
    /// <param name="subscription">The partitions this source reads; no other source of the consumer may read them.</param>
    public static Source<ConsumeResult<TKey, TValue>, IControl> PlainExternalSource<TKey, TValue>(IActorRef consumer, ManualSubscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Shared(consumer, subscription, nameof(PlainExternalSource), trackOffsets: false),
            static r => r.Result,
            atMostOnce: false));

    /// <summary>
    /// Emits the records of partitions assigned by hand through a shared consumer actor, each with its committable offset
    /// (committed for the consumer's group, with the same guarantees as <see cref="CommittableSource{TKey, TValue}"/>).
    /// </summary>
    /// <param name="consumer">The consumer actor (its settings need a group id and <c>enable.auto.commit=false</c>).</param>
    /// <param name="subscription">The partitions this source reads; no other source of the consumer may read them.</param>
    public static Source<CommittableMessage<TKey, TValue>, IControl> CommittableExternalSource<TKey, TValue>(IActorRef consumer, ManualSubscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            ConsumerStageContext<TKey, TValue>.Shared(consumer, subscription, nameof(CommittableExternalSource), trackOffsets: true),
            static r => new CommittableMessage<TKey, TValue>(r.Result, r.CreateCommittableOffset()),
            atMostOnce: false));
}
