using Akka;
using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// The stage behind <see cref="KafkaProducer.PlainSink{TKey, TValue}(ProducerSettings{TKey, TValue})"/>: records in; the task
/// completes once upstream completed and every record is acknowledged, or faults with the first failure.
/// </summary>
internal sealed class ProducerSinkStage<TKey, TValue>(ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
    : GraphStageWithMaterializedValue<SinkShape<ProducerRecord<TKey, TValue>>, Task<Done>>
{
    public ProducerSettings<TKey, TValue> Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    public IProducer<TKey, TValue>? SharedProducer { get; } = sharedProducer;

    public override SinkShape<ProducerRecord<TKey, TValue>> Shape { get; } = new(new Inlet<ProducerRecord<TKey, TValue>>("KafkaProducer.in"));

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("KafkaProducerSink");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new ProducerSinkLogic<TKey, TValue>(Shape, Settings, SharedProducer, inheritedAttributes);
        return new LogicAndMaterializedValue<Task<Done>>(logic, logic.Completion.Task);
    }
}
