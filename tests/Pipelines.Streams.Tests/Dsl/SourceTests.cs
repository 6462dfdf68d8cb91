using Pipelines.Streams;
using Pipelines.Streams.Dsl;

namespace Pipelines.Streams.Tests.Dsl;

public sealed class SourceTests : IAsyncLifetime
{
    private readonly Materializer _materializer = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _materializer.DisposeAsync();

    [Fact]
    public async Task RunWith_FromSelectSeq_EmitsMappedElementsInOrder()
    {
        var result = await Source.From(Enumerable.Range(1, 5)).Select(x => x * 10).RunWith(Sink.Seq<int>(), _materializer);

        result.Should().Equal(10, 20, 30, 40, 50);
    }

    [Fact]
    public async Task Run_SameBlueprintTwice_GivesIndependentStreams()
    {
        var graph = Source.From(Enumerable.Range(1, 1000)).Select(x => x + 1).ToMaterialized(Sink.Aggregate<int, long>(0, (a, x) => a + x), Keep.Right);

        var first = graph.Run(_materializer);
        var second = graph.Run(_materializer);

        (await first).Should().Be(Enumerable.Range(2, 1000).Sum());
        (await second).Should().Be(Enumerable.Range(2, 1000).Sum());
    }

    [Fact]
    public async Task Async_BetweenEveryStage_DeliversAllElementsInOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 10_000)).Async()
            .Select(x => x + 1).Async()
            .Select(x => x * 2).Async()
            .RunWith(Sink.Seq<int>(), _materializer);

        result.Should().Equal(Enumerable.Range(0, 10_000).Select(x => (x + 1) * 2));
    }

    [Fact]
    public async Task RunWith_SelectorThrows_FaultsTheSinkTaskWithTheOriginalException()
    {
        var boom = new InvalidOperationException("boom");

        var task = Source.From(Enumerable.Range(1, 5)).Select(x => x == 3 ? throw boom : x).RunWith(Sink.Seq<int>(), _materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
    }
}
