using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class GraphDslTests : StreamTestBase
{
    [Fact]
    public async Task Create_ClosedBroadcastThenMerge_RunsAndMaterializesTheSinkValue()
    {
        var graph = RunnableGraph.FromGraph(GraphDsl.Create(Sink.Seq<int>(), (b, sink) =>
        {
            var broadcast = b.Add(Broadcast.Create<int>(2));
            var merge = b.Add(Merge.Create<int>(2));
            b.From(Source.From(Enumerable.Range(1, 100))).To(broadcast.In);
            b.From(broadcast.Out[0]).Via(Flow.Create<int>().Select(x => x * 1000)).To(merge.In[0]);
            b.From(broadcast.Out[1]).To(merge.In[1]);
            b.From(merge.Out).To(sink);
            return ClosedShape.Instance;
        }));

        var result = await graph.Run(Materializer);

        result.Order().Should().Equal(Enumerable.Range(1, 100).Concat(Enumerable.Range(1, 100).Select(x => x * 1000)).Order());
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Create_SameBlueprintRunTwice_GivesIndependentStreams()
    {
        var graph = RunnableGraph.FromGraph(GraphDsl.Create(Sink.Aggregate<int, int>(0, (a, x) => a + x), (b, sink) =>
        {
            var merge = b.Add(Merge.Create<int>(2));
            b.From(Source.From([1, 2, 3])).To(merge.In[0]);
            b.From(Source.From([10, 20])).To(merge.In[1]);
            b.From(merge.Out).To(sink);
            return ClosedShape.Instance;
        }));

        var first = graph.Run(Materializer);
        var second = graph.Run(Materializer);

        (await first).Should().Be(36);
        (await second).Should().Be(36);
    }

    [Fact]
    public async Task Create_FlowShape_IsUsableAsAFlow()
    {
        var withSquare = Flow.FromGraph(GraphDsl.Create(b =>
        {
            var broadcast = b.Add(Broadcast.Create<int>(2));
            var zip = b.Add(Zip.Create<int, int>());
            b.From(broadcast.Out[0]).To(zip.In0);
            b.From(broadcast.Out[1]).Via(Flow.Create<int>().Select(x => x * x)).To(zip.In1);
            return new FlowShape<int, (int, int)>(broadcast.In, zip.Out);
        }));

        var result = await Source.From([1, 2, 3]).Via(withSquare).RunWith(Sink.Seq<(int, int)>(), Materializer);

        result.Should().Equal((1, 1), (2, 4), (3, 9));
    }

    [Fact]
    public async Task Create_SinkShapeWithTwoMaterializedValues_CombinesThem()
    {
        var both = Sink.FromGraph(GraphDsl.Create(Sink.Seq<int>(), Sink.Aggregate<int, int>(0, (a, x) => a + x), Keep.Both, (b, seq, sum) =>
        {
            var broadcast = b.Add(Broadcast.Create<int>(2));
            b.From(broadcast.Out[0]).To(seq);
            b.From(broadcast.Out[1]).To(sum);
            return new SinkShape<int>(broadcast.In);
        }));

        var (seqTask, sumTask) = Source.From([1, 2, 3]).RunWith(both, Materializer);

        (await seqTask).Should().Equal(1, 2, 3);
        (await sumTask).Should().Be(6);
    }

    [Fact]
    public async Task Add_SameGraphTwice_AddsTwoIndependentInstances()
    {
        var increment = Flow.Create<int>().Select(x => x + 1);
        var twice = Flow.FromGraph(GraphDsl.Create(b =>
        {
            var first = b.Add(increment);
            var second = b.Add(increment);
            b.From(first.Outlet).Via(second);
            return new FlowShape<int, int>(first.Inlet, second.Outlet);
        }));

        var result = await Source.From([1, 2]).Via(twice).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(3, 4);
    }

    [Fact]
    public void Create_PortLeftUnconnected_FailsAtBuildTimeNamingThePort()
    {
        var build = () => GraphDsl.Create(b =>
        {
            var merge = b.Add(Merge.Create<int>(2));
            b.From(Source.From([1])).To(merge.In[0]);
            b.From(merge.Out).To(Sink.Ignore<int>());
            return ClosedShape.Instance;
        });

        build.Should().Throw<InvalidOperationException>()
            .WithMessage("*unconnected ports*inlet Merge.in1*MergeStage*graph #1*");
    }

    [Fact]
    public void Connect_PortAlreadyConnected_FailsNamingThePort()
    {
        var build = () => GraphDsl.Create(b =>
        {
            var source = b.Add(Source.From([1]));
            var broadcast = b.Add(Broadcast.Create<int>(2));
            b.Connect(source.Outlet, broadcast.In);
            b.Connect(source.Outlet, broadcast.In);
            return ClosedShape.Instance;
        });

        build.Should().Throw<InvalidOperationException>().WithMessage("outlet From.out of *already connected*");
    }

    [Fact]
    public void Connect_PortNotReturnedByThisBuilder_FailsWithArgumentException()
    {
        var stage = Merge.Create<int>(2);
        var build = () => GraphDsl.Create(b =>
        {
            var source = b.Add(Source.From([1]));
            b.Connect(source.Outlet, stage.Shape.In[0]);
            return ClosedShape.Instance;
        });

        build.Should().Throw<ArgumentException>().WithMessage("Port Merge.in0 does not come from a shape returned by this builder's Add*");
    }

    [Fact]
    public void Create_ExposedPortAlsoConnected_Fails()
    {
        var build = () => GraphDsl.Create(b =>
        {
            var source = b.Add(Source.From([1]));
            b.From(source.Outlet).To(Sink.Ignore<int>());
            return new SourceShape<int>(source.Outlet);
        });

        build.Should().Throw<InvalidOperationException>().WithMessage("*exposes outlet From.out*already connected*");
    }

    [Fact]
    public void Add_AfterTheBuildBlockReturned_Fails()
    {
        GraphBuilder? captured = null;
        GraphDsl.Create(b =>
        {
            captured = b;
            b.From(Source.From([1])).To(Sink.Ignore<int>());
            return ClosedShape.Instance;
        });

        captured!.Invoking(b => b.Add(Source.From([2]))).Should().Throw<InvalidOperationException>().WithMessage("*already built*");
    }
}
