using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>The stage behind <see cref="KafkaProducer.FlexiFlow{TKey, TValue, TPassThrough}(ProducerSettings{TKey, TValue})"/>: envelopes in, results out, in order.</summary>
internal sealed class ProducerFlowStage<TKey, TValue, TPassThrough>(ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
    : GraphStage<FlowShape<IEnvelope<TKey, TValue, TPassThrough>, IResults<TKey, TValue, TPassThrough>>>
{
    public ProducerSettings<TKey, TValue> Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    public IProducer<TKey, TValue>? SharedProducer { get; } = sharedProducer;

    public override FlowShape<IEnvelope<TKey, TValue, TPassThrough>, IResults<TKey, TValue, TPassThrough>> Shape { get; } =
        new(new Inlet<IEnvelope<TKey, TValue, TPassThrough>>("KafkaProducer.in"), new Outlet<IResults<TKey, TValue, TPassThrough>>("KafkaProducer.out"));

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("KafkaProducerFlow");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : InOrderProducerStageLogic<IEnvelope<TKey, TValue, TPassThrough>, TKey, TValue, TPassThrough>
    {
        private readonly Outlet<IResults<TKey, TValue, TPassThrough>> _out;

        public Logic(ProducerFlowStage<TKey, TValue, TPassThrough> stage, Attributes inheritedAttributes)
            : base(stage.Shape, stage.Shape.Inlet, stage.Settings, stage.SharedProducer, inheritedAttributes)
        {
            _out = stage.Shape.Outlet;
            SetHandler(stage.Shape.Inlet, onPush: OnElementPushed, onUpstreamFinish: OnUpstreamFinished, onUpstreamFailure: OnUpstreamFailed);
            SetHandler(_out, onPull: Pump, onDownstreamFinish: CancelStage);
        }

        private protected override void Take(IEnvelope<TKey, TValue, TPassThrough> element)
        {
            switch (element)
            {
                case Message<TKey, TValue, TPassThrough> message:
                    Accept(message.Record, message.PassThrough);
                    break;
                case MultiMessage<TKey, TValue, TPassThrough> multi:
                    AcceptMulti(multi.Records, multi.PassThrough);
                    break;
                case PassThroughMessage<TKey, TValue, TPassThrough> passThrough:
                    AcceptPassThrough(passThrough.PassThrough);
                    break;
                case var other:
                    throw new ArgumentException(
                        $"Unsupported envelope {other?.GetType().FullName ?? "null"}: create envelopes with ProducerMessage.Single, Multi or PassThrough.");
            }
        }

        private protected override bool TryEmit(SlotView slot)
        {
            if (!IsAvailable(_out))
            {
                return false;
            }

            Push(_out, CreateResult(slot));
            return true;
        }

        private static IResults<TKey, TValue, TPassThrough> CreateResult(SlotView slot)
        {
            switch (slot.Kind)
            {
                case SlotKind.Single:
                    return new Result<TKey, TValue, TPassThrough>(slot.Metadata(0), slot.Record(0), slot.PassThrough);
                case SlotKind.Multi:
                    var parts = new MultiResultPart<TKey, TValue>[slot.Count];
                    for (var i = 0; i < parts.Length; i++)
                    {
                        parts[i] = new MultiResultPart<TKey, TValue>(slot.Metadata(i), slot.Record(i));
                    }

                    return new MultiResult<TKey, TValue, TPassThrough>(parts, slot.PassThrough);
                default:
                    return new PassThroughResult<TKey, TValue, TPassThrough>(slot.PassThrough);
            }
        }
    }
}
