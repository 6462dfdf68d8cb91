using Pipelines.Engine.Stage;

namespace Pipelines.Engine;

/// <summary>
/// Stops the one stream it was materialized in (<c>KillSwitches.Single</c>): <see cref="Shutdown"/> completes downstream
/// and cancels upstream, <see cref="Abort"/> fails downstream and cancels upstream. Only the first call has an effect.
/// </summary>
public sealed class UniqueKillSwitch : IKillSwitch
{
    private readonly StageCallback _shutdown;
    private readonly StageCallback<Exception> _abort;
    private int _used;

    internal UniqueKillSwitch(StageCallback shutdown, StageCallback<Exception> abort)
    {
        _shutdown = shutdown;
        _abort = abort;
    }

    /// <inheritdoc />
    public void Shutdown()
    {
        if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            _shutdown.Invoke();
        }
    }

    /// <inheritdoc />
    public void Abort(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            _abort.Invoke(cause);
        }
    }
}
