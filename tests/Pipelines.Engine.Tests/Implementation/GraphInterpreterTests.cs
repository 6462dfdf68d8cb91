using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Implementation;

public sealed class GraphInterpreterTests : StreamTestBase
{
    [Fact]
    public async Task Run_UpstreamCompletes_DeliversBufferedElementsThenCompletes()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x + 1));

        downstream.Request(3);
        await upstream.SendNextAsync(1, 2);
        upstream.SendComplete();

        await downstream.ExpectNextAsync(2, 3);
        await downstream.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Run_UpstreamFails_FailsDownstreamWithTheSameException()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x + 1));
        var boom = new InvalidOperationException("boom");

        downstream.Request(1);
        upstream.SendError(boom);

        (await downstream.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Run_DownstreamCancels_CancelsUpstream()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x + 1).Where(x => x > 0));

        downstream.Cancel();

        (await upstream.ExpectCancellationAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Run_DemandOfTwo_EmitsExactlyTwoAndRequestsNoMore()
    {
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x * 2));

        await upstream.ExpectNoMessageAsync(NoMessage);
        downstream.Request(2);
        await upstream.SendNextAsync(1, 2);
        await downstream.ExpectNextAsync(2, 4);

        await upstream.ExpectNoMessageAsync(NoMessage);
        await downstream.ExpectNoMessageAsync(NoMessage);
        downstream.Cancel();
        await upstream.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Run_SelectFailsWithDefaultSupervision_FailsDownstreamAndCancelsUpstream()
    {
        var boom = new InvalidOperationException("boom");
        var (upstream, downstream) = Probe(Flow.Create<int>().Select(x => x == 2 ? throw boom : x));

        downstream.Request(3);
        await upstream.SendNextAsync(1, 2);

        await downstream.ExpectNextAsync(1);
        (await downstream.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await upstream.ExpectCancellationAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Run_StageThrowsInCompletionHandler_FailsTheStream()
    {
        var boom = new InvalidOperationException("finish failed");
        var task = Source.From([1, 2]).Via(new ThrowOnFinishStage(boom)).RunWith(Sink.Seq<int>(), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Run_SameFlowTwiceInOneGraph_EachOccurrenceIsItsOwnStage()
    {
        var addOne = Flow.Create<int>().Select(x => x + 1);

        var result = await Source.From([1, 2, 3]).Via(addOne).Via(addOne).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(3, 4, 5);
    }

    [Fact]
    public async Task Run_AttributesOnComposite_ApplyToInnerStages()
    {
        var flow = Flow.Create<int>().Select(x => 10 / x).WithAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From([1, 0, 2]).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(10, 5);
    }

    [Fact]
    public async Task Run_InnerAttributesMoreSpecific_OverrideOuterOnes()
    {
        var inner = Flow.Create<int>().Select(x => 10 / x).WithAttributes(Attributes.Supervision(Deciders.StoppingDecider));
        var outer = Flow.Create<int>().Via(inner).WithAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var task = Source.From([1, 0, 2]).Via(outer).RunWith(Sink.Seq<int>(), Materializer);

        await task.Invoking(t => t).Should().ThrowAsync<DivideByZeroException>();
    }

    /// <summary>Passes elements through but throws when upstream completes.</summary>
    private sealed class ThrowOnFinishStage(Exception failure) : GraphStage<FlowShape<int, int>>
    {
        public override FlowShape<int, int> Shape { get; } = new(new Inlet<int>("in"), new Outlet<int>("out"));

        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

        private sealed class Logic : InAndOutGraphStageLogic
        {
            private readonly ThrowOnFinishStage _stage;

            public Logic(ThrowOnFinishStage stage)
                : base(stage.Shape)
            {
                _stage = stage;
                SetHandlers(stage.Shape.Inlet, stage.Shape.Outlet, this);
            }

            public override void OnPush() => Push(_stage.Shape.Outlet, Grab(_stage.Shape.Inlet));

            public override void OnPull() => Pull(_stage.Shape.Inlet);

            public override void OnUpstreamFinish() => throw _stage._failure;
        }

        private readonly Exception _failure = failure;
    }
}
