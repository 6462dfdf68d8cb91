using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>
/// Shared shape of the sinks that materialize a task: pulls at start, completes the task when upstream completes,
/// faults it when upstream fails, and faults it with <see cref="AbruptStageTerminationException"/> when the stage is
/// stopped from outside first. The task's continuations never run inside the island.
/// </summary>
internal abstract class SinkLogic<TIn, TResult> : InGraphStageLogic
{
    // Elements consumed per push when upstream answers pulls synchronously, before yielding to the interpreter.
    private const int SyncBatch = 128;

    protected SinkLogic(SinkShape<TIn> shape)
        : base(shape)
    {
        In = shape.Inlet;
        SetHandler(In, this);
    }

    public TaskCompletionSource<TResult> Promise { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected Inlet<TIn> In { get; }

    public override void OnUpstreamFinish()
    {
        Promise.TrySetResult(Result());
        CompleteStage();
    }

    public override void OnUpstreamFailure(Exception cause)
    {
        Promise.TrySetException(cause);
        FailStage(cause);
    }

    /// <summary>Consumes the elements that arrive, pulling the next synchronously while upstream can answer at once.</summary>
    public override void OnPush()
    {
        var element = Grab(In);
        for (var budget = SyncBatch; ; budget--)
        {
            Consume(element);
            if (IsStopped || IsClosed(In))
            {
                return;
            }

            if (budget == 1)
            {
                Pull(In);
                return;
            }

            if (!PullSync(In, out element))
            {
                return;
            }
        }
    }

    /// <summary>Consumes one element (user code runs here; failures go to the stage's supervision).</summary>
    protected abstract void Consume(TIn element);

    /// <summary>The task's value when upstream completes.</summary>
    protected abstract TResult Result();

    /// <summary>Completes the task early and cancels upstream (e.g. First).</summary>
    protected void Finish(TResult result)
    {
        Promise.TrySetResult(result);
        CompleteStage();
    }

    protected internal override void PreStart() => Pull(In);

    protected internal override void PostStop() =>
        Promise.TrySetException(StageFailure ?? AbortCause ?? new AbruptStageTerminationException($"{this} stopped before the stream completed."));

    protected override void OnResume(Exception cause) => TryPull(In);
}
