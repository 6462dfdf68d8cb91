using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Completes its task with the last element when the stream completes. On an empty stream the task gets the default
/// value when <c>orDefault</c> is set, and fails with <see cref="InvalidOperationException"/> otherwise.
/// </summary>
internal sealed class LastSink<T>(bool orDefault) : GraphStageWithMaterializedValue<SinkShape<T>, Task<T>>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>(orDefault ? "LastOrDefault.in" : "Last.in"));

    public override (GraphStageLogic Logic, Task<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape, orDefault);
        return (logic, TaskCallbacks.Observed(logic.Promise.Task));
    }

    private sealed class Logic(SinkShape<T> shape, bool orDefault) : SinkLogic<T, T>(shape)
    {
        private T _last = default!;
        private bool _any;

        public override void OnUpstreamFinish()
        {
            if (_any || orDefault)
            {
                base.OnUpstreamFinish();
            }
            else
            {
                Promise.TrySetException(new InvalidOperationException("The stream completed without elements (Sink.Last)."));
                CompleteStage();
            }
        }

        protected override void Consume(T element)
        {
            _last = element;
            _any = true;
        }

        protected override T Result() => _last;
    }
}
