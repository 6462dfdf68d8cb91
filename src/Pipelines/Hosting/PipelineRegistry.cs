using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka;

namespace Pipelines.Hosting;

/// <summary>
/// The hosted pipelines of one actor system (an Akka extension): runs each under restart-with-backoff, drains them all
/// in CoordinatedShutdown's <c>service-requests-done</c> phase, and answers for their state.
/// </summary>
public sealed class PipelineRegistry : IExtension, IPipelineRegistry
{
    /// <summary>The name of the CoordinatedShutdown task that drains the pipelines.</summary>
    public const string DrainTaskName = "pipelines-drain";

    private readonly ExtendedActorSystem _system;
    private readonly Lock _gate = new();
    private readonly List<PipelineRunner> _runners = [];
    private readonly List<IPipelineObserver> _observers = [];
    private readonly TaskCompletionSource<IReadOnlyList<PipelineDrainResult>> _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILoggingAdapter _log;
    private Exception? _startFailure;
    private bool _drainRegistered;
    private bool _adopted;

    internal PipelineRegistry(ExtendedActorSystem system)
    {
        _system = system;
        _log = Logging.GetLogger(system, "Pipelines.Hosting");
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _runners.Select(r => r.Name)];
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PipelineDrainResult>> Drained => _drained.Task;

    /// <summary>The first error that kept a pipeline from starting, if any (the host's start rethrows it).</summary>
    internal Exception? StartFailure
    {
        get
        {
            lock (_gate)
            {
                return _startFailure;
            }
        }
    }

    /// <summary>The clock of stall detection; the service provider's <see cref="TimeProvider"/> under Akka.Hosting.</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>True the first time it is called: the caller then hands over the service provider's clock and observers.</summary>
    internal bool TryAdopt()
    {
        lock (_gate)
        {
            var first = !_adopted;
            _adopted = true;
            return first;
        }
    }

    /// <summary>The registry of <paramref name="system"/>.</summary>
    /// <param name="system">The actor system the pipelines run in.</param>
    public static PipelineRegistry For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<PipelineRegistry, PipelineRegistryProvider>();
    }

    /// <inheritdoc />
    public PipelineStatus GetStatus(string name) =>
        Find(name)?.GetStatus() ?? throw new KeyNotFoundException($"No pipeline is named '{name}'; the registered ones are: {string.Join(", ", Names)}.");

    /// <inheritdoc />
    public IReadOnlyList<PipelineStatus> GetStatuses() => [.. Runners().Select(r => r.GetStatus())];

    /// <inheritdoc />
    public void Subscribe(IPipelineObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        PipelineRunner[] runners;
        lock (_gate)
        {
            _observers.Add(observer);
            runners = [.. _runners];
        }

        foreach (var runner in runners)
        {
            runner.AddObserver(observer);
        }
    }

    /// <summary>
    /// Creates the pipeline <paramref name="name"/> from its factory and settings and starts it.
    /// </summary>
    /// <exception cref="PipelineException">The name is taken, a setting is bad, or the factory failed.</exception>
    internal void Start<T>(string name, Func<ActorSystem, PipelineSettings, IRunnableGraph<DrainingControl<T>>> factory)
    {
        try
        {
            var runner = Create(name, factory);
            runner.Start(_system.Materializer(namePrefix: "pipeline-" + name));
            _log.Info("Pipeline '{0}' started.", name);
        }
        catch (PipelineException e)
        {
            lock (_gate)
            {
                _startFailure ??= e;
            }

            _log.Error(e, "Pipeline '{0}' could not start.", name);
            throw;
        }
    }

    /// <summary>Drains every pipeline at once; each within its own drain timeout. Logs one line per pipeline.</summary>
    internal async Task<IReadOnlyList<PipelineDrainResult>> DrainAllAsync()
    {
        var runners = Runners();
        var results = await Task.WhenAll(runners.Select(DrainOneAsync)).ConfigureAwait(false);
        _drained.TrySetResult(results);
        return results;
    }

    internal PipelineRunner? Find(string name)
    {
        lock (_gate)
        {
            return _runners.FirstOrDefault(r => r.Name == name);
        }
    }

    private PipelineRunner Create<T>(string name, Func<ActorSystem, PipelineSettings, IRunnableGraph<DrainingControl<T>>> factory)
    {
        var config = _system.Settings.Config;
        PipelineHostingSettings hosting;
        IRunnableGraph<DrainingControl<T>> graph;
        try
        {
            hosting = PipelineHostingSettings.Create(config, name);
            var settings = new PipelineSettings(name, config);
            IRunnableGraph<DrainingControl<T>>? created;
            try
            {
                created = factory(_system, settings);
            }
            catch (Exception) when (settings.HasProblems)
            {
                // A bad value read as a default often makes the factory throw; the value is the cause to report.
                settings.ThrowIfAny();
                throw;
            }

            settings.ThrowIfAny();
            graph = created ?? throw new PipelineException(name, $"Pipeline '{name}': its factory returned no graph.", null);
        }
        catch (PipelineException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new PipelineException(name, $"Pipeline '{name}' could not be created: {e.Message}", e);
        }

        PipelineRunner runner;
        lock (_gate)
        {
            if (_runners.Any(r => r.Name == name))
            {
                throw new PipelineException(name, $"Pipeline '{name}' is registered twice; pipeline names must be unique.", null);
            }

            runner = new PipelineRunner<T>(name, graph, hosting, _system, _observers, Time);
            _runners.Add(runner);
            if (!_drainRegistered)
            {
                _drainRegistered = true;
                CoordinatedShutdown.Get(_system).AddTask(
                    CoordinatedShutdown.PhaseServiceRequestsDone,
                    DrainTaskName,
                    async () =>
                    {
                        await DrainAllAsync().ConfigureAwait(false);
                        return Done.Instance;
                    });
            }
        }

        WarnIfPhaseTooShort(hosting);
        return runner;
    }

    private void WarnIfPhaseTooShort(PipelineHostingSettings hosting)
    {
        var key = $"akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseServiceRequestsDone}.timeout";
        var phase = _system.Settings.Config.GetTimeSpan(key, TimeSpan.Zero);
        if (phase > TimeSpan.Zero && phase <= hosting.DrainTimeout)
        {
            _log.Warning(
                "{0} is {1}, not longer than pipelines.hosting.drain-timeout ({2}): CoordinatedShutdown may move on before the pipelines have drained.",
                key,
                phase,
                hosting.DrainTimeout);
        }
    }

    private async Task<PipelineDrainResult> DrainOneAsync(PipelineRunner runner)
    {
        PipelineDrainResult result;
        try
        {
            result = await runner.DrainAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result = new PipelineDrainResult(runner.Name, PipelineDrainOutcome.Failed, PipelineState.Failed, runner.GetStatus().Restarts, runner.Settings.DrainTimeout, e);
        }

        switch (result.Outcome)
        {
            case PipelineDrainOutcome.Drained:
                _log.Info("Pipeline '{0}' drained: in-flight records finished and committed (restarts: {1}).", result.Name, result.Restarts);
                break;
            case PipelineDrainOutcome.NotRunning:
                _log.Info("Pipeline '{0}' had nothing to drain ({1}, restarts: {2}).", result.Name, result.State, result.Restarts);
                break;
            case PipelineDrainOutcome.TimedOut:
                _log.Warning("Pipeline '{0}' did not drain within {1} (drain-timeout); its uncommitted records are delivered again (restarts: {2}).", result.Name, result.DrainTimeout, result.Restarts);
                break;
            default:
                _log.Error(result.Error, "Pipeline '{0}' failed while draining (restarts: {1}).", result.Name, result.Restarts);
                break;
        }

        runner.NotifyDrained(result);
        return result;
    }

    private PipelineRunner[] Runners()
    {
        lock (_gate)
        {
            return [.. _runners];
        }
    }
}
