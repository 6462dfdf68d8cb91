using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests.ActorSystems;

/// <summary>Akka keys set in a file read by <see cref="PipelinesConfiguration"/> take effect in a real ActorSystem.</summary>
public sealed class ActorSystemConfigurationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string AkkaKeys = """
        akka {
          loglevel = DEBUG
          stream.materializer {
            initial-input-buffer-size = 8
            max-input-buffer-size = 32
          }
        }
        pipelines-dispatcher {
          type = Dispatcher
          throughput = 7
        }
        akka.kafka.consumer.poll-interval = 200ms
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-actor-system-").FullName;

    [Fact]
    public async Task ActorSystemCreate_FromLoadedFile_AppliesTheFilesAkkaKeys()
    {
        var file = Write("app.conf", AkkaKeys);

        var system = ActorSystem.Create("configured", PipelinesConfiguration.Load(file));
        try
        {
            system.Settings.LogLevel.Should().Be("DEBUG");
            system.Log.IsDebugEnabled.Should().BeTrue();
            var materializer = ActorMaterializerSettings.Create(system);
            materializer.InitialInputBufferSize.Should().Be(8);
            materializer.MaxInputBufferSize.Should().Be(32);
            materializer.SyncProcessingLimit.Should().Be(1000, "keys the file does not set keep Akka's defaults");
            system.Settings.Config.GetTimeSpan("akka.actor.ask-timeout", null, allowInfinite: true).Should().Be(Timeout.InfiniteTimeSpan, "Akka's own defaults are underneath");
            system.Settings.Config.GetInt("akka.kafka.committer.max-batch").Should().Be(1000, "the reference configuration is underneath the file");
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task ActorSystemCreate_CustomDispatcherFromFile_RunsActors()
    {
        var file = Write("app.conf", AkkaKeys);

        var system = ActorSystem.Create("dispatching", PipelinesConfiguration.Load(file));
        try
        {
            system.Dispatchers.HasDispatcher("pipelines-dispatcher").Should().BeTrue();
            system.Dispatchers.Lookup("pipelines-dispatcher").Throughput.Should().Be(7);
            var actor = system.ActorOf(Props.Create(() => new DispatcherReporter()).WithDispatcher("pipelines-dispatcher"));

            var dispatcher = await actor.Ask<string>("which dispatcher?", Patience);

            dispatcher.Should().Be("pipelines-dispatcher");
        }
        finally
        {
            await system.Terminate().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task AddAkka_WithLoadedFilePrepended_AppliesItsKeys_AndStoppingTheHostRunsCoordinatedShutdown()
    {
        var file = Write("app.conf", AkkaKeys);
        var builder = global::Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("hosted", (akka, _) => akka.AddHocon(PipelinesConfiguration.Load(file), HoconAddMode.Prepend));
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Patience);
        var system = host.Services.GetRequiredService<ActorSystem>();

        system.Name.Should().Be("hosted");
        system.Settings.LogLevel.Should().Be("DEBUG");
        ActorMaterializerSettings.Create(system).InitialInputBufferSize.Should().Be(8, "the file is prepended to Akka.Hosting's materializer defaults");
        ActorMaterializerSettings.Create(system).MaxInputBufferSize.Should().Be(32);
        system.Dispatchers.Lookup("pipelines-dispatcher").Throughput.Should().Be(7);
        ConsumerSettings<string, string>.Create(system, null, null).PollInterval.Should().Be(TimeSpan.FromMilliseconds(200));

        await host.StopAsync().WaitAsync(Patience);

        await system.WhenTerminated.WaitAsync(Patience);
        CoordinatedShutdown.Get(system).ShutdownReason.Should().BeOfType<CoordinatedShutdown.ClrExitReason>();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private sealed class DispatcherReporter : ReceiveActor
    {
        public DispatcherReporter() => Receive<string>(_ => Sender.Tell(Context.Dispatcher.Id));
    }
}
