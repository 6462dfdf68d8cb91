using Pipelines.FrontDoors.Producing;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>The pusher's bound on records waiting for their chunk: admits up to high, then reopens at half of it.</summary>
public sealed class PendingGateTests
{
    [Fact]
    public async Task Enter_UpToHigh_AtOnce_ThenWaits_UntilTheReaderTookThemDownToHalf()
    {
        var gate = new PendingGate(high: 4);
        for (var i = 0; i < 4; i++)
        {
            gate.EnterAsync(CancellationToken.None).IsCompletedSuccessfully.Should().BeTrue($"record {i + 1} of 4 fits");
        }

        var fifth = gate.EnterAsync(CancellationToken.None).AsTask();
        fifth.IsCompleted.Should().BeFalse("four records wait");
        gate.Count.Should().Be(4, "a caller that waits is not counted");

        gate.Leave();
        fifth.IsCompleted.Should().BeFalse("three wait: more than half of four");
        gate.Leave();
        await fifth.WaitAsync(TimeSpan.FromSeconds(30));
        gate.Count.Should().Be(3, "two were taken, the fifth was admitted");
    }

    [Fact]
    public async Task ManyWaitingCallers_AllAdmitted_AsTheReaderTakesRecords_NoneLeftWaiting()
    {
        const int High = 8;
        const int Callers = 200;
        var gate = new PendingGate(High);
        var admitted = 0;
        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await gate.EnterAsync(CancellationToken.None);
            Interlocked.Increment(ref admitted);
        })).ToArray();

        // The reader takes every admitted record, one at a time, until all callers got in.
        var taken = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (taken < Callers && DateTime.UtcNow < deadline)
        {
            if (taken < Volatile.Read(ref admitted))
            {
                gate.Leave();
                taken++;
            }
            else
            {
                await Task.Yield();
            }
        }

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
        admitted.Should().Be(Callers);
        taken.Should().Be(Callers);
        gate.Count.Should().Be(0);
    }

    [Fact]
    public async Task WaitingCaller_Cancelled_ThrowsAndIsNotCounted()
    {
        var gate = new PendingGate(high: 1);
        await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = gate.EnterAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await waiting.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        gate.Count.Should().Be(1);
    }

    [Fact]
    public async Task Close_AdmitsWaitingAndLaterCallers()
    {
        var gate = new PendingGate(high: 1);
        await gate.EnterAsync(CancellationToken.None);
        var waiting = gate.EnterAsync(CancellationToken.None).AsTask();

        gate.Close();

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        gate.EnterAsync(CancellationToken.None).IsCompletedSuccessfully.Should().BeTrue("a closed gate holds nobody: the caller finds the pusher closed");
    }
}
