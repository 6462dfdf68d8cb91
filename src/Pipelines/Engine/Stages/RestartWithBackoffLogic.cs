using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// The restart cycle shared by RestartSource and RestartFlow: starts the first incarnation when the stage starts, and
/// when an incarnation ends either schedules the next one after the backoff on the materializer's clock or, once the
/// restart limit is reached, ends the stage with the last failure (or completes it). Subclasses run the incarnations.
/// </summary>
internal abstract class RestartWithBackoffLogic : GraphStageLogic
{
    private static readonly object TimerKey = new();

    private readonly RestartSettings _settings;

    // What is restarted ("source", "flow"), as the log names it.
    private readonly string _wrapped;
    private RestartBackoff _backoff = null!;
    private int _incarnation;

    protected RestartWithBackoffLogic(Shape shape, RestartSettings settings, string wrapped)
        : base(shape)
    {
        _settings = settings;
        _wrapped = wrapped;
    }

    protected internal override void PreStart()
    {
        _backoff = new RestartBackoff(_settings, TimeProvider);
        StartIncarnation();
    }

    protected sealed override void OnTimer(object timerKey) => StartIncarnation();

    /// <summary>Materializes a fresh incarnation (named by <see cref="BeginIncarnation"/>); a failure to start it goes to <see cref="ScheduleRestart"/>.</summary>
    protected abstract void StartIncarnation();

    /// <summary>Forgets the incarnation that ended (or failed to start), so that its late signals have no effect.</summary>
    protected abstract void DropIncarnation();

    /// <summary>Counts a new incarnation, starts its restart window and returns its name.</summary>
    protected string BeginIncarnation()
    {
        _incarnation++;
        _backoff.Started();
        return $"{this}.incarnation-{_incarnation}";
    }

    /// <summary>
    /// Handles the end of the running incarnation: it completed when <paramref name="cause"/> is <see langword="null"/>,
    /// failed otherwise.
    /// </summary>
    protected void ScheduleRestart(Exception? cause)
    {
        DropIncarnation();
        if (!_backoff.TryNext(out var delay))
        {
            Log.LogWarning(cause, "{Stage} reached its limit of {MaxRestarts} restarts; ending the stream", this, _settings.MaxRestarts);
            if (cause is null)
            {
                CompleteStage();
            }
            else
            {
                FailStage(cause);
            }

            return;
        }

        if (cause is null)
        {
            Log.LogDebug("{Stage}: the {Wrapped} completed; restart {Count} in {Delay}", this, _wrapped, _backoff.RestartCount, delay);
        }
        else
        {
            Log.LogWarning(cause, "{Stage}: the {Wrapped} failed; restart {Count} in {Delay}", this, _wrapped, _backoff.RestartCount, delay);
        }

        ScheduleOnce(TimerKey, delay);
    }
}
