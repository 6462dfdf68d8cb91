using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Hosting;
using Pipelines.Host.View;
using Pipelines.TestKit;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class LiveViewServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Host_OutputRedirected_WritesAViewLineEveryIntervalThenTheSummaryWithTheDrainOutcomes()
    {
        var time = new FakeTimeProvider();
        var registry = new FakePipelineRegistry();
        registry.Statuses.Add(ViewStatuses.Of("orders", PipelineState.Running, received: 10, partitions: [(2, 1)]));
        using var output = new ConcurrentOutput();
        using var host = Build(
            "pipelines.view.mode = auto",
            services => services.AddSingleton<TimeProvider>(time).AddSingleton<IPipelineRegistry>(registry),
            output);

        await host.StartAsync().WaitAsync(Patience);
        // The interval's timer starts once the host has started; tick the clock until its first line is out.
        await Eventually.TrueAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return output.Lines.Any(l => l.StartsWith("VIEW t=", StringComparison.Ordinal));
            },
            Patience,
            "the first VIEW line");
        registry.Statuses[0] = ViewStatuses.Of("orders", PipelineState.Stopped, received: 10);
        registry.SetDrained(new PipelineDrainResult("orders", PipelineDrainOutcome.Drained, PipelineState.Stopped, 0, TimeSpan.FromSeconds(30), null));
        await host.StopAsync().WaitAsync(Patience);

        var view = output.Lines.First(l => l.StartsWith("VIEW t=", StringComparison.Ordinal));
        view.Should().Contain(" orders state=running in=").And.Contain(" lag=2 inflight=1 ");
        output.Lines[^1].Should().StartWith("VIEW summary t=").And.Contain(" orders state=stopped consumed=10 ").And.Contain(" drain=drained");
    }

    [Fact]
    public async Task Host_StoppedBeforeTheFirstInterval_StillWritesTheSummary()
    {
        using var output = new ConcurrentOutput();
        using var host = Build("pipelines.view.mode = lines", services => services.AddSingleton<TimeProvider>(new FakeTimeProvider()), output);

        await host.StartAsync().WaitAsync(Patience);
        await host.StopAsync().WaitAsync(Patience);

        output.Lines.Should().ContainSingle().Which.Should().StartWith("VIEW summary t=0s");
    }

    [Fact]
    public void AddLiveView_ModeOff_RegistersNothing()
    {
        var services = new ServiceCollection();

        services.AddLiveView(PipelinesConfiguration.ParseString("pipelines.view.mode = off"), TextWriter.Null);

        services.Should().BeEmpty();
    }

    [Fact]
    public void AddLiveView_InvalidSettings_FailsWithTheProblem()
    {
        var act = () => new ServiceCollection().AddLiveView(PipelinesConfiguration.ParseString("pipelines.view.interval = soon"), TextWriter.Null);

        act.Should().Throw<SettingsException>().WithMessage("*pipelines.view.interval*");
    }

    private static IHost Build(string config, Action<IServiceCollection> configure, TextWriter output)
    {
        var builder = global::Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        configure(builder.Services);
        builder.Services.AddLiveView(PipelinesConfiguration.ParseString(config), output);
        return builder.Build();
    }
}
