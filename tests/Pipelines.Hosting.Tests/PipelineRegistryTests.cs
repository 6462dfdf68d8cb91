using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting.Tests.Support;
using Pipelines.TestKit;

namespace Pipelines.Hosting.Tests;

/// <summary>The registry answers for every pipeline by name, with or without <c>AddPipelines</c>, and tells observers what happens.</summary>
public sealed class PipelineRegistryTests
{
    [Fact]
    public async Task Registry_SeveralPipelines_ReportsEachByNameInRegistrationOrder()
    {
        var (config, _) = TestHosts.LoadConfig("");
        var materialized = 0;
        using var host = TestHosts.Build(config, akka => akka
            .WithPipeline("orders", (_, _) => TestGraphs.Idle(() => Interlocked.Increment(ref materialized)))
            .WithPipeline("refunds", (_, _) => TestGraphs.Idle(() => Interlocked.Increment(ref materialized))));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var observer = new RecordingObserver();
        registry.Subscribe(observer);

        registry.Should().BeSameAs(PipelineRegistry.For(host.Services.GetRequiredService<ActorSystem>()));
        registry.Names.Should().Equal("orders", "refunds");
        await Eventually.TrueAsync(() => registry.GetStatuses().All(s => s.State == PipelineState.Running), what: "both pipelines to run");
        registry.GetStatuses().Select(s => s.Name).Should().Equal("orders", "refunds");
        var orders = registry.GetStatus("orders");
        orders.Restarts.Should().Be(0);
        orders.LastFailure.Should().BeNull();
        orders.Metrics.Should().Be(Kafka.ConsumerMetrics.Empty);
        orders.LastProgress.Should().NotBeNull();
        var unknown = () => registry.GetStatus("payments");
        unknown.Should().Throw<KeyNotFoundException>().WithMessage("*'payments'*orders, refunds*");

        await host.StopAsync();

        registry.GetStatuses().Select(s => s.State).Should().Equal(PipelineState.Stopped, PipelineState.Stopped);
        observer.Events.Where(e => e.StartsWith("drained", StringComparison.Ordinal)).Should().BeEquivalentTo("drained orders Drained", "drained refunds Drained");
        materialized.Should().Be(2);
    }

    [Fact]
    public async Task WithPipeline_WithoutAddPipelines_RunsAndDrainsThroughTheExtension()
    {
        var (config, _) = TestHosts.LoadConfig("");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddAkka("plain", akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .WithPipeline("orders", (_, _) => TestGraphs.Idle()));
        using var host = builder.Build();

        await host.StartAsync();
        var registry = PipelineRegistry.For(host.Services.GetRequiredService<ActorSystem>());
        await Eventually.TrueAsync(() => registry.GetStatus("orders").State == PipelineState.Running, what: "the pipeline to run");
        host.Services.GetService<IPipelineRegistry>().Should().BeNull();
        await host.StopAsync();

        (await registry.Drained).Should().ContainSingle().Which.Outcome.Should().Be(PipelineDrainOutcome.Drained);
    }

    [Fact]
    public async Task ApplicationStop_StopApplication_DrainsThePipelines()
    {
        var (config, _) = TestHosts.LoadConfig("");
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (_, _) => TestGraphs.Idle()));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var run = host.WaitForShutdownAsync();

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        (await registry.Drained).Should().ContainSingle().Which.Outcome.Should().Be(PipelineDrainOutcome.Drained);
        registry.GetStatus("orders").State.Should().Be(PipelineState.Stopped);
    }
}
