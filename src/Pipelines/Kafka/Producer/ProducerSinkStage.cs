using Confluent.Kafka;
using Pipelines.Streams;
using Pipelines.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// The stage behind <see cref="KafkaProducer.PlainSink{TKey, TValue}(ProducerSettings{TKey, TValue})"/>: records in; the task
/// completes once upstream completed and every record is acknowledged, or faults with the first failure.
/// </summary>
internal sealed class ProducerSinkStage<TKey, TValue>(ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
    : GraphStageWithMaterializedValue<SinkShape<ProducerRecord<TKey, TValue>>, Task>
{
    public ProducerSettings<TKey, TValue> Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    public IProducer<TKey, TValue>? SharedProducer { get; } = sharedProducer;

    public override SinkShape<ProducerRecord<TKey, TValue>> Shape { get; } = new(new Inlet<ProducerRecord<TKey, TValue>>("KafkaProducer.in"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name("KafkaProducerSink");

    public override (GraphStageLogic Logic, Task MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return (logic, logic.Completion.Task);
    }

    private sealed class Logic : ProducerStageLogic<ProducerRecord<TKey, TValue>, TKey, TValue, NotUsed>, IInHandler
    {
        private readonly Inlet<ProducerRecord<TKey, TValue>> _in;

        public Logic(ProducerSinkStage<TKey, TValue> stage)
            : base(stage.Shape, stage.Shape.Inlet, stage.Settings, stage.SharedProducer)
        {
            _in = stage.Shape.Inlet;
            SetHandler(_in, this);
        }

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnPush() => OnElementPushed();

        public void OnUpstreamFinish() => OnUpstreamFinished();

        public void OnUpstreamFailure(Exception cause) => FailStage(cause);

        protected internal override void PostStop()
        {
            base.PostStop();
            Completion.TrySetException(StageFailure ?? AbortCause ?? new AbruptStageTerminationException($"{this} stopped before every record was acknowledged."));
        }

        protected override void Finish()
        {
            Completion.TrySetResult();
            base.Finish();
        }

        private protected override void Take(ProducerRecord<TKey, TValue> element) => Accept(element, NotUsed.Instance);

        // Nothing to emit: a finished record only frees its slot.
        private protected override bool TryEmit(SlotView slot) => true;
    }
}
