using System.Globalization;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>
/// A topic-to-topic pipeline (committable source, copy, committable sink) under injected produce errors, connection drops
/// and a crash, counted: records produced to the source, processed, committed and copied; none may be lost.
/// </summary>
public sealed class ProducerReliabilityTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private const int Partitions = 4;
    private const int Count = 2000;
    private const int Keys = 40;
    private const int ProducerParallelism = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ErrorCode[] Faults =
    [
        ErrorCode.NotLeaderForPartition, ErrorCode.NoError, ErrorCode.RequestTimedOut, ErrorCode.Local_Transport,
        ErrorCode.NoError, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable, ErrorCode.NoError,
        ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.Local_Transport, ErrorCode.NoError, ErrorCode.RequestTimedOut,
    ];

    private readonly EmbeddedClusterFixture _fixture;
    private readonly ITestOutputHelper _output;
    private int _processed;

    public ProducerReliabilityTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(ProducerReliabilityTests), output)
    {
        _fixture = fixture;
        _output = output;
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task CommittableSink_RetriableProduceErrorsAndACrash_NothingIsLostAndEveryOffsetIsCommitted()
    {
        var source = await Kafka.CreateTopicAsync(Partitions);
        var target = await Kafka.CreateTopicAsync(Partitions);
        var group = KafkaClusterFixture.NewGroupId();
        await TestProducer.ProduceAsync(Kafka, source, Partitions, Count, Keys);

        // First run: faults on the produce path, then a crash part-way (the materializer is shut down mid-flight).
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, Faults);
        var firstRun = await IsolatedMaterializer.CreateAsync(Sys);
        var (first, firstDone) = Pipeline(source, target, group).Run(firstRun);
        await Eventually.TrueAsync(() => Volatile.Read(ref _processed) >= Count / 3, Patience);
        firstRun.Shutdown();
        await firstDone.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<AbruptStageTerminationException>();
        await first.IsShutdown.WaitAsync(Patience);
        var committedAtCrash = (await CommittedAsync(group, source)).Sum();

        // Second run: the same group resumes from the committed positions, with more faults.
        _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, Faults);
        var secondRun = await IsolatedMaterializer.CreateAsync(Sys);
        var (second, secondDone) = Pipeline(source, target, group).Run(secondRun);
        await Eventually.TrueAsync(async () => (await CommittedAsync(group, source)).Sum() == Count, Patience);
        await second.DrainAndShutdown(secondDone).WaitAsync(Patience);
        _fixture.Cluster.ClearRequestErrors(KafkaApiKey.Produce);

        var copied = await Kafka.ConsumeAllAsync(target, Count, Patience);
        var values = copied.Select(r => int.Parse(r.Message.Value, CultureInfo.InvariantCulture)).ToList();
        var lost = Enumerable.Range(0, Count).Except(values).Count();
        var duplicates = values.Count - values.Distinct().Count();
        var outOfOrder = copied.GroupBy(r => r.Message.Key).Sum(key => OutOfOrder(key.Select(r => int.Parse(r.Message.Value, CultureInfo.InvariantCulture))));
        _output.WriteLine(
            $"produced {Count}, processed {_processed}, committed at crash {committedAtCrash}, committed {Count}, copied {values.Count}, "
            + $"lost {lost}, duplicates {duplicates}, keys out of order {outOfOrder}");

        lost.Should().Be(0);
        outOfOrder.Should().Be(0, "redelivery repeats a suffix of a partition; it never reorders what was copied first");
        (await CommittedAsync(group, source)).Should().Equal(Enumerable.Repeat((long)Count / Partitions, Partitions));
        _processed.Should().BeGreaterThanOrEqualTo(Count);
        // A record is copied twice when it was processed twice (redelivered after the crash), or when the client re-sent a
        // request whose outcome it could not know (a dropped connection, a timed-out request) after resetting its idempotent
        // producer id, which the broker cannot deduplicate: at most the records in flight at that moment.
        duplicates.Should().BeLessThanOrEqualTo(_processed - Count + ProducerParallelism, "only reprocessed records and one window of in-flight records can be copied twice");
    }

    // Counts the first occurrences that come after a higher value of the same key (redelivered duplicates are skipped).
    private static int OutOfOrder(IEnumerable<int> values)
    {
        var seen = new HashSet<int>();
        var highest = -1;
        var outOfOrder = 0;
        foreach (var value in values)
        {
            if (!seen.Add(value))
            {
                continue;
            }

            if (value < highest)
            {
                outOfOrder++;
            }

            highest = Math.Max(highest, value);
        }

        return outOfOrder;
    }

    private IRunnableGraph<(IControl Control, Task<Done> Done)> Pipeline(string source, string target, string group)
    {
        var producer = ProducerTestSettings.Strings(Kafka.BootstrapServers)
            .WithProperty("retry.backoff.ms", "10")
            .WithProperty("max.in.flight.requests.per.connection", ProducerTestSettings.OneRequestInFlight)
            .WithParallelism(ProducerParallelism);
        return KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .Select(m =>
            {
                Interlocked.Increment(ref _processed);
                return ProducerMessage.Single<string, string, ICommittable>(
                    new ProducerRecord<string, string>(target, m.Record.Message.Key, m.Record.Message.Value), m.CommittableOffset);
            })
            .ToMaterialized(KafkaProducer.CommittableSink(producer, KafkaTestSettings.Committer()), Keep.Both);
    }

    private async Task<IReadOnlyList<long>> CommittedAsync(string group, string topic) =>
        [.. (await Kafka.GetCommittedOffsetsAsync(group, topic)).Select(o => Math.Max(0, o.Offset.Value))];
}
