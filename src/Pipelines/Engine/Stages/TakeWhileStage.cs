using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits elements while a predicate holds; on the first element that fails it (emitted too when inclusive) completes
/// downstream and cancels upstream. Resume/Restart drop the element the predicate failed on.
/// </summary>
internal sealed class TakeWhileStage<T>(Func<T, bool> predicate, bool inclusive) : GraphStage<FlowShape<T, T>>
{
    private readonly Func<T, bool> _predicate = predicate ?? throw new ArgumentNullException(nameof(predicate));

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("TakeWhile.in"), new Outlet<T>("TakeWhile.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly TakeWhileStage<T> _stage;
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        public Logic(TakeWhileStage<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            if (_stage._predicate(element))
            {
                Push(_out, element);
            }
            else
            {
                if (_stage._inclusive)
                {
                    Push(_out, element);
                }

                CompleteStage();
            }
        }

        public override void OnPull() => Pull(_in);

        protected override void OnResume(Exception cause) => TryPull(_in);
    }

    private readonly bool _inclusive = inclusive;
}
