using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.Streams;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Benchmarks.Kafka;

/// <summary>
/// Consumption throughput on the embedded cluster, side by side with the client's limit: a hand-written Confluent.Kafka
/// loop that stores each offset and commits every 1,000 records (the anchor). Each side reads the same topic from the
/// start with a fresh group, in alternating order, and the best of the runs counts for each; each run also reports the
/// process's CPU time per record. Ours run as Akka.Streams graphs in one actor system.
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
        var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        try
        {
            await ConsumeAsync(system, count, rounds, report, cancellationToken).ConfigureAwait(false);
            await ProduceCases.RunAsync(Name, system, options, report, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private async Task ConsumeAsync(ActorSystem system, int count, int rounds, BenchReport report, CancellationToken cancellationToken)
    {
        var materializer = system.Materializer();
        using var cluster = EmbeddedKafkaCluster.Start(1);
        const string topic = "bench-consume";
        cluster.CreateTopic(topic, Partitions);
        await ProduceAsync(cluster.BootstrapServers, topic, count, cancellationToken).ConfigureAwait(false);
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToArray();

        // Warm both paths up (JIT, connections) on a slice of the topic.
        await RawLoopAsync(cluster.BootstrapServers, partitions, count / 10, cancellationToken).ConfigureAwait(false);
        await CommittableToSinkAsync(materializer, cluster.BootstrapServers, partitions, count / 10, selectAsync: false, cancellationToken).ConfigureAwait(false);
        await CommittableToSinkAsync(materializer, cluster.BootstrapServers, partitions, count / 10, selectAsync: true, cancellationToken).ConfigureAwait(false);

        Run raw = default, ours = default, parallel = default;
        for (var round = 0; round < rounds; round++)
        {
            var oursRun = await CommittableToSinkAsync(materializer, cluster.BootstrapServers, partitions, count, selectAsync: false, cancellationToken).ConfigureAwait(false);
            var parallelRun = await CommittableToSinkAsync(materializer, cluster.BootstrapServers, partitions, count, selectAsync: true, cancellationToken).ConfigureAwait(false);
            var rawRun = await RawLoopAsync(cluster.BootstrapServers, partitions, count, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"  consume round {round + 1}: ours {oursRun}; select-async {parallelRun}; anchor {rawRun}");
            ours = Run.Better(ours, oursRun);
            parallel = Run.Better(parallel, parallelRun);
            raw = Run.Better(raw, rawRun);
        }

        report.Case(Name, "committable-source-to-committer-sink", ours.PerSecond, raw.PerSecond, "msg/s",
            $"{count:N0} records of {ValueSize} bytes over {Partitions} partitions; anchor: Consume + StoreOffset + Commit every {CommitEvery:N0}; "
            + $"process CPU per record: ours {ours.CpuMicroseconds:F2} us, anchor {raw.CpuMicroseconds:F2} us");
        report.Case(Name, "committable-source-select-async-partitioned-16", parallel.PerSecond, raw.PerSecond, "msg/s",
            $"CommittableSource -> SelectAsyncPartitioned(16, by record key, completed task) -> Committer.Sink; anchor: the same raw loop; "
            + $"process CPU per record: ours {parallel.CpuMicroseconds:F2} us, anchor {raw.CpuMicroseconds:F2} us");

        await TelemetryCase.RunAsync(Name, materializer, cluster.BootstrapServers, partitions, count, rounds, report, cancellationToken).ConfigureAwait(false);
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
    private static Task<Run> RawLoopAsync(string bootstrapServers, TopicPartition[] partitions, int count, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            () =>
            {
                var config = ConsumerConfig(bootstrapServers);
                config.EnableAutoOffsetStore = false;
                var measure = Measure.Start();
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

                var run = measure.Stop(count);
                consumer.Close();
                return run;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Ours: <c>CommittableSource</c> into <c>Committer.Sink</c>, either through a trivial <c>Select</c> or through
    /// <c>SelectAsyncPartitioned(16)</c> keyed by the record key, with an already-completed handler.
    /// </summary>
    private static async Task<Run> CommittableToSinkAsync(
        IMaterializer materializer, string bootstrapServers, TopicPartition[] partitions, int count, bool selectAsync, CancellationToken cancellationToken)
    {
        var settings = ConsumerSettings<long, byte[]>.Create(PipelinesConfiguration.Reference(), Deserializers.Int64, null)
            .WithProperties(ConsumerConfig(bootstrapServers))
            .WithStopTimeout(TimeSpan.Zero)
            .WithBufferSize(ConsumerBufferSize);
        var committer = CommitterSettings.Default.WithMaxBatch(CommitEvery);
        var processed = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var measure = Measure.Start();
        var source = KafkaConsumer.CommittableSource(
            settings, Subscriptions.AssignmentWithOffset([.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))]));
        var offsets = selectAsync
            ? source.SelectAsyncPartitioned(16, static m => m.Record.Message.Key, m => Task.FromResult(Count(m)))
            : source.Select(Count);
        var (control, done) = offsets
            .ToMaterialized(Committer.Sink<ICommittableOffset>(committer), Keep.Both)
            .Run(materializer);
        await all.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await control.DrainAndShutdown(done).ConfigureAwait(false);
        return measure.Stop(count);

        ICommittableOffset Count(CommittableMessage<long, byte[]> message)
        {
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
