using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// What the consumer source stages share: starting (or finding) the consumer actor, registering with it through the stage
/// actor, watching it, and attaching the registration to the materialized control. When the stage stops other than
/// through the control (cancelled or failed), its source stops at once and leaves the consumer after stop-timeout, so
/// committers downstream can finish.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal abstract class ConsumerSourceLogic<TKey, TValue> : GraphStageLogic
{
    private readonly ConsumerStageContext<TKey, TValue> _context;
    private readonly ConsumerControl _control;
    private IActorRef? _consumer;
    private ConsumerHandle? _ownedHandle;

    protected ConsumerSourceLogic(Shape shape, ConsumerStageContext<TKey, TValue> context, ConsumerControl control)
        : base(shape)
    {
        _context = context;
        _control = control;
    }

    /// <summary>The source's registration with its consumer, once the consumer answered.</summary>
    protected SourceEndpoint<TKey, TValue>? Endpoint { get; private set; }

    /// <summary>The source's name in errors.</summary>
    protected string SourceName => _context.Spec.Name;

    public override void PreStart()
    {
        if (Materializer is not ActorMaterializer materializer)
        {
            throw new InvalidOperationException($"{SourceName} runs on an actor materializer (ActorSystem.Materializer()); got {Materializer.GetType().Name}.");
        }

        var (consumer, handle) = _context.StartConsumer(materializer.System);
        _consumer = consumer;
        _ownedHandle = handle;
        var stageActor = GetStageActor(OnMessage);
        stageActor.Watch(consumer);
        consumer.Tell(new ConsumerProtocol.RegisterSource(_context.Spec, typeof(TKey), typeof(TValue)), stageActor.Ref);
    }

    public override void PostStop()
    {
        _control.StageStopped();
        if (Endpoint is { } endpoint)
        {
            // Stopped through the control: the consumer stays until the control shuts it down (commits of in-flight records
            // still succeed). Otherwise it serves commits for stop-timeout, then the source leaves.
            endpoint.RequestStop(leave: !_control.StopRequested);
        }
        else if (_ownedHandle is not null)
        {
            // The source never registered with its own consumer: nothing else will stop it.
            _consumer?.Tell(KafkaConsumerActor.Stop.Instance, ActorRefs.NoSender);
        }
    }

    /// <summary>Sets up reading from the source's buffers; the stage pushes from here on.</summary>
    protected abstract void OnRegistered(SourceEndpoint<TKey, TValue> endpoint);

    private void OnMessage((IActorRef Sender, object Message) received)
    {
        switch (received.Message)
        {
            case ConsumerProtocol.SourceRegistered { Endpoint: SourceEndpoint<TKey, TValue> endpoint }:
                Endpoint = endpoint;
                _control.Attach(endpoint, GetAsyncCallback(CompleteStage));
                OnRegistered(endpoint);
                break;
            case ConsumerProtocol.RegistrationFailed failed:
                FailStage(failed.Cause);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_consumer):
                OnConsumerTerminated();
                break;
        }
    }

    private void OnConsumerTerminated()
    {
        if (_control.StopRequested)
        {
            CompleteStage();
            return;
        }

        var handle = Endpoint?.Handle ?? _ownedHandle;
        FailStage(handle?.Failure ?? new InvalidOperationException(
            $"The Kafka consumer actor {_consumer!.Path} stopped while {SourceName} was reading from it"
            + (Endpoint is null ? " (before the source could register: it had stopped or failed already; its log says why)." : ".")));
    }
}
