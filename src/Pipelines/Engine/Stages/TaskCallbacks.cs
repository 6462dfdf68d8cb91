using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Delivers task completions into stages without ever leaving a task's failure unobserved.</summary>
internal static class TaskCallbacks
{
    /// <summary>Invokes <paramref name="callback"/> with <paramref name="task"/> once it completes. The failure is observed here,
    /// so it is never reported as unobserved even if the stage has stopped by then.</summary>
    public static void WhenCompleted<TTask>(TTask task, StageCallback<TTask> callback)
        where TTask : Task =>
        task.ContinueWith(
            static (t, state) =>
            {
                _ = t.Exception;
                ((StageCallback<TTask>)state!).Invoke((TTask)t);
            },
            callback,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>
    /// Marks a materialized task's failure as observed as soon as it happens. Whoever awaits the task still gets the
    /// failure; a caller that discards the task (e.g. with <c>Keep.Left</c>) does not get an <c>UnobservedTaskException</c>.
    /// </summary>
    public static TTask Observed<TTask>(TTask task)
        where TTask : Task
    {
        task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    /// <summary>The exception a faulted or cancelled task stands for (the single inner exception when there is one).</summary>
    public static Exception FailureOf(Task task) =>
        task.Exception is { } aggregate
            ? aggregate.InnerExceptions.Count == 1 ? aggregate.InnerExceptions[0] : aggregate
            : new TaskCanceledException(task);
}
