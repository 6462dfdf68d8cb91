using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Hosting.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// Health checks of pipelines on the embedded Kafka cluster whose processing is stuck on one record while the topic holds
/// many more: Unhealthy for a lag over <c>health.max-lag</c>, and Unhealthy once no progress was seen for
/// <c>health.stall-window</c> on the service provider's clock (a <see cref="FakeTimeProvider"/> here).
/// </summary>
public sealed class PipelineHealthTests(KafkaClusterFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaClusterFixture>
{
    private const int Produced = 1000;

    [Fact]
    public async Task StuckPipeline_LagOverMaxLag_Unhealthy()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, _) = await StartStuckAsync("health.max-lag = 100", release.Task, null);
        using (host)
        {
            try
            {
                var checks = host.Services.GetRequiredService<HealthCheckService>();
                HealthReportEntry entry = default;
                await Eventually.TrueAsync(
                    async () =>
                    {
                        entry = (await checks.CheckHealthAsync()).Entries["pipeline-orders"];
                        return entry.Status == HealthStatus.Unhealthy;
                    },
                    TimeSpan.FromSeconds(60),
                    "the lag to pass 100");

                output.WriteLine(entry.Description);
                entry.Description.Should().Contain("over its limit of 100").And.Contain("health.max-lag");
                ((long)entry.Data["lag"]).Should().BeGreaterThan(100);
                entry.Data["state"].Should().Be("Running");
                var status = host.Services.GetRequiredService<IPipelineRegistry>().GetStatus("orders");
                status.State.Should().Be(PipelineState.Running);
                status.Lag.Should().BeGreaterThan(100);
            }
            finally
            {
                release.TrySetResult();
                await host.StopAsync();
            }
        }
    }

    [Fact]
    public async Task StuckPipeline_NoProgressForStallWindow_UnhealthyAsStalled()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var (host, _) = await StartStuckAsync("health.stall-window = 5m", release.Task, time);
        using (host)
        {
            try
            {
                var checks = host.Services.GetRequiredService<HealthCheckService>();

                // Progress seen at a look restarts the window; the consumer stops moving once its buffer is full.
                var registry = host.Services.GetRequiredService<IPipelineRegistry>();
                await Eventually.TrueAsync(() => registry.GetStatus("orders").State == PipelineState.Running, what: "the pipeline to run");
                var first = (await checks.CheckHealthAsync()).Entries["pipeline-orders"];
                first.Status.Should().Be(HealthStatus.Healthy, first.Description);
                HealthReportEntry entry = default;
                await Eventually.TrueAsync(
                    async () =>
                    {
                        time.Advance(TimeSpan.FromMinutes(5));
                        entry = (await checks.CheckHealthAsync()).Entries["pipeline-orders"];
                        return entry.Status == HealthStatus.Unhealthy;
                    },
                    TimeSpan.FromSeconds(60),
                    "the pipeline to be reported stalled");

                output.WriteLine(entry.Description);
                entry.Description.Should().Contain("stalled").And.Contain("health.stall-window");
                ((long)entry.Data["lag"]).Should().BeGreaterThan(0);
                ((DateTimeOffset)entry.Data["last-progress"]).Should().BeBefore(time.GetUtcNow());

                // Once records move again, the next look sees progress.
                release.TrySetResult();
                await Eventually.TrueAsync(
                    async () => (await checks.CheckHealthAsync()).Entries["pipeline-orders"].Status == HealthStatus.Healthy,
                    TimeSpan.FromSeconds(60),
                    "the pipeline to be healthy again");
            }
            finally
            {
                release.TrySetResult();
                await host.StopAsync();
            }
        }
    }

    private async Task<(IHost Host, string Topic)> StartStuckAsync(string health, Task release, TimeProvider? time)
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, Produced);
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            pipelines.pipelines.orders { topic = "{{topic}}", group = "{{group}}", {{health}} }
            """));
        var host = TestHosts.Build(
            config,
            akka => akka.WithPipeline("orders", (system, settings) =>
                KafkaPipelines.Committing(system, settings, record => record.Offset.Value >= 10 ? release : Task.CompletedTask)),
            services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }
            });
        await host.StartAsync();
        return (host, topic);
    }
}
