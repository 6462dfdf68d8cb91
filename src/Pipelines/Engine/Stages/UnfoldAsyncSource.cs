using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits elements produced asynchronously from a state: each pull calls the function with the current state; a result
/// <c>(next state, element)</c> emits the element, <see langword="null"/> completes the stream.
/// </summary>
internal sealed class UnfoldAsyncSource<TState, TOut>(TState state, Func<TState, Task<(TState State, TOut Element)?>> unfold) : GraphStage<SourceShape<TOut>>
{
    private readonly Func<TState, Task<(TState State, TOut Element)?>> _unfold = unfold ?? throw new ArgumentNullException(nameof(unfold));

    public override SourceShape<TOut> Shape { get; } = new(new Outlet<TOut>("UnfoldAsync.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<TOut> _out;
        private readonly Func<TState, Task<(TState State, TOut Element)?>> _unfold;
        private readonly StageCallback<Task<(TState State, TOut Element)?>> _onResult;
        private TState _state;

        public Logic(UnfoldAsyncSource<TState, TOut> stage)
            : base(stage.Shape)
        {
            _out = stage.Shape.Outlet;
            _unfold = stage._unfold;
            _state = stage._initialState;
            _onResult = GetAsyncCallback<Task<(TState State, TOut Element)?>>(OnResult);
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            var next = _unfold(_state) ?? throw new InvalidOperationException("The unfold function returned a null task.");
            if (next.IsCompleted)
            {
                OnResult(next);
            }
            else
            {
                TaskCallbacks.WhenCompleted(next, _onResult);
            }
        }

        private void OnResult(Task<(TState State, TOut Element)?> result)
        {
            if (!result.IsCompletedSuccessfully)
            {
                FailStage(TaskCallbacks.FailureOf(result));
            }
            else if (result.Result is { } next)
            {
                _state = next.State;
                Push(_out, next.Element);
            }
            else
            {
                CompleteStage();
            }
        }
    }

    private readonly TState _initialState = state;
}
