using Microsoft.Extensions.Hosting;
using Pipelines.Hosting;

namespace Pipelines.Host.View;

/// <summary>
/// Runs the live view for the life of the host: from the moment the host has started it shows a snapshot every interval,
/// through the drain, and once every hosted service has stopped (the pipelines drained by CoordinatedShutdown) it writes
/// the summary.
/// </summary>
internal sealed class LiveViewService : IHostedLifecycleService, IDisposable
{
    private readonly LiveViewSettings _settings;
    private readonly IViewRenderer _renderer;
    private readonly PipelinesMeterReader _meter;
    private readonly IPipelineRegistry? _registry;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private ViewAggregator? _aggregator;

    /// <summary>Creates the view; it listens to the meter from now on and shows nothing before the host has started.</summary>
    public LiveViewService(LiveViewSettings settings, IViewRenderer renderer, IPipelineRegistry? registry, TimeProvider time, string meterName)
    {
        _settings = settings;
        _renderer = renderer;
        _registry = registry;
        _time = time;
        _meter = new PipelinesMeterReader(meterName);
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // The view's time and its first interval start now that the host runs.
        var aggregator = Aggregator();
        _loop = _renderer.RunAsync(show => ShowEveryIntervalAsync(aggregator, show));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The view goes on while the other services stop: it shows the pipelines draining.
    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        var drained = _registry?.Drained is { IsCompletedSuccessfully: true } done ? await done.ConfigureAwait(false) : null;
        _renderer.WriteSummary(Aggregator().Take(), drained);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A host disposed without stopping never called StoppedAsync: end the loop before its meter goes.
        _stop.Cancel();
        _meter.Dispose();
        _stop.Dispose();
    }

    private ViewAggregator Aggregator() => _aggregator ??= new ViewAggregator(_meter, _registry, _time, _settings.TierPrefix);

    private async Task ShowEveryIntervalAsync(ViewAggregator aggregator, Action<ViewSnapshot> show)
    {
        using var timer = new PeriodicTimer(_settings.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                show(aggregator.Take());
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The host has stopped: the summary follows.
        }
    }
}
