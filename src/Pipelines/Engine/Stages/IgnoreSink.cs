using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Consumes and discards every element; the task completes with the stream.</summary>
internal sealed class IgnoreSink<T> : GraphStageWithMaterializedValue<SinkShape<T>, Task>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("Ignore.in"));

    public override (GraphStageLogic Logic, Task MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(SinkShape<T> shape) : SinkLogic<T, NotUsed>(shape)
    {
        protected override void Consume(T element)
        {
        }

        protected override int ConsumeBatch(ReadOnlySpan<T> elements, ref int failedAt) => elements.Length;

        protected override NotUsed Result() => NotUsed.Instance;
    }
}
