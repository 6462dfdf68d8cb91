using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through; when upstream fails, asks a function for a last element: one is emitted and the stage
/// completes, none lets the failure through. A throwing function fails the stage with its exception (the original
/// failure is logged first, so neither is lost).
/// </summary>
internal sealed class RecoverStage<T>(Func<Exception, Option<T>> recover) : GraphStage<FlowShape<T, T>>
{
    private readonly Func<Exception, Option<T>> _recover = recover ?? throw new ArgumentNullException(nameof(recover));

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Recover.in"), new Outlet<T>("Recover.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly Func<Exception, Option<T>> _recover;

        public Logic(RecoverStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _recover = stage._recover;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush() => Push(_out, Grab(_in));

        public override void OnPull() => Pull(_in);

        public override void OnUpstreamFailure(Exception cause)
        {
            Option<T> replacement;
            try
            {
                replacement = _recover(cause);
            }
            catch (Exception ex)
            {
                Log.LogError(cause, "{Stage}: the recovery function threw while handling this upstream failure; failing with its exception", this);
                FailStage(ex);
                return;
            }

            if (replacement.TryGetValue(out var element))
            {
                Log.LogDebug(cause, "{Stage} recovered from an upstream failure with a last element", this);
                Emit(_out, element, CompleteStage);
            }
            else
            {
                FailStage(cause);
            }
        }
    }
}
