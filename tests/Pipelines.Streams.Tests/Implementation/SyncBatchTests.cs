using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;
using Pipelines.Streams.Tests.TestKit;

namespace Pipelines.Streams.Tests.Implementation;

/// <summary>
/// The batched synchronous pull-through (enumerator source → fused mappers → sink or async boundary) must behave like
/// element-by-element pulls: order, supervision per element, failures after the elements before them, completion.
/// </summary>
public sealed class SyncBatchTests : IAsyncLifetime
{
    private readonly StreamFixture _fx = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task MapperFailsMidBatch_ElementsBeforeItArriveThenTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(Enumerable.Range(1, 1000)).Select(x => x == 500 ? throw boom : x).Select(x => x * 2)
            .RunWith(Sink.ForEach<int>(seen.Add), _fx.Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        seen.Should().Equal(Enumerable.Range(1, 499).Select(x => x * 2));
    }

    [Fact]
    public async Task SecondMapperFailsBeforeTheFirstFails_TheEarlierElementsFailureWins()
    {
        var first = new InvalidOperationException("first mapper, element 300");
        var second = new InvalidOperationException("second mapper, element 200");
        var seen = new List<int>();

        var task = Source.From(Enumerable.Range(1, 1000))
            .Select(x => x == 300 ? throw first : x)
            .Select(x => x == 200 ? throw second : x)
            .RunWith(Sink.ForEach<int>(seen.Add), _fx.Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(second);
        seen.Should().Equal(Enumerable.Range(1, 199));
    }

    [Fact]
    public async Task MapperFailsUnderResume_OnlyTheFailingElementsAreDropped()
    {
        var flow = Flow.Create<int>().Select(x => x % 100 == 0 ? throw new InvalidOperationException("x") : x)
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From(Enumerable.Range(1, 10_000)).Via(flow).Select(x => (long)x).RunWith(Sink.Seq<long>(), _fx.Materializer);

        result.Should().Equal(Enumerable.Range(1, 10_000).Where(x => x % 100 != 0).Select(x => (long)x));
    }

    [Fact]
    public async Task WhereDropsAlmostEverything_KeepsTheRestInOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 200_000)).Where(x => x % 7_919 == 0).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RunWith(Sink.Seq<string>(), _fx.Materializer);

        result.Should().Equal(Enumerable.Range(0, 200_000).Where(x => x % 7_919 == 0).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task WhereDropsEverything_Completes()
    {
        var result = await Source.From(Enumerable.Range(0, 100_000)).Where(_ => false).RunWith(Sink.Seq<int>(), _fx.Materializer);

        result.Should().BeEmpty();
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderResume_SkipsOnlyThatElement()
    {
        var sink = Sink.Aggregate<int, long>(0, (acc, x) => x % 1_000 == 0 ? throw new InvalidOperationException("x") : acc + x)
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From(Enumerable.Range(1, 100_000)).Select(x => x).RunWith(sink, _fx.Materializer);

        result.Should().Be(Enumerable.Range(1, 100_000).Where(x => x % 1_000 != 0).Sum(x => (long)x));
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderRestart_ResetsTheAccumulator()
    {
        var sink = Sink.Aggregate<int, long>(0, (acc, x) => x == 77_777 ? throw new InvalidOperationException("x") : acc + x)
            .AddAttributes(Attributes.Supervision(Deciders.RestartingDecider));

        var result = await Source.From(Enumerable.Range(1, 100_000)).Select(x => x).RunWith(sink, _fx.Materializer);

        result.Should().Be(Enumerable.Range(77_778, 100_000 - 77_777).Sum(x => (long)x));
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderStop_FailsWithTheException()
    {
        var boom = new InvalidOperationException("boom");
        var consumed = 0;

        var task = Source.From(Enumerable.Range(1, 100_000)).Select(x => x)
            .RunWith(Sink.ForEach<int>(x => { if (x == 4_321) { throw boom; } consumed++; }), _fx.Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        consumed.Should().Be(4_320);
    }

    [Fact]
    public async Task SourceEnumeratorFailsMidBatch_ElementsBeforeItArriveThenTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(FailingAfter(1_000, boom)).Select(x => x + 1).RunWith(Sink.ForEach<int>(seen.Add), _fx.Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        seen.Should().Equal(Enumerable.Range(1, 1_000));
    }

    [Fact]
    public async Task ReferenceElementsAcrossTypeChangingMappersAndBoundaries_ArriveInOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 50_000))
            .Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).Async()
            .Select(s => s + "!").Where(s => s.Length > 1).Async()
            .Select(s => int.Parse(s.AsSpan(0, s.Length - 1), System.Globalization.CultureInfo.InvariantCulture))
            .RunWith(Sink.Seq<int>(), _fx.Materializer);

        result.Should().Equal(Enumerable.Range(0, 50_000));
    }

    [Fact]
    public async Task SmallBoundaryBuffers_DeliverEverythingInOrder()
    {
        var graph = Source.From(Enumerable.Range(0, 20_000)).Async().Select(x => x + 1).Async().Where(x => x % 3 != 0).Async()
            .ToMaterialized(Sink.Seq<int>(), Keep.Right)
            .AddAttributes(Attributes.InputBuffer(1, 1));

        var result = await graph.Run(_fx.Materializer);

        result.Should().Equal(Enumerable.Range(1, 20_000).Where(x => x % 3 != 0));
    }

    private static IEnumerable<int> FailingAfter(int count, Exception cause)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        throw cause;
    }
}
