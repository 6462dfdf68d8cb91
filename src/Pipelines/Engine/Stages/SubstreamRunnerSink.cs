using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Runs every source it receives into a fresh materialization of one sink (SubFlow.To): each substream becomes an
/// independent stream. A substream that fails (its source or its sink) fails this stage, which cancels upstream with
/// the error. The stage completes when upstream completes, without waiting for the substreams.
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
        private readonly StageCallback<Exception> _onSubstreamFailure;

        public Logic(SubstreamRunnerSink<T, TMat> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _sink = stage._sink;
            _onSubstreamFailure = GetAsyncCallback<Exception>(FailStage);
            SetHandler(_in, this);
        }

        public override void OnPush()
        {
            Grab(_in).Via(new SubstreamFailureWatchStage<T>(_onSubstreamFailure)).To(_sink).Run(Materializer);
            Pull(_in);
        }

        protected internal override void PreStart() => Pull(_in);
    }
}
