using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;

namespace Pipelines.Benchmarks.Kafka;

/// <summary>
/// Consumption throughput on the embedded cluster, side by side with the client's limit: a hand-written Confluent.Kafka
/// loop that stores each offset and commits every 1,000 records (the anchor). Each side reads the same topic from the
/// start with a fresh group, in alternating order, and the best of the runs counts for each. Records carry one of
/// 1,000 keys, which the partitioned case uses for per-key ordering.
/// </summary>
internal sealed class KafkaSuite : IBenchmarkSuite
{
    private const int Partitions = 16;
    private const int ValueSize = 100;
    private const int CommitEvery = 1000;
    private const int Keys = 1000;
    private const int ConsumerBufferSize = 128;

    public string Name => "kafka";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(500_000, 50_000);
        var rounds = options.Quick ? 1 : 3;
        using var cluster = EmbeddedKafkaCluster.Start(1);
        const string topic = "bench-consume";
        cluster.CreateTopic(topic, Partitions);
        await ProduceAsync(cluster.BootstrapServers, topic, count, cancellationToken).ConfigureAwait(false);
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToArray();

        // Warm both paths up (JIT, connections) on a slice of the topic.
        await RawLoopAsync(cluster.BootstrapServers, partitions, count / 10, cancellationToken).ConfigureAwait(false);
        await CommittableToSinkAsync(cluster.BootstrapServers, partitions, count / 10, partitionedByKey: false, cancellationToken).ConfigureAwait(false);
        await CommittableToSinkAsync(cluster.BootstrapServers, partitions, count / 10, partitionedByKey: true, cancellationToken).ConfigureAwait(false);

        double raw = 0, ours = 0, partitioned = 0;
        for (var round = 0; round < rounds; round++)
        {
            ours = Math.Max(ours, await CommittableToSinkAsync(cluster.BootstrapServers, partitions, count, partitionedByKey: false, cancellationToken).ConfigureAwait(false));
            partitioned = Math.Max(partitioned, await CommittableToSinkAsync(cluster.BootstrapServers, partitions, count, partitionedByKey: true, cancellationToken).ConfigureAwait(false));
            raw = Math.Max(raw, await RawLoopAsync(cluster.BootstrapServers, partitions, count, cancellationToken).ConfigureAwait(false));
        }

        report.Case(Name, "committable-source-to-committer-sink", ours, raw, "msg/s",
            $"{count:N0} records of {ValueSize} bytes over {Partitions} partitions; anchor: Consume + StoreOffset + Commit every {CommitEvery:N0}");
        report.Case(Name, "committable-source-select-async-partitioned-16", partitioned, raw, "msg/s",
            $"CommittableSource -> SelectAsyncPartitioned(16, by key over {Keys:N0} keys, completed task) -> Committer.Sink; anchor: the same raw loop");

        await ProduceCases.RunAsync(Name, options, report, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ProduceAsync(string bootstrapServers, string topic, int count, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 5, BatchNumMessages = 10_000, Acks = Acks.Leader };
        using var producer = new ProducerBuilder<long, byte[]>(config).Build();
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var failures = 0;
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, i % Partitions), new Message<long, byte[]> { Key = i % Keys, Value = value }, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
                    break;
                }
                catch (ProduceException<long, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        await Task.Run(() => producer.Flush(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {count} benchmark records were not delivered.");
        }
    }

    /// <summary>The anchor: what a careful hand-written consume loop achieves.</summary>
    private static Task<double> RawLoopAsync(string bootstrapServers, TopicPartition[] partitions, int count, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            () =>
            {
                var config = ConsumerConfig(bootstrapServers);
                config.EnableAutoOffsetStore = false;
                var watch = Stopwatch.StartNew();
                using var consumer = new ConsumerBuilder<long, byte[]>(config).Build();
                consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
                var read = 0;
                while (read < count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null)
                    {
                        continue;
                    }

                    consumer.StoreOffset(result);
                    if (++read % CommitEvery == 0)
                    {
                        consumer.Commit();
                    }
                }

                if (read % CommitEvery != 0)
                {
                    consumer.Commit();
                }

                watch.Stop();
                consumer.Close();
                return count / watch.Elapsed.TotalSeconds;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Ours: <c>CommittableSource</c> into <c>Committer.Sink</c>, either through a trivial <c>Select</c> or through
    /// <c>SelectAsyncPartitioned(16)</c> keyed by the record key with an already-completed handler.
    /// </summary>
    private static async Task<double> CommittableToSinkAsync(
        string bootstrapServers, TopicPartition[] partitions, int count, bool partitionedByKey, CancellationToken cancellationToken)
    {
        var materializer = new Materializer();
        await using var disposeMaterializer = materializer.ConfigureAwait(false);
        var settings = ConsumerSettings<long, byte[]>.Create(PipelinesConfiguration.Reference(), Deserializers.Int64, null)
            .WithProperties(ConsumerConfig(bootstrapServers))
            .WithStopTimeout(TimeSpan.Zero)
            .WithBufferSize(ConsumerBufferSize);
        var committer = CommitterSettings.Default.WithMaxBatch(CommitEvery);
        var processed = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        var source = KafkaConsumer.CommittableSource(
            settings, Subscriptions.AssignmentWithOffset([.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))]));
        var offsets = partitionedByKey
            ? source.SelectAsyncPartitioned(16, m => m.Record.Message.Key, m => Task.FromResult(Count(m)))
            : source.Select(Count);
        var (control, done) = offsets
            .ToMaterialized(Committer.Sink<ICommittableOffset>(committer), Keep.Both)
            .Run(materializer);
        await all.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await control.DrainAndShutdown(done).ConfigureAwait(false);
        watch.Stop();
        return count / watch.Elapsed.TotalSeconds;

        ICommittableOffset Count(CommittableMessage<long, byte[]> message)
        {
            // The stage runs one handler call at a time per key, but calls of different keys may overlap.
            if (Interlocked.Increment(ref processed) == count)
            {
                all.TrySetResult();
            }

            return message.CommittableOffset;
        }
    }

    private static ConsumerConfig ConsumerConfig(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = "bench-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
    };
}
