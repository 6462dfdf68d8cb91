using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Benchmarks.Kafka;

/// <summary>
/// Production throughput on the embedded cluster: <see cref="KafkaProducer.PlainSink{TKey, TValue}(ProducerSettings{TKey, TValue}, IProducer{TKey, TValue})"/>
/// side by side with the client's limit, a hand-written loop of <c>Produce</c> calls with a delivery handler that waits
/// for every delivery (the anchor). Both use the same client settings (the reference configuration: acks=all,
/// idempotence) and a fresh client and topic per run whose metadata is fetched before the clock starts (librdkafka
/// otherwise waits up to a second before it looks up a new topic); runs alternate (each side first in every other round)
/// and the better of each counts; the median of the rounds' own ratios is printed beside it.
/// </summary>
internal static class ProduceCases
{
    private const int Partitions = 16;
    private const int ValueSize = 100;

    // Records in flight: the anchor's bound, the client's queue (queue.buffering.max.messages, 100,000). Sampled, the
    // anchor keeps about 5,000 records in flight and peaks between 10,000 and 18,000 when the machine is fast, more when
    // it is slow; a lower bound throttles the sink exactly then. The sink keeps no state per record in flight, so the
    // bound costs it nothing (the default of 100 is for latency, not bulk loads).
    private const int Parallelism = 100_000;

    public static async Task RunAsync(string suite, ActorSystem system, BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(500_000, 50_000);
        // Five rounds: a run lasts about a second, and this machine's speed moves by tens of percent within seconds;
        // the best of five of each side is a steadier figure than the best of three, at little cost to the suite.
        var rounds = options.Quick ? 1 : 5;
        using var cluster = EmbeddedKafkaCluster.Start(1);
        var settings = ProducerSettings<Null, byte[]>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers(cluster.BootstrapServers)
            .WithParallelism(Parallelism);
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);

        // Warm both paths up (JIT tiers, connections) with a full-size run each.
        var materializer = system.Materializer();
        await HandWrittenLoopAsync(cluster, settings, value, count, cancellationToken).ConfigureAwait(false);
        await PlainSinkAsync(cluster, materializer, settings, value, count, cancellationToken).ConfigureAwait(false);

        Run anchor = default, ours = default;
        var roundRatios = new double[rounds];
        for (var round = 0; round < rounds; round++)
        {
            // Each side goes first in every other round, so that neither always inherits the other's garbage and queues.
            Run oursRun, anchorRun;
            if (round % 2 == 0)
            {
                oursRun = await PlainSinkAsync(cluster, materializer, settings, value, count, cancellationToken).ConfigureAwait(false);
                anchorRun = await HandWrittenLoopAsync(cluster, settings, value, count, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                anchorRun = await HandWrittenLoopAsync(cluster, settings, value, count, cancellationToken).ConfigureAwait(false);
                oursRun = await PlainSinkAsync(cluster, materializer, settings, value, count, cancellationToken).ConfigureAwait(false);
            }

            Console.WriteLine($"  produce round {round + 1}: ours {oursRun}; anchor {anchorRun}");
            ours = Run.Better(ours, oursRun);
            anchor = Run.Better(anchor, anchorRun);
            roundRatios[round] = oursRun.PerSecond / anchorRun.PerSecond;
        }

        // The best of each side may come from different moments of a machine whose speed drifts; the two runs of one
        // round are next to each other in time, so the median of the rounds' ratios is the steadier side-by-side figure.
        Array.Sort(roundRatios);
        var medianRoundRatio = rounds % 2 == 1 ? roundRatios[rounds / 2] : (roundRatios[(rounds / 2) - 1] + roundRatios[rounds / 2]) / 2;

        report.Case(suite, "produce-plain-sink", ours.PerSecond, anchor.PerSecond, "msg/s",
            $"{count:N0} records of {ValueSize} bytes over {Partitions} partitions, parallelism {Parallelism:N0}; anchor: Produce loop with a "
            + $"delivery handler awaiting every delivery; best of {rounds} alternating rounds each; process CPU per record: ours "
            + $"{ours.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us; median of the rounds' ratios {medianRoundRatio:F3}");
    }

    /// <summary>The anchor: what a careful hand-written produce loop achieves.</summary>
    private static async Task<Run> HandWrittenLoopAsync(
        EmbeddedKafkaCluster cluster, ProducerSettings<Null, byte[]> settings, byte[] value, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        using var producer = CreateWarmProducer(settings, topic);
        var remaining = count;
        var failures = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivered(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failures);
            }

            if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        }

        Action<DeliveryReport<Null, byte[]>> handler = OnDelivered;
        var measure = Measure.Start();
        await Task.Run(
            () =>
            {
                for (var i = 0; i < count; i++)
                {
                    while (true)
                    {
                        try
                        {
                            producer.Produce(topic, new Message<Null, byte[]> { Value = value }, handler);
                            break;
                        }
                        catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                        {
                            Thread.Sleep(1);
                        }
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var run = measure.Stop(count);
        ThrowIfFailed(failures, count);
        return run;
    }

    private static async Task<Run> PlainSinkAsync(
        EmbeddedKafkaCluster cluster, IMaterializer materializer, ProducerSettings<Null, byte[]> settings, byte[] value, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        using var producer = CreateWarmProducer(settings, topic);
        var measure = Measure.Start();
        await Source.From(Records(topic, value, count))
            .RunWith(KafkaProducer.PlainSink(settings, producer), materializer)
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return measure.Stop(count);
    }

    private static IEnumerable<ProducerRecord<Null, byte[]>> Records(string topic, byte[] value, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new ProducerRecord<Null, byte[]>(topic, null!, value);
        }
    }

    private static string NewTopic(EmbeddedKafkaCluster cluster)
    {
        var topic = "bench-produce-" + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(topic, Partitions);
        return topic;
    }

    private static IProducer<Null, byte[]> CreateWarmProducer(ProducerSettings<Null, byte[]> settings, string topic)
    {
        var producer = KafkaProducer.CreateProducer(settings);
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        return producer;
    }

    private static void ThrowIfFailed(int failures, int count)
    {
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {count} benchmark records were not delivered.");
        }
    }
}
