using Pipelines.TestKit;

namespace Pipelines.Engine.Tests.TestKit;

public sealed class EventuallyTests
{
    [Fact]
    public async Task TrueAsync_ConditionBecomesTrueOnAnotherThread_Completes()
    {
        var flag = 0;
        var setter = Task.Run(async () =>
        {
            await Task.Yield();
            Volatile.Write(ref flag, 1);
        });

        await Eventually.TrueAsync(() => Volatile.Read(ref flag) == 1, what: "the flag");
        await setter;
    }

    [Fact]
    public async Task TrueAsync_AsyncConditionTrueOnTheThirdCheck_Completes()
    {
        var checks = 0;

        await Eventually.TrueAsync(async () =>
        {
            await Task.Yield();
            return ++checks == 3;
        });

        checks.Should().Be(3);
    }

    [Fact]
    public async Task TrueAsync_ConditionNeverTrue_FailsNamingWhatWasAwaited()
    {
        var act = () => Eventually.TrueAsync(() => false, TimeSpan.FromMilliseconds(30), "the impossible");

        (await act.Should().ThrowAsync<ExpectationFailedException>()).Which.Message.Should().Contain("the impossible").And.Contain("Timed out");
    }
}
