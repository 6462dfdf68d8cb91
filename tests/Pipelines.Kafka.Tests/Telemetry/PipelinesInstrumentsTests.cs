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
}
