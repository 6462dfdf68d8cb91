using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Combines one element of each of its two inputs into one output element. Both inputs are pulled only when downstream
/// pulls, so nothing is read ahead; the stage completes as soon as either input completes and no element of it is
/// waiting to be paired.
/// </summary>
internal sealed class ZipWithStage<TIn0, TIn1, TOut>(Func<TIn0, TIn1, TOut> zipper) : GraphStage<FanInShape2<TIn0, TIn1, TOut>>
{
    private readonly Func<TIn0, TIn1, TOut> _zipper = zipper ?? throw new ArgumentNullException(nameof(zipper));

    public override FanInShape2<TIn0, TIn1, TOut> Shape { get; } =
        new(new Inlet<TIn0>("Zip.in0"), new Inlet<TIn1>("Zip.in1"), new Outlet<TOut>("Zip.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic, IOutHandler
    {
        private readonly Inlet<TIn0> _in0;
        private readonly Inlet<TIn1> _in1;
        private readonly Outlet<TOut> _out;
        private readonly Func<TIn0, TIn1, TOut> _zipper;

        public Logic(ZipWithStage<TIn0, TIn1, TOut> stage)
            : base(stage.Shape)
        {
            _in0 = stage.Shape.In0;
            _in1 = stage.Shape.In1;
            _out = stage.Shape.Out;
            _zipper = stage._zipper;
            SetHandler(_in0, onPush: TryPushPair, onUpstreamFinish: () => OnUpstreamFinish(_in0));
            SetHandler(_in1, onPush: TryPushPair, onUpstreamFinish: () => OnUpstreamFinish(_in1));
            SetHandler(_out, this);
        }

        public void OnPull()
        {
            if (IsAvailable(_in0) && IsAvailable(_in1))
            {
                TryPushPair();
                return;
            }

            if (!IsAvailable(_in0))
            {
                TryPull(_in0);
            }

            if (!IsAvailable(_in1))
            {
                TryPull(_in1);
            }
        }

        public void OnDownstreamFinish(Exception? cause) => CancelStage(cause);

        private void TryPushPair()
        {
            if (!IsAvailable(_in0) || !IsAvailable(_in1) || !IsAvailable(_out))
            {
                return;
            }

            Push(_out, _zipper(Grab(_in0), Grab(_in1)));
            if (IsClosed(_in0) || IsClosed(_in1))
            {
                CompleteStage();
            }
        }

        private void OnUpstreamFinish(Inlet inlet)
        {
            // An element that already arrived on the finished input may still be paired with one from the other.
            if (!IsAvailable(inlet))
            {
                CompleteStage();
            }
        }
    }
}
