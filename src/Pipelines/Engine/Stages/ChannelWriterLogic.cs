using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Writes every element into a <see cref="ChannelWriter{T}"/>, pulling the next one only when the write succeeded: a
/// full channel back-pressures the stream (the logic waits with <c>WaitToWriteAsync</c>, allocating only then). Stream
/// completion and failure complete the writer when it is owned; a writer completed by someone else fails the stage, so
/// elements never vanish into a closed channel.
/// </summary>
internal sealed class ChannelWriterLogic<T> : InGraphStageLogic
{
    private readonly ChannelWriter<T> _writer;
    private readonly bool _completeWriter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly StageCallback<bool> _onWritable;
    private readonly StageCallback<Exception> _onWaitFailed;
    private T _pending = default!;
    private bool _hasPending;
    private bool _upstreamFinished;

    public ChannelWriterLogic(SinkShape<T> shape, ChannelWriter<T> writer, bool completeWriter)
        : base(shape)
    {
        In = shape.Inlet;
        SetHandler(In, this);
        _writer = writer;
        _completeWriter = completeWriter;
        _onWritable = GetAsyncCallback<bool>(OnWritable);
        _onWaitFailed = GetAsyncCallback<Exception>(FailStage);
        CancelCallback = GetAsyncCallback(Cancel);

        // The queue sink does not hand the promise out: its failure must not surface as unobserved.
        TaskCallbacks.Observed(Promise.Task);
    }

    /// <summary>Cancels upstream and completes the owned writer (a queue consumer that gave up).</summary>
    public StageCallback CancelCallback { get; }

    /// <summary>Completes when every element was written (and the owned writer completed); faults with the stream's failure.</summary>
    public TaskCompletionSource Promise { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Inlet<T> In { get; }

    public override void OnPush()
    {
        var element = Grab(In);
        if (_writer.TryWrite(element))
        {
            Pull(In);
            return;
        }

        _pending = element;
        _hasPending = true;
        _ = WaitToWriteAsync();
    }

    public override void OnUpstreamFinish()
    {
        _upstreamFinished = true;
        if (!_hasPending)
        {
            Finish();
        }
    }

    public override void OnUpstreamFailure(Exception cause)
    {
        if (_completeWriter)
        {
            _writer.TryComplete(cause);
        }

        Promise.TrySetException(cause);
        FailStage(cause);
    }

    protected internal override void PreStart() => Pull(In);

    protected internal override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        if (_completeWriter)
        {
            // Readers must not wait for elements that will never come: pass on why the stream stopped.
            _writer.TryComplete(StageFailure ?? AbortCause ?? (Promise.Task.IsCompleted ? null : new AbruptStageTerminationException($"{this} stopped before the stream completed.")));
        }

        Promise.TrySetException(StageFailure ?? AbortCause ?? new AbruptStageTerminationException($"{this} stopped before the stream completed."));
    }

    private void Finish()
    {
        if (_completeWriter)
        {
            _writer.TryComplete();
        }

        Promise.TrySetResult();
        CompleteStage();
    }

    private void Cancel()
    {
        _hasPending = false;
        _pending = default!;
        Promise.TrySetResult();
        CompleteStage();
    }

    private async Task WaitToWriteAsync()
    {
        try
        {
            _onWritable.Invoke(await _writer.WaitToWriteAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The stage stopped: nobody waits for the element any more.
        }
        catch (Exception ex)
        {
            _onWaitFailed.Invoke(ex);
        }
    }

    private void OnWritable(bool writable)
    {
        if (!_hasPending)
        {
            return;
        }

        if (!writable)
        {
            FailStage(new InvalidOperationException(
                $"{this} cannot write to its channel: the channel was completed by someone else before the stream finished."));
            return;
        }

        if (!_writer.TryWrite(_pending))
        {
            // Another writer took the space first.
            _ = WaitToWriteAsync();
            return;
        }

        _hasPending = false;
        _pending = default!;
        if (_upstreamFinished)
        {
            Finish();
        }
        else
        {
            Pull(In);
        }
    }
}
