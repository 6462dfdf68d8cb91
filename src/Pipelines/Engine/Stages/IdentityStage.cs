using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Passes elements through unchanged (<c>Flow.Create&lt;T&gt;()</c>; skipped by Via when nothing is attached to it).</summary>
internal sealed class IdentityStage<T> : GraphStage<FlowShape<T, T>>
{
    public static IdentityStage<T> Instance { get; } = new();

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Identity.in"), new Outlet<T>("Identity.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FlowShape<T, T> _shape;

        public Logic(FlowShape<T, T> shape)
            : base(shape)
        {
            _shape = shape;
            SetHandlers(shape.Inlet, shape.Outlet, this);
        }

        public override void OnPush() => Push(_shape.Outlet, Grab(_shape.Inlet));

        public override void OnPull() => Pull(_shape.Inlet);
    }
}
