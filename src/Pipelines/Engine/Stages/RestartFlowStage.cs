using Pipelines.Engine.Dsl;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Runs the flow a factory returns between this stage's inlet and outlet; when that flow fails (or, unless only
/// failures restart, completes), waits the backoff on the materializer's clock and runs a fresh one. Each incarnation is
/// a separate materialization in islands of its own. Elements inside a failed incarnation are lost; an element that
/// arrives from upstream while no incarnation can take it is kept and given to the next one. Upstream completion
/// completes the running flow's input and the stage completes with it; when the restart limit is reached the stage
/// fails with the last failure (or completes).
/// </summary>
internal sealed class RestartFlowStage<TIn, TOut, TMat>(Func<Flow<TIn, TOut, TMat>> factory, RestartSettings settings, bool onlyOnFailures)
    : GraphStage<FlowShape<TIn, TOut>>
{
    private readonly Func<Flow<TIn, TOut, TMat>> _factory = factory ?? throw new ArgumentNullException(nameof(factory));
    private readonly RestartSettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    private readonly bool _onlyOnFailures = onlyOnFailures;

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("RestartFlow.in"), new Outlet<TOut>("RestartFlow.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : RestartWithBackoffLogic
    {
        private readonly RestartFlowStage<TIn, TOut, TMat> _stage;
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private SubSourceOutlet<TIn>? _feed;
        private SubSinkInlet<TOut>? _drain;
        private TIn _pending = default!;
        private bool _hasPending;

        public Logic(RestartFlowStage<TIn, TOut, TMat> stage)
            : base(stage.Shape, stage._settings, "flow")
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandler(_in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
            SetHandler(_out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinish);
        }

        protected internal override void PostStop()
        {
            _drain?.Cancel();
            _feed?.Complete();
        }

        private void OnPush()
        {
            var element = Grab(_in);
            if (_feed is { IsAvailable: true })
            {
                _feed.Push(element);
            }
            else
            {
                // The incarnation that asked for it died meanwhile: the next one gets it first.
                _pending = element;
                _hasPending = true;
            }
        }

        private void OnUpstreamFinish()
        {
            if (_hasPending)
            {
                // Completed after the pending element was fed (see OnFeedPull).
                return;
            }

            if (_feed is null)
            {
                // Between incarnations: nothing is running and nothing more will arrive.
                CompleteStage();
                return;
            }

            _feed.Complete();
        }

        private void OnUpstreamFailure(Exception cause)
        {
            if (_feed is null)
            {
                FailStage(cause);
                return;
            }

            // The running flow sees the failure (it may recover from it); what it does decides the stage's end.
            _feed.Fail(cause);
        }

        private void OnPull()
        {
            if (_drain is { IsClosed: false, HasBeenPulled: false })
            {
                _drain.Pull();
            }
        }

        private void OnDownstreamFinish(Exception? cause)
        {
            _drain?.Cancel(cause);
            _feed?.Complete();
            CancelStage(cause);
        }

        // The running flow asked for an element.
        private void OnFeedPull()
        {
            if (_hasPending)
            {
                var element = _pending;
                _pending = default!;
                _hasPending = false;
                _feed!.Push(element);
                if (IsClosed(_in))
                {
                    _feed.Complete();
                }

                return;
            }

            if (IsClosed(_in))
            {
                _feed!.Complete();
            }
            else if (!HasBeenPulled(_in))
            {
                Pull(_in);
            }
        }

        private void OnDrainPush() => Push(_out, _drain!.Grab());

        private void OnDrainFinish()
        {
            if (IsClosed(_in) && !_hasPending)
            {
                // Upstream is done and the flow finished its input: the stream is complete.
                CompleteStage();
            }
            else if (_stage._onlyOnFailures)
            {
                CompleteStage();
            }
            else
            {
                ScheduleRestart(null);
            }
        }

        private void OnDrainFailure(Exception cause)
        {
            if (IsClosed(_in) && !_hasPending)
            {
                // No input is left to restart for: the failure ends the stream.
                FailStage(cause);
            }
            else
            {
                ScheduleRestart(cause);
            }
        }

        protected override void StartIncarnation()
        {
            var name = BeginIncarnation();
            var feed = new SubSourceOutlet<TIn>(this, name + ".feed", new FeedHandler(this));
            var drain = new SubSinkInlet<TOut>(this, name + ".drain", new DrainHandler(this));
            _feed = feed;
            _drain = drain;
            try
            {
                feed.Source.Via(_stage._factory()).RunWith(drain.Sink, Materializer);
            }
            catch (Exception ex)
            {
                // A factory or materialization failure is a failure of the wrapped flow: it is restarted the same way.
                drain.Cancel(ex);
                feed.Fail(ex);
                ScheduleRestart(ex);
                return;
            }

            if (IsAvailable(_out))
            {
                drain.Pull();
            }
        }

        protected override void DropIncarnation()
        {
            _feed?.Complete();
            _drain?.Cancel();
            _feed = null;
            _drain = null;
        }

        private sealed class FeedHandler(Logic logic) : IOutHandler
        {
            public void OnPull() => logic.OnFeedPull();

            // The flow no longer wants input; it ends (and is restarted) when its output terminates.
            public void OnDownstreamFinish(Exception? cause)
            {
            }
        }

        private sealed class DrainHandler(Logic logic) : IInHandler
        {
            public void OnPush() => logic.OnDrainPush();

            public void OnUpstreamFinish() => logic.OnDrainFinish();

            public void OnUpstreamFailure(Exception cause) => logic.OnDrainFailure(cause);
        }
    }
}
