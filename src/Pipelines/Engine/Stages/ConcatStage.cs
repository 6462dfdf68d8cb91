using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits every element of its first input, then of the second, and so on. Only the current input is pulled; the later
/// ones are started but receive no demand until their turn. A failure of any input fails the stage at once.
/// </summary>
internal sealed class ConcatStage<T> : GraphStage<UniformFanInShape<T, T>>
{
    public ConcatStage(int inputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputCount);
        Shape = new UniformFanInShape<T, T>(inputCount, "Concat");
    }

    public override UniformFanInShape<T, T> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape);

    private sealed class Logic : GraphStageLogic, IOutHandler
    {
        private readonly IReadOnlyList<Inlet<T>> _in;
        private readonly Outlet<T> _out;
        private int _active;

        public Logic(UniformFanInShape<T, T> shape)
            : base(shape)
        {
            _in = shape.In;
            _out = shape.Out;
            for (var i = 0; i < _in.Count; i++)
            {
                var index = i;
                SetHandler(_in[i], onPush: () => Push(_out, Grab(_in[index])), onUpstreamFinish: () => OnUpstreamFinish(index));
            }

            SetHandler(_out, this);
        }

        public void OnPull() => Pull(_in[_active]);

        public void OnDownstreamFinish(Exception? cause) => CancelStage(cause);

        private void OnUpstreamFinish(int index)
        {
            if (index != _active)
            {
                // A later input finished before its turn: it is skipped when its turn comes.
                return;
            }

            do
            {
                _active++;
            }
            while (_active < _in.Count && IsClosed(_in[_active]));

            if (_active == _in.Count)
            {
                CompleteStage();
            }
            else if (IsAvailable(_out))
            {
                Pull(_in[_active]);
            }
        }
    }
}
