using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Delay.Tests.Router;

/// <summary>
/// How a router records its deliveries: many to a record while earlier records are being written, and a routed record
/// leaves (towards its commit) only once the record naming it is acknowledged. Acknowledgements are the test's to give.
/// </summary>
public sealed class DeliveredFactsFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "pipelines-delay-cancellations";
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly DelayTier Tier = new DelayTiers(DelaySettings.Default).Smallest;
    private readonly ControlledProducer<byte[], byte[]> _producer = new();
    private readonly TestPublisher.Probe<RoutedRecord> _upstream;
    private readonly TestSubscriber.Probe<RoutedRecord> _downstream;

    public DeliveredFactsFlowTests(ITestOutputHelper output)
        : base("akka.loglevel = WARNING", nameof(DeliveredFactsFlowTests), output)
    {
        Confluent.Kafka.Library.Load();
        var settings = ProducerSettings<byte[], byte[]>.Create(PipelinesConfiguration.Reference(), null, null);

        // One element at a time across the probe's boundary, so that the probe's next demand shows the flow took the last.
        (_upstream, _downstream) = this.SourceProbe<RoutedRecord>()
            .Via(DeliveredFactsFlow.Create(Topic, settings, _producer, Sys.Scheduler))
            .ToMaterialized(this.SinkProbe<RoutedRecord>(), Keep.Both)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(Sys.Materializer());
        _downstream.Request(1000);
    }

    [Fact]
    public async Task Deliveries_WhileFourRecordsAreInFlight_GatherIntoOne_AndLeaveInOrderOnceAcknowledged()
    {
        var first = Send(4, RouteAction.Deliver);
        var sent = await _producer.NextAsync(4);
        sent.Select(s => Ids(s.Message)).Should().Equal(first.Select(r => new[] { r.Envelope.Id }), (a, b) => a.SequenceEqual(b), "a quiet router records each delivery at once");

        // Ten more while four records are unacknowledged: eight deliveries, a cascade and a cancelled message.
        var gathered = Send(4, RouteAction.Deliver).Append(Send(1, RouteAction.Cascade)[0]).Append(Send(1, RouteAction.Cancelled)[0]).Concat(Send(4, RouteAction.Deliver)).ToList();
        _upstream.ExpectRequest();
        _downstream.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _producer.Deliver(sent[0]);
        _downstream.ExpectNext().Should().BeSameAs(first[0]);
        var batch = await _producer.NextAsync();
        Ids(batch.Message).Should().Equal(gathered.Where(r => r.Action == RouteAction.Deliver).Select(r => r.Envelope.Id), "the ten records went out as one deliveries record of their eight deliveries");
        batch.Topic.Should().Be(Topic);

        _producer.Deliver(batch);
        _downstream.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        foreach (var s in sent.Skip(1))
        {
            _producer.Deliver(s);
        }

        _downstream.ExpectNextN(13).Should().Equal(first.Skip(1).Concat(gathered), "records leave in the order they came, after the records before them");
    }

    [Fact]
    public async Task Records_WithoutDeliveries_LeaveWithoutARecord_InOrder()
    {
        var delivered = Send(1, RouteAction.Deliver)[0];
        var sent = await _producer.NextAsync();
        var cascaded = Send(1, RouteAction.Cascade)[0];
        _downstream.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _producer.Deliver(sent);

        _downstream.ExpectNext().Should().BeSameAs(delivered);
        _downstream.ExpectNext().Should().BeSameAs(cascaded);
        _producer.Produced.TryRead(out _).Should().BeFalse("a cascade is no delivery");
    }

    [Fact]
    public async Task DeliveriesRecord_Failed_FailsTheStream_AndItsRecordsNeverLeave()
    {
        Send(1, RouteAction.Deliver);
        var sent = await _producer.NextAsync();

        _producer.Deliver(sent, ErrorCode.Local_MsgTimedOut);

        // ExpectError fails on an element that comes first: the delivered record never reaches its commit.
        var error = _downstream.ExpectError();
        error.Should().BeOfType<KafkaProduceException<byte[], byte[]>>().Which.Record.Topic.Should().Be(Topic);
    }

    private static DelayMessageId[] Ids(Message<byte[], byte[]> message)
    {
        var facts = new List<DelayFact>();
        CancellationRecords.Read(message.Key, message.Value, Topic, 0, 0, facts);
        facts.Should().OnlyContain(f => f.Kind == DelayFactKind.Delivered);
        return [.. facts.Select(f => f.Id)];
    }

    private List<RoutedRecord> Send(int count, RouteAction action)
    {
        var records = new List<RoutedRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var due = Start.AddMilliseconds(i);
            var envelope = new DelayEnvelope(DelayMessageId.New(due), due, "orders", null, Start);
            var record = new RoutedRecord(new ConsumeResult<byte[], byte[]>(), null!, Tier, envelope, due, due) { Action = action };
            _upstream.SendNext(record);
            records.Add(record);
        }

        return records;
    }
}
