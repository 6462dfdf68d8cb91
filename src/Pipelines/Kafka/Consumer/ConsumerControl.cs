namespace Pipelines.Kafka;

/// <summary>
/// The <see cref="IControl"/> of one materialized source. It exists before the stage registered with its consumer, so
/// requests made early are remembered and applied when the registration is attached.
/// </summary>
internal sealed class ConsumerControl : IControl
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _stageStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SourceEndpoint? _endpoint;
    private Action? _stopStage;
    private bool _stopRequested;
    private bool _shutdownRequested;

    public Task IsShutdown => _shutdown.Task;

    public ConsumerMetrics Metrics => Volatile.Read(ref _endpoint)?.Handle.Metrics ?? ConsumerMetrics.Empty;

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

    /// <summary>Connects the registered source and the stage's stop callback; applies requests made before.</summary>
    public void Attach(SourceEndpoint endpoint, Action stopStage)
    {
        bool stop, shutdown;
        lock (_gate)
        {
            _endpoint = endpoint;
            _stopStage = stopStage;
            stop = _stopRequested;
            shutdown = _shutdownRequested;
        }

        endpoint.Left.ContinueWith(
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
            stopStage();
        }

        if (shutdown)
        {
            endpoint.RequestLeave();
        }
    }

    /// <summary>The stage stopped; a stage that never registered with a consumer ends the control here.</summary>
    public void StageStopped()
    {
        _stageStopped.TrySetResult();
        lock (_gate)
        {
            if (_endpoint is null)
            {
                _shutdown.TrySetResult();
            }
        }
    }

    public Task Stop()
    {
        Action? stopStage;
        lock (_gate)
        {
            _stopRequested = true;
            stopStage = _stopStage;
        }

        stopStage?.Invoke();
        return _stageStopped.Task;
    }

    public Task Shutdown()
    {
        SourceEndpoint? endpoint;
        lock (_gate)
        {
            _stopRequested = true;
            _shutdownRequested = true;
            endpoint = _endpoint;
        }

        if (endpoint is not null)
        {
            _ = Stop();
            endpoint.RequestLeave();
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
