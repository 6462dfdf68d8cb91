using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class ThrottleStageTests : StreamTestBase
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Throttle_Shaping_EmitsOneElementPerIntervalOnTheVirtualClock()
    {
        var sink = Source.From([1, 2, 3]).Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Shaping)
            .RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(10);
        await sink.ExpectNextAsync(1);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(2);

        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(3);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_Burst_LetsTheBurstThroughAtOnceThenTheRate()
    {
        var sink = Source.From([1, 2, 3, 4, 5]).Throttle(1, TimeSpan.FromSeconds(1), 3, ThrottleMode.Shaping)
            .RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(10);
        await sink.ExpectNextAsync(1, 2, 3);
        await Clock.WaitForTimersAsync();
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await sink.ExpectNextAsync(4);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(999));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(5);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_QuietPeriod_RefillsTheBucket()
    {
        var (source, sink) = TestSource.Probe<int>().Throttle(1, TimeSpan.FromSeconds(1), 2, ThrottleMode.Shaping)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        await sink.ExpectNextAsync(1, 2);
        await source.ExpectRequestAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        await source.SendNextAsync(3, 4);

        await sink.ExpectNextAsync(3, 4);
        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_ElementWaiting_BackPressuresUpstream()
    {
        var (source, sink) = TestSource.Probe<int>().Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Shaping)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        await sink.ExpectNextAsync(1);
        await Clock.WaitForTimersAsync();

        await source.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await sink.ExpectNextAsync(2);
        (await source.ExpectRequestAsync()).Should().Be(1);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Throttle_UpstreamCompletesWhileAnElementWaits_EmitsItThenCompletes()
    {
        var (source, sink) = TestSource.Probe<int>().Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Shaping)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        await Clock.WaitForTimersAsync();
        source.SendComplete();
        await sink.ExpectNextAsync(1);
        await sink.ExpectNoMessageAsync(Quiet);

        Clock.Advance(TimeSpan.FromSeconds(1));
        await sink.ExpectNextAsync(2);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_Enforcing_FailsWhenTheRateIsExceeded()
    {
        var sink = Source.From([1, 2]).Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Enforcing)
            .RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(10);

        await sink.ExpectNextAsync(1);
        (await sink.ExpectErrorAsync()).Should().BeOfType<RateExceededException>();
    }

    [Fact]
    public async Task Throttle_EnforcingWithinTheRate_PassesEveryElement()
    {
        var (source, sink) = TestSource.Probe<int>().Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Enforcing)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await source.ExpectRequestAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        await source.SendNextAsync(2);
        await sink.ExpectNextAsync(2);

        source.SendComplete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_Cost_ChargesEachElementItsCost()
    {
        var sink = Source.From([6, 4, 5]).Throttle(10, TimeSpan.FromSeconds(1), 10, x => x, ThrottleMode.Shaping)
            .RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(10);
        await sink.ExpectNextAsync(6, 4);
        await Clock.WaitForTimersAsync();
        Clock.Advance(TimeSpan.FromMilliseconds(499));
        await sink.ExpectNoMessageAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await sink.ExpectNextAsync(5);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Throttle_NegativeCost_FailsTheStream()
    {
        var sink = Source.From([1]).Throttle(10, TimeSpan.FromSeconds(1), 10, _ => -1, ThrottleMode.Shaping)
            .RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(1);

        (await sink.ExpectErrorAsync()).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("must not be negative");
    }

    [Fact]
    public async Task Throttle_UpstreamFails_FailsWithItsException()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = TestSource.Probe<int>().Throttle(1, TimeSpan.FromSeconds(1), 1, ThrottleMode.Shaping)
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, -1)]
    public void Throttle_InvalidArguments_Throw(int elements, int perSeconds, int burst)
    {
        var act = () => Source.From([1]).Throttle(elements, TimeSpan.FromSeconds(perSeconds), burst, ThrottleMode.Shaping);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
