using System.Collections.Concurrent;
using System.Globalization;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Consumer;

/// <summary>
/// Out-of-order processing with crashes: records finish in random order through an unordered asynchronous stage, the
/// stream is torn down without draining (its materializer is shut down), and a restart from the committed offsets must
/// see every record that was not processed. The committed offsets are checked after every crash: a partition's committed
/// position never passes a record that was not processed.
/// </summary>
public sealed class CrashRecoveryTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>
{
    private const int Partitions = 8;
    private const int Parallelism = 32;
    private const int MaxBatch = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly KafkaClusterFixture _kafka;
    private readonly ITestOutputHelper _output;

    public CrashRecoveryTests(KafkaClusterFixture kafka, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(CrashRecoveryTests), output)
    {
        _kafka = kafka;
        _output = output;
    }

    [Fact]
    public async Task UnorderedCompletion_CrashMidwayThenRestart_EveryRecordProcessedAndNoCommitPassesAnUnprocessedRecord()
    {
        var (topic, group, offsets) = await ProduceAsync(20_000);
        var processed = new ConcurrentDictionary<int, int>();

        await RunUntilCrashAsync(topic, group, processed, crashAfter: 10_000, seed: 1);
        await AssertCommitsNeverPassUnprocessedAsync(group, topic, offsets, processed);
        await RunToEndAsync(topic, group, processed, offsets.Count, seed: 2);

        processed.Keys.Order().Should().Equal(Enumerable.Range(0, offsets.Count), "every record is processed at least once");
        (await _kafka.GetCommittedOffsetsAsync(group, topic)).Sum(c => c.Offset.Value).Should().Be(offsets.Count);
        _output.WriteLine($"duplicates after 1 crash: {processed.Values.Sum() - offsets.Count}");
    }

    [Fact]
    public async Task UnorderedCompletion_FiveCrashesAtRandomPoints_LossZeroAndDuplicatesBounded()
    {
        var (topic, group, offsets) = await ProduceAsync(20_000);
        var processed = new ConcurrentDictionary<int, int>();
        var random = new Random(20_000);

        for (var crash = 0; crash < 5; crash++)
        {
            var target = processed.Count + random.Next(1_000, 3_000);
            await RunUntilCrashAsync(topic, group, processed, target, seed: crash);
            await AssertCommitsNeverPassUnprocessedAsync(group, topic, offsets, processed);
        }

        await RunToEndAsync(topic, group, processed, offsets.Count, seed: 99);

        processed.Keys.Order().Should().Equal(Enumerable.Range(0, offsets.Count), "total loss is zero");
        var duplicates = processed.Values.Sum() - offsets.Count;
        _output.WriteLine($"duplicates after 5 crashes: {duplicates}");
        // A crash repeats at most what was in flight (the asynchronous stage and the buffers between stages), the holes
        // of out-of-order completion behind a slow record, and one committer batch.
        duplicates.Should().BeLessThanOrEqualTo(5 * (4 * Parallelism + MaxBatch));
    }

    private async Task<(string Topic, string Group, IReadOnlyDictionary<int, TopicPartitionOffset> Offsets)> ProduceAsync(int count)
    {
        var topic = await _kafka.CreateTopicAsync(Partitions);
        var deliveries = await TestProducer.ProduceAsync(_kafka, topic, Partitions, count);
        var offsets = deliveries.ToDictionary(d => int.Parse(d.Message.Value, CultureInfo.InvariantCulture), d => d.TopicPartitionOffset);
        return (topic, KafkaClusterFixture.NewGroupId(), offsets);
    }

    private async Task RunUntilCrashAsync(string topic, string group, ConcurrentDictionary<int, int> processed, int crashAfter, int seed)
    {
        var materializer = await IsolatedMaterializer.CreateAsync(Sys);
        var (control, _) = Build(topic, group, processed, seed).Run(materializer);
        await Eventually.TrueAsync(() => processed.Count >= crashAfter, Patience);

        // The crash: every stage stops where it is; records in flight never reach the committer.
        materializer.Shutdown();
        await control.IsShutdown.WaitAsync(Patience);
    }

    private async Task RunToEndAsync(string topic, string group, ConcurrentDictionary<int, int> processed, int total, int seed)
    {
        var materializer = await IsolatedMaterializer.CreateAsync(Sys);
        var (control, done) = Build(topic, group, processed, seed).Run(materializer);
        await Eventually.TrueAsync(() => processed.Count >= total, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);
    }

    private IRunnableGraph<(IControl, Task<Done>)> Build(string topic, string group, ConcurrentDictionary<int, int> processed, int seed)
    {
        var random = new Random(seed);
        var settings = KafkaTestSettings.Consumer(_kafka, group).WithBufferSize(64);
        // Assigned by hand: each restart resumes from the group's committed offsets without waiting for a group rebalance.
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToArray();
        return KafkaConsumer.CommittableSource(settings, Subscriptions.Assignment(partitions))
            .SelectAsyncUnordered(Parallelism, async m =>
            {
                int delay;
                lock (random)
                {
                    delay = random.Next(0, 3);
                }

                // Random processing time, so records finish out of order.
                await Task.Delay(delay);
                processed.AddOrUpdate(int.Parse(m.Record.Message.Value, CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                return m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(KafkaTestSettings.Committer(MaxBatch)), Keep.Both);
    }

    private async Task AssertCommitsNeverPassUnprocessedAsync(
        string group, string topic, IReadOnlyDictionary<int, TopicPartitionOffset> offsets, ConcurrentDictionary<int, int> processed)
    {
        var committed = (await _kafka.GetCommittedOffsetsAsync(group, topic)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        var passed = offsets
            .Where(o => o.Value.Offset.Value < committed[o.Value.Partition.Value] && !processed.ContainsKey(o.Key))
            .Select(o => o.Value)
            .ToList();
        passed.Should().BeEmpty("a committed position never passes a record that was not processed");
        committed.Values.Sum(o => Math.Max(0, o)).Should().BeGreaterThan(0, "the run committed progress before the crash");
    }
}
