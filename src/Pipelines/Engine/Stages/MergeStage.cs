using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits the elements of several inputs as they arrive, in the order they arrived. Every input is pulled eagerly, so
/// each holds at most one element while downstream back-pressures; inputs that pushed wait in a FIFO, which keeps the
/// merge fair (no input starves another).
/// </summary>
internal sealed class MergeStage<T> : GraphStage<UniformFanInShape<T, T>>
{
    private readonly bool _eagerComplete;

    public MergeStage(int inputCount, bool eagerComplete)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputCount);
        _eagerComplete = eagerComplete;
        Shape = new UniformFanInShape<T, T>(inputCount, "Merge");
    }

    public override UniformFanInShape<T, T> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic, IOutHandler
    {
        private readonly IReadOnlyList<Inlet<T>> _in;
        private readonly Outlet<T> _out;
        private readonly bool _eagerComplete;

        // Inputs holding an element downstream has not taken yet, oldest first; each input is in it at most once.
        private readonly int[] _pending;
        private int _pendingHead;
        private int _pendingCount;
        private int _runningUpstreams;

        public Logic(MergeStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.In;
            _out = stage.Shape.Out;
            _eagerComplete = stage._eagerComplete;
            _pending = new int[_in.Count];
            _runningUpstreams = _in.Count;
            for (var i = 0; i < _in.Count; i++)
            {
                var index = i;
                SetHandler(_in[i], onPush: () => OnPush(index), onUpstreamFinish: OnUpstreamFinish);
            }

            SetHandler(_out, this);
        }

        public void OnPull()
        {
            if (_pendingCount > 0)
            {
                var index = _pending[_pendingHead];
                _pendingHead = (_pendingHead + 1) % _pending.Length;
                _pendingCount--;
                PushFrom(index);
            }
        }

        public void OnDownstreamFinish(Exception? cause) => CancelStage(cause);

        protected internal override void PreStart()
        {
            foreach (var inlet in _in)
            {
                Pull(inlet);
            }
        }

        private void OnPush(int index)
        {
            if (_pendingCount == 0 && IsAvailable(_out))
            {
                PushFrom(index);
            }
            else
            {
                _pending[(_pendingHead + _pendingCount) % _pending.Length] = index;
                _pendingCount++;
            }
        }

        private void PushFrom(int index)
        {
            var inlet = _in[index];
            Push(_out, Grab(inlet));
            if (_runningUpstreams > 0)
            {
                TryPull(inlet);
            }

            if (_runningUpstreams == 0 && _pendingCount == 0)
            {
                CompleteStage();
            }
        }

        private void OnUpstreamFinish()
        {
            if (_eagerComplete)
            {
                // Elements that already arrived are still delivered; nothing more is requested from the others.
                foreach (var inlet in _in)
                {
                    if (!IsAvailable(inlet))
                    {
                        Cancel(inlet);
                    }
                }

                _runningUpstreams = 0;
            }
            else
            {
                _runningUpstreams--;
            }

            if (_runningUpstreams == 0 && _pendingCount == 0)
            {
                CompleteStage();
            }
        }
    }
}
