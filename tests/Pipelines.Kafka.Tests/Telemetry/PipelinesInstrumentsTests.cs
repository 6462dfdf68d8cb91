using OpenTelemetry;
using OpenTelemetry.Metrics;
using Pipelines.Telemetry;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>The hooks the retry route, the delay router and the host record through.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class PipelinesInstrumentsTests
{
    [Fact]
    public void RecordHooks_WithAListener_MeasureWithTheirUnitsAndTags()
    {
        using var meters = new MeterCapture();
        var topic = "hooks-" + Guid.NewGuid().ToString("N");

        PipelinesInstruments.RecordRetries(topic, "non-blocking", 3);
        PipelinesInstruments.RecordDeadLetters(topic, "System.FormatException");
        PipelinesInstruments.RecordDelayPending(topic, 5);
        PipelinesInstruments.RecordDelayPending(topic, -2);
        PipelinesInstruments.RecordDelayLateness(topic, TimeSpan.FromMilliseconds(250));
        PipelinesInstruments.RecordRestart(topic);

        meters.Of("pipelines.retries", TagNames.Topic, topic).Should().ContainSingle()
            .Which.Should().Match<MeterCapture.Measured>(m => m.Value == 3 && Equals(m.Tag(TagNames.RetryKind), "non-blocking"));
        meters.Of("pipelines.dead_letters", TagNames.Topic, topic).Should().ContainSingle()
            .Which.Tag(TagNames.ErrorType).Should().Be("System.FormatException");
        meters.Sum("pipelines.delay.pending", TagNames.Topic, topic).Should().Be(3);
        meters.Of("pipelines.delay.lateness", TagNames.Topic, topic).Should().ContainSingle()
            .Which.Should().Match<MeterCapture.Measured>(m => m.Value == 0.25 && m.Unit == "s");
        meters.Of("pipelines.pipeline.restarts", TagNames.Pipeline, topic).Should().ContainSingle().Which.Value.Should().Be(1);
    }

    [Fact]
    public void DurationHistograms_ExportedByOpenTelemetry_UseBucketsInSecondsFromAMillisecond()
    {
        var exported = new List<MetricSnapshot>();
        using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter(PipelinesTelemetry.MeterName).AddInMemoryExporter(exported).Build())
        {
            PipelinesInstruments.RecordDelayLateness("buckets-" + Guid.NewGuid().ToString("N"), TimeSpan.FromMilliseconds(3));
            provider.ForceFlush();
        }

        var lateness = exported.First(m => m.Name == "pipelines.delay.lateness");
        var bounds = new List<double>();
        foreach (var bucket in lateness.MetricPoints.Should().ContainSingle().Which.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        bounds.Should().StartWith([0.001, 0.0025, 0.005], "a 3 ms lateness falls in a bucket of its own, not in the SDK's default first bucket (0 to 5 s)");
    }
}
