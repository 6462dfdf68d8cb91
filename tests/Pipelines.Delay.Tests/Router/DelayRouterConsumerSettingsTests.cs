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
        var prepared = DelayRouter.PrepareConsumer(Settings(), Delay, DelayRouterSettings.Default);

        prepared.GetProperty("fetch.wait.max.ms").Should().Be("10");
        prepared.GroupId.Should().Be("router-group");
        prepared.GetProperty("auto.offset.reset").Should().Be("earliest");
        prepared.GetProperty("statistics.interval.ms").Should().Be("1000");
    }

    [Fact]
    public void PrepareConsumer_UserFetchWait_IsKept()
    {
        var prepared = DelayRouter.PrepareConsumer(Settings().WithProperty("fetch.wait.max.ms", "250"), Delay, DelayRouterSettings.Default);

        prepared.GetProperty("fetch.wait.max.ms").Should().Be("250");
    }

    [Fact]
    public void PrepareConsumer_PollIntervalAndBufferSize_AreTheRoutersOwn()
    {
        var router = DelayRouterSettings.Default.WithConsumer(TimeSpan.FromMilliseconds(7), 4321);

        var prepared = DelayRouter.PrepareConsumer(Settings().WithPollInterval(TimeSpan.FromSeconds(1)).WithBufferSize(5), Delay, router);

        prepared.PollInterval.Should().Be(TimeSpan.FromMilliseconds(7));
        prepared.BufferSize.Should().Be(4321);
        DelayRouterSettings.Default.ConsumerPollInterval.Should().Be(TimeSpan.FromMilliseconds(10));
        DelayRouterSettings.Default.ConsumerBufferSize.Should().Be(1000);
    }

    [Fact]
    public void PrepareConsumer_LatestOffsetReset_IsRefused()
    {
        var act = () => DelayRouter.PrepareConsumer(Settings().WithProperty("auto.offset.reset", "latest"), Delay, DelayRouterSettings.Default);

        act.Should().Throw<ArgumentException>().WithMessage("*auto.offset.reset=earliest*\"latest\"*");
    }
}
