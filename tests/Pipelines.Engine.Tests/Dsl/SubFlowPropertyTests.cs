using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class SubFlowPropertyTests : StreamTestBase
{
    [Fact]
    public async Task GroupByMergeSubstreams_RandomShapes_DeliverExactlyTheExpectedElements()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var run = 0; run < 60; run++)
        {
            var count = random.Next(0, 3000);
            var keys = random.Next(1, 20);
            var bufferSize = random.Next(1, 33);
            var take = random.Next(3) == 0 ? random.Next(1, 100) : int.MaxValue;
            var recreate = take != int.MaxValue && random.Next(2) == 0;
            var because = $"seed {seed}, run {run}: {count} elements, {keys} keys, buffer {bufferSize}, take {take}, recreate {recreate}";

            var result = await Source.From(Enumerable.Range(0, count))
                .GroupBy(keys, x => x % keys, recreate)
                .Via(take == int.MaxValue ? Flow.Create<int>().Select(x => x) : Flow.Create<int>().Take(take))
                .MergeSubstreams()
                .WithAttributes(Attributes.InputBuffer(bufferSize, bufferSize))
                .RunWith(Sink.Seq<int>(), Materializer)
                .WaitAsync(Patience);

            var expected = Enumerable.Range(0, count).GroupBy(x => x % keys).SelectMany(g => recreate ? g : g.Take(take)).Order();
            result.Order().Should().Equal(expected, because);
            if (!recreate)
            {
                foreach (var group in result.GroupBy(x => x % keys))
                {
                    group.Should().BeInAscendingOrder(because);
                }
            }
        }

        await Materializer.AssertAllStagesStoppedAsync();
    }
}
