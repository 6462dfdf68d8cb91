using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through and materializes a task that completes when this point of the stream terminates: successfully
/// on upstream completion or downstream cancellation, faulted on upstream failure (or when cancelled because of one).
/// </summary>
internal sealed class WatchTerminationStage<T> : GraphStageWithMaterializedValue<FlowShape<T, T>, Task>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("WatchTermination.in"), new Outlet<T>("WatchTermination.out"));

    public override (GraphStageLogic Logic, Task MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape);
        return (logic, TaskCallbacks.Observed(logic.Termination.Task));
    }

    private sealed class Logic : InAndOutGraphStageLogic, ISyncProducer<T>
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        public Logic(FlowShape<T, T> shape)
            : base(shape)
        {
            _in = shape.Inlet;
            _out = shape.Outlet;
            SetHandlers(_in, _out, this);
        }

        public TaskCompletionSource Termination { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void OnPush() => Push(_out, Grab(_in));

        public override void OnPull() => Pull(_in);

        public bool TryPullSync(out T element) => PullSync(_in, out element);

        public override void OnUpstreamFinish()
        {
            Termination.TrySetResult();
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            Termination.TrySetException(cause);
            FailStage(cause);
        }

        public override void OnDownstreamFinish(Exception? cause)
        {
            if (cause is null)
            {
                Termination.TrySetResult();
            }
            else
            {
                Termination.TrySetException(cause);
            }

            CancelStage(cause);
        }

        protected internal override void PostStop() =>
            Termination.TrySetException(StageFailure ?? AbortCause ?? new AbruptStageTerminationException($"{this} stopped before the stream terminated."));
    }
}
