namespace Pipelines.Kafka;

/// <summary>
/// The <see cref="IControl"/> of one materialized source. It exists before the stage starts its consumer, so requests made
/// early are remembered and applied when the consumer is attached.
/// </summary>
internal sealed class ConsumerControl : IControl
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _stageStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConsumerActor? _actor;
    private Action? _stopStage;
    private bool _stopRequested;
    private bool _shutdownRequested;

    public Task IsShutdown => _shutdown.Task;

    public ConsumerMetrics Metrics => Volatile.Read(ref _actor)?.Metrics ?? ConsumerMetrics.Empty;

    /// <summary>Whether <see cref="Stop"/> (or a shutdown) was requested: the stage then leaves the consumer to the control.</summary>
    public bool StopRequested
    {
        get
        {
            lock (_gate)
            {
                return _stopRequested;
            }
        }
    }

    /// <summary>Connects the started consumer and the stage's stop callback; applies requests made before.</summary>
    public void Attach(IConsumerActor actor, Action stopStage)
    {
        bool stop, shutdown;
        lock (_gate)
        {
            _actor = actor;
            _stopStage = stopStage;
            stop = _stopRequested;
            shutdown = _shutdownRequested;
        }

        actor.Completion.ContinueWith(
            static (t, state) =>
            {
                var tcs = (TaskCompletionSource)state!;
                if (t.Exception is { } ex)
                {
                    tcs.TrySetException(ex.InnerExceptions);
                }
                else
                {
                    tcs.TrySetResult();
                }
            },
            _shutdown,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        if (stop)
        {
            actor.Stop();
            stopStage();
        }

        if (shutdown)
        {
            _ = actor.ShutdownAsync();
        }
    }

    /// <summary>The stage stopped; a stage that never started a consumer ends the control here.</summary>
    public void StageStopped()
    {
        _stageStopped.TrySetResult();
        lock (_gate)
        {
            if (_actor is null)
            {
                _shutdown.TrySetResult();
            }
        }
    }

    public Task Stop()
    {
        IConsumerActor? actor;
        Action? stopStage;
        lock (_gate)
        {
            _stopRequested = true;
            actor = _actor;
            stopStage = _stopStage;
        }

        actor?.Stop();
        stopStage?.Invoke();
        return _stageStopped.Task;
    }

    public Task Shutdown()
    {
        IConsumerActor? actor;
        lock (_gate)
        {
            _stopRequested = true;
            _shutdownRequested = true;
            actor = _actor;
        }

        if (actor is not null)
        {
            _ = Stop();
            _ = actor.ShutdownAsync();
        }

        return _shutdown.Task;
    }

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        await DrainAndShutdown(WithResult(streamCompletion)).ConfigureAwait(false);

        static async Task<bool> WithResult(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        _ = Stop();
        try
        {
            return await streamCompletion.ConfigureAwait(false);
        }
        finally
        {
            // Whatever the stream's outcome, the consumer commits what finished and leaves its group.
            await Shutdown().ConfigureAwait(false);
        }
    }
}
