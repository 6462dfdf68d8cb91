using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>
/// Routes each element to the one output its partitioner names. Upstream is pulled while some output has demand; an
/// element whose output has not pulled waits (back-pressuring upstream), an element routed to a cancelled output is
/// dropped, and an index outside the outputs fails the stage with <see cref="PartitionOutOfBoundsException"/>.
/// </summary>
internal sealed class PartitionStage<T> : GraphStage<UniformFanOutShape<T, T>>
{
    private readonly Func<T, int> _partitioner;
    private readonly bool _eagerCancel;

    public PartitionStage(int outputCount, Func<T, int> partitioner, bool eagerCancel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        ArgumentNullException.ThrowIfNull(partitioner);
        _partitioner = partitioner;
        _eagerCancel = eagerCancel;
        Shape = new UniformFanOutShape<T, T>(outputCount, "Partition");
    }

    public override UniformFanOutShape<T, T> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic, IInHandler
    {
        private readonly Inlet<T> _in;
        private readonly IReadOnlyList<Outlet<T>> _out;
        private readonly Func<T, int> _partitioner;
        private readonly bool _eagerCancel;
        private int _runningDownstreams;
        private bool _hasPending;
        private T _pending = default!;
        private int _pendingIndex;

        public Logic(PartitionStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.In;
            _out = stage.Shape.Out;
            _partitioner = stage._partitioner;
            _eagerCancel = stage._eagerCancel;
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
            var index = _partitioner(element);
            if ((uint)index >= (uint)_out.Count)
            {
                FailStage(new PartitionOutOfBoundsException(
                    $"The partitioner of {this} returned {index} for element '{element}', but the stage has {_out.Count} outputs "
                    + $"(valid indexes are 0 to {_out.Count - 1})."));
                return;
            }

            var outlet = _out[index];
            if (IsClosed(outlet))
            {
                // The output was cancelled: it asked for no more elements.
                PullIfAnyDemand();
            }
            else if (IsAvailable(outlet))
            {
                Push(outlet, element);
                PullIfAnyDemand();
            }
            else
            {
                _hasPending = true;
                _pending = element;
                _pendingIndex = index;
            }
        }

        public void OnUpstreamFinish()
        {
            if (!_hasPending)
            {
                CompleteStage();
            }
        }

        public void OnUpstreamFailure(Exception cause) => FailStage(cause);

        protected override void OnResume(Exception cause) => PullIfAnyDemand();

        private void OnPull(int index)
        {
            if (!_hasPending)
            {
                TryPull(_in);
                return;
            }

            if (index == _pendingIndex)
            {
                var element = _pending;
                ClearPending();
                Push(_out[index], element);
                ContinueAfterPending();
            }
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

            if (_hasPending && index == _pendingIndex)
            {
                ClearPending();
                ContinueAfterPending();
            }
        }

        private void ContinueAfterPending()
        {
            if (IsClosed(_in))
            {
                CompleteStage();
            }
            else
            {
                PullIfAnyDemand();
            }
        }

        private void PullIfAnyDemand()
        {
            if (HasBeenPulled(_in) || IsClosed(_in))
            {
                return;
            }

            foreach (var outlet in _out)
            {
                if (IsAvailable(outlet))
                {
                    Pull(_in);
                    return;
                }
            }
        }

        private void ClearPending()
        {
            _hasPending = false;
            _pending = default!;
        }
    }
}
