using Pipelines.TestKit;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.Engine.Tests.Support;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class RecoverWithRetriesStageTests : StreamTestBase
{
    [Fact]
    public async Task RecoverWithRetries_UpstreamFails_ContinuesWithTheRecoverySourceAndCompletesWithIt()
    {
        var (source, sink) = TestSource.Probe<int>()
            .RecoverWithRetries(1, _ => Source.From([10, 11]))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(10);
        await source.SendNextAsync(1, 2);
        source.SendError(new InvalidOperationException("boom"));

        await sink.ExpectNextAsync(1, 2, 10, 11);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task RecoverWithRetries_RecoverySourcesKeepFailing_FailsWithTheLastFailureAfterTheAttempts()
    {
        var materializations = 0;
        var last = new InvalidOperationException("recovery 2 failed");
        var result = Source.From(Throwing(new InvalidOperationException("upstream failed")))
            .RecoverWithRetries(2, _ =>
            {
                var n = Interlocked.Increment(ref materializations);
                return Source.From(Throwing(n == 2 ? last : new InvalidOperationException($"recovery {n} failed")));
            })
            .RunWith(Sink.Seq<int>(), Materializer);

        (await result.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(last);
        materializations.Should().Be(2);
    }

    [Fact]
    public async Task RecoverWithRetries_Unlimited_RecoversUntilASourceSucceeds()
    {
        var attempts = 0;
        var result = await Source.From(Throwing(new InvalidOperationException("upstream")))
            .RecoverWithRetries(-1, _ => ++attempts < 5 ? Source.From(Throwing(new InvalidOperationException("again"))) : Source.From([42]))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(42);
        attempts.Should().Be(5);
    }

    [Fact]
    public async Task RecoverWithRetries_ZeroAttempts_FailsWithoutCallingTheFunction()
    {
        var boom = new InvalidOperationException("boom");
        var calls = 0;
        var result = Source.From(Throwing(boom)).RecoverWithRetries(0, _ => { calls++; return Source.From([1]); }).RunWith(Sink.Seq<int>(), Materializer);

        (await result.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        calls.Should().Be(0);
    }

    [Fact]
    public async Task RecoverWithRetries_FunctionReturnsNull_FailsWithTheOriginalException()
    {
        var boom = new InvalidOperationException("boom");
        var result = Source.From(Throwing(boom))
            .RecoverWithRetries(3, ex => ex is TimeoutException ? Source.From([1]) : null)
            .RunWith(Sink.Seq<int>(), Materializer);

        (await result.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
    }

    [Fact]
    public async Task RecoverWithRetries_RecoverySource_IsPulledOnlyOnDemand()
    {
        SourceProbe<int>? recovery = null;
        var (source, sink) = TestSource.Probe<int>()
            .RecoverWithRetries(1, _ => TestSource.Probe<int>().MapMaterializedValue(p => recovery = p))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Request(1);
        source.SendError(new InvalidOperationException("boom"));
        await Eventually.TrueAsync(() => Volatile.Read(ref recovery) is not null, what: "the recovery source to be materialized");
        (await recovery!.ExpectRequestAsync()).Should().Be(1);
        await recovery.SendNextAsync(7);
        await sink.ExpectNextAsync(7);
        await recovery.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        sink.Request(1);
        (await recovery.ExpectRequestAsync()).Should().Be(1);
        sink.Cancel();
        await recovery.ExpectCancellationAsync();
    }

    [Fact]
    public async Task RecoverWithRetries_FunctionThrows_FailsWithItsException()
    {
        var secondary = new ArgumentException("recovery broke");
        var result = Source.From(Throwing(new InvalidOperationException("boom")))
            .RecoverWithRetries<NotUsed>(1, _ => throw secondary)
            .RunWith(Sink.Seq<int>(), Materializer);

        (await result.Invoking(t => t).Should().ThrowAsync<ArgumentException>()).Which.Should().BeSameAs(secondary);
    }

    [Fact]
    public async Task RecoverWithRetries_DownstreamCancelsBeforeFailure_CancelsUpstream()
    {
        var (source, sink) = TestSource.Probe<int>()
            .RecoverWithRetries(1, _ => Source.From([1]))
            .ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);

        sink.Cancel();

        await source.ExpectCancellationAsync();
    }

    // Emits nothing and fails: the enumerator throws on its first MoveNext.
    private static IEnumerable<int> Throwing(Exception cause)
    {
        if (cause is not null)
        {
            throw cause;
        }

        yield break;
    }
}
