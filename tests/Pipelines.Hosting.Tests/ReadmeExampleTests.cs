using System.Collections.Concurrent;
using Akka;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting.Tests.Support;
using Pipelines.Kafka;
using Pipelines.Streams;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Hosting.Tests;

/// <summary>The README's Hosting example, on the embedded cluster: the pipeline bills every order once, per key in order, and drains.</summary>
public sealed class ReadmeExampleTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task HostingExample_OrdersFlow_EveryOrderBilledOnceInKeyOrderAndCommitted()
    {
        const int Orders = 400;
        var topic = await kafka.CreateTopicAsync(partitions: 4);
        var group = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, Enumerable.Range(0, Orders).Select(i => new Confluent.Kafka.Message<string, string> { Key = $"customer-{i % 10}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            pipelines.pipelines.orders {
              topics = ["{{topic}}"]
              group = "{{group}}"
              parallelism = 16
              restart.max-restarts = 5
              health.max-lag = 100000
            }
            """));
        var billed = new ConcurrentQueue<(string Key, int Value)>();
        Task Bill(string key, string value)
        {
            billed.Enqueue((key, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
            return Task.CompletedTask;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddPipelines("orders-service", config, akka => akka
            .WithPipeline("orders", (system, settings) =>
                KafkaConsumer.CommittableSource(
                        ConsumerSettings<string, string>.Create(system, null, null).WithGroupId(settings.GetString("group")),
                        Subscriptions.Topics([.. settings.GetStringList("topics")]))
                    .SelectAsyncPartitioned(settings.GetInt("parallelism", 8), m => m.Record.Message.Key, async m =>
                    {
                        await Bill(m.Record.Message.Key, m.Record.Message.Value);
                        return m.CommittableOffset;
                    })
                    .ToMaterialized(Committer.Sink<ICommittableOffset>(CommitterSettings.Create(system)), DrainingControl<Done>.Create)));
        using var host = builder.Build();

        await host.StartAsync();
        await Eventually.TrueAsync(() => billed.Count >= Orders, TimeSpan.FromSeconds(60), "every order billed");
        await host.StopAsync();

        billed.Should().HaveCount(Orders);
        billed.Select(b => b.Value).Should().OnlyHaveUniqueItems();
        foreach (var customer in billed.GroupBy(b => b.Key))
        {
            customer.Select(b => b.Value).Should().BeInAscendingOrder($"{customer.Key}'s orders are billed in order");
        }

        (await host.Services.GetRequiredService<IPipelineRegistry>().Drained).Single().Outcome.Should().Be(PipelineDrainOutcome.Drained);
        (await kafka.GetCommittedOffsetsAsync(group, topic)).Sum(c => c.Offset.Value).Should().Be(Orders);
    }
}
