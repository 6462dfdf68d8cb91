using Pipelines.Engine.Implementation;

namespace Pipelines.Engine.Stage;

/// <summary>
/// A thread-safe entry into a stage carrying a value: <see cref="Invoke"/> enqueues the handler with the value into the
/// stage's island, where it runs like any other handler. This is how task completions, timers and external pushes
/// (queues, Kafka callbacks) enter a stage. Invocations before the stage started (e.g. from a materialized value while
/// the graph is still materializing) are delivered after its PreStart; invocations after it stopped are ignored.
/// </summary>
/// <typeparam name="T">The type of the value passed to the handler.</typeparam>
public sealed class StageCallback<T>
{
    private readonly GraphStageLogic _logic;
    private readonly Action<T> _handler;

    internal StageCallback(GraphStageLogic logic, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _logic = logic;
        _handler = handler;
    }

    /// <summary>Runs the handler with <paramref name="value"/> inside the stage's island, later; never blocks.</summary>
    public void Invoke(T value) => _logic.Post(new Event(this, value));

    /// <summary>Runs the handler with <paramref name="value"/> inside the stage's island and completes when it ran.</summary>
    /// <returns>A task that fails with <see cref="StreamDetachedException"/> if the stage stopped before the handler could run.</returns>
    public Task InvokeWithFeedbackAsync(T value)
    {
        var ev = new FeedbackEvent(this, value);
        _logic.Post(ev);
        return ev.Completion.Task;
    }

    private class Event(StageCallback<T> callback, T value) : MailboxEvent
    {
        public override GraphStageLogic Logic => callback._logic;

        public override void Run() => callback._handler(value);
    }

    private sealed class FeedbackEvent(StageCallback<T> callback, T value) : Event(callback, value)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run()
        {
            try
            {
                base.Run();
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
                throw;
            }

            Completion.TrySetResult();
        }

        public override void Dropped() => Completion.TrySetException(new StreamDetachedException($"{Logic} stopped before the callback could run."));
    }
}
