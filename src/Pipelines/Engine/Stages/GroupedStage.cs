using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits groups of <c>n</c> elements; the last group may be smaller (it is emitted when upstream completes, never dropped).</summary>
internal sealed class GroupedStage<T>(int size) : GraphStage<FlowShape<T, IReadOnlyList<T>>>
{
    private readonly int _size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The group size must be positive.");

    public override FlowShape<T, IReadOnlyList<T>> Shape { get; } = new(new Inlet<T>("Grouped.in"), new Outlet<IReadOnlyList<T>>("Grouped.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, _size);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<IReadOnlyList<T>> _out;
        private readonly int _size;
        private List<T> _group;

        public Logic(FlowShape<T, IReadOnlyList<T>> shape, int size)
            : base(shape)
        {
            _in = shape.Inlet;
            _out = shape.Outlet;
            _size = size;
            _group = new List<T>(size);
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            _group.Add(Grab(_in));
            if (_group.Count < _size)
            {
                Pull(_in);
                return;
            }

            var full = _group;
            _group = new List<T>(_size);
            Push(_out, full);
        }

        public override void OnPull() => Pull(_in);

        public override void OnUpstreamFinish()
        {
            if (_group.Count == 0)
            {
                CompleteStage();
                return;
            }

            var last = _group;
            _group = [];
            Emit(_out, last, CompleteStage);
        }
    }
}
