using System.Collections.Concurrent;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Hosting;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary><c>WithKafkaQueue&lt;THandler&gt;</c>: the queue as a hosted pipeline, its handler from the services, drained when the host stops.</summary>
public sealed class KafkaQueueHostingTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private KafkaClusterFixture Kafka => fixture.Kafka;

    [Fact]
    public async Task WithKafkaQueue_HandlerFromServices_HandlesEveryMessage_AndHostStopDrainsTheCallInFlight()
    {
        // One partition, the held message last: every message before it is done while it is held (results leave the
        // per-key stage in order, so messages behind a held one would wait for it).
        var topic = await Kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await Kafka.ProduceBatchAsync(topic, 50);
        var store = new LoginStore { HoldValue = "value-49" };
        using var host = BuildHost(QueueConfig(topic, group), services => services.AddSingleton(store));

        await host.StartAsync();
        try
        {
            await Eventually.TrueAsync(() => store.Count == 49 && store.Held, Patience, "49 stored and the last one in the handler");
        }
        catch
        {
            store.Release();
            throw;
        }

        var stopping = host.StopAsync();
        await Eventually.TrueAsync(
            () => host.Services.GetRequiredService<IPipelineRegistry>().GetStatus("logins").State == PipelineState.Draining,
            Patience,
            "the queue is draining");
        stopping.IsCompleted.Should().BeFalse("the drain waits for the handler call in flight");
        store.Release();
        await stopping.WaitAsync(Patience);

        store.Count.Should().Be(50);
        var drained = await host.Services.GetRequiredService<IPipelineRegistry>().Drained;
        drained.Should().ContainSingle().Which.Outcome.Should().Be(PipelineDrainOutcome.Drained);
        (await Kafka.GetCommittedOffsetsAsync(group, topic)).Sum(o => o.Offset.Value).Should().Be(50, "the drain committed every message handled");
    }

    [Fact]
    public async Task WithKafkaQueue_BadSetting_FailsTheHostsStart_NamingTheKeyAndWhereItIs()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kq-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(path, QueueConfig("logins", "audit") + "\npipelines.queues.logins.processors = 0\n");
        try
        {
            using var host = BuildHost(PipelinesConfiguration.Load(path), services => services.AddSingleton(new LoginStore()));

            var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<PipelineException>();

            failure.Which.ToString().Should().Contain("pipelines.queues.logins.processors: must be at least 1").And.Contain($"{Path.GetFileName(path)}:");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private string QueueConfig(string topic, string group) =>
        $$"""
        pipelines.queues.logins {
          brokers = ["{{Kafka.BootstrapServers}}"]
          group = "{{group}}"
          topic = "{{topic}}"
          offset = first
          min-bytes = 1
          max-wait = 20ms
          commit-interval = 100ms
          kafka-clients { session.timeout.ms = 6000, heartbeat.interval.ms = 500 }
        }
        akka.loglevel = INFO
        akka.stdout-loglevel = WARNING
        """;

    private static IHost BuildHost(string hocon, Action<IServiceCollection> services) => BuildHost(PipelinesConfiguration.ParseString(hocon), services);

    private static IHost BuildHost(Akka.Configuration.Config config, Action<IServiceCollection> services)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        services(builder.Services);
        builder.Services.AddPipelines("kq-test", config.WithFallback(PipelinesConfiguration.Reference()), akka => akka.WithKafkaQueue<LoginHandler>("logins"));
        return builder.Build();
    }

    /// <summary>What the handler stores into, registered in the services; it can hold one value in the handler until released.</summary>
    public sealed class LoginStore
    {
        private readonly ConcurrentDictionary<string, int> _stored = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _held;

        public string? HoldValue { get; init; }

        public int Count => _stored.Count;

        public bool Held => _held;

        public void Release() => _release.SetResult();

        public async Task StoreAsync(string value)
        {
            if (value == HoldValue)
            {
                _held = true;
                await _release.Task.ConfigureAwait(false);
            }

            _stored.AddOrUpdate(value, 1, (_, n) => n + 1);
        }
    }

    /// <summary>A handler with a constructor dependency, created from the services.</summary>
    public sealed class LoginHandler(LoginStore store) : IConsumeHandler
    {
        public Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken) => store.StoreAsync(context.Value);
    }
}
