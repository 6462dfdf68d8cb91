using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.Dsl;

public sealed class GraphDslTests : IAsyncLifetime
{
    private readonly Materializer _materializer = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _materializer.DisposeAsync();

    [Fact]
    public async Task Create_BroadcastThenMerge_RunsClosedGraphAndMaterializesTheSinkValue()
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

        var result = await graph.Run(_materializer);

        result.Should().BeEquivalentTo(Enumerable.Range(1, 100).Concat(Enumerable.Range(1, 100).Select(x => x * 1000)));
    }
}
