using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// The in-order window shared by SelectAsync and SelectAsyncPartitioned: every element takes a slot at the window's
/// tail, a completed call's outcome is recorded on its slot, and slots leave from the head only, so results are emitted
/// in input order and an element whose call failed (and was resumed) just gives up its place. Upstream is pulled while
/// the window has room; the stage completes once upstream finished and the window drained. When calls start is the
/// subclass's.
/// </summary>
internal abstract class OrderedAsyncLogic<TIn, TOut> : InAndOutGraphStageLogic
{
    private readonly RingBuffer<AsyncSlot<TIn, TOut>> _window;
    private readonly Stack<AsyncSlot<TIn, TOut>> _free = new();

    protected OrderedAsyncLogic(FlowShape<TIn, TOut> shape, int window)
        : base(shape)
    {
        _window = new RingBuffer<AsyncSlot<TIn, TOut>>(window);
        In = shape.Inlet;
        Out = shape.Outlet;
        SetHandlers(In, Out, this);
    }

    protected Inlet<TIn> In { get; }

    protected Outlet<TOut> Out { get; }

    protected bool IsWindowEmpty => _window.IsEmpty;

    public override void OnPull() => EmitHead();

    protected override void OnResume(Exception cause) => EmitHead();

    /// <summary>Runs in the island when the call of <paramref name="slot"/> completed after it was started.</summary>
    protected abstract void OnCompleted(AsyncSlot<TIn, TOut> slot);

    /// <summary>Gives the next element a slot (a pooled one when there is one) at the window's tail.</summary>
    protected AsyncSlot<TIn, TOut> AddSlot()
    {
        var slot = _free.Count > 0 ? _free.Pop() : new AsyncSlot<TIn, TOut>(this, OnCompleted);
        _window.PushBack(slot);
        return slot;
    }

    /// <summary>Takes the outcome of a completed call into its slot; false when the failure stopped the stage.</summary>
    protected bool TakeOutcome(AsyncSlot<TIn, TOut> slot)
    {
        var task = slot.Task!;
        if (task.IsCompletedSuccessfully)
        {
            slot.Result = task.Result;
            slot.State = AsyncSlotState.Done;
            return true;
        }

        if (!ResumeAfterFailedCall(task))
        {
            return false;
        }

        slot.State = AsyncSlotState.Dropped;
        return true;
    }

    /// <summary>
    /// Frees the slots at the head whose elements were dropped and emits the first result when downstream wants it, then
    /// completes the stage or pulls upstream.
    /// </summary>
    protected void EmitHead()
    {
        while (!_window.IsEmpty)
        {
            var head = _window.PeekFront();
            if (head.State is AsyncSlotState.Waiting or AsyncSlotState.Pending || (head.State == AsyncSlotState.Done && !IsAvailable(Out)))
            {
                break;
            }

            _window.PopFront();
            var result = head.Result;
            var done = head.State == AsyncSlotState.Done;
            head.Reset();
            _free.Push(head);
            if (done)
            {
                Push(Out, result);
                break;
            }
        }

        if (IsClosed(In))
        {
            if (_window.IsEmpty)
            {
                CompleteStage();
            }
        }
        else
        {
            PullIfRoom();
        }
    }

    protected void PullIfRoom()
    {
        if (!_window.IsFull && !HasBeenPulled(In) && !IsClosed(In))
        {
            Pull(In);
        }
    }
}
