using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Fails at once with the given exception.</summary>
internal sealed class FailedSource<T>(Exception cause) : GraphStage<SourceShape<T>>
{
    private readonly Exception _cause = cause ?? throw new ArgumentNullException(nameof(cause));

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("Failed.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, _cause);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Exception _cause;

        public Logic(SourceShape<T> shape, Exception cause)
            : base(shape)
        {
            _cause = cause;
            SetHandler(shape.Outlet, this);
        }

        public override void OnPull()
        {
        }

        protected internal override void PreStart() => FailStage(_cause);
    }
}
