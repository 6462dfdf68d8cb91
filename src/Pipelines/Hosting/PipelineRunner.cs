using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>
/// Runs one hosted pipeline: each incarnation of its graph inside <c>RestartSource.OnFailuresWithBackoff</c>, the current
/// incarnation's <see cref="DrainingControl{T}"/> kept for draining, and its state for the registry and health check.
/// </summary>
/// <remarks>
/// The restart stage's inner source is one task per incarnation: it materializes the graph and completes with the
/// stream, failing when the stream failed, which is what makes the stage wait its backoff and start the next one. A drain
/// first marks the runner as draining and shuts the restart stage's kill switch, so no incarnation starts after it, then
/// drains the current one; an incarnation that ends while draining completes its task normally, so a failed drain
/// never looks like a failure to restart.
/// </remarks>
internal abstract class PipelineRunner
{
    private readonly ProgressTracker _progress = new();
    private readonly List<IPipelineObserver> _observers;
    private readonly TimeProvider _time;

    protected PipelineRunner(string name, PipelineHostingSettings settings, ActorSystem system, IReadOnlyList<IPipelineObserver> observers, TimeProvider time)
    {
        Name = name;
        Settings = settings;
        System = system;
        Log = Logging.GetLogger(system, "Pipelines.Hosting.Pipeline");
        _observers = [.. observers];
        _time = time;
    }

    public string Name { get; }

    public PipelineHostingSettings Settings { get; }

    protected ActorSystem System { get; }

    protected ILoggingAdapter Log { get; }

    protected Lock Gate { get; } = new();

    // Guarded by Gate.
    protected PipelineState State { get; set; } = PipelineState.Starting;

    protected int Restarts { get; set; }

    protected int Incarnations { get; set; }

    protected bool Draining { get; set; }

    protected Exception? LastFailure { get; set; }

    protected IKillSwitch? Supervision { get; set; }

    /// <summary>The current incarnation's metrics, or <see cref="ConsumerMetrics.Empty"/>.</summary>
    protected abstract ConsumerMetrics CurrentMetrics { get; }

    /// <summary>Materializes the restart stage, which starts the first incarnation.</summary>
    public abstract void Start(IMaterializer materializer);

    /// <summary>Stops restarts and drains the current incarnation within the drain timeout.</summary>
    public abstract Task<PipelineDrainResult> DrainAsync();

    public void AddObserver(IPipelineObserver observer)
    {
        lock (Gate)
        {
            _observers.Add(observer);
        }
    }

    public PipelineStatus GetStatus()
    {
        var metrics = CurrentMetrics;
        DateTimeOffset? lastProgress = _progress.Observe(metrics, _time.GetUtcNow());
        lock (Gate)
        {
            return new PipelineStatus(Name, State, Restarts, metrics, lastProgress, LastFailure);
        }
    }

    /// <summary>Healthy when running, Degraded while starting, restarting or draining, Unhealthy when stalled, over its lag limit, stopped or failed.</summary>
    public HealthCheckResult CheckHealth()
    {
        var status = GetStatus();
        var now = _time.GetUtcNow();
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State.ToString(),
            ["restarts"] = status.Restarts,
            ["lag"] = status.Lag,
            ["records-received"] = status.Metrics.RecordsReceived,
        };
        if (status.LastProgress is { } last)
        {
            data["last-progress"] = last;
        }

        if (status.LastFailure is { } failure)
        {
            data["last-failure"] = failure.Message;
        }

        var name = $"Pipeline '{Name}'";
        switch (status.State)
        {
            case PipelineState.Starting:
                return HealthCheckResult.Degraded($"{name} is starting.", null, data);
            case PipelineState.Restarting:
                return HealthCheckResult.Degraded($"{name} is restarting after a failure (restarts: {status.Restarts}): {status.LastFailure?.Message}", status.LastFailure, data);
            case PipelineState.Draining:
                return HealthCheckResult.Degraded($"{name} is draining.", null, data);
            case PipelineState.Stopped:
                return HealthCheckResult.Unhealthy($"{name} has stopped.", null, data);
            case PipelineState.Failed:
                return HealthCheckResult.Unhealthy($"{name} has failed: {status.LastFailure?.Message}", status.LastFailure, data);
        }

        if (Settings.MaxLag >= 0 && status.Lag > Settings.MaxLag)
        {
            return HealthCheckResult.Unhealthy($"{name} has a lag of {status.Lag} records, over its limit of {Settings.MaxLag} (health.max-lag).", null, data);
        }

        if (status.Lag > 0 && status.LastProgress is { } progress && now - progress >= Settings.StallWindow)
        {
            return HealthCheckResult.Unhealthy(
                $"{name} is stalled: a lag of {status.Lag} records and no record received or committed since {progress:O} (health.stall-window {Settings.StallWindow}).",
                null,
                data);
        }

        return HealthCheckResult.Healthy($"{name} is running.", data);
    }

    /// <summary>The failure itself rather than a task's wrapper of it (a stream's failure may arrive wrapped more than once).</summary>
    protected static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            e = aggregate.InnerExceptions[0];
        }

        return e;
    }

    public void NotifyDrained(PipelineDrainResult result) => Notify(o => o.OnDrained(result));

    /// <summary>Schedules completion of a task after <paramref name="delay"/> on the actor system's scheduler (virtual in tests).</summary>
    protected Task Delay(TimeSpan delay)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        System.Scheduler.Advanced.ScheduleOnce(delay, () => done.TrySetResult());
        return done.Task;
    }

    protected void Notify(Action<IPipelineObserver> call)
    {
        IPipelineObserver[] observers;
        lock (Gate)
        {
            observers = [.. _observers];
        }

        foreach (var observer in observers)
        {
            try
            {
                call(observer);
            }
            catch (Exception e)
            {
                Log.Error(e, "Pipeline '{0}': observer {1} failed.", Name, observer.GetType().FullName);
            }
        }
    }

    /// <summary>Called when the restart stage ended: by itself (the stream completed, or the restarts ran out) or by a drain.</summary>
    protected void OnSupervisionEnded(Task supervision)
    {
        Exception? failure = null;
        lock (Gate)
        {
            if (Draining)
            {
                return;
            }

            if (supervision.Exception is { } e)
            {
                failure = Unwrap(e);
            }
            else if (State == PipelineState.Restarting)
            {
                failure = LastFailure;
            }

            if (failure is not null)
            {
                LastFailure = failure;
                State = PipelineState.Failed;
            }
            else
            {
                State = PipelineState.Stopped;
            }
        }

        if (failure is not null)
        {
            Log.Error(failure, "Pipeline '{0}' failed after {1} restarts and is not restarted again (restart.max-restarts {2} within {3}).", Name, Restarts, Settings.MaxRestarts, Settings.MaxRestartsWithin);
            Notify(o => o.OnFailed(Name, failure));
        }
        else
        {
            Log.Info("Pipeline '{0}' completed.", Name);
        }
    }
}
