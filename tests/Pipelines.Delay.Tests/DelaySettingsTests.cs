using Akka.Actor;
using Pipelines.Configuration;

namespace Pipelines.Delay.Tests;

public sealed class DelaySettingsTests
{
    [Fact]
    public void Default_ComesFromTheReference()
    {
        var settings = DelaySettings.Default;

        settings.Tiers.Should().Equal(
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1),
            TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2));
        settings.TopicPrefix.Should().Be("pipelines-delay-");
        settings.RouterGroupId.Should().Be("pipelines-delay-router");
        settings.MaxDelay.Should().Be(TimeSpan.FromDays(7));
        settings.HoldWindow.Should().Be(TimeSpan.FromSeconds(4));
        settings.Partitions.Should().Be(6);
        settings.ReplicationFactor.Should().Be(-1);
        settings.RetentionMargin.Should().Be(TimeSpan.FromDays(7));
        settings.TopicConfig.Should().BeEmpty();
        settings.CancellationTopic.Should().Be("pipelines-delay-cancellations");
        settings.CancellationMaxEntries.Should().Be(1_000_000);
        settings.RecordSchedules.Should().BeTrue();
        settings.RecordDeliveries.Should().BeTrue();
    }

    [Fact]
    public void Create_FromFile_ReadsEveryKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.delay {
              tiers = [250ms, 2s, 1m, 1h]
              topic-prefix = "orders-delay-"
              router-group-id = orders-router
              max-delay = 2d
              hold-window = 1500ms
              topics { partitions = 3, replication-factor = 2, retention-margin = 1d, config { min.insync.replicas = 2 } }
              cancellation { topic = orders-cancel, max-entries = 50, record-schedules = off, record-deliveries = no }
            }
            """);

        var settings = DelaySettings.Create(config);

        settings.Tiers.Should().Equal(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        settings.TopicPrefix.Should().Be("orders-delay-");
        settings.RouterGroupId.Should().Be("orders-router");
        settings.MaxDelay.Should().Be(TimeSpan.FromDays(2));
        settings.HoldWindow.Should().Be(TimeSpan.FromMilliseconds(1500));
        settings.Partitions.Should().Be(3);
        settings.ReplicationFactor.Should().Be(2);
        settings.RetentionMargin.Should().Be(TimeSpan.FromDays(1));
        settings.TopicConfig.Should().Equal(new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        settings.CancellationTopic.Should().Be("orders-cancel");
        settings.CancellationMaxEntries.Should().Be(50);
        settings.RecordSchedules.Should().BeFalse();
        settings.RecordDeliveries.Should().BeFalse();
    }

    [Fact]
    public void Create_FromTheSectionItself_UsesIt()
    {
        var section = PipelinesConfiguration.ParseString("pipelines.delay { tiers = [2s, 4s] }").GetConfig(DelaySettings.ConfigPath);

        DelaySettings.Create(section).Tiers.Should().Equal(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Create_FromActorSystem_ReadsItsConfig()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.delay { tiers = [100ms, 10s], topics.partitions = 12 }");
        using var system = ActorSystem.Create("delay-settings", config);

        var settings = DelaySettings.Create(system);

        settings.Tiers.Should().Equal(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        settings.Partitions.Should().Be(12);
        settings.TopicPrefix.Should().Be("pipelines-delay-", "the reference is the fallback");
    }

    [Fact]
    public void Create_WithInvalidValues_ReportsEveryProblemWithItsKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.delay {
              tiers = [5s, 1s, 0s, 1500us]
              topic-prefix = "bad prefix "
              router-group-id = ""
              max-delay = -1s
              hold-window = -2s
              topics { partitions = 0, replication-factor = 0, retention-margin = 0s }
              cancellation { topic = "no/slash", max-entries = 0, record-schedules = maybe }
            }
            """);

        var act = () => DelaySettings.Create(config);

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().Contain("pipelines.delay.tiers: must be strictly increasing positive durations, but element 1 (1s) is not greater than element 0 (5s)");
        problems.Should().Contain("pipelines.delay.tiers: must be strictly increasing positive durations, but element 2 is 00:00:00");
        problems.Should().Contain("pipelines.delay.tiers: must be strictly increasing positive durations, but element 2 (00:00:00) is not greater than element 1 (1s)");
        problems.Should().Contain("pipelines.delay.tiers: must be whole milliseconds (due times are Unix milliseconds), but element 3 is 00:00:00.0015000");
        problems.Should().Contain(p => p.StartsWith("pipelines.delay.topic-prefix: makes the tier topic name \"bad prefix 5s\" illegal: it contains ' '", StringComparison.Ordinal));
        problems.Should().Contain("pipelines.delay.router-group-id: must not be empty");
        problems.Should().Contain("pipelines.delay.max-delay: must be greater than zero, but is -00:00:01");
        problems.Should().Contain("pipelines.delay.hold-window: must be zero or more whole milliseconds, but is -00:00:02");
        problems.Should().Contain("pipelines.delay.topics.partitions: must be at least 1, but is 0");
        problems.Should().Contain("pipelines.delay.topics.replication-factor: must be -1 (the broker's default) or between 1 and 32767, but is 0");
        problems.Should().Contain("pipelines.delay.topics.retention-margin: must be greater than zero, but is 00:00:00");
        problems.Should().Contain(p => p.StartsWith("pipelines.delay.cancellation.topic: must be a legal topic name, but \"no/slash\" is not: it contains '/'", StringComparison.Ordinal));
        problems.Should().Contain("pipelines.delay.cancellation.max-entries: must be at least 1, but is 0");
        problems.Should().Contain(p => p.StartsWith("pipelines.delay.cancellation.record-schedules: must be a boolean", StringComparison.Ordinal));
        problems.Should().HaveCount(14, "every problem is reported once: {0}", string.Join(Environment.NewLine, problems));
        act.Should().Throw<SettingsException>().WithMessage("Invalid pipelines.delay settings (14 problems):*");
    }

    [Theory]
    [InlineData("tiers = []", "pipelines.delay.tiers: must list at least one delay, such as [1s, 5s, 30s]")]
    [InlineData("tiers = 5s", "pipelines.delay.tiers: must be a list of durations such as [1s, 5s, 30s], but is string")]
    [InlineData("tiers = [1s, soon]", "pipelines.delay.tiers: element 1 must be a duration such as 50ms or 10s, but is \"soon\"")]
    [InlineData("tiers = [1s, 8d]", "pipelines.delay.tiers: the largest tier (8d) exceeds max-delay (7d), so it would never be used; lower it or raise max-delay")]
    [InlineData("tiers = [1s, 1s]", "pipelines.delay.tiers: must be strictly increasing positive durations, but element 1 (1s) is not greater than element 0 (1s)")]
    public void Create_WithInvalidTiers_SaysWhatIsWrong(string hocon, string expected)
    {
        var act = () => DelaySettings.Create(PipelinesConfiguration.ParseString("pipelines.delay { " + hocon + " }"));

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle().Which.Should().StartWith(expected);
    }

    [Fact]
    public void Create_CancellationTopicThatIsATierTopic_IsRejected()
    {
        var act = () => DelaySettings.Create(PipelinesConfiguration.ParseString("pipelines.delay.cancellation.topic = pipelines-delay-5s"));

        act.Should().Throw<SettingsException>().Which.Problems.Should()
            .Equal("pipelines.delay.cancellation.topic: must differ from every tier topic, but \"pipelines-delay-5s\" is one");
    }

    [Fact]
    public void WithMethods_ReturnValidatedCopies()
    {
        var changed = DelaySettings.Default
            .WithTiers([TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)])
            .WithTopicPrefix("d-")
            .WithRouterGroupId("r")
            .WithMaxDelay(TimeSpan.FromHours(1))
            .WithHoldWindow(TimeSpan.Zero)
            .WithPartitions(2)
            .WithReplicationFactor(3)
            .WithRetentionMargin(TimeSpan.FromHours(6))
            .WithTopicConfig("min.insync.replicas", "2")
            .WithCancellationTopic("d-cancel")
            .WithCancellationMaxEntries(10)
            .WithRecordSchedules(false)
            .WithRecordDeliveries(false);

        changed.Tiers.Should().Equal(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        changed.TopicPrefix.Should().Be("d-");
        changed.RouterGroupId.Should().Be("r");
        changed.MaxDelay.Should().Be(TimeSpan.FromHours(1));
        changed.HoldWindow.Should().Be(TimeSpan.Zero);
        changed.Partitions.Should().Be(2);
        changed.ReplicationFactor.Should().Be(3);
        changed.RetentionMargin.Should().Be(TimeSpan.FromHours(6));
        changed.TopicConfig.Should().ContainKey("min.insync.replicas").WhoseValue.Should().Be("2");
        changed.WithTopicConfig("min.insync.replicas", null).TopicConfig.Should().BeEmpty();
        changed.CancellationTopic.Should().Be("d-cancel");
        changed.CancellationMaxEntries.Should().Be(10);
        changed.RecordSchedules.Should().BeFalse();
        changed.RecordDeliveries.Should().BeFalse();
        DelaySettings.Default.Tiers.Should().HaveCount(7, "the original is unchanged");

        var act = () => DelaySettings.Default.WithTiers([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)]);
        act.Should().Throw<SettingsException>().Which.Problems.Should()
            .Equal("pipelines.delay.tiers: must be strictly increasing positive durations, but element 1 (2s) is not greater than element 0 (2s)");
        var fractional = () => DelaySettings.Default.WithHoldWindow(TimeSpan.FromTicks(15_000));
        fractional.Should().Throw<SettingsException>().Which.Problems.Should()
            .Equal("pipelines.delay.hold-window: must be zero or more whole milliseconds, but is 00:00:00.0015000");
    }
}
