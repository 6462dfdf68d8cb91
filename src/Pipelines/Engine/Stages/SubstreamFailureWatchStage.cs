using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through unchanged and reports a failure on either side — upstream failing, or downstream cancelling
/// because it failed — so a substream run into its own sink (SubFlow.To) cannot fail unnoticed: the failure is logged
/// and handed to the stage that started the substream (which is gone if the main stream already completed).
/// </summary>
internal sealed class SubstreamFailureWatchStage<T>(StageCallback<Exception> onFailure) : GraphStage<FlowShape<T, T>>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("SubstreamWatch.in"), new Outlet<T>("SubstreamWatch.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(Shape, onFailure);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FlowShape<T, T> _shape;
        private readonly StageCallback<Exception> _onFailure;

        public Logic(FlowShape<T, T> shape, StageCallback<Exception> onFailure)
            : base(shape)
        {
            _shape = shape;
            _onFailure = onFailure;
            SetHandlers(shape.Inlet, shape.Outlet, this);
        }

        public override void OnPush() => Push(_shape.Outlet, Grab(_shape.Inlet));

        public override void OnPull() => Pull(_shape.Inlet);

        public override void OnUpstreamFailure(Exception cause)
        {
            Report(cause);
            FailStage(cause);
        }

        public override void OnDownstreamFinish(Exception? cause)
        {
            if (cause is not null)
            {
                Report(cause);
            }

            CancelStage(cause);
        }

        private void Report(Exception cause)
        {
            Log.LogError(cause, "A substream run into its own sink failed ({Stage})", this);
            _onFailure.Invoke(cause);
        }
    }
}
