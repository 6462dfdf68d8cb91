using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>
/// Emits each element to every output. Upstream is pulled only once every running output has pulled, so the slowest
/// output sets the pace. A cancelled output stops receiving elements; the stage cancels upstream when all outputs
/// cancelled, or at the first cancellation when <c>eagerCancel</c> is set (then an output cancelled by a failure fails
/// the other outputs with it).
/// </summary>
internal sealed class BroadcastStage<T> : GraphStage<UniformFanOutShape<T, T>>
{
    private readonly bool _eagerCancel;

    public BroadcastStage(int outputCount, bool eagerCancel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        _eagerCancel = eagerCancel;
        Shape = new UniformFanOutShape<T, T>(outputCount, "Broadcast");
    }

    public override UniformFanOutShape<T, T> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic, IInHandler
    {
        private readonly Inlet<T> _in;
        private readonly IReadOnlyList<Outlet<T>> _out;
        private readonly bool _eagerCancel;

        // Outputs that have not pulled since the last element was emitted; upstream is pulled when none is left.
        private readonly bool[] _awaitingPull;
        private int _awaitingCount;
        private int _runningDownstreams;

        public Logic(BroadcastStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.In;
            _out = stage.Shape.Out;
            _eagerCancel = stage._eagerCancel;
            _awaitingPull = new bool[_out.Count];
            Array.Fill(_awaitingPull, true);
            _awaitingCount = _out.Count;
            _runningDownstreams = _out.Count;
            SetHandler(_in, this);
            for (var i = 0; i < _out.Count; i++)
            {
                var index = i;
                SetHandler(_out[i], onPull: () => OnPull(index), onDownstreamFinish: cause => OnDownstreamFinish(index, cause));
            }
        }

        public void OnPush()
        {
            var element = Grab(_in);
            _awaitingCount = 0;
            for (var i = 0; i < _out.Count; i++)
            {
                var outlet = _out[i];
                if (!IsClosed(outlet))
                {
                    Push(outlet, element);
                    _awaitingPull[i] = true;
                    _awaitingCount++;
                }
            }
        }

        public void OnUpstreamFinish() => CompleteStage();

        public void OnUpstreamFailure(Exception cause) => FailStage(cause);

        private void OnPull(int index)
        {
            _awaitingPull[index] = false;
            _awaitingCount--;
            PullIfAllPulled();
        }

        private void OnDownstreamFinish(int index, Exception? cause)
        {
            _runningDownstreams--;
            if (_eagerCancel && cause is not null)
            {
                // The output failed (e.g. AlsoTo's side sink threw): the other outputs learn why instead of just completing.
                FailStage(cause);
                return;
            }

            if (_eagerCancel || _runningDownstreams == 0)
            {
                CancelStage(cause);
                return;
            }

            if (_awaitingPull[index])
            {
                _awaitingPull[index] = false;
                _awaitingCount--;
                PullIfAllPulled();
            }
        }

        private void PullIfAllPulled()
        {
            if (_awaitingCount == 0)
            {
                TryPull(_in);
            }
        }
    }
}
