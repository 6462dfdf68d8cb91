using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Pipelines.Configuration;
using Pipelines.Delay;
using Pipelines.Hosting.Tests.Support;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// The delay router as a hosted pipeline (<c>WithDelayRouter</c>) on the embedded Kafka cluster: it delivers what the
/// delay queue scheduled, is listed in the registry, restarts after a failure, and drains with the other pipelines.
/// </summary>
public sealed class DelayRouterHostingTests(KafkaClusterFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WithDelayRouter_ScheduledMessages_DeliveredListedAndDrainedOnHostStop()
    {
        const int Scheduled = 20;
        var (config, settings) = await RouterConfigAsync();
        var target = await kafka.CreateTopicAsync(partitions: 2);
        using var host = TestHosts.Build(config, akka => akka.WithDelayRouter());
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        registry.Names.Should().Equal(DelayRouterHostingExtensions.DefaultName);

        await using (var queue = Queue(settings))
        {
            for (var i = 0; i < Scheduled; i++)
            {
                await queue.ScheduleAsync(target, Encoding.UTF8.GetBytes($"key-{i % 4}"), Encoding.UTF8.GetBytes($"value-{i}"), null, TimeSpan.FromSeconds(1));
            }
        }

        var delivered = await kafka.ConsumeAllAsync(target, Scheduled, Patience);
        delivered.Select(r => r.Message.Value).Should().BeEquivalentTo(Enumerable.Range(0, Scheduled).Select(i => $"value-{i}"));
        var status = registry.GetStatus(DelayRouterHostingExtensions.DefaultName);
        status.State.Should().Be(PipelineState.Running);
        status.Metrics.RecordsReceived.Should().BeGreaterThanOrEqualTo(Scheduled, "the registry shows the router consumer's metrics");
        await Eventually.TrueAsync(
            async () => (await kafka.GetCommittedOffsetsAsync(settings.RouterGroupId, settings.TopicPrefix + "1s")).Sum(o => Math.Max(o.Offset.Value, 0)) >= Scheduled,
            Patience,
            "the router committed every delivered record");

        await host.StopAsync();
        var drained = await registry.Drained.WaitAsync(Patience);
        drained.Should().ContainSingle().Which.Should().Match<PipelineDrainResult>(r =>
            r.Name == DelayRouterHostingExtensions.DefaultName && r.Outcome == PipelineDrainOutcome.Drained && r.State == PipelineState.Stopped && r.Restarts == 0);
    }

    [Fact]
    public async Task WithDelayRouter_RouterFailsOnAMalformedEnvelope_RestartedWithBackoffAndReportedInTheRegistry()
    {
        var (config, settings) = await RouterConfigAsync();
        using var host = TestHosts.Build(config, akka => akka.WithDelayRouter("router"));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();

        // A record without the delay headers cannot be routed: the router stops with the error naming it, and each new
        // incarnation meets it again, since its offset is never committed.
        await kafka.ProduceBatchAsync(settings.TopicPrefix + "1s", [new Message<string, string> { Key = "k", Value = "no envelope" }]);

        await Eventually.TrueAsync(() => registry.GetStatus("router").Restarts >= 2, Patience, "the router restarted twice");
        var status = registry.GetStatus("router");
        output.WriteLine($"state {status.State}, restarts {status.Restarts}, last failure: {status.LastFailure?.Message}");
        status.LastFailure.Should().BeOfType<KafkaHeaderException>();
        (await kafka.GetCommittedOffsetsAsync(settings.RouterGroupId, settings.TopicPrefix + "1s")).Should().OnlyContain(
            o => o.Offset.Value <= 0, "the record that cannot be routed is never committed");

        await host.StopAsync();
        (await registry.Drained.WaitAsync(Patience)).Should().ContainSingle().Which.Name.Should().Be("router");
    }

    private async Task<(Akka.Configuration.Config Config, DelaySettings Settings)> RouterConfigAsync([System.Runtime.CompilerServices.CallerMemberName] string testName = "")
    {
        var unique = KafkaClusterFixture.NewTopicName(testName);
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            akka.kafka.producer.kafka-clients { bootstrap.servers = "{{kafka.BootstrapServers}}", linger.ms = 1 }
            pipelines.delay {
              tiers = [1s, 5s]
              topic-prefix = "{{unique}}-delay-"
              router-group-id = "{{unique}}-router"
              topics.partitions = 2
              cancellation.topic = "{{unique}}-cancellations"
            }
            pipelines.delay.router { commit-max-batch = 1, commit-max-interval = 100ms }
            """));
        var settings = DelaySettings.Create(config);
        await using var queue = Queue(settings);
        await queue.EnsureTopicsAsync();
        return (config, settings);
    }

    private DelayQueue Queue(DelaySettings settings) => new(
        settings,
        ProducerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), null, null).WithBootstrapServers(kafka.BootstrapServers).WithProperty("linger.ms", "1"),
        new DelayQueueOptions { EmbeddedCluster = kafka.Embedded });
}
