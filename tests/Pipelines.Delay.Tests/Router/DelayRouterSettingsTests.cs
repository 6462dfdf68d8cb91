using Pipelines.Configuration;

namespace Pipelines.Delay.Tests.Router;

public sealed class DelayRouterSettingsTests
{
    [Fact]
    public void Default_ComesFromTheReference()
    {
        var settings = DelayRouterSettings.Default;

        settings.Parallelism.Should().Be(1000);
        settings.ReorderBuffer.Should().Be(1000);
        settings.MaxPartitions.Should().Be(4096);
        settings.SmallestTierReorderBuffer.Should().Be(10_000);
        settings.HoldBuffer.Should().Be(10_000);
        settings.CommitMaxBatch.Should().Be(1000);
        settings.CommitMaxInterval.Should().Be(TimeSpan.FromSeconds(1));
        settings.CatchUpTimeout.Should().Be(TimeSpan.FromSeconds(30));
        settings.IdlePoll.Should().Be(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Create_FromFile_ReadsEveryKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.delay.router {
              parallelism = 64
              reorder-buffer = 5000
              smallest-tier-reorder-buffer = 30000
              hold-buffer = 20000
              consumer { poll-interval = 25ms, buffer-size = 300 }
              max-partitions = 12
              commit-max-batch = 10
              commit-max-interval = 250ms
              cancellation { catch-up-timeout = 5s, idle-poll = 20ms }
            }
            """);

        var settings = DelayRouterSettings.Create(config);

        settings.Parallelism.Should().Be(64);
        settings.ReorderBuffer.Should().Be(5000);
        settings.SmallestTierReorderBuffer.Should().Be(30_000);
        settings.HoldBuffer.Should().Be(20_000);
        settings.ConsumerPollInterval.Should().Be(TimeSpan.FromMilliseconds(25));
        settings.ConsumerBufferSize.Should().Be(300);
        settings.MaxPartitions.Should().Be(12);
        settings.CommitMaxBatch.Should().Be(10);
        settings.CommitMaxInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        settings.CatchUpTimeout.Should().Be(TimeSpan.FromSeconds(5));
        settings.IdlePoll.Should().Be(TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public void Create_SeveralBadValues_ReportsEveryProblemAtOnce()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.delay.router { parallelism = 0, reorder-buffer = -1, smallest-tier-reorder-buffer = 0, hold-buffer = 0, commit-max-interval = 0s, cancellation.idle-poll = nope }
            """);

        var act = () => DelayRouterSettings.Create(config);

        var problems = act.Should().Throw<SettingsException>().Which.Message;
        problems.Should().Contain("parallelism").And.Contain("reorder-buffer").And.Contain("smallest-tier-reorder-buffer").And.Contain("hold-buffer").And.Contain("commit-max-interval").And.Contain("idle-poll");
    }

    [Fact]
    public void WithReorderBuffer_Zero_Throws()
    {
        var act = () => DelayRouterSettings.Default.WithReorderBuffer(0);

        act.Should().Throw<SettingsException>().WithMessage("*reorder-buffer*");
    }
}
