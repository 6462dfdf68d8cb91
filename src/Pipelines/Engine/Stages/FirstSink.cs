using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Completes its task with the first element and cancels upstream. On an empty stream the task gets the default value
/// when <c>orDefault</c> is set, and fails with <see cref="InvalidOperationException"/> otherwise.
/// </summary>
internal sealed class FirstSink<T>(bool orDefault) : GraphStageWithMaterializedValue<SinkShape<T>, Task<T>>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>(orDefault ? "FirstOrDefault.in" : "First.in"));

    public override (GraphStageLogic Logic, Task<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape, orDefault);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(SinkShape<T> shape, bool orDefault) : SinkLogic<T, T>(shape)
    {
        public override void OnUpstreamFinish()
        {
            if (orDefault)
            {
                base.OnUpstreamFinish();
            }
            else
            {
                Promise.TrySetException(new InvalidOperationException("The stream completed without elements (Sink.First)."));
                CompleteStage();
            }
        }

        protected override void Consume(T element) => Finish(element);

        protected override T Result() => default!;
    }
}
