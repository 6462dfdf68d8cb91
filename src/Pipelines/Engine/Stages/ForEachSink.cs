using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Calls an action for each element; the task completes with the stream. Supports Resume/Restart (the failing element is skipped).</summary>
internal sealed class ForEachSink<T>(Action<T> action) : GraphStageWithMaterializedValue<SinkShape<T>, Task>
{
    private readonly Action<T> _action = action ?? throw new ArgumentNullException(nameof(action));

    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("ForEach.in"));

    public override (GraphStageLogic Logic, Task MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(ForEachSink<T> stage) : SinkLogic<T, NotUsed>(stage.Shape)
    {
        private readonly Action<T> _action = stage._action;

        protected override void Consume(T element)
        {
            _action(element);
        }

        protected override int ConsumeBatch(ReadOnlySpan<T> elements, ref int failedAt)
        {
            var action = _action;
            for (var i = 0; i < elements.Length; i++)
            {
                failedAt = i;
                action(elements[i]);
            }

            return elements.Length;
        }

        protected override NotUsed Result() => NotUsed.Instance;
    }
}
