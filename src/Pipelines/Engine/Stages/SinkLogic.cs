using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Shared shape of the sinks that materialize a task: pulls at start, completes the task when upstream completes,
/// faults it when upstream fails, and faults it with <see cref="AbruptStageTerminationException"/> when the stage is
/// stopped from outside first. The task's continuations never run inside the island.
/// </summary>
internal abstract class SinkLogic<TIn, TResult> : InGraphStageLogic
{
    // Elements taken from upstream per synchronous batch, and batches per push before yielding to the interpreter.
    private const int BatchSize = 128;
    private const int BatchRounds = 16;

    private TIn[]? _batch;

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

    /// <summary>Consumes the elements that arrive, pulling the next ones in batches while upstream can answer at once.</summary>
    public override void OnPush()
    {
        // A failure on the pushed element goes to supervision through the interpreter, as for any handler.
        Consume(Grab(In));
        var batch = _batch ??= new TIn[BatchSize];
        for (var round = 0; round < BatchRounds; round++)
        {
            if (IsClosed(In) || HasBeenPulled(In))
            {
                // Finished early (e.g. First), or supervision already asked for the next element.
                return;
            }

            var got = PullSyncBatch(In, batch);
            var next = 0;
            while (next < got)
            {
                var failedAt = 0;
                try
                {
                    next += ConsumeBatch(batch.AsSpan(next, got - next), ref failedAt);
                }
                catch (Exception ex)
                {
                    next += failedAt + 1;
                    Supervise(ex);
                }

                if (IsClosed(In))
                {
                    // Finished early or failed: the rest of the batch was pulled but is not consumed.
                    break;
                }
            }

            if (RuntimeHelpers.IsReferenceOrContainsReferences<TIn>())
            {
                batch.AsSpan(0, got).Clear();
            }

            if (got < batch.Length || IsClosed(In))
            {
                // A pull is outstanding (or upstream terminated, or the sink finished): the rest arrives as events.
                return;
            }
        }

        // Yield to the interpreter (other stages, mailbox events) with a pull outstanding.
        TryPull(In);
    }

    // What the interpreter does with a handler's failure: supervision, and the original failure if supervision itself throws.
    private void Supervise(Exception cause)
    {
        try
        {
            HandleSupervisedFailure(cause);
        }
        catch (Exception inner)
        {
            Log.LogError(inner, "Supervision of {Stage} failed while handling {Error}", this, cause.Message);
            FailStage(cause);
        }
    }

    /// <summary>Consumes one element (user code runs here; failures go to the stage's supervision).</summary>
    protected abstract void Consume(TIn element);

    /// <summary>
    /// Consumes a run of elements in order and returns how many were consumed (fewer when the sink finished early). Before
    /// each element it stores that element's index in <paramref name="failedAt"/>, so a throw tells which one failed. The
    /// loop has no try of its own: inside a protected region the JIT keeps loop variables in memory.
    /// </summary>
    protected virtual int ConsumeBatch(ReadOnlySpan<TIn> elements, ref int failedAt)
    {
        for (var i = 0; i < elements.Length; i++)
        {
            failedAt = i;
            Consume(elements[i]);
            if (IsClosed(In))
            {
                return i + 1;
            }
        }

        return elements.Length;
    }

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
