using Pipelines.TestKit;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Tests.Implementation;

/// <summary>
/// The batched synchronous pull-through (enumerator source → fused mappers → sink or async boundary) must behave like
/// element-by-element pulls: order, supervision per element, failures after the elements before them, completion.
/// </summary>
public sealed class SyncBatchTests : StreamTestBase
{
    [Fact]
    public async Task MapperFailsMidBatch_ElementsBeforeItArriveThenTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(Enumerable.Range(1, 1000)).Select(x => x == 500 ? throw boom : x).Select(x => x * 2)
            .RunWith(Sink.ForEach<int>(seen.Add), Materializer);

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
            .RunWith(Sink.ForEach<int>(seen.Add), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(second);
        seen.Should().Equal(Enumerable.Range(1, 199));
    }

    [Fact]
    public async Task MapperFailsUnderResume_OnlyTheFailingElementsAreDropped()
    {
        var flow = Flow.Create<int>().Select(x => x % 100 == 0 ? throw new InvalidOperationException("x") : x)
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From(Enumerable.Range(1, 10_000)).Via(flow).Select(x => (long)x).RunWith(Sink.Seq<long>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 10_000).Where(x => x % 100 != 0).Select(x => (long)x));
    }

    [Fact]
    public async Task WhereDropsAlmostEverything_KeepsTheRestInOrder()
    {
        var result = await Source.From(Enumerable.Range(0, 200_000)).Where(x => x % 7_919 == 0).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RunWith(Sink.Seq<string>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 200_000).Where(x => x % 7_919 == 0).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task WhereDropsEverything_Completes()
    {
        var result = await Source.From(Enumerable.Range(0, 100_000)).Where(_ => false).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().BeEmpty();
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderResume_SkipsOnlyThatElement()
    {
        var sink = Sink.Aggregate<int, long>(0, (acc, x) => x % 1_000 == 0 ? throw new InvalidOperationException("x") : acc + x)
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From(Enumerable.Range(1, 100_000)).Select(x => x).RunWith(sink, Materializer);

        result.Should().Be(Enumerable.Range(1, 100_000).Where(x => x % 1_000 != 0).Sum(x => (long)x));
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderRestart_ResetsTheAccumulator()
    {
        var sink = Sink.Aggregate<int, long>(0, (acc, x) => x == 77_777 ? throw new InvalidOperationException("x") : acc + x)
            .AddAttributes(Attributes.Supervision(Deciders.RestartingDecider));

        var result = await Source.From(Enumerable.Range(1, 100_000)).Select(x => x).RunWith(sink, Materializer);

        result.Should().Be(Enumerable.Range(77_778, 100_000 - 77_777).Sum(x => (long)x));
    }

    [Fact]
    public async Task SinkFailsMidBatchUnderStop_FailsWithTheException()
    {
        var boom = new InvalidOperationException("boom");
        var consumed = 0;

        var task = Source.From(Enumerable.Range(1, 100_000)).Select(x => x)
            .RunWith(Sink.ForEach<int>(x => { if (x == 4_321) { throw boom; } consumed++; }), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        consumed.Should().Be(4_320);
    }

    [Fact]
    public async Task SourceEnumeratorFailsMidBatch_ElementsBeforeItArriveThenTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(FailingAfter(1_000, boom)).Select(x => x + 1).RunWith(Sink.ForEach<int>(seen.Add), Materializer);

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
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 50_000));
    }

    [Fact]
    public async Task SmallBoundaryBuffers_DeliverEverythingInOrder()
    {
        var graph = Source.From(Enumerable.Range(0, 20_000)).Async().Select(x => x + 1).Async().Where(x => x % 3 != 0).Async()
            .ToMaterialized(Sink.Seq<int>(), Keep.Right)
            .AddAttributes(Attributes.InputBuffer(1, 1));

        var result = await graph.Run(Materializer);

        result.Should().Equal(Enumerable.Range(1, 20_000).Where(x => x % 3 != 0));
    }

    [Fact]
    public async Task WhereFailsUnderRestart_DropsOnlyTheFailingElementsAndKeepsTheOrder()
    {
        var flow = Flow.Create<int>().Where(x => x % 97 == 0 ? throw new InvalidOperationException("x") : x % 2 == 0)
            .AddAttributes(Attributes.Supervision(Deciders.RestartingDecider));

        var result = await Source.From(Enumerable.Range(1, 10_000)).Via(flow).Select(x => x + 1).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 10_000).Where(x => x % 97 != 0 && x % 2 == 0).Select(x => x + 1));
    }

    [Fact]
    public async Task WhereFailsMidBatchUnderStop_KeptElementsBeforeItArriveThenTheFailure()
    {
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(Enumerable.Range(1, 1_000)).Where(x => x == 333 ? throw boom : x % 3 == 0).Select(x => -x)
            .RunWith(Sink.ForEach<int>(seen.Add), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        seen.Should().Equal(Enumerable.Range(1, 332).Where(x => x % 3 == 0).Select(x => -x));
    }

    [Fact]
    public async Task FirstAfterMappers_PullsOnlyOneElementThroughTheMappers()
    {
        var mapped = 0;

        var first = await Source.From(Enumerable.Range(10, 1_000)).Select(x => { mapped++; return x; }).Select(x => x * 2)
            .RunWith(Sink.First<int>(), Materializer);

        first.Should().Be(20);
        mapped.Should().Be(1);
    }

    [Fact]
    public async Task TakeBetweenMappers_MapsOnlyTheTakenElementsAndCompletes()
    {
        var mapped = 0;

        var result = await Source.From(Enumerable.Range(0, 10_000)).Select(x => { mapped++; return x; }).Take(150).Select(x => x + 1)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 150));
        mapped.Should().Be(150);
    }

    [Fact]
    public async Task TakeWhileEndsMidBatch_StopsAtTheFirstFailingElement()
    {
        var result = await Source.From(Enumerable.Range(0, 10_000)).Select(x => x * 3).TakeWhile(x => x < 1_000).Select(x => x / 3)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(0, 334));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(2_047)]
    [InlineData(2_048)]
    [InlineData(2_049)]
    [InlineData(100_003)]
    public async Task CountsAroundBatchEdges_EveryElementArrivesOnceInOrder(int count)
    {
        var fused = await Source.From(Enumerable.Range(0, count)).Select(x => x + 1).Where(_ => true).RunWith(Sink.Seq<int>(), Materializer);
        var boundaries = await Source.From(Enumerable.Range(0, count)).Async().Select(x => x + 1).Async().RunWith(Sink.Seq<int>(), Materializer);
        var sum = await Source.From(Enumerable.Range(0, count)).Select(x => (long)x).RunWith(Sink.Aggregate<long, long>(0, (a, x) => a + x), Materializer);

        fused.Should().Equal(Enumerable.Range(1, count));
        boundaries.Should().Equal(Enumerable.Range(1, count));
        sum.Should().Be(Enumerable.Range(0, count).Sum(x => (long)x));
    }

    [Fact]
    public async Task SourceFailsAfterAsyncBoundary_APrefixOfTheElementsArrivesThenTheFailure()
    {
        // A boundary signals failure eagerly (elements still buffered may be dropped), as element by element.
        var boom = new InvalidOperationException("boom");
        var seen = new List<int>();

        var task = Source.From(FailingAfter(5_000, boom)).Async().Select(x => x + 1).Async()
            .RunWith(Sink.ForEach<int>(seen.Add), Materializer);

        (await task.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        seen.Should().Equal(Enumerable.Range(1, seen.Count));
    }

    [Fact]
    public async Task ElementsPassedThroughBatches_AreNotKeptAliveByTheRunningStream()
    {
        const int count = 1_000;
        var consumed = 0;
        var (queue, done) = Source.Queue<object>(count).Async().Select(o => o).Where(o => o is not null).Select(o => o)
            .ToMaterialized(Sink.ForEach<object>(_ => Interlocked.Increment(ref consumed)), Keep.Both)
            .Run(Materializer);

        try
        {
            var references = await OfferAllAsync(queue, count);
            await Eventually.TrueAsync(() => Volatile.Read(ref consumed) == count, what: "every element to be consumed");

            // The stream is still running (the queue is open): nothing in it may still reference a consumed element.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            references.Count(r => r.IsAlive).Should().Be(0);
        }
        finally
        {
            queue.Complete();
        }

        await done;
    }

    private static async Task<List<WeakReference>> OfferAllAsync(ISourceQueueWithComplete<object> queue, int count)
    {
        var references = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            var element = new object();
            references.Add(new WeakReference(element));
            (await queue.OfferAsync(element)).Should().Be(QueueOfferResult.Enqueued);
        }

        return references;
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
