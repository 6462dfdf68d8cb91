using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits the same element forever, as fast as downstream pulls.</summary>
internal sealed class RepeatSource<T>(T element) : GraphStage<SourceShape<T>>
{
    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Repeat.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, element);

    private sealed class Logic : OutGraphStageLogic, ISyncProducer<T>
    {
        private readonly Outlet<T> _out;
        private readonly T _element;

        public Logic(SourceShape<T> shape, T element)
            : base(shape)
        {
            _out = shape.Outlet;
            _element = element;
            SetHandler(_out, this);
        }

        public override void OnPull() => Push(_out, _element);

        public bool TryPullSync(out T element)
        {
            element = _element;
            return true;
        }
    }
}
