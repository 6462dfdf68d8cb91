using Akka;
using Akka.Streams.Dsl;

namespace Pipelines.Kafka;

/// <summary>
/// Committer sinks and flows as Akka.Streams stages (the names of Akka.Streams.Kafka's <c>Committer</c>): they batch the
/// committable offsets of processed records and commit them, per partition never past a record that has not reached a
/// committer.
/// </summary>
/// <remarks>
/// A committer marks each offset processed in its consumer's offset ledger as it arrives, and commits every
/// <see cref="CommitterSettings.MaxBatch"/> offsets or <see cref="CommitterSettings.MaxInterval"/>, whichever comes first,
/// with at most <see cref="CommitterSettings.Parallelism"/> commits in flight. With <see cref="CommitDelivery.WaitForAck"/>
/// a failed commit fails the stream; on upstream failure the offsets received so far are committed before the failure
/// propagates. Completions of offsets whose partition was revoked since they were emitted are ignored.
/// </remarks>
public static class Committer
{
    /// <summary>Commits the offsets; the task completes when the stream completed and every commit finished.</summary>
    /// <param name="settings">Batching and delivery.</param>
    public static Sink<ICommittable, Task<Done>> Sink(CommitterSettings settings) => Sink<ICommittable>(settings);

    /// <summary>Commits the offsets of a stream of a more specific committable type (e.g. <see cref="ICommittableOffset"/>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="settings">Batching and delivery.</param>
    public static Sink<T, Task<Done>> Sink<T>(CommitterSettings settings)
        where T : ICommittable =>
        Akka.Streams.Dsl.Flow.FromGraph(new CommitterStage<T>(settings, emitBatches: false))
            .ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<CommittableOffsetBatch>(), Keep.Left);

    /// <summary>Commits the offsets and emits one <see cref="Done"/> per committed batch.</summary>
    /// <param name="settings">Batching and delivery.</param>
    public static Flow<ICommittable, Done, NotUsed> Flow(CommitterSettings settings) => Flow<ICommittable>(settings);

    /// <summary>Commits the offsets of a more specific committable type and emits one <see cref="Done"/> per committed batch.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="settings">Batching and delivery.</param>
    public static Flow<T, Done, NotUsed> Flow<T>(CommitterSettings settings)
        where T : ICommittable =>
        BatchFlow<T>(settings).Select(static _ => Done.Instance);

    /// <summary>Commits the offsets and emits each committed batch.</summary>
    /// <param name="settings">Batching and delivery.</param>
    public static Flow<ICommittable, CommittableOffsetBatch, NotUsed> BatchFlow(CommitterSettings settings) => BatchFlow<ICommittable>(settings);

    /// <summary>Commits the offsets of a more specific committable type and emits each committed batch.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="settings">Batching and delivery.</param>
    public static Flow<T, CommittableOffsetBatch, NotUsed> BatchFlow<T>(CommitterSettings settings)
        where T : ICommittable =>
        Akka.Streams.Dsl.Flow.FromGraph(new CommitterStage<T>(settings, emitBatches: true)).MapMaterializedValue(static _ => NotUsed.Instance);

    /// <summary>
    /// Commits the offset carried as context next to each element (see <see cref="KafkaConsumer.SourceWithOffsetContext{TKey, TValue}"/>);
    /// the element itself is dropped.
    /// </summary>
    /// <typeparam name="TElement">The element type.</typeparam>
    /// <param name="settings">Batching and delivery.</param>
    public static Sink<(TElement Element, ICommittableOffset Offset), Task<Done>> SinkWithOffsetContext<TElement>(CommitterSettings settings) =>
        Akka.Streams.Dsl.Flow.Create<(TElement Element, ICommittableOffset Offset)>()
            .Select(static pair => pair.Offset)
            .ToMaterialized(Sink<ICommittableOffset>(settings), Keep.Right);

    /// <summary>Commits the offset carried as context next to each element and emits each committed batch.</summary>
    /// <typeparam name="TElement">The element type.</typeparam>
    /// <param name="settings">Batching and delivery.</param>
    public static Flow<(TElement Element, ICommittableOffset Offset), CommittableOffsetBatch, NotUsed> FlowWithOffsetContext<TElement>(CommitterSettings settings) =>
        Akka.Streams.Dsl.Flow.Create<(TElement Element, ICommittableOffset Offset)>()
            .Select(static pair => pair.Offset)
            .Via(BatchFlow<ICommittableOffset>(settings));
}
