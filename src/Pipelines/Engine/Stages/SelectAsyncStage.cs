using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Calls an async function for each element with up to <c>parallelism</c> calls in flight and emits the results in input
/// order (Akka mapAsync). Resume/Restart drop an element whose call failed (synchronously or through its task).
/// </summary>
internal sealed class SelectAsyncStage<TIn, TOut>(int parallelism, Func<TIn, Task<TOut>> selector) : GraphStage<FlowShape<TIn, TOut>>
{
    private readonly int _parallelism = parallelism > 0 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive.");
    private readonly Func<TIn, Task<TOut>> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("SelectAsync.in"), new Outlet<TOut>("SelectAsync.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OrderedAsyncLogic<TIn, TOut>
    {
        private readonly Func<TIn, Task<TOut>> _selector;

        public Logic(SelectAsyncStage<TIn, TOut> stage)
            : base(stage.Shape, stage._parallelism)
        {
            _selector = stage._selector;
        }

        public override void OnPush()
        {
            var task = _selector(Grab(In)) ?? throw new InvalidOperationException("The async function returned a null task.");
            var slot = AddSlot();
            if (slot.Start(task))
            {
                if (!TakeOutcome(slot))
                {
                    return;
                }

                EmitHead();
            }
            else
            {
                PullIfRoom();
            }
        }

        public override void OnUpstreamFinish()
        {
            if (IsWindowEmpty)
            {
                CompleteStage();
            }
        }

        protected override void OnCompleted(AsyncSlot<TIn, TOut> slot)
        {
            if (TakeOutcome(slot))
            {
                EmitHead();
            }
        }
    }
}
