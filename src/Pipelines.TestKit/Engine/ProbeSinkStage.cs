using Pipelines.Engine.Stage;

namespace Pipelines.TestKit.Engine;

/// <summary>The sink behind <see cref="TestSink.Probe{T}"/>: pulls only as much as the test requested.</summary>
internal sealed class ProbeSinkStage<T> : GraphStageWithMaterializedValue<SinkShape<T>, SinkProbe<T>>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("ProbeSink.in"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name("ProbeSink");

    public override (GraphStageLogic Logic, SinkProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var probe = new SinkProbe<T>();
        return (new Logic(Shape, probe), probe);
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly SinkProbe<T> _probe;
        private long _demand;

        public Logic(SinkShape<T> shape, SinkProbe<T> probe)
            : base(shape)
        {
            _in = shape.Inlet;
            _probe = probe;
            SetHandler(_in, this);
            probe.Attach(GetAsyncCallback<long>(OnRequest), GetAsyncCallback(() => CompleteStage()));
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            _demand--;
            _probe.Signal(new ProbeSignal<T>(ProbeSignalKind.Next, element, 0, null));
            if (_demand > 0)
            {
                Pull(_in);
            }
        }

        public override void OnUpstreamFinish()
        {
            _probe.Signal(new ProbeSignal<T>(ProbeSignalKind.Complete, default!, 0, null));
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            _probe.Signal(new ProbeSignal<T>(ProbeSignalKind.Error, default!, 0, cause));
            FailStage(cause);
        }

        private void OnRequest(long n)
        {
            _demand = _demand > long.MaxValue - n ? long.MaxValue : _demand + n;
            if (!IsClosed(_in) && !HasBeenPulled(_in))
            {
                Pull(_in);
            }
        }
    }
}
