using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

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

    private sealed class Logic : FanOutLogic<T>
    {
        // Outputs that have not pulled since the last element was emitted; upstream is pulled when none is left.
        private readonly bool[] _awaitingPull;
        private int _awaitingCount;

        public Logic(BroadcastStage<T> stage)
            : base(stage.Shape, stage._eagerCancel)
        {
            _awaitingPull = new bool[Out.Count];
            Array.Fill(_awaitingPull, true);
            _awaitingCount = Out.Count;
        }

        public override void OnPush()
        {
            var element = Grab(In);
            _awaitingCount = 0;
            for (var i = 0; i < Out.Count; i++)
            {
                var outlet = Out[i];
                if (!IsClosed(outlet))
                {
                    Push(outlet, element);
                    _awaitingPull[i] = true;
                    _awaitingCount++;
                }
            }
        }

        protected override void OnPull(int index)
        {
            _awaitingPull[index] = false;
            _awaitingCount--;
            PullIfAllPulled();
        }

        protected override void OnOutputCancelled(int index)
        {
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
                TryPull(In);
            }
        }
    }
}
