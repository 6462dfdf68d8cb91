using Microsoft.Extensions.Logging;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through; when upstream fails, asks a function for a source to continue with and switches to it (a
/// fresh materialization with the stage's materializer), up to a number of attempts (each failure of a recovery source
/// uses one). No source, a throwing function or no attempts left fail the stage.
/// </summary>
internal sealed class RecoverWithRetriesStage<T, TMat> : GraphStage<FlowShape<T, T>>
{
    private readonly int _attempts;
    private readonly Func<Exception, IGraph<SourceShape<T>, TMat>?> _recover;

    public RecoverWithRetriesStage(int attempts, Func<Exception, IGraph<SourceShape<T>, TMat>?> recover)
    {
        ArgumentNullException.ThrowIfNull(recover);
        if (attempts < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "Attempts must be -1 (unlimited), 0 or more.");
        }

        _attempts = attempts;
        _recover = recover;
    }

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("RecoverWithRetries.in"), new Outlet<T>("RecoverWithRetries.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly RecoverWithRetriesStage<T, TMat> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private int _attemptsUsed;
        private SubSinkInlet<T>? _current;

        public Logic(RecoverWithRetriesStage<T, TMat> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush() => Push(_out, Grab(_in));

        public override void OnPull()
        {
            if (_current is null)
            {
                Pull(_in);
            }
            else if (!_current.IsClosed && !_current.HasBeenPulled)
            {
                _current.Pull();
            }
        }

        public override void OnUpstreamFailure(Exception cause) => TrySwitch(cause);

        public override void OnDownstreamFinish(Exception? cause)
        {
            _current?.Cancel(cause);
            CancelStage(cause);
        }

        protected internal override void PostStop() => _current?.Cancel();

        private void TrySwitch(Exception cause)
        {
            if (_stage._attempts != -1 && _attemptsUsed >= _stage._attempts)
            {
                FailStage(cause);
                return;
            }

            IGraph<SourceShape<T>, TMat>? next;
            try
            {
                next = _stage._recover(cause);
            }
            catch (Exception ex)
            {
                Log.LogError(cause, "{Stage}: the recovery function threw while handling this failure; failing with its exception", this);
                FailStage(ex);
                return;
            }

            if (next is null)
            {
                FailStage(cause);
                return;
            }

            _attemptsUsed++;
            Log.LogDebug(cause, "{Stage} switches to a recovery source (attempt {Attempt}) after a failure", this, _attemptsUsed);
            var inlet = new SubSinkInlet<T>(this, $"{this}.recovery-{_attemptsUsed}", new RecoveryHandler(this));
            _current = inlet;
            Source.FromGraph(next).RunWith(inlet.Sink, Materializer);
            if (IsAvailable(_out))
            {
                inlet.Pull();
            }
        }

        private sealed class RecoveryHandler(Logic logic) : IInHandler
        {
            public void OnPush() => logic.Push(logic._out, logic._current!.Grab());

            public void OnUpstreamFinish() => logic.CompleteStage();

            public void OnUpstreamFailure(Exception cause) => logic.TrySwitch(cause);
        }
    }
}
