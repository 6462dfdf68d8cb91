using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Host.Commands;

namespace Pipelines.Configuration.Tests.Host;

public sealed class MainJobTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Build_BootstrapServersSet_RunsTheConfiguredActorSystemThenShutsItDownCoordinated()
    {
        var config = PipelinesConfiguration.ParseString("akka.loglevel = DEBUG\nakka.kafka.consumer.poll-interval = 75ms", "app.conf");
        using var output = new StringWriter();
        using var messages = new StringWriter();
        using var host = MainJob.Build(config, "kafka-1:9092", output, messages);
        var system = host.Services.GetRequiredService<ActorSystem>();

        await host.StartAsync().WaitAsync(Patience);
        await host.WaitForShutdownAsync().WaitAsync(Patience);

        system.Name.Should().Be(MainJob.ActorSystemName);
        system.Settings.LogLevel.Should().Be("DEBUG");
        system.Settings.Config.GetTimeSpan("akka.kafka.consumer.poll-interval").Should().Be(TimeSpan.FromMilliseconds(75));
        messages.ToString().Should().Contain("KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092").And.Contain("No pipelines are configured");
        output.ToString().Should().BeEmpty("stdout is kept for the embedded cluster's bootstrap servers");
        await system.WhenTerminated.WaitAsync(Patience);
        CoordinatedShutdown.Get(system).ShutdownReason.Should().BeOfType<CoordinatedShutdown.ClrExitReason>();
        host.Services.GetRequiredService<MainJobService>().Result().Should().Be(0);
        host.Services.GetRequiredService<Pipelines.Hosting.IPipelineRegistry>().Names.Should().BeEmpty();
    }

    [Fact]
    public void Build_TelemetryEnabledInTheConfiguration_RegistersTheOpenTelemetryProviders()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.telemetry { metrics.enabled = on, traces { enabled = on, exporters = [console] } }", "app.conf");
        using var host = MainJob.Build(config, "kafka-1:9092", TextWriter.Null, TextWriter.Null);
        using var quiet = MainJob.Build(PipelinesConfiguration.ParseString("akka.loglevel = INFO", "app.conf"), "kafka-1:9092", TextWriter.Null, TextWriter.Null);

        host.Services.GetService<OpenTelemetry.Metrics.MeterProvider>().Should().NotBeNull();
        host.Services.GetService<OpenTelemetry.Trace.TracerProvider>().Should().NotBeNull();
        quiet.Services.GetService<OpenTelemetry.Metrics.MeterProvider>().Should().BeNull("telemetry is off by default");
    }
}
