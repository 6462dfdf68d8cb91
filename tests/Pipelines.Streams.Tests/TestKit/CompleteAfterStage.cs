using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.TestKit;

/// <summary>A flow that passes <c>count</c> elements and then completes (cancelling upstream), for tests of flows that end early.</summary>
internal sealed class CompleteAfterStage<T>(int count) : GraphStage<FlowShape<T, T>>
{
    private readonly int _count = count;

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("CompleteAfter.in"), new Outlet<T>("CompleteAfter.out"));

    public static Flow<T, T, NotUsed> Flow(int count) => Pipelines.Streams.Dsl.Flow.FromGraph(new CompleteAfterStage<T>(count));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private int _left;

        public Logic(CompleteAfterStage<T> stage)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _left = stage._count;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            Push(_out, Grab(_in));
            if (--_left == 0)
            {
                CompleteStage();
            }
        }

        public override void OnPull() => Pull(_in);
    }
}
