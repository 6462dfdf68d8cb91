namespace Pipelines.Engine.Tests;

public sealed class RestartSettingsTests
{
    [Fact]
    public void Backoff_NoJitter_DoublesFromMinAndCapsAtMax()
    {
        var settings = new RestartSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 0);

        Enumerable.Range(0, 6).Select(n => settings.Backoff(n, 0.99)).Should().Equal(
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400),
            TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Backoff_RandomFactor_StretchesTheWaitByTheRandomShare()
    {
        var settings = new RestartSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.2);

        settings.Backoff(1, 0).Should().Be(TimeSpan.FromSeconds(2));
        settings.Backoff(1, 0.5).Should().Be(TimeSpan.FromSeconds(2.2));
        settings.Backoff(10, 0.5).Should().Be(TimeSpan.FromSeconds(11));
    }

    [Fact]
    public void Backoff_HugeRestartCount_StaysAtTheCap()
    {
        var settings = new RestartSettings(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 0);

        settings.Backoff(int.MaxValue, 0).Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Constructor_Defaults_AreUnlimitedRestartsWithinMinBackoff()
    {
        var settings = new RestartSettings(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), 0.2);

        settings.MaxRestarts.Should().Be(int.MaxValue);
        settings.MaxRestartsWithin.Should().Be(TimeSpan.FromSeconds(3));
        settings.WithMaxRestarts(5, TimeSpan.FromMinutes(1)).Should().BeEquivalentTo(new { MaxRestarts = 5, MaxRestartsWithin = TimeSpan.FromMinutes(1), RandomFactor = 0.2 });
    }

    [Fact]
    public void Constructor_InvalidValues_ReportsEveryProblemAtOnce()
    {
        var act = () => new RestartSettings(TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(-2), double.NaN, -1, TimeSpan.FromSeconds(-3));

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("minBackoff").And.Contain("maxBackoff").And.Contain("randomFactor").And.Contain("maxRestarts").And.Contain("maxRestartsWithin");
    }
}
