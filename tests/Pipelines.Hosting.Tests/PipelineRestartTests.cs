using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting.Tests.Support;
using Pipelines.TestKit;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// A failing pipeline restarts with backoff on the actor system's scheduler, driven here by Akka.TestKit's virtual clock:
/// no restart happens before the clock passes the backoff, and the restarts stop at <c>max-restarts</c>.
/// </summary>
public sealed class PipelineRestartTests
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FailingPipeline_ClockPassesBackoff_RestartsOncePerBackoffAndReportsDegraded()
    {
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            pipelines.hosting.restart { min-backoff = 10s, max-backoff = 10s, random-factor = 0 }
            """);
        var materialized = 0;
        var observer = new RecordingObserver();
        using var host = TestHosts.Build(
            config,
            akka => akka
                .WithPipeline("flaky", (_, _) => TestGraphs.Failing("boom", () => Interlocked.Increment(ref materialized)))
                .WithPipeline("steady", (_, _) => TestGraphs.Idle()),
            services => services.AddSingleton<IPipelineObserver>(observer));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var scheduler = (TestScheduler)host.Services.GetRequiredService<ActorSystem>().Scheduler;
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await Eventually.TrueAsync(() => registry.GetStatus("flaky").State == PipelineState.Restarting, what: "the first failure");

        // Each pipeline's first incarnation starts inside its restart stage, asynchronously.
        await Eventually.TrueAsync(() => registry.GetStatus("steady").State == PipelineState.Running, what: "the steady pipeline to run");
        registry.GetStatus("flaky").Restarts.Should().Be(0);
        materialized.Should().Be(1);
        var report = await health.CheckHealthAsync();
        report.Entries["pipeline-flaky"].Status.Should().Be(HealthStatus.Degraded);
        report.Entries["pipeline-flaky"].Description.Should().Contain("restarting").And.Contain("boom");
        report.Entries["pipeline-flaky"].Data["restarts"].Should().Be(0);
        report.Entries["pipeline-steady"].Status.Should().Be(HealthStatus.Healthy);

        // Just short of the backoff nothing restarts.
        scheduler.Advance(Backoff - TimeSpan.FromMilliseconds(100));
        materialized.Should().Be(1);

        // Each advance fires the backoff timer pending at that moment (the stage schedules it asynchronously after a
        // failure, so an advance may find none yet and the loop advances again). Once three restarts are seen the clock
        // stays put, so no further restart can begin: at the stop the pipeline waits in its backoff.
        await Eventually.TrueAsync(
            () =>
            {
                if (registry.GetStatus("flaky").Restarts >= 3)
                {
                    return true;
                }

                scheduler.Advance(Backoff);
                return false;
            },
            what: "three restarts");
        await Eventually.TrueAsync(() => registry.GetStatus("flaky").State == PipelineState.Restarting, what: "the latest failure");

        var status = registry.GetStatus("flaky");
        status.Restarts.Should().BeGreaterThanOrEqualTo(3);
        status.LastFailure.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
        registry.GetStatus("steady").Should().Match<PipelineStatus>(s => s.State == PipelineState.Running && s.Restarts == 0);
        observer.Events.Should().Contain("restarting flaky 0 boom");

        await host.StopAsync();
        var drained = await registry.Drained;
        drained.Should().HaveCount(2);
        drained[0].Should().Match<PipelineDrainResult>(r => r.Name == "flaky" && r.Outcome == PipelineDrainOutcome.NotRunning);
        var restarts = drained[0].Restarts;
        restarts.Should().BeGreaterThanOrEqualTo(3);
        materialized.Should().Be(restarts + 1, "every materialization after the first is a restart");
        observer.Events.Where(e => e.StartsWith("started flaky", StringComparison.Ordinal))
            .Should().Equal(Enumerable.Range(1, restarts + 1).Select(i => $"started flaky {i}"));
        drained[1].Should().Match<PipelineDrainResult>(r => r.Name == "steady" && r.Outcome == PipelineDrainOutcome.Drained);
        observer.Events.Should().Contain(["drained flaky NotRunning", "drained steady Drained"]);

        // A drain never restarts anything.
        scheduler.Advance(Backoff * 3);
        materialized.Should().Be(restarts + 1);
    }

    [Fact]
    public async Task FailingPipeline_MaxRestartsUsedUp_FailsAndReportsUnhealthy()
    {
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            pipelines.hosting.restart { min-backoff = 10s, max-backoff = 10s, random-factor = 0 }
            pipelines.pipelines.flaky.restart { max-restarts = 2, max-restarts-within = 1h }
            """);
        var materialized = 0;
        var observer = new RecordingObserver();
        using var host = TestHosts.Build(
            config,
            akka => akka.WithPipeline("flaky", (_, _) => TestGraphs.Failing("boom", () => Interlocked.Increment(ref materialized))),
            services => services.AddSingleton<IPipelineObserver>(observer));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var scheduler = (TestScheduler)host.Services.GetRequiredService<ActorSystem>().Scheduler;

        await Eventually.TrueAsync(
            () =>
            {
                scheduler.Advance(Backoff);
                return registry.GetStatus("flaky").State == PipelineState.Failed;
            },
            what: "the pipeline to fail for good");

        var status = registry.GetStatus("flaky");
        status.Restarts.Should().Be(2);
        materialized.Should().Be(3);
        status.LastFailure!.Message.Should().Be("boom");
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        report.Entries["pipeline-flaky"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["pipeline-flaky"].Description.Should().Contain("failed").And.Contain("boom");
        observer.Events.Should().ContainSingle(e => e.StartsWith("failed flaky", StringComparison.Ordinal));

        scheduler.Advance(Backoff * 3);
        materialized.Should().Be(3);
        await host.StopAsync();
        (await registry.Drained).Should().ContainSingle().Which.Should().Match<PipelineDrainResult>(r =>
            r.Outcome == PipelineDrainOutcome.NotRunning && r.State == PipelineState.Failed && r.Restarts == 2);
    }

    [Fact]
    public async Task FinitePipeline_StreamCompletes_StoppedWithoutRestartAndUnhealthy()
    {
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            pipelines.hosting.restart { min-backoff = 10s, max-backoff = 10s, random-factor = 0 }
            """);
        var materialized = 0;
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("batch", (_, _) => TestGraphs.Finite(() => Interlocked.Increment(ref materialized))));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var scheduler = (TestScheduler)host.Services.GetRequiredService<ActorSystem>().Scheduler;

        await Eventually.TrueAsync(() => registry.GetStatus("batch").State == PipelineState.Stopped, what: "the stream to complete");
        scheduler.Advance(Backoff * 3);

        materialized.Should().Be(1, "only failures restart a pipeline");
        registry.GetStatus("batch").Should().Match<PipelineStatus>(s => s.Restarts == 0 && s.LastFailure == null);
        var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["pipeline-batch"];
        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Contain("has stopped");
        await host.StopAsync();
        (await registry.Drained).Single().Outcome.Should().Be(PipelineDrainOutcome.NotRunning);
    }

    [Fact]
    public async Task ActorSystemTerminatedUnderARunningPipeline_FailedAndUnhealthy_NotLeftRunning()
    {
        // Without CoordinatedShutdown on Terminate (which would drain the pipelines first) the system ends under the stream.
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """);
        var observer = new RecordingObserver();
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("steady", (_, _) => TestGraphs.Idle()), services => services.AddSingleton<IPipelineObserver>(observer));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        await Eventually.TrueAsync(() => registry.GetStatus("steady").State == PipelineState.Running, what: "the pipeline to run");

        await host.Services.GetRequiredService<ActorSystem>().Terminate();

        await Eventually.TrueAsync(() => registry.GetStatus("steady").State == PipelineState.Failed, what: $"the pipeline to be reported failed (it is {registry.GetStatus("steady").State})");
        registry.GetStatus("steady").LastFailure.Should().NotBeNull();
        // Observers hear of it after the state is set, on the thread that saw the end.
        await Eventually.TrueAsync(() => observer.Events.Any(e => e.StartsWith("failed steady", StringComparison.Ordinal)), what: "the observers to hear OnFailed");
        var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["pipeline-steady"];
        entry.Status.Should().Be(HealthStatus.Unhealthy);
    }

    [Fact]
    public async Task GraphThrowsWhileMaterializing_RestartsWithBackoff()
    {
        var (config, _) = TestHosts.LoadConfig(TestHosts.VirtualTime + """
            pipelines.hosting.restart { min-backoff = 10s, max-backoff = 10s, random-factor = 0 }
            """);
        var attempts = 0;
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("broken", (_, _) => TestGraphs.Unmaterializable("no", () => Interlocked.Increment(ref attempts))));
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        var scheduler = (TestScheduler)host.Services.GetRequiredService<ActorSystem>().Scheduler;

        await Eventually.TrueAsync(() => registry.GetStatus("broken").State == PipelineState.Restarting, what: "the first attempt to fail");
        registry.GetStatus("broken").LastFailure!.Message.Should().Be("no");
        await Eventually.TrueAsync(
            () =>
            {
                scheduler.Advance(Backoff);
                return attempts >= 2;
            },
            what: "a second attempt");

        await host.StopAsync();
        var drained = (await registry.Drained).Single();
        drained.Outcome.Should().Be(PipelineDrainOutcome.NotRunning);
        drained.Restarts.Should().Be(attempts - 1);
    }
}
