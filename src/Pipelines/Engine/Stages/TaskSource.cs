using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits the result of a task once it completes (and downstream pulls), then completes; fails if the task fails or is cancelled.</summary>
internal sealed class TaskSource<T>(Task<T> task) : GraphStage<SourceShape<T>>
{
    private readonly Task<T> _task = task ?? throw new ArgumentNullException(nameof(task));

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("FromTask.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, _task);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<T> _out;
        private readonly Task<T> _task;
        private bool _completed;

        public Logic(SourceShape<T> shape, Task<T> task)
            : base(shape)
        {
            _out = shape.Outlet;
            _task = task;
            SetHandler(_out, this);
        }

        public override void OnPull() => TryEmit();

        protected internal override void PreStart()
        {
            if (_task.IsCompleted)
            {
                OnCompleted(_task);
            }
            else
            {
                TaskCallbacks.WhenCompleted(_task, GetAsyncCallback<Task<T>>(OnCompleted));
            }
        }

        private void OnCompleted(Task<T> task)
        {
            if (task.IsCompletedSuccessfully)
            {
                _completed = true;
                TryEmit();
            }
            else
            {
                FailStage(TaskCallbacks.FailureOf(task));
            }
        }

        private void TryEmit()
        {
            if (_completed && IsAvailable(_out))
            {
                Push(_out, _task.Result);
                CompleteStage();
            }
        }
    }
}
