using System.Collections.Concurrent;
using System.Diagnostics;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>W3C trace context through the broker: one trace from the publisher's activity to the handler's span.</summary>
public sealed class KafkaBrokerTracingTests(KafkaClusterFixture kafka, ITestOutputHelper output) : BrokerSpec(kafka, output)
{
    private static readonly ActivitySource TestSource = new("Pipelines.FrontDoors.Tests.Broker");

    public sealed record Ping(int Number);

    [Fact]
    public async Task PublishThenSubscribe_OneTraceCrossesTheHop_HandlerRunsInAProcessSpanUnderTheSendSpan()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name is PipelinesTelemetry.ActivitySourceName or "Pipelines.FrontDoors.Tests.Broker",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var topic = await CreateTopicAsync(partitions: 1);
        var broker = Broker();
        var inHandler = new ConcurrentQueue<(ActivityTraceId Trace, ActivitySpanId Parent, string Name, ActivityKind Kind)>();
        broker.Subscribe<Ping>(topic, CreateGroupId(), (e, _) =>
        {
            var current = Activity.Current!;
            inHandler.Enqueue((current.TraceId, current.ParentSpanId, current.OperationName, current.Kind));
            return Task.CompletedTask;
        });

        ActivityTraceId trace;
        using (var request = TestSource.StartActivity("handle request"))
        {
            trace = request!.TraceId;
            await broker.PublishAsync(topic, new Ping(1));
        }

        await Eventually.TrueAsync(() => !inHandler.IsEmpty, Patience, "the ping handled");
        var handled = inHandler.Single();
        handled.Trace.Should().Be(trace, "the publisher's trace continues in the subscriber");
        handled.Name.Should().Be("process " + topic);
        handled.Kind.Should().Be(ActivityKind.Consumer);
        await Eventually.TrueAsync(() => stopped.Any(a => a.OperationName == "send " + topic && a.TraceId == trace), Patience, "the send span ended");
        var send = stopped.Single(a => a.OperationName == "send " + topic && a.TraceId == trace);
        send.Kind.Should().Be(ActivityKind.Producer);
        handled.Parent.Should().Be(send.SpanId, "the handler's span is a child of the publish's send span, whose context went in the headers");
        stopped.Single(a => a.OperationName == "handle request").SpanId.Should().Be(send.ParentSpanId, "the send span's parent is the publisher's activity");
    }
}
