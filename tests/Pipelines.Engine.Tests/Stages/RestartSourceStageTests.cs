using Pipelines.Engine.Dsl;
using Pipelines.Engine.Tests.Support;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class RestartSourceStageTests : StreamTestBase
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly Incarnations<int> _incarnations = new();

    [Fact]
    public async Task WithBackoff_SourceKeepsFailing_RestartsOnTheDoublingScheduleCappedAtMaxBackoff()
    {
        var settings = new RestartSettings(Second, TimeSpan.FromSeconds(4), 0, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var sink = RestartSource.WithBackoff(settings, _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(100);

        var expectedDelays = new[] { 1, 2, 4, 4, 4 };
        for (var i = 0; i < expectedDelays.Length; i++)
        {
            (await _incarnations.GetAsync(i + 1)).SendError(new InvalidOperationException($"failure {i + 1}"));
            await ExpectRestartAfterAsync(TimeSpan.FromSeconds(expectedDelays[i]), incarnation: i + 2);
        }

        var last = await _incarnations.GetAsync(expectedDelays.Length + 1);
        await last.SendNextAsync(42);
        await sink.ExpectNextAsync(42);
        sink.Cancel();
        await last.ExpectCancellationAsync();
        _incarnations.Created.Should().Be(expectedDelays.Length + 1);
    }

    [Fact]
    public async Task WithBackoff_IncarnationOutlivesMaxRestartsWithin_StartsTheBackoffOver()
    {
        var settings = new RestartSettings(Second, TimeSpan.FromSeconds(8), 0, maxRestartsWithin: TimeSpan.FromSeconds(5));
        var sink = RestartSource.WithBackoff(settings, _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);

        (await _incarnations.GetAsync(1)).SendError(new InvalidOperationException("1"));
        await ExpectRestartAfterAsync(Second, incarnation: 2);
        (await _incarnations.GetAsync(2)).SendError(new InvalidOperationException("2"));
        await ExpectRestartAfterAsync(TimeSpan.FromSeconds(2), incarnation: 3);

        // The third incarnation fails just before the window ends: the backoff keeps doubling.
        Clock.Advance(TimeSpan.FromSeconds(5) - Ms);
        (await _incarnations.GetAsync(3)).SendError(new InvalidOperationException("3"));
        await ExpectRestartAfterAsync(TimeSpan.FromSeconds(4), incarnation: 4);

        // The fourth runs for the whole window: the count starts over at the minimum backoff.
        Clock.Advance(TimeSpan.FromSeconds(5));
        (await _incarnations.GetAsync(4)).SendError(new InvalidOperationException("4"));
        await ExpectRestartAfterAsync(Second, incarnation: 5);

        sink.Cancel();
        await (await _incarnations.GetAsync(5)).ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_MaxRestartsReached_FailsWithTheLastFailure()
    {
        var settings = new RestartSettings(Second, Second, 0, maxRestarts: 2, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var sink = RestartSource.WithBackoff(settings, _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(1);

        (await _incarnations.GetAsync(1)).SendError(new InvalidOperationException("1"));
        await ExpectRestartAfterAsync(Second, incarnation: 2);
        (await _incarnations.GetAsync(2)).SendError(new InvalidOperationException("2"));
        await ExpectRestartAfterAsync(Second, incarnation: 3);
        var last = new InvalidOperationException("3");
        (await _incarnations.GetAsync(3)).SendError(last);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(last);
        _incarnations.Created.Should().Be(3);
    }

    [Fact]
    public async Task WithBackoff_SourceCompletes_RestartsItAndKeepsEmitting()
    {
        var sink = RestartSource.WithBackoff(new RestartSettings(Second, Second, 0), _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(10);

        var first = await _incarnations.GetAsync(1);
        await first.SendNextAsync(1);
        first.SendComplete();
        await sink.ExpectNextAsync(1);
        await ExpectRestartAfterAsync(Second, incarnation: 2);
        var second = await _incarnations.GetAsync(2);
        await second.SendNextAsync(2);
        await sink.ExpectNextAsync(2);

        sink.Cancel();
        await second.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_MaxRestartsReachedAfterCompletion_Completes()
    {
        var settings = new RestartSettings(Second, Second, 0, maxRestarts: 1, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var sink = RestartSource.WithBackoff(settings, _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(1);

        (await _incarnations.GetAsync(1)).SendComplete();
        await ExpectRestartAfterAsync(Second, incarnation: 2);
        (await _incarnations.GetAsync(2)).SendComplete();

        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task OnFailuresWithBackoff_SourceCompletes_CompletesWithoutRestart()
    {
        var sink = RestartSource.OnFailuresWithBackoff(new RestartSettings(Second, Second, 0), _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(10);

        var first = await _incarnations.GetAsync(1);
        await first.SendNextAsync(1);
        first.SendComplete();

        await sink.ExpectNextAsync(1);
        await sink.ExpectCompleteAsync();
        Clock.ActiveTimerCount.Should().Be(0);
        _incarnations.Created.Should().Be(1);
    }

    [Fact]
    public async Task OnFailuresWithBackoff_SourceFails_RestartsIt()
    {
        var sink = RestartSource.OnFailuresWithBackoff(new RestartSettings(Second, Second, 0), _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(10);

        (await _incarnations.GetAsync(1)).SendError(new InvalidOperationException("boom"));
        await ExpectRestartAfterAsync(Second, incarnation: 2);
        var second = await _incarnations.GetAsync(2);
        await second.SendNextAsync(7);
        await sink.ExpectNextAsync(7);
        second.SendComplete();

        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task WithBackoff_NoDemand_RunningSourceIsNotPulled()
    {
        var sink = RestartSource.WithBackoff(new RestartSettings(Second, Second, 0), _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);
        var first = await _incarnations.GetAsync(1);

        await first.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        sink.Request(1);
        (await first.ExpectRequestAsync()).Should().Be(1);
        await first.SendNextAsync(1);
        await sink.ExpectNextAsync(1);
        await first.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        sink.Cancel();
        await first.ExpectCancellationAsync();
    }

    [Fact]
    public async Task WithBackoff_DownstreamCancelsDuringBackoff_StopsWithoutRestarting()
    {
        var sink = RestartSource.WithBackoff(new RestartSettings(Second, Second, 0), _incarnations.Next).RunWith(TestSink.Probe<int>(), Materializer);

        (await _incarnations.GetAsync(1)).SendError(new InvalidOperationException("boom"));
        await Clock.WaitForTimersAsync();
        sink.Cancel();
        await Materializer.AssertAllStagesStoppedAsync();
        Clock.Advance(TimeSpan.FromSeconds(10));

        _incarnations.Created.Should().Be(1);
    }

    [Fact]
    public async Task WithBackoff_FactoryThrows_CountsAsAFailureAndRetries()
    {
        var calls = 0;
        var settings = new RestartSettings(Second, Second, 0, maxRestartsWithin: TimeSpan.FromMinutes(1));
        var sink = RestartSource.WithBackoff(settings, () => ++calls == 1 ? throw new InvalidOperationException("factory") : Source.From([5]))
            .RunWith(TestSink.Probe<int>(), Materializer);
        sink.Request(1);

        await Clock.WaitForTimersAsync();
        Clock.Advance(Second);

        await sink.ExpectNextAsync(5);
        sink.Cancel();
    }

    [Fact]
    public async Task WithBackoff_Elements_AreTheRunningSourcesInOrder()
    {
        var result = await RestartSource.OnFailuresWithBackoff(new RestartSettings(Second, Second, 0), () => Source.From(Enumerable.Range(1, 1000)))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(Enumerable.Range(1, 1000));
    }

    // Asserts that the restart timer is due exactly after delay: nothing happens 1 ms before, a new incarnation right at it.
    private async Task ExpectRestartAfterAsync(TimeSpan delay, int incarnation)
    {
        await Clock.WaitForTimersAsync();
        Clock.Advance(delay - Ms);
        Clock.ActiveTimerCount.Should().Be(1, "the restart is due only after {0}", delay);
        _incarnations.Created.Should().Be(incarnation - 1);
        Clock.Advance(Ms);
        Clock.ActiveTimerCount.Should().Be(0);
        await _incarnations.GetAsync(incarnation);
    }
}
