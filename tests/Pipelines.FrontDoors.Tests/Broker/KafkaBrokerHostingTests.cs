using System.Collections.Concurrent;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Broker;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary><c>services.AddKafkaBroker(name)</c> in a generic host with Akka.Hosting.</summary>
public sealed class KafkaBrokerHostingTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public sealed record Note(int Id);

    [Fact]
    public async Task AddKafkaBroker_FromHocon_IsResolvable_AndStoppingTheHostDrainsAndCommitsItsSubscriptions()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        using var host = Build($$"""
            pipelines.brokers.events { brokers = ["{{kafka.BootstrapServers}}"], concurrency = 2, ordering = unordered }
            """, services => services.AddKafkaBroker("events"));
        await host.StartAsync();
        var broker = host.Services.GetRequiredService<IKafkaBroker>();
        host.Services.GetRequiredKeyedService<IKafkaBroker>("events").Should().BeSameAs(broker);
        broker.Name.Should().Be("events");
        broker.Options.Concurrency.Should().Be(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var handled = new ConcurrentQueue<int>();
        var subscription = broker.Subscribe<Note>(topic, group, async (e, _) =>
        {
            Interlocked.Increment(ref entered);
            await gate.Task;
            handled.Enqueue(e.Message.Id);
        });
        for (var i = 0; i < 5; i++)
        {
            await broker.PublishAsync(topic, new Note(i));
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref entered) >= 2, Patience, "two handlers in flight");
        var stopping = host.StopAsync();
        stopping.IsCompleted.Should().BeFalse("the host's stop waits for the handlers in flight");
        gate.SetResult();
        await stopping.WaitAsync(Patience);

        subscription.Completion.IsCompletedSuccessfully.Should().BeTrue("the host's stop drained the subscription");
        handled.Should().HaveCountGreaterThanOrEqualTo(2, "the messages in flight were finished");
        var committed = await kafka.GetCommittedOffsetsAsync(group, topic);
        committed.Single().Offset.Value.Should().Be(handled.Count, "what was handled is committed");
        broker.Subscriptions.Should().BeEmpty();
    }

    [Fact]
    public async Task AddKafkaBroker_FromIConfiguration_BindsTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Brokers:orders:Brokers"] = kafka.BootstrapServers,
            ["Brokers:orders:Codec"] = "proto",
        }).Build();
        using var host = Build(string.Empty, services => services.AddKafkaBroker("orders", configuration.GetSection("Brokers:orders")));

        await host.StartAsync();
        try
        {
            host.Services.GetRequiredKeyedService<IKafkaBroker>("orders").Options.Codec.Should().BeSameAs(BrokerCodec.Proto);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddKafkaBroker_WrongOption_FailsTheHostsStart()
    {
        using var host = Build("pipelines.brokers.events { concurrency = 0, codec = xml }", services => services.AddKafkaBroker("events"));

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<Exception>()).Which;
        var settings = thrown as SettingsException ?? thrown.InnerException as SettingsException ?? (thrown as AggregateException)?.InnerExceptions.OfType<SettingsException>().FirstOrDefault();
        settings.Should().NotBeNull("the start fails with the settings problems, not later at first use");
        settings!.Message.Should().Contain("concurrency").And.Contain("\"xml\" is not a codec");
        await host.StopAsync();
    }

    private static IHost Build(string hocon, Action<IServiceCollection> services)
    {
        var config = PipelinesConfiguration.ParseString(
                hocon + "\nakka.kafka.committer.max-interval = 100ms\nakka.kafka.consumer.kafka-clients { session.timeout.ms = 6000, heartbeat.interval.ms = 500 }",
                "hosting-test")
            .WithFallback(PipelinesConfiguration.Reference());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddAkka("test", akka => akka.AddHocon(config, HoconAddMode.Prepend));
        services(builder.Services);
        return builder.Build();
    }
}
