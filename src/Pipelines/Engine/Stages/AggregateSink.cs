using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Folds every element into an accumulator; the task completes with the final value. Supports Resume (keep the accumulator) and Restart (reset it).</summary>
internal sealed class AggregateSink<TIn, TAcc>(TAcc zero, Func<TAcc, TIn, TAcc> aggregate) : GraphStageWithMaterializedValue<SinkShape<TIn>, Task<TAcc>>
{
    private readonly TAcc _zero = zero;
    private readonly Func<TAcc, TIn, TAcc> _aggregate = aggregate ?? throw new ArgumentNullException(nameof(aggregate));

    public override SinkShape<TIn> Shape { get; } = new(new Inlet<TIn>("Aggregate.in"));

    public override (GraphStageLogic Logic, Task<TAcc> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(AggregateSink<TIn, TAcc> stage) : SinkLogic<TIn, TAcc>(stage.Shape)
    {
        private readonly Func<TAcc, TIn, TAcc> _aggregate = stage._aggregate;
        private TAcc _acc = stage._zero;

        protected override void Consume(TIn element)
        {
            _acc = _aggregate(_acc, element);
        }

        protected override int ConsumeBatch(ReadOnlySpan<TIn> elements, ref int failedAt)
        {
            var aggregate = _aggregate;
            for (var i = 0; i < elements.Length; i++)
            {
                failedAt = i;
                _acc = aggregate(_acc, elements[i]);
            }

            return elements.Length;
        }

        protected override TAcc Result() => _acc;

        protected override void OnRestart(Exception cause)
        {
            _acc = stage._zero;
            TryPull(In);
        }
    }
}
