using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Benchmarks.Embedded;

/// <summary>
/// What the embedded cluster costs and how fast a plain Confluent.Kafka client runs against it: the ceiling for
/// every Kafka benchmark and test that uses it. No anchors (there is no other broker on this machine).
/// </summary>
internal sealed class EmbeddedClusterSuite : IBenchmarkSuite
{
    private const int ValueSize = 100;

    public string Name => "embedded";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        StartStop(options, report);
        // The mock keeps at most 5 MB per partition: 100,000 messages of 100 bytes spread evenly over 3 partitions stay below it.
        var messages = options.Size(100_000, 20_000);
        using var cluster = EmbeddedKafkaCluster.Start(3);
        cluster.CreateTopic("bench", 3);
        await ProduceAsync(cluster, messages, report, cancellationToken).ConfigureAwait(false);
        Consume(cluster, messages, report, cancellationToken);
        GroupJoin(cluster, report, cancellationToken);
    }

    private void StartStop(BenchOptions options, BenchReport report)
    {
        using (EmbeddedKafkaCluster.Start(3))
        {
            // Warm-up: loads librdkafka and JITs the interop.
        }

        var rounds = options.Size(11, 3);
        var starts = new double[rounds];
        var stops = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            var cluster = EmbeddedKafkaCluster.Start(3);
            starts[i] = watch.Elapsed.TotalMilliseconds;
            // A cluster that has lived a little, like one under a short test.
            Thread.Sleep(100);
            watch.Restart();
            cluster.Dispose();
            stops[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(starts);
        Array.Sort(stops);
        report.Case(Name, "start-3-brokers", starts[rounds / 2], "ms", $"median of {rounds}");
        report.Case(Name, "stop-3-brokers", stops[rounds / 2], "ms", $"median of {rounds}, fastest {stops[0]:0.#} ms, slowest {stops[^1]:0.#} ms");
    }

    private async Task ProduceAsync(EmbeddedKafkaCluster cluster, int messages, BenchReport report, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, Acks = Acks.All, LingerMs = 5, EnableIdempotence = true };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var value = new byte[ValueSize];
        await producer.ProduceAsync(new TopicPartition("bench", 0), new Message<Null, byte[]> { Value = value }, cancellationToken).ConfigureAwait(false);
        var partitions = new[] { new TopicPartition("bench", 0), new TopicPartition("bench", 1), new TopicPartition("bench", 2) };

        var failed = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(partitions[i % 3], new Message<Null, byte[]> { Value = value }, d =>
                    {
                        if (d.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The client's queue is the back-pressure: wait for deliveries to make room.
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {messages} deliveries failed.");
        }

        report.Case(Name, "produce-100B", messages / seconds, "msg/s", $"{messages} messages, acks=all, idempotent, round robin over 3 partitions");
    }

    private void Consume(EmbeddedKafkaCluster cluster, int messages, BenchReport report, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "bench",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("bench", p, Offset.Beginning)));
        var atEnd = new HashSet<int>();
        var read = 0;
        var watch = Stopwatch.StartNew();
        while (atEnd.Count < 3)
        {
            var result = consumer.Consume(cancellationToken);
            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                read++;
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        // The produce case's warm-up message is in the topic too.
        if (read != messages + 1)
        {
            throw new InvalidOperationException($"Read {read} messages, but {messages + 1} were produced.");
        }

        report.Case(Name, "consume-100B", read / seconds, "msg/s", $"{read} messages, manual assignment, from the first fetch to the end of every partition");
        consumer.Close();
    }

    // A new group's first record: on the embedded cluster's default (no initial rebalance delay) against a cluster set
    // like a real broker's default group.initial.rebalance.delay.ms of 3 s.
    private void GroupJoin(EmbeddedKafkaCluster cluster, BenchReport report, CancellationToken cancellationToken)
    {
        var ours = FirstRecordOfNewGroup(cluster.BootstrapServers, "bench", cancellationToken);
        using var brokerDefault = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { GroupInitialRebalanceDelay = TimeSpan.FromSeconds(3) });
        brokerDefault.CreateTopic("bench", 3);
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = brokerDefault.BootstrapServers }).Build())
        {
            for (var partition = 0; partition < 3; partition++)
            {
                producer.Produce(new TopicPartition("bench", partition), new Message<Null, byte[]> { Value = new byte[ValueSize] });
            }

            producer.Flush(cancellationToken);
        }

        var anchor = FirstRecordOfNewGroup(brokerDefault.BootstrapServers, "bench", cancellationToken);
        report.Case(Name, "group-first-record", ours, anchor, "ms",
            "subscribe to first record of a new group: the embedded cluster's default (no initial rebalance delay) vs GroupInitialRebalanceDelay = 3 s, a real broker's default");
    }

    private static double FirstRecordOfNewGroup(string bootstrapServers, string topic, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-join-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
        };
        var watch = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(topic);
        consumer.Consume(cancellationToken);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        consumer.Close();
        return elapsed;
    }
}
