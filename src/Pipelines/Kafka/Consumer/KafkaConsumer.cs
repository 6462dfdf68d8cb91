using Confluent.Kafka;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;

namespace Pipelines.Kafka;

/// <summary>
/// Kafka sources, named as in Akka.Streams.Kafka. Each materialization runs its own consumer on a dedicated poll thread and
/// materializes an <see cref="IControl"/>.
/// </summary>
/// <remarks>
/// Emits when downstream pulls and a record is buffered. Back-pressures by pausing the partitions whose buffer
/// (<c>buffer-size</c> records each) is full; the consumer keeps polling, so it keeps its group membership however long
/// downstream stalls. Completes on <see cref="IControl.Stop"/>. Fails when the consumer hits a fatal error or a record
/// cannot be deserialized. When cancelled, the consumer stops fetching and closes after <c>stop-timeout</c>, so committers
/// downstream can finish.
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
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: false, partitioned: false),
            static r => r.Result,
            atMostOnce: false,
            nameof(PlainSource)));

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
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: true, partitioned: false),
            static r => new CommittableMessage<TKey, TValue>(r.Result, r.CreateCommittableOffset()),
            atMostOnce: false,
            nameof(CommittableSource)));

    /// <summary>
    /// Emits each record paired with its committable offset as context: transform the record and keep the offset, then end
    /// with <see cref="Committer.SinkWithOffsetContext{T}"/>.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    public static Source<(ConsumeResult<TKey, TValue> Record, ICommittableOffset Offset), IControl> SourceWithOffsetContext<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, (ConsumeResult<TKey, TValue>, ICommittableOffset)>(
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: true, partitioned: false),
            static r => (r.Result, r.CreateCommittableOffset()),
            atMostOnce: false,
            nameof(SourceWithOffsetContext)));

    /// <summary>
    /// Commits each record's offset before emitting it: a record is never processed twice, and may be lost if processing
    /// fails after the commit. One commit round trip per record, so it is slow by nature.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">What to read.</param>
    public static Source<ConsumeResult<TKey, TValue>, IControl> AtMostOnceSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, Subscription subscription) =>
        Source.FromGraph(new KafkaSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: false, partitioned: false),
            static r => r.Result,
            atMostOnce: true,
            nameof(AtMostOnceSource)));

    /// <summary>
    /// Emits one substream per assigned partition; a substream completes when its partition is revoked or lost.
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    public static Source<(TopicPartition Partition, Source<ConsumeResult<TKey, TValue>, NotUsed> Records), IControl> PlainPartitionedSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, AutoSubscription subscription) =>
        Source.FromGraph(new PartitionedSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: false, partitioned: true),
            static r => r.Result,
            nameof(PlainPartitionedSource)));

    /// <summary>
    /// Emits one substream of committable records per assigned partition; a substream completes when its partition is
    /// revoked or lost, after the processed offsets of that partition were committed.
    /// </summary>
    /// <param name="settings">The consumer settings (a group id is required).</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    public static Source<(TopicPartition Partition, Source<CommittableMessage<TKey, TValue>, NotUsed> Records), IControl> CommittablePartitionedSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings, AutoSubscription subscription) =>
        Source.FromGraph(new PartitionedSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: true, partitioned: true),
            static r => new CommittableMessage<TKey, TValue>(r.Result, r.CreateCommittableOffset()),
            nameof(CommittablePartitionedSource)));

    /// <summary>
    /// Emits one substream per assigned partition, starting each partition at the offset <paramref name="getOffsetsOnAssign"/>
    /// returns for it (offsets kept outside Kafka, e.g. in a database next to the results).
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <param name="subscription">A topic or pattern subscription (the group assigns the partitions).</param>
    /// <param name="getOffsetsOnAssign">
    /// Called on the poll thread, inside the rebalance, with the newly assigned partitions; returns the offset to start each
    /// at (partitions left out start at their committed offset). Keep it fast: the rebalance waits for it.
    /// </param>
    public static Source<(TopicPartition Partition, Source<ConsumeResult<TKey, TValue>, NotUsed> Records), IControl> PlainPartitionedManualOffsetSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings,
        AutoSubscription subscription,
        Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>> getOffsetsOnAssign)
    {
        ArgumentNullException.ThrowIfNull(getOffsetsOnAssign);
        return Source.FromGraph(new PartitionedSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            new ConsumerStageContext<TKey, TValue>(settings, subscription, trackOffsets: false, partitioned: true, getOffsetsOnAssign),
            static r => r.Result,
            nameof(PlainPartitionedManualOffsetSource)));
    }
}
