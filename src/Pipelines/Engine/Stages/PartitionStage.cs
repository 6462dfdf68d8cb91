using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

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

    private sealed class Logic : FanOutLogic<T>
    {
        private readonly Func<T, int> _partitioner;
        private bool _hasPending;
        private T _pending = default!;
        private int _pendingIndex;

        public Logic(PartitionStage<T> stage)
            : base(stage.Shape, stage._eagerCancel)
        {
            _partitioner = stage._partitioner;
        }

        public override void OnPush()
        {
            var element = Grab(In);
            var index = _partitioner(element);
            if ((uint)index >= (uint)Out.Count)
            {
                FailStage(new PartitionOutOfBoundsException(
                    $"The partitioner of {this} returned {index} for element '{element}', but the stage has {Out.Count} outputs "
                    + $"(valid indexes are 0 to {Out.Count - 1})."));
                return;
            }

            var outlet = Out[index];
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

        public override void OnUpstreamFinish()
        {
            if (!_hasPending)
            {
                CompleteStage();
            }
        }

        protected override void OnResume(Exception cause) => PullIfAnyDemand();

        protected override void OnPull(int index)
        {
            if (!_hasPending)
            {
                TryPull(In);
                return;
            }

            if (index == _pendingIndex)
            {
                var element = _pending;
                ClearPending();
                Push(Out[index], element);
                ContinueAfterPending();
            }
        }

        protected override void OnOutputCancelled(int index)
        {
            if (_hasPending && index == _pendingIndex)
            {
                ClearPending();
                ContinueAfterPending();
            }
        }

        private void ContinueAfterPending()
        {
            if (IsClosed(In))
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
            if (HasBeenPulled(In) || IsClosed(In))
            {
                return;
            }

            // An index loop: foreach over the IReadOnlyList would allocate an enumerator for every element.
            for (var i = 0; i < Out.Count; i++)
            {
                if (IsAvailable(Out[i]))
                {
                    Pull(In);
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
