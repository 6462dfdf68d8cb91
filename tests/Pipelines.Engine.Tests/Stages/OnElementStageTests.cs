using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class OnElementStageTests : StreamTestBase
{
    [Fact]
    public async Task OnElement_Elements_CallsTheActionForEachInOrderAndPassesThemOn()
    {
        var seen = new List<int>();

        var result = await Source.From([1, 2, 3]).OnElement(seen.Add).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2, 3);
        seen.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task OnElement_NoDemand_DoesNotPullUpstreamNorCallTheAction()
    {
        var calls = 0;
        var (source, sink) = TestSource.Probe<int>().OnElement(_ => Interlocked.Increment(ref calls))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(1);
        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        Volatile.Read(ref calls).Should().Be(1);

        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task OnElement_ActionThrows_FailsTheStreamWithTheOriginalException()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = TestSource.Probe<int>().OnElement(_ => throw boom).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        await source.SendNextAsync(1);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        (await source.ExpectCancellationAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task OnElement_ActionThrowsUnderResume_DropsTheElementAndContinues()
    {
        var flow = Flow.Create<int>().OnElement(x => { if (x % 2 == 0) throw new InvalidOperationException("even"); })
            .AddAttributes(Attributes.Supervision(Deciders.ResumingDecider));

        var result = await Source.From(Enumerable.Range(1, 6)).Via(flow).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 3, 5);
    }

    [Fact]
    public async Task OnElement_DownstreamCancels_CancelsUpstream()
    {
        var (source, sink) = TestSource.Probe<int>().OnElement(_ => { }).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Cancel();

        await source.ExpectCancellationAsync();
    }
}
