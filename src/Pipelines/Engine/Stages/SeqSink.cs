using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Collects every element; the task completes with the list when the stream completes.</summary>
internal sealed class SeqSink<T> : GraphStageWithMaterializedValue<SinkShape<T>, Task<IReadOnlyList<T>>>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("Seq.in"));

    public override (GraphStageLogic Logic, Task<IReadOnlyList<T>> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(SinkShape<T> shape) : SinkLogic<T, IReadOnlyList<T>>(shape)
    {
        private readonly List<T> _elements = [];

        protected override void Consume(T element)
        {
            _elements.Add(element);
        }

        protected override int ConsumeBatch(ReadOnlySpan<T> elements, ref int failedAt)
        {
            _elements.AddRange(elements);
            return elements.Length;
        }

        protected override IReadOnlyList<T> Result() => _elements;
    }
}
