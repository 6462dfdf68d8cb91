using System.Runtime.InteropServices;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Delay;

/// <summary>
/// Records a router's deliveries on the cancellation topic once their targets have acknowledged them: routed records
/// gather while the previous records of deliveries are being written (Akka.Streams' <c>Batch</c>, at most
/// <see cref="CancellationRecords.MaxDeliveriesPerRecord"/> records), the delivered ids of each batch go out as one
/// deliveries record, and the batch's records leave in order once that record is acknowledged.
/// </summary>
/// <remarks>
/// A quiet router writes a record per delivery, at once; under load a record carries hundreds of deliveries, so that
/// <c>record-deliveries</c> costs a small part of what a fact record per delivery did. The offsets of the batch are
/// committed after its record is acknowledged, so a fact never names a message whose delivery is not acknowledged, and
/// a crash before the record leaves the deliveries uncommitted (they are delivered again, with the same id).
/// </remarks>
internal static class DeliveredFactsFlow
{
    // Deliveries records in flight at once: few, so that batches grow while they are written.
    private const int InFlight = 4;

    public static Flow<RoutedRecord, RoutedRecord, NotUsed> Create(
        string topic, ProducerSettings<byte[], byte[]> settings, IProducer<byte[], byte[]> producer, ITimeProvider clock) =>
        Flow.Create<RoutedRecord>()
            .Batch(CancellationRecords.MaxDeliveriesPerRecord, record => new Batch().Add(record), (batch, record) => batch.Add(record))
            .Select(batch => batch.ToEnvelope(topic, clock.Now))
            .Via(KafkaProducer.FlexiFlow<byte[], byte[], Batch>(settings.WithParallelism(InFlight), producer))
            .SelectMany(result => result.PassThrough.Records);

    private sealed class Batch
    {
        private readonly List<DelayMessageId> _delivered = [];

        public List<RoutedRecord> Records { get; } = [];

        public Batch Add(RoutedRecord record)
        {
            Records.Add(record);
            if (record.Action == RouteAction.Deliver)
            {
                _delivered.Add(record.Envelope.Id);
            }

            return this;
        }

        public IEnvelope<byte[], byte[], Batch> ToEnvelope(string topic, DateTimeOffset now)
        {
            if (_delivered.Count == 0)
            {
                return ProducerMessage.PassThrough<byte[], byte[], Batch>(this);
            }

            var record = new ProducerRecord<byte[], byte[]>(
                topic,
                CancellationRecords.DeliveriesKey(DelayMessageId.New(now)),
                CancellationRecords.DeliveriesValue(now, CollectionsMarshal.AsSpan(_delivered)))
            {
                Timestamp = new Timestamp(now),
            };
            return ProducerMessage.Single(record, this);
        }
    }
}
