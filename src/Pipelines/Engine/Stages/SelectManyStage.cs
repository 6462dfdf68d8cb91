using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Maps each element to a sequence and emits the sequence's elements one by one (LINQ SelectMany, Akka mapConcat).
/// Resume/Restart drop the rest of the sequence whose function or enumeration failed.
/// </summary>
internal sealed class SelectManyStage<TIn, TOut>(Func<TIn, IEnumerable<TOut>> selector) : GraphStage<FlowShape<TIn, TOut>>
{
    private readonly Func<TIn, IEnumerable<TOut>> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>("SelectMany.in"), new Outlet<TOut>("SelectMany.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<TIn> _in;
        private readonly Outlet<TOut> _out;
        private readonly Func<TIn, IEnumerable<TOut>> _selector;
        private IEnumerator<TOut>? _current;

        public Logic(SelectManyStage<TIn, TOut> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _selector = stage._selector;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            _current = _selector(Grab(_in)).GetEnumerator();
            EmitNext();
        }

        public override void OnPull() => EmitNext();

        public override void OnUpstreamFinish()
        {
            if (_current is null)
            {
                CompleteStage();
            }
        }

        protected override void OnResume(Exception cause)
        {
            DisposeCurrent();
            EmitNext();
        }

        protected internal override void PostStop() => DisposeCurrent();

        private void EmitNext()
        {
            if (_current is not null)
            {
                if (_current.MoveNext())
                {
                    Push(_out, _current.Current);
                    return;
                }

                DisposeCurrent();
            }

            if (IsClosed(_in))
            {
                CompleteStage();
            }
            else if (IsAvailable(_out) && !HasBeenPulled(_in))
            {
                Pull(_in);
            }
        }

        private void DisposeCurrent()
        {
            var current = _current;
            _current = null;
            try
            {
                current?.Dispose();
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "Disposing an enumerator in {Stage} failed", this);
            }
        }
    }
}
