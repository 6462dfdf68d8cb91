using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Akka.TestKit;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>
/// The producer stages' ordering, bounds, completion and failure handling, with deliveries reported when the test says,
/// on virtual time (Akka.TestKit's TestScheduler).
/// </summary>
public sealed class ProducerStageTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "orders";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly IMaterializer _materializer;
    private readonly ControlledProducer<string, string> _producer = new();
    private readonly LogCapture _log;

    public ProducerStageTests(ITestOutputHelper output)
        : base(AkkaTestConfig.VirtualTime, nameof(ProducerStageTests), output)
    {
        // The tests build Confluent errors, whose texts come from librdkafka.
        Confluent.Kafka.Library.Load();
        _materializer = Sys.Materializer();
        _log = LogCapture.Start(Sys);
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task FlexiFlow_DeliveriesReportedInReverse_EmitsResultsInInputOrder()
    {
        var envelopes = Enumerable.Range(0, 5).Select(i => ProducerMessage.Single(Record(i), i));
        var run = Source.From(envelopes).Via(Flexi(parallelism: 5)).RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        var sent = await _producer.NextAsync(5);
        foreach (var s in sent.Reverse())
        {
            _producer.Deliver(s);
        }

        var results = await run.WaitAsync(Patience);
        results.Select(r => r.PassThrough).Should().Equal(0, 1, 2, 3, 4);
        results.Cast<Result<string, string, int>>().Select(r => r.Record.Value).Should().Equal("v0", "v1", "v2", "v3", "v4");
        results.Cast<Result<string, string, int>>().Select(r => r.Offset).Should().Equal(new long[] { 4, 3, 2, 1, 0 }, "the offsets follow the order the deliveries were reported in");
    }

    [Fact]
    public async Task PlainSink_TwentyRecordsWithParallelismFour_NeverMoreThanFourUnacknowledged()
    {
        var run = Source.From(Enumerable.Range(0, 20).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 4), _producer), _materializer);

        for (var delivered = 0; delivered < 20;)
        {
            // The stage sends up to the bound on its own; it may only send more once something is acknowledged.
            var batch = await _producer.NextAsync(4);
            foreach (var s in batch)
            {
                _producer.Deliver(s);
            }

            delivered += batch.Count;
        }

        await run.WaitAsync(Patience);
        _producer.MaxOutstanding.Should().Be(4);
    }

    [Fact]
    public async Task PlainSink_ManyMoreRecordsThanOnePushTakes_NeverExceedsTheBoundAndSendsInInputOrder()
    {
        // A synchronous source lets the stage take records in runs; the runs must stop at the bound and resume after it.
        const int count = 700;
        const int parallelism = 300;
        var run = Source.From(Enumerable.Range(0, count).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism), _producer), _materializer);

        var values = new List<string>();
        for (var delivered = 0; delivered < count;)
        {
            var batch = await _producer.NextAsync(Math.Min(parallelism, count - delivered));
            foreach (var s in batch)
            {
                values.Add(s.Message.Value);
                _producer.Deliver(s);
            }

            delivered += batch.Count;
        }

        await run.WaitAsync(Patience);
        _producer.MaxOutstanding.Should().Be(parallelism);
        values.Should().Equal(Enumerable.Range(0, count).Select(i => $"v{i}"));
    }

    [Fact]
    public async Task FlexiFlow_ManyMoreEnvelopesThanOnePushTakes_EmitsEveryResultInInputOrder()
    {
        const int count = 600;
        var envelopes = Enumerable.Range(0, count).Select(i => ProducerMessage.Single(Record(i), i));
        var run = Source.From(envelopes).Via(Flexi(parallelism: count)).RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        var sent = await _producer.NextAsync(count);
        foreach (var s in sent.Reverse())
        {
            _producer.Deliver(s);
        }

        var results = await run.WaitAsync(Patience);
        results.Select(r => r.PassThrough).Should().Equal(Enumerable.Range(0, count));
        results.Cast<Result<string, string, int>>().Select(r => r.Record.Value).Should().Equal(Enumerable.Range(0, count).Select(i => $"v{i}"));
        results.Cast<Result<string, string, int>>().Select(r => r.Metadata.Topic).Should().AllBe(Topic);
    }

    [Fact]
    public async Task FlexiFlow_MultiMessageLargerThanParallelism_SendsAsDeliveriesFreeUpAndEmitsOneResult()
    {
        var records = Enumerable.Range(0, 5).Select(i => new ProducerRecord<string, string>(Topic, new Partition(i % 2), $"k{i}", $"v{i}")).ToList();
        var run = Source.From(new[] { ProducerMessage.Multi(records, "batch") }).Via(Flexi<string>(parallelism: 2))
            .RunWith(Sink.Seq<IResults<string, string, string>>(), _materializer);

        for (var i = 0; i < 5; i++)
        {
            _producer.Deliver(await _producer.NextAsync());
        }

        var result = (await run.WaitAsync(Patience)).Should().ContainSingle().Which.Should().BeOfType<MultiResult<string, string, string>>().Which;
        result.PassThrough.Should().Be("batch");
        result.Parts.Select(p => p.Record).Should().Equal(records);
        result.Parts.Select(p => p.Metadata.Partition).Should().Equal(0, 1, 0, 1, 0);
        result.Parts.Select(p => p.Metadata.Offset).Should().Equal(0, 0, 1, 1, 2);
        _producer.MaxOutstanding.Should().Be(2);
    }

    [Fact]
    public async Task FlexiFlow_PassThroughEnvelopes_EmittedInOrderBetweenProducedOnes()
    {
        var envelopes = new[]
        {
            ProducerMessage.Single(Record(0), 0),
            ProducerMessage.PassThrough<string, string, int>(1),
            ProducerMessage.Single(Record(2), 2),
            ProducerMessage.PassThrough<string, string, int>(3),
        };
        var run = Source.From(envelopes).Via(Flexi(parallelism: 10)).RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        var sent = await _producer.NextAsync(2);
        _producer.Deliver(sent[1]);
        _producer.Deliver(sent[0]);

        var results = await run.WaitAsync(Patience);
        results.Select(r => r.PassThrough).Should().Equal(0, 1, 2, 3);
        results[1].Should().BeOfType<PassThroughResult<string, string, int>>();
        results[3].Should().BeOfType<PassThroughResult<string, string, int>>();
        sent.Select(s => s.Message.Value).Should().Equal("v0", "v2");
    }

    [Fact]
    public async Task FlexiFlow_UpstreamCompletesWithDeliveriesOutstanding_CompletesOnlyAfterTheLastDelivery()
    {
        var emitted = new ConcurrentQueue<int>();
        var run = Source.From(Enumerable.Range(0, 5).Select(i => ProducerMessage.Single(Record(i), i)))
            .Via(Flexi(parallelism: 10))
            .RunWith(Sink.ForEach<IResults<string, string, int>>(r => emitted.Enqueue(r.PassThrough)), _materializer);
        var sent = await _producer.NextAsync(5);

        // Upstream completed right after its last element, in the same run as the last send; the stage must wait anyway.
        foreach (var s in sent.Take(4))
        {
            _producer.Deliver(s);
        }

        await Eventually.TrueAsync(() => emitted.Count == 4, Patience);
        run.IsCompleted.Should().BeFalse("the last record is not acknowledged yet");

        _producer.Deliver(sent[4]);
        await run.WaitAsync(Patience);
        emitted.Should().Equal(0, 1, 2, 3, 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100_000)]
    public async Task PlainSink_ReportsRacingTheStageFromAnotherThread_NoWakeUpIsLostAndEveryRecordIsAwaited(int parallelism)
    {
        // Reports arrive the moment records are sent, on another thread, while the stage decides whether it waits for them:
        // at the bound (1, 3) it waits on every few records, within it (100,000) only once upstream has completed.
        const int count = 20_000;
        using var stop = new CancellationTokenSource();
        var delivered = 0;
        var reporter = Task.Run(async () =>
        {
            await foreach (var sent in _producer.Produced.ReadAllAsync(stop.Token))
            {
                // Counted before it is reported, so that the count is complete when the sink completes.
                Interlocked.Increment(ref delivered);
                _producer.Deliver(sent);
            }
        });

        await Source.From(Enumerable.Range(0, count).Select(Record))
            .RunWith(KafkaProducer.PlainSink(Settings(parallelism), _producer), _materializer)
            .WaitAsync(Patience);

        Volatile.Read(ref delivered).Should().Be(count, "the sink completes only once every record is reported");
        _producer.MaxOutstanding.Should().BeLessThanOrEqualTo(parallelism);
        await stop.CancelAsync();
        await reporter.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task PlainSink_UpstreamCompletesWithDeliveriesOutstanding_CompletesAfterTheLastDelivery()
    {
        var run = Source.From(Enumerable.Range(0, 3).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);
        var sent = await _producer.NextAsync(3);
        _producer.Deliver(sent[0]);
        _producer.Deliver(sent[2]);

        run.IsCompleted.Should().BeFalse("a record is still unacknowledged");
        _producer.Deliver(sent[1]);
        await run.WaitAsync(Patience);
        _producer.Produced.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task PlainSink_LaterDeliveryReportedFirst_FreesItsPlaceWhileTheEarlierIsOutstanding()
    {
        var run = Source.From(Enumerable.Range(0, 4).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 2), _producer), _materializer);
        var first = await _producer.NextAsync(2);

        // A sink has no results to keep in order, so record 0 being outstanding does not hold back the others.
        _producer.Deliver(first[1]);
        var third = await _producer.NextAsync();
        _producer.Deliver(third);
        var fourth = await _producer.NextAsync();
        run.IsCompleted.Should().BeFalse("records 0 and 3 are unacknowledged");

        _producer.Deliver(fourth);
        _producer.Deliver(first[0]);
        await run.WaitAsync(Patience);
        new[] { third.Message.Value, fourth.Message.Value }.Should().Equal("v2", "v3");
        _producer.MaxOutstanding.Should().Be(2);
    }

    [Fact]
    public async Task PlainSink_DeliveryReportedFailed_FailsNamingTheRecordsTopicKeyValueAndHeaders()
    {
        var record = new ProducerRecord<string, string>(Topic, "k7", "v7") { Headers = [new Header("trace", [1, 2, 3])] };
        var run = Source.Single(record).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);

        _producer.Deliver(await _producer.NextAsync(), ErrorCode.Local_MsgTimedOut);

        var failure = (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        failure.Error.Code.Should().Be(ErrorCode.Local_MsgTimedOut);
        failure.Topic.Should().Be(Topic);
        failure.Partition.Should().Be(new Partition(0));
        failure.Record.Key.Should().Be("k7");
        failure.Record.Value.Should().Be("v7");
        failure.Record.Headers.GetLastBytes("trace").Should().Equal(1, 2, 3);
        failure.Message.Should().Contain($"topic \"{Topic}\" partition 0").And.Contain("message.timeout.ms");
    }

    [Fact]
    public async Task PlainSink_LastDeliveryFailsAfterUpstreamCompleted_FailsInsteadOfCompleting()
    {
        var run = Source.From(Enumerable.Range(0, 2).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);
        var sent = await _producer.NextAsync(2);
        _producer.Deliver(sent[0]);

        _producer.Deliver(sent[1], ErrorCode.MsgSizeTooLarge);

        (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>())
            .Which.Record.Value.Should().Be("v1");
    }

    [Fact]
    public async Task PlainSink_DeliveryFailsUnderResumingDecider_SkipsThatRecordAndCompletes()
    {
        var run = Source.From(Enumerable.Range(0, 3).Select(Record))
            .RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)), _materializer);
        var sent = await _producer.NextAsync(3);

        _producer.Deliver(sent[1], ErrorCode.MsgSizeTooLarge);
        _producer.Deliver(sent[0]);
        _producer.Deliver(sent[2]);

        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task FlexiFlow_LaterDeliveryFailsWhileEarlierOutstanding_FailsAtOnceNamingTopicPartitionAndReason()
    {
        var records = Enumerable.Range(0, 3).Select(i => new ProducerRecord<string, string>(Topic, new Partition(3), $"k{i}", $"v{i}")).ToList();
        var run = Source.From(records.Select((r, i) => ProducerMessage.Single(r, i))).Via(Flexi(parallelism: 10))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);
        var sent = await _producer.NextAsync(3);

        _producer.Deliver(sent[2], ErrorCode.TopicAuthorizationFailed);

        var failure = (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        failure.Record.Should().BeSameAs(records[2]);
        failure.Error.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        failure.Message.Should().Be(
            "Producing a record to topic \"orders\" partition 3 failed: Broker: Topic authorization failed (TopicAuthorizationFailed). "
            + "The client may not write to this topic: grant it WRITE on the topic or use other credentials.");
        sent[0].Reported.Should().BeFalse("the failure was acted on before the earlier records were acknowledged");
    }

    [Fact]
    public async Task FlexiFlow_DeliveryFailsUnderResumingDecider_DropsThatEnvelopeOnly()
    {
        var run = Source.From(Enumerable.Range(0, 5).Select(i => ProducerMessage.Single(Record(i), i)))
            .Via(Flexi(parallelism: 10).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        foreach (var s in await _producer.NextAsync(5))
        {
            _producer.Deliver(s, s.Index == 2 ? ErrorCode.MsgSizeTooLarge : ErrorCode.NoError);
        }

        (await run.WaitAsync(Patience)).Select(r => r.PassThrough).Should().Equal(0, 1, 3, 4);
    }

    [Fact]
    public async Task PlainSink_SendThrowsUnderResumingDecider_SkipsThatRecordAndSendsTheRest()
    {
        _producer.RefuseNext(new ProduceException<string, string>(new Error(ErrorCode.MsgSizeTooLarge), new DeliveryResult<string, string>()));
        var run = Source.From(Enumerable.Range(0, 3).Select(Record))
            .RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider)), _materializer);

        var sent = await _producer.NextAsync(2);
        foreach (var s in sent)
        {
            _producer.Deliver(s);
        }

        await run.WaitAsync(Patience);
        sent.Select(s => s.Message.Value).Should().Equal("v1", "v2");
        _producer.Refused.Should().Be(1);
    }

    [Fact]
    public async Task PlainSink_ClientQueueFull_RetriesUntilTheClientAcceptsTheRecord()
    {
        _producer.RefuseNext(new KafkaException(ErrorCode.Local_QueueFull));
        _producer.RefuseNext(new KafkaException(ErrorCode.Local_QueueFull));
        var run = Source.From(Enumerable.Range(0, 3).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);

        for (var retry = 1; retry <= 2; retry++)
        {
            // The stage logs the retry once its timer is set; only then does moving the clock fire it.
            await Eventually.TrueAsync(() => _log.Count("the client's queue is full") >= retry, Patience);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var sent = await _producer.NextAsync(3);
        foreach (var s in sent)
        {
            _producer.Deliver(s);
        }

        await run.WaitAsync(Patience);
        _producer.Refused.Should().Be(2);
        sent.Select(s => s.Message.Value).Should().Equal("v0", "v1", "v2");
    }

    [Fact]
    public async Task PlainSink_DeliveriesOutstandingPastFlushTimeout_FailsWithATimeoutSayingHowManyAreMissing()
    {
        var settings = Settings(parallelism: 10).WithFlushTimeout(TimeSpan.FromSeconds(5));
        var run = Source.From(Enumerable.Range(0, 3).Select(Record)).RunWith(KafkaProducer.PlainSink(settings, _producer), _materializer);
        var sent = await _producer.NextAsync(3);
        _producer.Deliver(sent[0]);

        // The stage logs the wait once its flush-timeout timer is set; only then does moving the clock count.
        await Eventually.TrueAsync(() => _log.Count("waiting up to 00:00:05 (flush-timeout)") == 1, Patience);
        Clock.Advance(TimeSpan.FromSeconds(4));
        run.IsCompleted.Should().BeFalse("the flush timeout has not passed yet");
        Clock.Advance(TimeSpan.FromSeconds(1));

        (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<TimeoutException>())
            .Which.Message.Should().StartWith("2 record(s) were still not acknowledged 00:00:05 (flush-timeout) after upstream completed");
    }

    [Fact]
    public async Task PlainSink_SharedProducer_IsNeitherFlushedNorDisposedOnSuccessOrFailure()
    {
        var ok = Source.From(Enumerable.Range(0, 2).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);
        foreach (var s in await _producer.NextAsync(2))
        {
            _producer.Deliver(s);
        }

        await ok.WaitAsync(Patience);
        var failing = Source.From(Enumerable.Range(0, 1).Select(Record)).RunWith(KafkaProducer.PlainSink(Settings(parallelism: 10), _producer), _materializer);
        _producer.Deliver(await _producer.NextAsync(), ErrorCode.Local_MsgTimedOut);
        await failing.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>();

        _producer.IsDisposed.Should().BeFalse();
        _producer.FlushCalls.Should().Be(0);
    }

    [Fact]
    public async Task FlexiFlow_UnsupportedEnvelope_FailsWithErrorNamingTheFactories()
    {
        var run = Source.From(new IEnvelope<string, string, int>[] { new ForeignEnvelope() }).Via(Flexi(parallelism: 1))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        (await run.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<ArgumentException>())
            .Which.Message.Should().Contain(nameof(ForeignEnvelope)).And.Contain("ProducerMessage.Single, Multi or PassThrough");
    }

    private static ProducerRecord<string, string> Record(int i) => new(Topic, $"k{i}", $"v{i}");

    private static ProducerSettings<string, string> Settings(int parallelism) => ProducerTestSettings.ForSharedProducer(parallelism);

    private Flow<IEnvelope<string, string, TPass>, IResults<string, string, TPass>, NotUsed> Flexi<TPass>(int parallelism) =>
        KafkaProducer.FlexiFlow<string, string, TPass>(Settings(parallelism), _producer);

    private Flow<IEnvelope<string, string, int>, IResults<string, string, int>, NotUsed> Flexi(int parallelism) => Flexi<int>(parallelism);

    private sealed class ForeignEnvelope : IEnvelope<string, string, int>
    {
        public int PassThrough => 0;
    }
}
