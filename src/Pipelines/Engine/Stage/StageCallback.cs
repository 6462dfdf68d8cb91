using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>
/// A thread-safe entry into a stage: <see cref="Invoke"/> enqueues the handler into the stage's island, where it runs
/// like any other handler (never concurrently with them). Invocations before the stage started (e.g. from a
/// materialized value while the graph is still materializing) are delivered after its PreStart; invocations after it
/// stopped are ignored.
/// </summary>
public sealed class StageCallback
{
    private readonly Event _event;

    internal StageCallback(GraphStageLogic logic, Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _event = new Event(logic, handler);
    }

    /// <summary>Runs the handler inside the stage's island, later; never blocks and never allocates.</summary>
    public void Invoke() => _event.Logic.Post(_event);

    /// <summary>Runs the handler inside the stage's island and completes when it ran.</summary>
    /// <returns>A task that fails with <see cref="StreamDetachedException"/> if the stage stopped before the handler could run.</returns>
    public Task InvokeWithFeedbackAsync()
    {
        var feedback = new FeedbackEvent(_event);
        _event.Logic.Post(feedback);
        return feedback.Completion.Task;
    }

    // One event object is posted repeatedly: the mailbox only holds references.
    private sealed class Event(GraphStageLogic logic, Action handler) : MailboxEvent
    {
        public override GraphStageLogic Logic => logic;

        public override void Run() => handler();
    }

    private sealed class FeedbackEvent(Event inner) : MailboxEvent
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override GraphStageLogic Logic => inner.Logic;

        public override void Run()
        {
            try
            {
                inner.Run();
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
                throw;
            }

            Completion.TrySetResult();
        }

        public override void Dropped() => Completion.TrySetException(new StreamDetachedException($"{inner.Logic} stopped before the callback could run."));
    }
}
