using FluentAssertions;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;
using Pipelines.TestKit.Time;
using Xunit;

namespace Pipelines.Engine.Tests.Dsl;

/// <summary>The examples of the README's Streams section, kept compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    private sealed record Order(int Id, int CustomerId, int Amount);

    [Fact]
    public async Task StreamsExample_PricesPerCustomerInOrderAndSavesInBatches()
    {
        await using var materializer = new Materializer();
        var orders = Enumerable.Range(0, 1000).Select(i => new Order(i, i % 7, i % 5)).ToList();
        var lastPriced = new Dictionary<int, int>();
        var saves = 0;

        var totals = Source.From(orders)
            .Where(o => o.Amount > 0)
            .SelectAsyncPartitioned(16, o => o.CustomerId, async o =>
            {
                await Task.Yield();
                lock (lastPriced)
                {
                    var last = lastPriced.GetValueOrDefault(o.CustomerId, -1);
                    o.Id.Should().BeGreaterThan(last, "one customer's orders are priced in order");
                    lastPriced[o.CustomerId] = o.Id;
                }

                return o;
            })
            .GroupedWithin(500, TimeSpan.FromSeconds(1))
            .SelectAsync(4, async batch =>
            {
                await Task.Yield();
                Interlocked.Increment(ref saves);
                return batch.Count;
            })
            .ToMaterialized(Sink.Aggregate<int, int>(0, (n, saved) => n + saved), Keep.Right);

        var saved = await totals.Run(materializer);

        saved.Should().Be(orders.Count(o => o.Amount > 0));
        saves.Should().BeGreaterThanOrEqualTo(2, "groups hold at most 500 orders");
    }

    [Fact]
    public async Task TestKitExample_GroupedWithinEmitsThePartialGroupWhenTheClockMoves()
    {
        var time = new ManualTimeProvider();
        await using var materializer = new Materializer(MaterializerSettings.Default with { TimeProvider = time });

        var (source, sink) = TestSource.Probe<int>()
            .GroupedWithin(100, TimeSpan.FromSeconds(1))
            .ToMaterialized(TestSink.Probe<IReadOnlyList<int>>(), Keep.Both)
            .Run(materializer);

        sink.Request(1);
        await source.SendNextAsync(1);
        await sink.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        time.Advance(TimeSpan.FromSeconds(1));
        (await sink.ExpectNextAsync()).Should().Equal(1);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
        await materializer.AssertAllStagesStoppedAsync();
    }
}
