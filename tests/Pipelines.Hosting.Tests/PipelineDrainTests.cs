using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// Pipelines on the embedded Kafka cluster under a generic host: stopping the host drains them (what was processed is
/// committed, nothing is lost or processed twice across a stop and a start), a restart re-delivers nothing beyond what was
/// in flight, and a drain that takes too long is reported as timed out.
/// </summary>
public sealed class PipelineDrainTests(KafkaClusterFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public async Task HostStop_WhileRecordsFlow_EverythingProcessedIsCommittedAndNothingLost()
    {
        const int Produced = 3000;
        var topic = await kafka.CreateTopicAsync(partitions: 3);
        var group = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, Produced);
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            pipelines.pipelines.orders { topic = "{{topic}}", group = "{{group}}", parallelism = 4 }
            """));
        var ledger = new KafkaPipelines.Ledger();

        // Once 300 records are processed, the first host's calls wait until its stop has begun: records are in flight
        // when the host stops, and the drain must finish and commit them.
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IHost Host() => TestHosts.Build(config, akka => akka.WithPipeline("orders", (system, settings) =>
            KafkaPipelines.Committing(system, settings, async record =>
            {
                if (ledger.Distinct >= 300)
                {
                    await stopping.Task;
                }
                else
                {
                    await Task.Yield();
                }

                ledger.Record(record);
            })));

        using (var first = Host())
        {
            await first.StartAsync();
            await Eventually.TrueAsync(() => ledger.Distinct >= 300, what: "300 records processed");
            var health = await first.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            health.Entries["pipeline-orders"].Status.Should().Be(HealthStatus.Healthy);
            var status = first.Services.GetRequiredService<IPipelineRegistry>().GetStatus("orders");
            status.State.Should().Be(PipelineState.Running);
            status.Metrics.RecordsReceived.Should().BeGreaterThanOrEqualTo(300, "the registry shows the current incarnation's consumer metrics");
            status.Metrics.Partitions.Should().HaveCount(3);

            var stop = first.StopAsync();
            stopping.TrySetResult();
            await stop;
            var drained = await first.Services.GetRequiredService<IPipelineRegistry>().Drained;
            drained.Should().ContainSingle().Which.Should().Match<PipelineDrainResult>(r =>
                r.Name == "orders" && r.Outcome == PipelineDrainOutcome.Drained && r.State == PipelineState.Stopped && r.Restarts == 0);
        }

        var processedBeforeStop = ledger.Snapshot();
        var committed = await kafka.GetCommittedOffsetsAsync(group, topic);
        output.WriteLine($"processed before the stop: {processedBeforeStop.Count} of {Produced}; committed: {string.Join(", ", committed.Select(c => $"{c.Partition.Value}@{c.Offset.Value}"))}");
        foreach (var partition in committed)
        {
            var processed = processedBeforeStop.Keys.Where(k => k.Partition == partition.Partition.Value).Select(k => k.Offset).ToHashSet();
            var position = Math.Max(partition.Offset.Value, 0);

            // Drained: every record processed before the stop is committed, and the committed position passes no record
            // that was not processed.
            processed.Should().BeEquivalentTo(Enumerable.Range(0, (int)position).Select(o => (long)o), $"partition {partition.Partition.Value} commits exactly what was processed");
        }

        using (var second = Host())
        {
            await second.StartAsync();
            await Eventually.TrueAsync(() => ledger.Distinct >= Produced, TimeSpan.FromSeconds(60), "every record processed");
            await second.StopAsync();
        }

        var lost = Produced - ledger.Distinct;
        output.WriteLine($"produced {Produced}, processed {ledger.Distinct}, duplicates {ledger.Duplicates}, lost {lost}");
        lost.Should().Be(0);
        ledger.Duplicates.Should().Be(0, "a drained pipeline committed everything it processed");
        (await kafka.GetCommittedOffsetsAsync(group, topic)).Sum(c => c.Offset.Value).Should().Be(Produced);
    }

    [Fact]
    public async Task FailingRecord_PipelineRestarts_RedeliversNothingBeyondWhatWasInFlight()
    {
        const int Produced = 500;
        const long FailAt = 200;
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, Produced);
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            pipelines.pipelines.orders { topic = "{{topic}}", group = "{{group}}" }
            """));
        var ledger = new KafkaPipelines.Ledger();
        var failed = 0;
        using var host = TestHosts.Build(config, akka => akka.WithPipeline("orders", (system, settings) =>
            KafkaPipelines.Committing(system, settings, record =>
            {
                if (record.Offset.Value == FailAt && Interlocked.Exchange(ref failed, 1) == 0)
                {
                    throw new InvalidOperationException($"record {FailAt} fails once");
                }

                ledger.Record(record);
                return Task.CompletedTask;
            })));

        await host.StartAsync();
        var registry = host.Services.GetRequiredService<IPipelineRegistry>();
        await Eventually.TrueAsync(() => ledger.Distinct >= Produced, TimeSpan.FromSeconds(60), "every record processed");
        var status = registry.GetStatus("orders");
        await host.StopAsync();

        output.WriteLine($"restarts {status.Restarts}, processed {ledger.Distinct}, duplicates {ledger.Duplicates}");
        status.Restarts.Should().Be(1);
        status.LastFailure!.Message.Should().Be($"record {FailAt} fails once");
        (Produced - ledger.Distinct).Should().Be(0, "nothing is lost");

        // One record at a time was in flight, the failing one, which was never processed: the committer committed
        // everything before it, so the next incarnation starts exactly there.
        ledger.Duplicates.Should().Be(0);
        (await kafka.GetCommittedOffsetsAsync(group, topic)).Single().Offset.Value.Should().Be(Produced);
        (await registry.Drained).Single().Outcome.Should().Be(PipelineDrainOutcome.Drained);
    }

    [Fact]
    public async Task HostStop_DrainExceedsTimeout_ReportedAsTimedOut()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var group = KafkaClusterFixture.NewGroupId();
        await kafka.ProduceBatchAsync(topic, 20);
        var (config, _) = TestHosts.LoadConfig(KafkaPipelines.Config(kafka, $$"""
            pipelines.pipelines.stuck { topic = "{{topic}}", group = "{{group}}", drain-timeout = 1s }
            pipelines.pipelines.quick { topic = "{{topic}}", group = "{{group}}-quick" }
            """));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = new RecordingObserver();
        using var host = TestHosts.Build(
            config,
            akka => akka
                .WithPipeline("stuck", (system, settings) => KafkaPipelines.Committing(system, settings, record =>
                {
                    if (record.Offset.Value != 5)
                    {
                        return Task.CompletedTask;
                    }

                    reached.TrySetResult();
                    return release.Task;
                }))
                .WithPipeline("quick", (system, settings) => KafkaPipelines.Committing(system, settings, _ => Task.CompletedTask)),
            services => services.AddSingleton<IPipelineObserver>(observer));

        try
        {
            await host.StartAsync();
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await host.StopAsync();

            var drained = await host.Services.GetRequiredService<IPipelineRegistry>().Drained;
            drained.Select(r => r.Name).Should().Equal("stuck", "quick");
            drained[0].Should().Match<PipelineDrainResult>(r =>
                r.Outcome == PipelineDrainOutcome.TimedOut && r.State == PipelineState.Draining && r.DrainTimeout == TimeSpan.FromSeconds(1));
            drained[1].Should().Match<PipelineDrainResult>(r =>
                r.Outcome == PipelineDrainOutcome.Drained && r.DrainTimeout == TimeSpan.FromSeconds(30));
            observer.Events.Should().Contain(["drained stuck TimedOut", "drained quick Drained"]);
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
