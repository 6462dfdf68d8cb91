using System.Globalization;
using System.Text.RegularExpressions;
using Akka;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting;
using Pipelines.Host.View;
using Pipelines.Kafka;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>The view of a real hosted pipeline on the embedded cluster: its meter series joined with the registry.</summary>
public sealed partial class LiveViewPipelineTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HostedPipeline_RecordsConsumedAndCommitted_ShowsItsRowThenTotalsAndTheDrainInTheSummary()
    {
        const int Records = 300;
        var topic = await kafka.CreateTopicAsync(partitions: 3);
        await kafka.ProduceBatchAsync(topic, Records);
        // The consumer has no client.id, so its group id names its meter series: the pipeline's name.
        var name = "view-" + Guid.NewGuid().ToString("N")[..12];
        var config = PipelinesConfiguration.ParseString($$"""
            akka.loglevel = WARNING
            akka.kafka.consumer.kafka-clients {
              bootstrap.servers = "{{kafka.BootstrapServers}}"
              auto.offset.reset = earliest
              session.timeout.ms = 6000
              fetch.wait.max.ms = 50
            }
            akka.kafka.committer { max-batch = 50, max-interval = 100ms }
            pipelines.view { interval = 100ms, mode = lines }
            """).WithFallback(PipelinesConfiguration.Reference());
        var processed = 0;
        using var output = new ConcurrentOutput();
        var builder = global::Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Services.AddPipelines("view-test", config, akka => akka.WithPipeline(name, (system, _) =>
            KafkaConsumer.CommittableSource(ConsumerSettings<string, string>.Create(system, null, null).WithGroupId(name), Subscriptions.Topics(topic))
                .Select(m =>
                {
                    Interlocked.Increment(ref processed);
                    return m.CommittableOffset;
                })
                .ToMaterialized(Committer.Sink<ICommittableOffset>(CommitterSettings.Create(system)), DrainingControl<Done>.Create)));
        builder.Services.AddLiveView(LiveViewSettings.Create(config), output, isTerminal: false, PipelinesTelemetry.MeterName);
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Patience);
        await Eventually.TrueAsync(() => Volatile.Read(ref processed) >= Records, Patience, "every record processed");

        // The view's lines may all have been written before the records were consumed; the one after shows them as a rate.
        await Eventually.TrueAsync(
            () => InRates(output, name).Any(rate => rate > 0),
            Patience,
            "a VIEW line with the pipeline's consumption as a rate");
        await host.StopAsync().WaitAsync(Patience);

        var rows = ViewLines(output).Select(l => Row(l, name)).Where(r => r is not null).ToList();
        rows.Should().Contain(r => r!.StartsWith($"{name} state=running ", StringComparison.Ordinal), "the running pipeline has its row");
        InRates(output, name).Sum().Should().BeGreaterThan(0, "the pipeline's consumption shows as a rate in some interval");
        var summary = output.Lines[^1];
        summary.Should().StartWith("VIEW summary t=");
        Row(summary, name).Should().Be($"{name} state=stopped consumed={Records} produced=— committed={Records} restarts=0 failures=0 drain=drained");
        processed.Should().Be(Records, "nothing lost, nothing processed twice");
    }

    private static IEnumerable<string> ViewLines(ConcurrentOutput output) =>
        output.Lines.Where(l => l.StartsWith("VIEW t=", StringComparison.Ordinal)).ToList();

    // The in-rates the pipeline's rows show, one per VIEW line that has one.
    private static IEnumerable<double> InRates(ConcurrentOutput output, string name) =>
        ViewLines(output).Select(l => Row(l, name)).Where(r => r is not null).Select(r => InRate().Match(r!)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    // The segment of one pipeline in a VIEW line.
    private static string? Row(string line, string name) =>
        line.Split(" | ").Select(s => s.StartsWith("VIEW ", StringComparison.Ordinal) ? s[(s.IndexOf(' ', s.IndexOf("t=", StringComparison.Ordinal)) + 1)..] : s)
            .FirstOrDefault(s => s.StartsWith(name + " ", StringComparison.Ordinal));

    [GeneratedRegex(@" in=([0-9.]+)/s ")]
    private static partial Regex InRate();
}
