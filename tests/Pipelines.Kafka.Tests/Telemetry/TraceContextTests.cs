using System.Diagnostics;
using System.Globalization;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Producer;
using Pipelines.Kafka.Tests.Support;
using Pipelines.Telemetry;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>W3C trace context carried in Kafka headers through a produce → consume → produce hop.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TraceContextTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private const int Count = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;
    private readonly IMaterializer _materializer;

    public TraceContextTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(TraceContextTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task TopicToTopic_TracedProcessing_OneTraceFollowsEachRecordThroughSendProcessSend()
    {
        using var spans = new ActivityCapture();
        var (source, target, group) = await TopicsAsync();
        var root = await ProduceUnderRootAsync(source);

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .SelectAsyncTraced(2, "copy", async m =>
            {
                // The record is made after an await: the process span flows with the function's execution context.
                await Task.Yield();
                return ProducerMessage.Single<string, string, ICommittable>(
                    new ProducerRecord<string, string>(target, m.Record.Message.Key, m.Record.Message.Value), m.CommittableOffset);
            })
            .ToMaterialized(KafkaProducer.CommittableSink(ProducerTestSettings.Strings(Kafka.BootstrapServers), KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);
        var copied = await Kafka.ConsumeAllAsync(target, Count, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var trace = spans.InTrace(root.TraceId);
        copied.Should().HaveCount(Count);
        foreach (var record in copied)
        {
            var context = KafkaTraceContext.Extract(record.Message.Headers);
            context.TraceId.Should().Be(root.TraceId, "the copied record carries the trace of the original produce");
            var sendTarget = trace.Should().ContainSingle(a => a.SpanId == context.SpanId).Which;
            sendTarget.DisplayName.Should().Be($"send {target}");
            sendTarget.Kind.Should().Be(ActivityKind.Producer);
            var process = trace.Should().ContainSingle(a => a.SpanId == sendTarget.ParentSpanId).Which;
            process.DisplayName.Should().Be("copy");
            process.Kind.Should().Be(ActivityKind.Consumer);
            process.GetTagItem(TagNames.Topic).Should().Be(source);
            process.GetTagItem(TagNames.Offset).Should().Be(record.Offset.Value, "one partition each, copied in order");
            var sendSource = trace.Should().ContainSingle(a => a.SpanId == process.ParentSpanId).Which;
            sendSource.DisplayName.Should().Be($"send {source}");
            sendSource.ParentSpanId.Should().Be(root.SpanId);
        }

        trace.Count(a => a.DisplayName == "copy").Should().Be(Count);
        trace.Count(a => a.DisplayName == $"send {source}").Should().Be(Count);
        trace.Count(a => a.DisplayName == $"send {target}").Should().Be(Count);
    }

    [Fact]
    public async Task TopicToTopic_UntracedProcessing_TheSendTakesTheConsumedRecordsContextAsParent()
    {
        using var spans = new ActivityCapture();
        var (source, target, group) = await TopicsAsync();
        var root = await ProduceUnderRootAsync(source);

        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .Select(m => ProducerMessage.Single<string, string, ICommittable>(
                new ProducerRecord<string, string>(target, m.Record.Message.Key, m.Record.Message.Value), m.CommittableOffset))
            .ToMaterialized(KafkaProducer.CommittableSink(ProducerTestSettings.Strings(Kafka.BootstrapServers), KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);
        var copied = await Kafka.ConsumeAllAsync(target, Count, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var trace = spans.InTrace(root.TraceId);
        foreach (var record in copied)
        {
            var context = KafkaTraceContext.Extract(record.Message.Headers);
            context.TraceId.Should().Be(root.TraceId);
            var sendTarget = trace.Should().ContainSingle(a => a.SpanId == context.SpanId).Which;
            var sendSource = trace.Should().ContainSingle(a => a.SpanId == sendTarget.ParentSpanId).Which;
            sendSource.DisplayName.Should().Be($"send {source}");
            sendSource.ParentSpanId.Should().Be(root.SpanId);
            record.Message.Headers.Count(h => h.Key == "traceparent").Should().Be(1, "the copied record's old trace header was replaced, not kept beside the new one");
        }
    }

    [Fact]
    public async Task NoListener_NoActivityIsCreatedAndNoTraceHeaderWritten()
    {
        ProducerTelemetry.IsTracing.Should().BeFalse("nothing listens to the Pipelines source in this test");
        using var other = new ActivitySource("Pipelines.Tests.Unrelated");
        using var otherListener = new ActivityListener
        {
            ShouldListenTo = s => s == other,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(otherListener);
        var (source, _, group) = await TopicsAsync();

        using (other.StartActivity("unrelated request"))
        {
            var records = Enumerable.Range(0, Count).Select(i => new ProducerRecord<string, string>(source, "k", Text(i))).ToList();
            records.Should().OnlyContain(r => r.Parent == null, "a record remembers its activity only while the Pipelines source is traced");
            await Source.From(records).RunWith(KafkaProducer.PlainSink(ProducerTestSettings.Strings(Kafka.BootstrapServers)), _materializer).WaitAsync(Patience);
        }

        var seenInside = new List<Activity?>();
        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .SelectAsyncTraced(1, "process", m =>
            {
                lock (seenInside)
                {
                    seenInside.Add(Activity.Current);
                }

                return Task.FromResult(m.CommittableOffset);
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer()), Keep.Both)
            .Run(_materializer);
        await Eventually.TrueAsync(
            () =>
            {
                lock (seenInside)
                {
                    return seenInside.Count == Count;
                }
            },
            Patience,
            "every record processed");
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        seenInside.Should().HaveCount(Count).And.OnlyContain(a => a == null, "no process span is made without listeners");
        (await Kafka.ConsumeAllAsync(source, Count, Patience)).Should().OnlyContain(r => r.Message.Headers == null || !r.Message.Headers.Any(h => h.Key == "traceparent"));
    }

    [Fact]
    public void Extract_HeadersWithoutOrWithMalformedContext_GiveTheDefaultContext()
    {
        KafkaTraceContext.Extract(null).Should().Be(default(ActivityContext));
        KafkaTraceContext.Extract([]).Should().Be(default(ActivityContext));
        KafkaTraceContext.Extract([new Header("traceparent", Encoding.UTF8.GetBytes("not-a-trace-parent"))]).Should().Be(default(ActivityContext));
    }

    [Fact]
    public void InjectThenExtract_AnActivity_GivesItsContextAsRemote()
    {
        using var spans = new ActivityCapture();
        using var activity = ActivityCapture.TestSource.StartActivity("inject")!;
        activity.TraceStateString = "vendor=abc";
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") } };

        KafkaTraceContext.Inject(activity, headers);
        var extracted = KafkaTraceContext.Extract(headers);

        headers.Count(h => h.Key == "traceparent").Should().Be(1);
        extracted.TraceId.Should().Be(activity.TraceId);
        extracted.SpanId.Should().Be(activity.SpanId);
        extracted.TraceState.Should().Be("vendor=abc");
        extracted.IsRemote.Should().BeTrue();
    }

    private static string Text(int i) => i.ToString(CultureInfo.InvariantCulture);

    private async Task<(string Source, string Target, string Group)> TopicsAsync() =>
        (await Kafka.CreateTopicAsync(partitions: 1), await Kafka.CreateTopicAsync(partitions: 1), KafkaClusterFixture.NewGroupId());

    /// <summary>Produces the test records with a PlainSink, each made inside a root span of the test; returns that span.</summary>
    private async Task<Activity> ProduceUnderRootAsync(string topic)
    {
        using var root = ActivityCapture.TestSource.StartActivity("test root")!;
        var records = Enumerable.Range(0, Count).Select(i => new ProducerRecord<string, string>(topic, "k", Text(i))).ToList();
        await Source.From(records).RunWith(KafkaProducer.PlainSink(ProducerTestSettings.Strings(Kafka.BootstrapServers)), _materializer).WaitAsync(Patience);
        return root;
    }
}
