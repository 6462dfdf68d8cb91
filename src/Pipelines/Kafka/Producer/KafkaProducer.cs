using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipelines.Kafka;

/// <summary>
/// Akka.Streams sinks and flows that produce to Kafka. Every record is awaited: a stage keeps at most
/// <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> records unacknowledged (back-pressure beyond), fails the stream
/// with a <see cref="KafkaProduceException{TKey, TValue}"/> when a record cannot be produced (unless its supervision
/// strategy, <c>ActorAttributes.SupervisionStrategy</c>, resumes, which drops that envelope), and completes only after
/// every record is acknowledged.
/// </summary>
/// <remarks>
/// Each materialization creates its own producer client from the settings and closes it when the stage stops (flushing
/// within <see cref="ProducerSettings{TKey, TValue}.CloseTimeout"/>), unless a shared producer is passed: that one is used
/// as it is and never flushed or disposed by the stage (its owner does that). Completion waits at most
/// <see cref="ProducerSettings{TKey, TValue}.FlushTimeout"/> for outstanding deliveries, then fails with a
/// <see cref="TimeoutException"/>.
/// </remarks>
public static class KafkaProducer
{
    /// <summary>
    /// A sink that produces every record; its task completes when upstream completed and every record is acknowledged, or
    /// faults with the first failure.
    /// <para>Back-pressures when: <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> records are unacknowledged.
    /// Completes when: upstream completed and every record is acknowledged. Supervision: Resume and Restart skip a record
    /// that failed.</para>
    /// </summary>
    /// <param name="settings">The producer settings.</param>
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> PlainSink<TKey, TValue>(ProducerSettings<TKey, TValue> settings) =>
        Sink.FromGraph(new ProducerSinkStage<TKey, TValue>(settings, sharedProducer: null));

    /// <summary>Like <see cref="PlainSink{TKey, TValue}(ProducerSettings{TKey, TValue})"/>, producing with <paramref name="producer"/>, which the stage neither flushes nor disposes.</summary>
    /// <param name="settings">The producer settings (parallelism and timeouts; the client properties are the shared producer's).</param>
    /// <param name="producer">The shared producer.</param>
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> PlainSink<TKey, TValue>(ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue> producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return Sink.FromGraph(new ProducerSinkStage<TKey, TValue>(settings, producer));
    }

    /// <summary>
    /// A flow that produces the records of each envelope and emits, in the order the envelopes arrived, a result carrying
    /// where each record was stored and the envelope's pass-through value.
    /// <para>Emits when: the records of the oldest envelope are all acknowledged and downstream pulls. Back-pressures when:
    /// <see cref="ProducerSettings{TKey, TValue}.Parallelism"/> records are unacknowledged, or as many results wait for
    /// downstream. Completes when: upstream completed and every result was emitted. Cancels when: downstream cancels
    /// (records already sent are still delivered by the client). Supervision: Resume and Restart drop the result of an
    /// envelope whose record failed.</para>
    /// </summary>
    /// <param name="settings">The producer settings.</param>
    public static Flow<IEnvelope<TKey, TValue, TPassThrough>, IResults<TKey, TValue, TPassThrough>, NotUsed> FlexiFlow<TKey, TValue, TPassThrough>(
        ProducerSettings<TKey, TValue> settings) =>
        Flow.FromGraph(new ProducerFlowStage<TKey, TValue, TPassThrough>(settings, sharedProducer: null));

    /// <summary>Like <see cref="FlexiFlow{TKey, TValue, TPassThrough}(ProducerSettings{TKey, TValue})"/>, producing with <paramref name="producer"/>, which the stage neither flushes nor disposes.</summary>
    /// <param name="settings">The producer settings (parallelism and timeouts; the client properties are the shared producer's).</param>
    /// <param name="producer">The shared producer.</param>
    public static Flow<IEnvelope<TKey, TValue, TPassThrough>, IResults<TKey, TValue, TPassThrough>, NotUsed> FlexiFlow<TKey, TValue, TPassThrough>(
        ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue> producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return Flow.FromGraph(new ProducerFlowStage<TKey, TValue, TPassThrough>(settings, producer));
    }

    /// <summary>
    /// A sink for topic-to-topic pipelines: produces the records of each envelope and, once all of them are acknowledged,
    /// commits the envelope's pass-through offset (the consumed record's) through a committer. An offset whose records were
    /// not produced is never committed, and since a partition's commit position never passes an offset that did not reach
    /// a committer, no later offset of its partition is committed either. The task completes when the stream completed and
    /// the last commit finished.
    /// <para>On a failed delivery the stream fails (the committer first commits the offsets it received, all of which were
    /// produced); under a resuming decider the failed envelope is dropped and its partition's commit position stays at it.</para>
    /// </summary>
    /// <param name="producerSettings">The producer settings.</param>
    /// <param name="committerSettings">Batching and delivery of the commits.</param>
    public static Sink<IEnvelope<TKey, TValue, ICommittable>, Task<Done>> CommittableSink<TKey, TValue>(
        ProducerSettings<TKey, TValue> producerSettings, CommitterSettings committerSettings) =>
        CommitAfter(FlexiFlow<TKey, TValue, ICommittable>(producerSettings), committerSettings);

    /// <summary>Like <see cref="CommittableSink{TKey, TValue}(ProducerSettings{TKey, TValue}, CommitterSettings)"/>, producing with <paramref name="producer"/>, which the stage neither flushes nor disposes.</summary>
    /// <param name="producerSettings">The producer settings (parallelism and timeouts; the client properties are the shared producer's).</param>
    /// <param name="committerSettings">Batching and delivery of the commits.</param>
    /// <param name="producer">The shared producer.</param>
    public static Sink<IEnvelope<TKey, TValue, ICommittable>, Task<Done>> CommittableSink<TKey, TValue>(
        ProducerSettings<TKey, TValue> producerSettings, CommitterSettings committerSettings, IProducer<TKey, TValue> producer) =>
        CommitAfter(FlexiFlow<TKey, TValue, ICommittable>(producerSettings, producer), committerSettings);

    /// <summary>
    /// Creates a producer client from <paramref name="settings"/> to share between stages (pass it to the overloads that
    /// take one); the caller flushes and disposes it.
    /// </summary>
    /// <param name="settings">The producer settings (serializers and client properties).</param>
    /// <param name="logger">Where the client's log lines and errors go; none when null.</param>
    /// <exception cref="InvalidOperationException"><c>bootstrap.servers</c> is not set.</exception>
    public static IProducer<TKey, TValue> CreateProducer<TKey, TValue>(ProducerSettings<TKey, TValue> settings, ILogger? logger = null) =>
        ProducerFactory.Create(settings, logger ?? NullLogger.Instance, onFatal: null);

    private static Sink<IEnvelope<TKey, TValue, ICommittable>, Task<Done>> CommitAfter<TKey, TValue>(
        Flow<IEnvelope<TKey, TValue, ICommittable>, IResults<TKey, TValue, ICommittable>, NotUsed> produce, CommitterSettings committerSettings)
    {
        ArgumentNullException.ThrowIfNull(committerSettings);

        // Results leave the producer in input order and only once acknowledged, so the committer sees an offset only after
        // its records are stored.
        return produce
            .Select(static result => result.PassThrough)
            .ToMaterialized(Committer.Sink(committerSettings), Keep.Right)
            .Named("KafkaProducerCommittableSink");
    }
}
