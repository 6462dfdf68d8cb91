using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits one element, then completes.</summary>
internal sealed class SingleSource<T>(T element) : GraphStage<SourceShape<T>>
{
    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Single.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, element);

    private sealed class Logic : OutGraphStageLogic
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

        public override void OnPull()
        {
            Push(_out, _element);
            CompleteStage();
        }
    }
}
