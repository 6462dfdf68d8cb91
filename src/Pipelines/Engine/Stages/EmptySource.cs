using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Completes at once without emitting.</summary>
internal sealed class EmptySource<T> : GraphStage<SourceShape<T>>
{
    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Empty.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape);

    private sealed class Logic : OutGraphStageLogic
    {
        public Logic(SourceShape<T> shape)
            : base(shape) => SetHandler(shape.Outlet, this);

        public override void OnPull()
        {
        }

        protected internal override void PreStart() => CompleteStage();
    }
}
