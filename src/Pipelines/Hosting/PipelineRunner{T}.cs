using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Hosting;

/// <summary>The runner of a pipeline whose graph materializes a <see cref="DrainingControl{T}"/>.</summary>
internal sealed class PipelineRunner<T> : PipelineRunner
{
    private readonly IRunnableGraph<DrainingControl<T>> _graph;
    private IMaterializer? _materializer;
    private DrainingControl<T>? _current;

    public PipelineRunner(
        string name,
        IRunnableGraph<DrainingControl<T>> graph,
        PipelineHostingSettings settings,
        ActorSystem system,
        IReadOnlyList<IPipelineObserver> observers,
        TimeProvider time)
        : base(name, settings, system, observers, time)
    {
        _graph = graph;
    }

    protected override ConsumerMetrics CurrentMetrics
    {
        get
        {
            DrainingControl<T>? current;
            lock (Gate)
            {
                current = _current;
            }

            return current?.Metrics ?? ConsumerMetrics.Empty;
        }
    }

    public override void Start(IMaterializer materializer)
    {
        _materializer = materializer;
        // The termination watch, not Sink.Ignore's task: that never ends when the ActorSystem stops the stream under it.
        var (killSwitch, supervision) = RestartSource.OnFailuresWithBackoff(() => Source.FromTask(RunIncarnation()), Settings.Restart)
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .WatchTermination(Keep.Both)
            .To(Sink.Ignore<Done>())
            .Run(materializer);
        lock (Gate)
        {
            Supervision = killSwitch;
        }

        supervision.ContinueWith(OnSupervisionEnded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public override async Task<PipelineDrainResult> DrainAsync()
    {
        DrainingControl<T>? current;
        lock (Gate)
        {
            Draining = true;
            current = _current is { StreamCompletion.IsCompleted: false } ? _current : null;
            if (current is not null)
            {
                State = PipelineState.Draining;
            }
            else if (State is not PipelineState.Failed)
            {
                State = PipelineState.Stopped;
            }
        }

        Supervision?.Shutdown();
        if (current is null)
        {
            return Result(PipelineDrainOutcome.NotRunning, null);
        }

        var drain = current.DrainAndShutdown();
        var finished = await Task.WhenAny(drain, Delay(Settings.DrainTimeout)).ConfigureAwait(false);
        if (finished != drain)
        {
            // The actor system's termination ends what is still running; uncommitted records are delivered again later.
            _ = drain.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return Result(PipelineDrainOutcome.TimedOut, null);
        }

        if (drain.Exception is { } e)
        {
            var error = Unwrap(e);
            lock (Gate)
            {
                State = PipelineState.Failed;
                LastFailure = error;
            }

            return Result(PipelineDrainOutcome.Failed, error);
        }

        lock (Gate)
        {
            State = PipelineState.Stopped;
        }

        return Result(PipelineDrainOutcome.Drained, null);
    }

    private PipelineDrainResult Result(PipelineDrainOutcome outcome, Exception? error)
    {
        lock (Gate)
        {
            return new PipelineDrainResult(Name, outcome, State, Restarts, Settings.DrainTimeout, error);
        }
    }

    private Task<Done> RunIncarnation()
    {
        DrainingControl<T> control;
        int incarnation;
        lock (Gate)
        {
            if (Draining)
            {
                return Task.FromResult(Done.Instance);
            }

            incarnation = ++Incarnations;
            if (incarnation > 1)
            {
                Restarts++;
                PipelinesInstruments.RecordRestart(Name);
            }

            try
            {
                // Materialized under the gate, so that a drain sees either no incarnation or this one.
                control = _graph.Run(_materializer!);
            }
            catch (Exception e)
            {
                LastFailure = e;
                State = PipelineState.Restarting;
                Log.Error(e, "Pipeline '{0}' could not be materialized (incarnation {1}).", Name, incarnation);
                return Task.FromException<Done>(e);
            }

            _current = control;
            State = PipelineState.Running;
        }

        if (incarnation > 1)
        {
            Log.Info("Pipeline '{0}' restarted (restart {1}).", Name, incarnation - 1);
        }

        Notify(o => o.OnStarted(Name, incarnation));
        return Watch(control);
    }

    private async Task<Done> Watch(DrainingControl<T> control)
    {
        try
        {
            await control.StreamCompletion.ConfigureAwait(false);
            return Done.Instance;
        }
        catch (Exception caught)
        {
            var e = Unwrap(caught);
            int restarts;
            lock (Gate)
            {
                if (Draining)
                {
                    // The drain reports it; a failure while draining never restarts the pipeline.
                    return Done.Instance;
                }

                LastFailure = e;
                State = PipelineState.Restarting;
                restarts = Restarts;
            }

            Log.Warning("Pipeline '{0}' failed and restarts after its backoff (restarts so far: {1}): {2}", Name, restarts, e);

            // The failed incarnation's consumer commits what was processed and leaves before the next one joins (its own
            // failure to close is the consumer's to log; the stream's failure is what restarts the pipeline).
            await Task.WhenAny(control.IsShutdown, Delay(Settings.DrainTimeout)).ConfigureAwait(false);
            _ = control.IsShutdown.Exception;
            Notify(o => o.OnRestarting(Name, e, restarts));
            throw;
        }
    }
}
