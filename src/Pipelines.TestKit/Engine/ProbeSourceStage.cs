using Pipelines.Engine.Stage;

namespace Pipelines.TestKit.Engine;

/// <summary>The source behind <see cref="TestSource.Probe{T}"/>: reports every pull and cancellation to the probe and pushes what the test sends.</summary>
internal sealed class ProbeSourceStage<T> : GraphStageWithMaterializedValue<SourceShape<T>, SourceProbe<T>>
{
    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("ProbeSource.out"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name("ProbeSource");

    public override (GraphStageLogic Logic, SourceProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var probe = new SourceProbe<T>();
        return (new Logic(Shape, probe), probe);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<T> _out;
        private readonly SourceProbe<T> _probe;

        public Logic(SourceShape<T> shape, SourceProbe<T> probe)
            : base(shape)
        {
            _out = shape.Outlet;
            _probe = probe;
            SetHandler(_out, this);
            probe.Attach(GetAsyncCallback<T>(element => Push(_out, element)), GetAsyncCallback(() => CompleteStage()), GetAsyncCallback<Exception>(FailStage));
        }

        public override void OnPull() => _probe.OnPull();

        public override void OnDownstreamFinish(Exception? cause)
        {
            _probe.OnCancel(cause);
            base.OnDownstreamFinish(cause);
        }
    }
}
