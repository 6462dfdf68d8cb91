using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class BatchStageTests : StreamTestBase
{
    [Fact]
    public async Task Batch_DownstreamSlow_AggregatesWaitingElementsIntoOne()
    {
        var (source, sink) = Run(max: 10);

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectRequestAsync();
        sink.Request(1);

        (await sink.ExpectNextAsync()).Should().Equal(1, 2, 3);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_DownstreamWaiting_EmitsEachElementAtOnce()
    {
        var (source, sink) = Run(max: 10);

        sink.Request(2);
        await source.SendNextAsync(1);
        (await sink.ExpectNextAsync()).Should().Equal(1);
        await source.SendNextAsync(2);
        (await sink.ExpectNextAsync()).Should().Equal(2);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_AggregateFull_BackPressuresUpstream()
    {
        var (source, sink) = Run(max: 3);

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        sink.Request(1);
        (await sink.ExpectNextAsync()).Should().Equal(1, 2, 3);
        (await source.ExpectRequestAsync()).Should().Be(1);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_UpstreamCompletesWithPendingAggregate_EmitsItThenCompletes()
    {
        var (source, sink) = Run(max: 10);

        await source.SendNextAsync(1, 2);
        await source.ExpectRequestAsync();
        source.SendComplete();
        await sink.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        sink.Request(1);

        (await sink.ExpectNextAsync()).Should().Equal(1, 2);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Batch_UpstreamFails_FailsWithItsException()
    {
        var boom = new InvalidOperationException("boom");
        var (source, sink) = Run(max: 10);

        await source.SendNextAsync(1);
        source.SendError(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
    }

    [Fact]
    public async Task Batch_DownstreamCancels_CancelsUpstream()
    {
        var (source, sink) = Run(max: 10);

        sink.Cancel();

        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_AggregateThrowsUnderResume_DropsOnlyTheFailingElement()
    {
        var (source, sink) = Run(max: 10, failOn: 2, Deciders.ResumingDecider);

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectRequestAsync();
        sink.Request(1);

        (await sink.ExpectNextAsync()).Should().Equal(1, 3);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_AggregateThrowsUnderRestart_DropsThePendingAggregate()
    {
        var (source, sink) = Run(max: 10, failOn: 2, Deciders.RestartingDecider);

        await source.SendNextAsync(1, 2, 3);
        await source.ExpectRequestAsync();
        sink.Request(1);

        (await sink.ExpectNextAsync()).Should().Equal(3);

        sink.Cancel();
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Batch_AggregateThrowsUnderStop_FailsTheStream()
    {
        var (source, sink) = Run(max: 10, failOn: 2, Deciders.StoppingDecider);

        await source.SendNextAsync(1, 2);

        (await sink.ExpectErrorAsync()).Message.Should().Be("2");
        await source.ExpectCancellationAsync();
    }

    private (SourceProbe<int> Source, SinkProbe<IReadOnlyList<int>> Sink) Run(long max, int failOn = -1, Func<Exception, Directive>? decider = null)
    {
        var flow = Flow.Create<int>().Batch<IReadOnlyList<int>>(
            max,
            x => [x],
            (acc, x) => x == failOn ? throw new InvalidOperationException(x.ToString(System.Globalization.CultureInfo.InvariantCulture)) : [.. acc, x]);
        if (decider is not null)
        {
            flow = flow.AddAttributes(Attributes.Supervision(decider));
        }

        return TestSource.Probe<int>().Via(flow).ToMaterialized(TestSink.Probe<IReadOnlyList<int>>(), Keep.Both).Run(Materializer);
    }
}
