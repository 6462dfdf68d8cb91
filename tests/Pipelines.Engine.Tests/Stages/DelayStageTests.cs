using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class DelayStageTests : StreamTestBase
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Delay_Elements_EachLeavesItsDurationAfterItArrived()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second));

        sink.Request(10);
        await source.SendNextAsync(1);
        await source.ExpectRequestAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(500));
        await source.SendNextAsync(2);
        await source.ExpectRequestAsync();

        Clock.Advance(TimeSpan.FromMilliseconds(499));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(1);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(499));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(2);

        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Delay_DueButNoDemand_WaitsForDemand()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second));

        await source.SendNextAsync(1);
        await source.ExpectRequestAsync();
        Clock.Advance(Second * 2);
        await sink.ExpectNoMessageAsync(Quiet);

        sink.Request(1);
        await sink.ExpectNextAsync(1);
        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Delay_BufferFull_BackPressuresUpstreamAndDropsNothing()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second, 2, DelayOverflowStrategy.Backpressure));

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        await source.ExpectNoMessageAsync(Quiet);

        Clock.Advance(Second);
        await sink.ExpectNextAsync(1, 2);
        (await source.ExpectRequestAsync()).Should().Be(1);
        await source.SendNextAsync(3);
        source.SendComplete();
        await Clock.WaitForTimersAsync();
        Clock.Advance(Second);
        await sink.ExpectNextAsync(3);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Delay_DefaultOverload_UsesTheInputBufferSize()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second).AddAttributes(Attributes.InputBuffer(3, 3)));

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectNoMessageAsync(Quiet);

        sink.Request(10);
        Clock.Advance(Second);
        await sink.ExpectNextAsync(1, 2, 3);
        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Theory]
    [InlineData(DelayOverflowStrategy.DropHead, new[] { 2, 3 })]
    [InlineData(DelayOverflowStrategy.DropTail, new[] { 1, 3 })]
    [InlineData(DelayOverflowStrategy.DropNew, new[] { 1, 2 })]
    [InlineData(DelayOverflowStrategy.DropBuffer, new[] { 3 })]
    public async Task Delay_DroppingStrategy_DropsTheElementItNames(DelayOverflowStrategy strategy, int[] expected)
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second, 2, strategy));

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectRequestAsync();
        source.SendComplete();
        sink.Request(10);
        Clock.Advance(Second);

        (await sink.ToStrictAsync()).Should().Equal(expected);
    }

    [Fact]
    public async Task Delay_FailStrategy_FailsWithBufferOverflow()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second, 2, DelayOverflowStrategy.Fail));

        await source.SendNextAsync(1, 2, 3);

        (await sink.ExpectErrorAsync()).Should().BeOfType<BufferOverflowException>();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Delay_UpstreamCompletes_EmitsBufferedElementsWhenDueThenCompletes()
    {
        var (source, sink) = Run(Flow.Create<int>().Delay(Second));

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        source.SendComplete();
        await Clock.WaitForTimersAsync();
        await sink.ExpectNoMessageAsync(Quiet);

        Clock.Advance(Second);
        await sink.ExpectNextAsync(1, 2);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Delay_UpstreamFails_FailsAtOnce()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = Run(Flow.Create<int>().Delay(Second));

        sink.Request(10);
        await source.SendNextAsync(1);
        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Delay_ZeroDuration_PassesElementsWithoutWaiting()
    {
        var result = await Source.From(Enumerable.Range(1, 100)).Delay(TimeSpan.Zero).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 100));
    }

    [Fact]
    public void Delay_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => Flow.Create<int>().Delay(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Flow.Create<int>().Delay(Second, 0, DelayOverflowStrategy.DropHead)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private (SourceProbe<int> Source, SinkProbe<int> Sink) Run(Flow<int, int, NotUsed> flow) =>
        TestSource.Probe<int>().Via(flow).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
}
