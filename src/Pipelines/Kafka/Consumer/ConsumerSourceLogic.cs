using Pipelines.Engine;
using Pipelines.Engine.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// What the consumer source stages share: one consumer actor per materialization, started with the stage and attached to
/// the materialized control; when the stage stops other than through the control (cancelled or failed), the actor stops
/// fetching at once and closes after stop-timeout, so committers downstream can finish.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal abstract class ConsumerSourceLogic<TKey, TValue> : OutGraphStageLogic
{
    private readonly ConsumerStageContext<TKey, TValue> _context;
    private readonly ConsumerControl _control;
    private KafkaConsumerActor<TKey, TValue>? _actor;

    protected ConsumerSourceLogic(Shape shape, ConsumerStageContext<TKey, TValue> context, ConsumerControl control)
        : base(shape)
    {
        _context = context;
        _control = control;
    }

    /// <summary>The stage's consumer actor (from <see cref="PreStart"/> on).</summary>
    protected KafkaConsumerActor<TKey, TValue> Actor => _actor!;

    protected internal override void PreStart()
    {
        _actor = _context.CreateActor(TimeProvider, Log);
        Prepare(_actor);
        _actor.Start();
        var stop = GetAsyncCallback(CompleteStage);
        _control.Attach(_actor, stop.Invoke);
    }

    protected internal override void PostStop()
    {
        _control.StageStopped();
        if (_actor is { } actor && !_control.StopRequested)
        {
            _ = actor.StopThenShutdownAsync(_context.Settings.StopTimeout);
        }
    }

    /// <summary>Sets up what the stage reads from <paramref name="actor"/> (its buffers, callbacks) before the actor starts.</summary>
    protected abstract void Prepare(KafkaConsumerActor<TKey, TValue> actor);
}
