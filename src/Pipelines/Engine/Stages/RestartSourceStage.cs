using Pipelines.Engine.Dsl;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Runs the source a factory returns and emits its elements; when that source fails (or, unless only failures restart,
/// completes), waits the backoff on the materializer's clock and runs a fresh one from the factory. Each incarnation is
/// a separate materialization in islands of its own. When the restart limit is reached the stage fails with the last
/// failure (or completes after a completion). Downstream cancellation cancels the running incarnation.
/// </summary>
internal sealed class RestartSourceStage<T, TMat>(Func<Source<T, TMat>> factory, RestartSettings settings, bool onlyOnFailures)
    : GraphStage<SourceShape<T>>
{
    private readonly Func<Source<T, TMat>> _factory = factory ?? throw new ArgumentNullException(nameof(factory));
    private readonly RestartSettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    private readonly bool _onlyOnFailures = onlyOnFailures;

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("RestartSource.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : RestartWithBackoffLogic, IOutHandler, IInHandler
    {
        private readonly RestartSourceStage<T, TMat> _stage;
        private readonly Outlet<T> _out;
        private SubSinkInlet<T>? _current;

        public Logic(RestartSourceStage<T, TMat> stage)
            : base(stage.Shape, stage._settings, "source")
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public void OnPull()
        {
            if (_current is { IsClosed: false, HasBeenPulled: false })
            {
                _current.Pull();
            }
        }

        public void OnDownstreamFinish(Exception? cause)
        {
            _current?.Cancel(cause);
            CancelStage(cause);
        }

        // The running incarnation's signals.
        public void OnPush() => Push(_out, _current!.Grab());

        public void OnUpstreamFinish()
        {
            if (_stage._onlyOnFailures)
            {
                CompleteStage();
            }
            else
            {
                ScheduleRestart(null);
            }
        }

        public void OnUpstreamFailure(Exception cause) => ScheduleRestart(cause);

        protected internal override void PostStop() => _current?.Cancel();

        protected override void StartIncarnation()
        {
            var inlet = new SubSinkInlet<T>(this, BeginIncarnation(), this);
            _current = inlet;
            try
            {
                _stage._factory().RunWith(inlet.Sink, Materializer);
            }
            catch (Exception ex)
            {
                // A factory or materialization failure is a failure of the wrapped source: it is restarted the same way.
                inlet.Cancel(ex);
                ScheduleRestart(ex);
                return;
            }

            if (IsAvailable(_out))
            {
                inlet.Pull();
            }
        }

        protected override void DropIncarnation() => _current = null;
    }
}
