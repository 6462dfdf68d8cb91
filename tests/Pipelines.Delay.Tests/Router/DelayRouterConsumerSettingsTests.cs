using Pipelines.Configuration;
using Pipelines.Kafka;

namespace Pipelines.Delay.Tests.Router;

/// <summary>What the router changes in the consumer settings it is given, and what it leaves to the user.</summary>
public sealed class DelayRouterConsumerSettingsTests
{
    private static readonly DelaySettings Delay = DelaySettings.Default.WithRouterGroupId("router-group");

    private static ConsumerSettings<byte[], byte[]> Settings() =>
        ConsumerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), null, null).WithBootstrapServers("localhost:9092");

    [Fact]
    public void PrepareConsumer_NoFetchWait_AsksForShortFetchWaits()
    {
        var prepared = DelayRouter.PrepareConsumer(Settings(), Delay);

        prepared.GetProperty("fetch.wait.max.ms").Should().Be("10");
        prepared.GroupId.Should().Be("router-group");
        prepared.GetProperty("auto.offset.reset").Should().Be("earliest");
        prepared.GetProperty("statistics.interval.ms").Should().Be("1000");
    }

    [Fact]
    public void PrepareConsumer_UserFetchWait_IsKept()
    {
        var prepared = DelayRouter.PrepareConsumer(Settings().WithProperty("fetch.wait.max.ms", "250"), Delay);

        prepared.GetProperty("fetch.wait.max.ms").Should().Be("250");
    }

    [Fact]
    public void PrepareConsumer_LatestOffsetReset_IsRefused()
    {
        var act = () => DelayRouter.PrepareConsumer(Settings().WithProperty("auto.offset.reset", "latest"), Delay);

        act.Should().Throw<ArgumentException>().WithMessage("*auto.offset.reset=earliest*\"latest\"*");
    }
}
