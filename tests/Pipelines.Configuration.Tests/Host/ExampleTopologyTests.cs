using Microsoft.Extensions.Hosting;
using Pipelines.Host.Commands;
using Pipelines.Host.Topology;
using Pipelines.Hosting;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Configuration.Tests.Host;

/// <summary>The main job's example topology as the configuration shapes it: which pipelines run, which topics it creates, bad settings.</summary>
public sealed class ExampleTopologyTests
{
    [Fact]
    public void Topics_TheDefaultFile_EveryPipelineAndItsTopicsWithTheDelayQueues()
    {
        var config = PipelinesConfiguration.Load();

        ExampleTopology.Enabled(config).Should().Equal("order-generator", "orders", "reminders", "delay-router");
        var topics = ExampleTopology.Topics(config);
        topics.Select(t => t.Name).Should().Contain(["orders", "order-results", "order-reminders", "orders-retry", "orders-dlt", "pipelines-delay-1s", "pipelines-delay-2h", "pipelines-delay-cancellations"]);
        topics.Where(t => t.Name.StartsWith("order", StringComparison.Ordinal)).Should().OnlyContain(t => t.NumPartitions == 6, "pipelines.main-job.partitions");
    }

    [Fact]
    public void Topics_PipelinesTurnedOff_LeftOutWithTheirTopics()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.pipelines { orders.enabled = off, delay-router.enabled = off }", "worker.conf")
            .WithFallback(PipelinesConfiguration.Load());

        ExampleTopology.Enabled(config).Should().Equal("order-generator", "reminders");
        ExampleTopology.Topics(config).Select(t => t.Name).Should().BeEquivalentTo(["orders", "order-reminders"], "without orders or the router the delay queue's topics are not needed");
    }

    [Fact]
    public void Topics_NoPipelineSection_NothingRunsAndNothingIsCreated()
    {
        var config = PipelinesConfiguration.ParseString("akka.loglevel = INFO", "app.conf");

        ExampleTopology.Enabled(config).Should().BeEmpty();
        ExampleTopology.Topics(config).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_InvalidGeneratorSettings_StartFailsNamingEveryKey()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        var config = PipelinesConfiguration.ParseString("pipelines.pipelines.order-generator { rate = 0, poison-share = 2 }", "app.conf")
            .WithFallback(PipelinesConfiguration.Reference());
        using var host = MainJob.Build(config, cluster.BootstrapServers, TextWriter.Null, TextWriter.Null, cluster);

        var start = () => host.StartAsync();

        var failure = (await start.Should().ThrowAsync<PipelineException>()).Which;
        failure.Message.Should().Contain("pipelines.pipelines.order-generator.rate").And.Contain("must be at least 1 order per second, but is 0")
            .And.Contain("pipelines.pipelines.order-generator.poison-share").And.Contain("must be between 0 and 1, but is 2");
        await host.StopAsync();
    }
}
