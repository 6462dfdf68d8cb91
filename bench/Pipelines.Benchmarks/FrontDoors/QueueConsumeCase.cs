using Akka.Actor;
using Confluent.Kafka;
using Pipelines.Benchmarks.Kafka;
using Pipelines.FrontDoors.Queue;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Benchmarks.FrontDoors;

/// <summary>
/// go-queue's queue side by side with a hand-written consume loop: a <see cref="KafkaQueue"/> with a trivial handler
/// (go-queue's defaults: 8 processors, per-key order, commits every second) vs a Confluent.Kafka loop subscribed to the
/// same topic in a fresh group that stores each offset and commits every 1,000 records. Both clocks start at the first
/// record handled, so the group join (the embedded cluster delays the first rebalance) is left out of both.
/// </summary>
internal static class QueueConsumeCase
{
    private const int Partitions = 16;
    private const int Keys = 1000;
    private const int ValueSize = 100;
    private const int CommitEvery = 1000;

    public static async Task RunAsync(string suite, ActorSystem system, EmbeddedKafkaCluster cluster, BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(300_000, 100_000);
        var rounds = options.Quick ? 1 : 3;
        var topic = "bench-queue-" + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(topic, Partitions);
        await ProduceAsync(cluster.BootstrapServers, topic, count, cancellationToken).ConfigureAwait(false);

        await QueueAsync(system, cluster.BootstrapServers, topic, count / 10, cancellationToken).ConfigureAwait(false);
        await LoopAsync(cluster.BootstrapServers, topic, count / 10, cancellationToken).ConfigureAwait(false);
        Run ours = default, anchor = default;
        for (var round = 0; round < rounds; round++)
        {
            var oursRun = await QueueAsync(system, cluster.BootstrapServers, topic, count, cancellationToken).ConfigureAwait(false);
            var anchorRun = await LoopAsync(cluster.BootstrapServers, topic, count, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"  queue round {round + 1}: queue {oursRun}; anchor {anchorRun}");
            ours = Run.Better(ours, oursRun);
            anchor = Run.Better(anchor, anchorRun);
        }

        report.Case(suite, "queue-consume", ours.PerSecond, anchor.PerSecond, "msg/s",
            $"{count:N0} records of {ValueSize} bytes, {Keys:N0} keys over {Partitions} partitions; KafkaQueue (8 processors, per-key, trivial handler) "
            + $"vs Subscribe + Consume + StoreOffset + Commit every {CommitEvery:N0}; best of {rounds}; CPU per record: ours {ours.CpuMicroseconds:F2} us, "
            + $"anchor {anchor.CpuMicroseconds:F2} us; allocated per record: ours {ours.AllocatedBytes:F0} B, anchor {anchor.AllocatedBytes:F0} B");
    }

    private static async Task<Run> QueueAsync(ActorSystem system, string bootstrapServers, string topic, int count, CancellationToken cancellationToken)
    {
        var handler = new CountingHandler(count);
        var options = new KafkaQueueOptions { Brokers = [bootstrapServers], Group = "bench-" + Guid.NewGuid().ToString("N"), Topics = [topic], Offset = KafkaQueueOffset.First };
        var queue = new KafkaQueue(system, options, handler);
        try
        {
            queue.Start();
            await handler.All.WaitAsync(cancellationToken).ConfigureAwait(false);
            return handler.Measure.Stop(count);
        }
        finally
        {
            await queue.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task<Run> LoopAsync(string bootstrapServers, string topic, int count, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            () =>
            {
                var config = new ConsumerConfig
                {
                    BootstrapServers = bootstrapServers,
                    GroupId = "bench-" + Guid.NewGuid().ToString("N"),
                    EnableAutoCommit = false,
                    EnableAutoOffsetStore = false,
                    AutoOffsetReset = AutoOffsetReset.Earliest,
                };
                using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
                consumer.Subscribe(topic);
                var measure = default(Measure);
                var read = 0;
                while (read < count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null)
                    {
                        continue;
                    }

                    if (read == 0)
                    {
                        measure = Measure.Start();
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

    private static async Task ProduceAsync(string bootstrapServers, string topic, int count, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 5, BatchNumMessages = 10_000, Acks = Acks.Leader };
        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var keys = Enumerable.Range(0, Keys).Select(k => $"user-{k}").ToArray();
        var failures = 0;
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<string, byte[]> { Key = keys[i % Keys], Value = value }, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
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

    /// <summary>The trivial handler: counts, and starts the clock at the first record.</summary>
    private sealed class CountingHandler(int count) : IConsumeHandler
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _handled;

        public Task All => _all.Task;

        public Measure Measure { get; private set; }

        public Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken)
        {
            var handled = Interlocked.Increment(ref _handled);
            if (handled == 1)
            {
                Measure = Measure.Start();
            }
            else if (handled == count)
            {
                _all.TrySetResult();
            }

            return Task.CompletedTask;
        }
    }
}
