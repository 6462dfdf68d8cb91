using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// One in-flight call of an async stage (SelectAsync and friends): holds the task and, once it completed, its outcome.
/// Slots are pooled by their stage and are their own mailbox event, so a completion enters the island without
/// allocating. A task's failure is observed when it completes, even if the stage has stopped by then.
/// </summary>
internal sealed class AsyncSlot<TIn, TOut> : MailboxEvent
{
    private readonly GraphStageLogic _logic;
    private readonly Action<AsyncSlot<TIn, TOut>> _onCompleted;
    private readonly Action _continuation;

    public AsyncSlot(GraphStageLogic logic, Action<AsyncSlot<TIn, TOut>> onCompleted)
    {
        _logic = logic;
        _onCompleted = onCompleted;
        _continuation = Continue;
    }

    public override GraphStageLogic Logic => _logic;

    public Task<TOut>? Task { get; private set; }

    public AsyncSlotState State { get; set; }

    public TOut Result { get; set; } = default!;

    public TIn Element { get; set; } = default!;

    public long Sequence { get; set; }

    public object? Key { get; set; }

    /// <summary>
    /// Watches <paramref name="task"/>. Returns <see langword="true"/> when the task has already completed: the caller
    /// handles it at once, inside its handler, and the slot is not posted for it.
    /// </summary>
    public bool Start(Task<TOut> task)
    {
        Task = task;
        State = AsyncSlotState.Pending;
        if (task.IsCompleted)
        {
            return true;
        }

        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_continuation);
        return false;
    }

    /// <summary>Forgets the task and element so the slot can be reused.</summary>
    public void Reset()
    {
        Task = null;
        Result = default!;
        Element = default!;
        Key = null;
        State = AsyncSlotState.Free;
    }

    public override void Run() => _onCompleted(this);

    private void Continue()
    {
        if (Task!.IsFaulted)
        {
            _ = Task.Exception;
        }

        _logic.Post(this);
    }
}

/// <summary>The states of an <see cref="AsyncSlot{TIn,TOut}"/>.</summary>
internal enum AsyncSlotState
{
    Free,
    Waiting,
    Pending,
    Done,
    Dropped,
}
