using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>
/// Runs every source it receives into a fresh materialization of one sink (SubFlow.To): each substream becomes an
/// independent stream. The stage completes when upstream completes, without waiting for the substreams.
/// </summary>
internal sealed class SubstreamRunnerSink<T, TMat>(IGraph<SinkShape<T>, TMat> sink) : GraphStage<SinkShape<Source<T, NotUsed>>>
{
    private readonly IGraph<SinkShape<T>, TMat> _sink = sink ?? throw new ArgumentNullException(nameof(sink));

    public override SinkShape<Source<T, NotUsed>> Shape { get; } = new(new Inlet<Source<T, NotUsed>>("SubstreamRunner.in"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly Inlet<Source<T, NotUsed>> _in;
        private readonly IGraph<SinkShape<T>, TMat> _sink;

        public Logic(SubstreamRunnerSink<T, TMat> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _sink = stage._sink;
            SetHandler(_in, this);
        }

        public override void OnPush()
        {
            Grab(_in).To(_sink).Run(Materializer);
            Pull(_in);
        }

        protected internal override void PreStart() => Pull(_in);
    }
}
