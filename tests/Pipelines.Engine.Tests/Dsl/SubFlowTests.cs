using System.Collections.Concurrent;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Dsl;

public sealed class SubFlowTests : StreamTestBase
{
    [Fact]
    public async Task MergeSubstreams_ManyElementsOverManyKeys_EmitsEveryElementOnceInOrderPerKey()
    {
        var result = await Source.From(Enumerable.Range(0, 20_000))
            .GroupBy(16, x => x % 16)
            .Select(x => (Key: x % 16, Value: x))
            .MergeSubstreams()
            .RunWith(Sink.Seq<(int Key, int Value)>(), Materializer);

        result.Select(x => x.Value).Order().Should().Equal(Enumerable.Range(0, 20_000));
        foreach (var group in result.GroupBy(x => x.Key))
        {
            group.Select(x => x.Value).Should().BeInAscendingOrder().And.OnlyContain(x => x % 16 == group.Key);
        }

        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreamsWithParallelism_AsManySlotsAsKeys_MergesAllKeys()
    {
        var result = await Source.From(Enumerable.Range(0, 1000))
            .GroupBy(4, x => x % 4)
            .Select(x => x * 2)
            .MergeSubstreamsWithParallelism(4)
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(Enumerable.Range(0, 1000).Select(x => x * 2));
    }

    [Fact]
    public async Task Via_CustomFlow_AppliesItToEverySubstream()
    {
        var perSubstream = Flow.Create<int>().Select(x => x + 100);

        var result = await Source.From([1, 2, 3, 4]).GroupBy(2, x => x % 2).Via(perSubstream).MergeSubstreams().RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(101, 102, 103, 104);
    }

    [Fact]
    public async Task Recover_SubstreamFails_RecoversWithinThatSubstreamOnly()
    {
        var result = await Source.From(Enumerable.Range(1, 6))
            .GroupBy(2, x => x % 2)
            .Select(x => x == 3 ? throw new InvalidOperationException("three") : x)
            .Recover(_ => -1)
            .MergeSubstreams()
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Order().Should().Equal(-1, 1, 2, 4, 6);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task To_Sink_RunsEachSubstreamIntoItsOwnMaterializationOfTheSink()
    {
        var substreams = new ConcurrentQueue<Task<IReadOnlyList<int>>>();
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var perSubstream = Sink.Seq<int>().MapMaterializedValue(task =>
        {
            substreams.Enqueue(task);
            if (substreams.Count == 3)
            {
                allStarted.TrySetResult();
            }

            return task;
        });

        Source.From(Enumerable.Range(0, 30)).GroupBy(3, x => x % 3).Select(x => x * 10).To(perSubstream).Run(Materializer);

        await allStarted.Task.WaitAsync(Patience);
        var lists = await Task.WhenAll(substreams);
        lists.Select(list => list.Count).Should().Equal(10, 10, 10);
        lists.Should().OnlyContain(list => list.Select(x => x / 10 % 3).Distinct().Count() == 1 && list.SequenceEqual(list.Order()));
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task To_SubstreamSinkFails_CancelsUpstreamWithTheError()
    {
        var boom = new InvalidOperationException("boom");
        var source = TestSource.Probe<int>().GroupBy(2, x => x % 2).To(Sink.ForEach<int>(x => _ = x == 3 ? throw boom : x)).Run(Materializer);

        await source.SendNextAsync(1, 2, 3);
        (await source.ExpectCancellationAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task FlowGroupBy_MergeSubstreams_GivesAFlow()
    {
        var flow = Flow.Create<string>().GroupBy(10, s => s[0]).Select(s => s.ToUpperInvariant()).MergeSubstreams();

        var result = await Source.From(["ab", "ac", "bd"]).Via(flow).RunWith(Sink.Seq<string>(), Materializer);

        result.Should().BeEquivalentTo("AB", "AC", "BD");
        result.Where(s => s[0] == 'A').Should().Equal("AB", "AC");
    }

    [Fact]
    public async Task FlowGroupBy_To_GivesASinkThatRunsEverySubstream()
    {
        var seen = new ConcurrentQueue<int>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = Flow.Create<int>().GroupBy(5, x => x % 5).To(Sink.ForEach<int>(x =>
        {
            seen.Enqueue(x);
            if (seen.Count == 50)
            {
                allSeen.TrySetResult();
            }
        }));

        Source.From(Enumerable.Range(0, 50)).RunWith(sink, Materializer);

        await allSeen.Task.WaitAsync(Patience);
        seen.Order().Should().Equal(Enumerable.Range(0, 50));
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task MergeSubstreams_DownstreamCancelsEarly_StopsEverySubstreamAndUpstream()
    {
        var (source, sink) = TestSource.Probe<int>()
            .GroupBy(4, x => x % 4)
            .MergeSubstreams()
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both)
            .Run(Materializer);

        sink.Request(2);
        await source.SendNextAsync(1, 2);
        (await sink.ExpectNextNAsync(2)).Order().Should().Equal(1, 2);
        sink.Cancel();

        (await source.ExpectCancellationAsync()).Should().BeNull();
        await Materializer.AssertAllStagesStoppedAsync();
    }
}
