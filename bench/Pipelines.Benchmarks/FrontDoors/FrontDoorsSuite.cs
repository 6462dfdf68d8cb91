using Akka.Actor;
using Akka.Configuration;
using Confluent.Kafka;
using Pipelines.Benchmarks.Kafka;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Sarama;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;
using Config = Akka.Configuration.Config;

namespace Pipelines.Benchmarks.FrontDoors;

/// <summary>
/// The front doors' throughput on the embedded cluster, side by side with hand-written loops of <c>Produce</c> calls
/// with a delivery handler that wait for every delivery (the anchors), all with the same client settings (the reference
/// configuration, acks=all and idempotence, linger.ms 5). Each anchor does the job of what it is compared with: go-queue's
/// pusher takes strings, so its anchors encode each string as they produce it; with the pusher's default least-bytes
/// balancer (equal records: the partitions in turn) the anchor produces to the partitions in turn, with a hash balancer
/// (no keys: the client's partitioner) the anchor leaves placement to the client. Sarama's async producer takes bytes and
/// leaves placement to the client, as its anchor does. The pusher: <c>Push</c> without waiting, then <c>DisposeAsync</c>,
/// which awaits every delivery (1 MiB chunks); the async producer: <c>Input</c>, then <c>CloseAsync</c>. Each round runs
/// every pair on a fresh cluster, ours, anchor, anchor, ours; the round with the median ratio counts. Then go-queue's
/// queue against a hand-written consume loop (<see cref="QueueConsumeCase"/>).
/// </summary>
internal sealed class FrontDoorsSuite : IBenchmarkSuite
{
    private const int Partitions = 16;
    private const int ValueSize = 100;

    public string Name => "frontdoors";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(500_000, 20_000);
        var rounds = options.Quick ? 1 : 7;
        var text = new string('v', ValueSize);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var strings = new AnchorInput(text, null);
        var raw = new AnchorInput(null, bytes);

        // Warm-up: every front door and anchor once, a tenth of the size, on a cluster of its own.
        await InClusterAsync(async (system, config, cluster) =>
        {
            var warmUp = count / 10;
            await PusherAsync(system, cluster, text, Balancer.LeastBytes, warmUp, cancellationToken).ConfigureAwait(false);
            await PusherAsync(system, cluster, text, Balancer.Fnv1a, warmUp, cancellationToken).ConfigureAwait(false);
            await AsyncProducerAsync(config, cluster, bytes, warmUp).ConfigureAwait(false);
            await AnchorAsync(config, cluster, strings, inTurn: true, warmUp, cancellationToken).ConfigureAwait(false);
            await AnchorAsync(config, cluster, strings, inTurn: false, warmUp, cancellationToken).ConfigureAwait(false);
            await AnchorAsync(config, cluster, raw, inTurn: false, warmUp, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        // Each round runs every pair on a fresh cluster (the embedded cluster keeps every record in memory, so later runs
        // would otherwise work beside the earlier runs' gigabyte), in the order ours, anchor, anchor, ours, so that a drift
        // of the machine within the round weighs on both sides alike; a pair's ratio is taken within its round, and the
        // round with the median ratio is reported, so that one side's lucky run does not decide.
        var pusher = new List<(Run Ours, Run Anchor)>();
        var pusherHash = new List<(Run Ours, Run Anchor)>();
        var asyncProducer = new List<(Run Ours, Run Anchor)>();
        for (var round = 0; round < rounds; round++)
        {
            var number = round + 1;
            await InClusterAsync(async (system, config, cluster) =>
            {
                var pair = await AbbaAsync(
                    () => PusherAsync(system, cluster, text, Balancer.LeastBytes, count, cancellationToken),
                    () => AnchorAsync(config, cluster, strings, inTurn: true, count, cancellationToken)).ConfigureAwait(false);
                Console.WriteLine($"  round {number}: pusher {pair.Ours}; anchor in turn {pair.Anchor}");
                pusher.Add(pair);
                pair = await AbbaAsync(
                    () => PusherAsync(system, cluster, text, Balancer.Fnv1a, count, cancellationToken),
                    () => AnchorAsync(config, cluster, strings, inTurn: false, count, cancellationToken)).ConfigureAwait(false);
                Console.WriteLine($"  round {number}: pusher fnv1a {pair.Ours}; anchor client-placed {pair.Anchor}");
                pusherHash.Add(pair);
                pair = await AbbaAsync(
                    () => AsyncProducerAsync(config, cluster, bytes, count),
                    () => AnchorAsync(config, cluster, raw, inTurn: false, count, cancellationToken)).ConfigureAwait(false);
                Console.WriteLine($"  round {number}: async producer {pair.Ours}; anchor bytes {pair.Anchor}");
                asyncProducer.Add(pair);
            }).ConfigureAwait(false);
        }

        var (ours, anchor) = MedianRound(pusher);
        report.Case(Name, "pusher-push", ours.PerSecond, anchor.PerSecond, "msg/s",
            $"{count:N0} string records of {ValueSize} bytes over {Partitions} partitions, KafkaPusher.Push (least-bytes: the partitions in turn) then "
            + $"DisposeAsync; anchor: a Produce loop encoding each string, to the partitions in turn, awaiting every delivery; each round ours, anchor, anchor, ours "
            + $"on a fresh cluster, the median of {rounds} rounds' ratios ({Ratios(pusher)}); CPU per record: ours {ours.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us; allocated per "
            + $"record: ours {ours.AllocatedBytes:F0} B, anchor {anchor.AllocatedBytes:F0} B");
        (ours, anchor) = MedianRound(pusherHash);
        report.Case(Name, "pusher-push-client-placed", ours.PerSecond, anchor.PerSecond, "msg/s",
            $"the same with the fnv1a balancer (no keys: the client's sticky partitioner places them) vs the same loop leaving placement to the "
            + $"client ({Ratios(pusherHash)}); CPU per record: ours {ours.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us");
        (ours, anchor) = MedianRound(asyncProducer);
        report.Case(Name, "async-producer-input", ours.PerSecond, anchor.PerSecond, "msg/s",
            $"the records as bytes through AsyncProducer.Input (fnv1a, no successes returned) then CloseAsync vs a Produce loop of the same bytes, "
            + $"placed by the client ({Ratios(asyncProducer)}); CPU per record: ours {ours.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us");

        await InClusterAsync((system, _, cluster) => QueueConsumeCase.RunAsync(Name, system, cluster, options, report, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="body"/> with an embedded cluster and an ActorSystem configured for it, both stopped after.</summary>
    private static async Task InClusterAsync(Func<ActorSystem, Config, EmbeddedKafkaCluster, Task> body)
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        var config = ConfigurationFactory.ParseString(
            $$"""
            akka.loglevel = WARNING
            akka.kafka.producer.kafka-clients { bootstrap.servers = "{{cluster.BootstrapServers}}", linger.ms = 5 }
            """).WithFallback(PipelinesConfiguration.Reference());
        var system = ActorSystem.Create("bench-frontdoors", config);
        try
        {
            await body(system, config, cluster).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Runs ours, the anchor, the anchor again and ours again; each side's two runs averaged.</summary>
    private static async Task<(Run Ours, Run Anchor)> AbbaAsync(Func<Task<Run>> ours, Func<Task<Run>> anchor)
    {
        var ours1 = await ours().ConfigureAwait(false);
        var anchor1 = await anchor().ConfigureAwait(false);
        var anchor2 = await anchor().ConfigureAwait(false);
        var ours2 = await ours().ConfigureAwait(false);
        return (Run.Mean(ours1, ours2), Run.Mean(anchor1, anchor2));
    }

    private static (Run Ours, Run Anchor) MedianRound(List<(Run Ours, Run Anchor)> rounds)
    {
        var ordered = rounds.OrderBy(r => r.Ours.PerSecond / r.Anchor.PerSecond).ToList();
        return ordered[ordered.Count / 2];
    }

    private static string Ratios(List<(Run Ours, Run Anchor)> rounds) =>
        "rounds " + string.Join(", ", rounds.Select(r => (r.Ours.PerSecond / r.Anchor.PerSecond).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<Run> PusherAsync(
        ActorSystem system, EmbeddedKafkaCluster cluster, string value, Balancer balancer, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        var pusher = new KafkaPusher(system, new KafkaPusherOptions { Topic = topic, Balancer = balancer });
        await pusher.PushAsync(value, cancellationToken).ConfigureAwait(false);   // metadata and connections before the clock starts
        var measure = Measure.Start();
        await Task.Run(
            () =>
            {
                for (var i = 0; i < count; i++)
                {
                    pusher.Push(value);
                }
            },
            cancellationToken).ConfigureAwait(false);
        await pusher.DisposeAsync().ConfigureAwait(false);
        var run = measure.Stop(count);
        ThrowIfFailed(pusher.FailedCount, count);
        return run;
    }

    private static async Task<Run> AsyncProducerAsync(Config config, EmbeddedKafkaCluster cluster, byte[] value, int count)
    {
        var topic = NewTopic(cluster);
        var producer = new AsyncProducer(config, new SaramaProducerOptions { Balancer = Balancer.Fnv1a, ChannelBufferSize = 10_000 });
        await producer.SendAsync(new SaramaMessage { Topic = topic, Value = value }).ConfigureAwait(false);
        var measure = Measure.Start();
        for (var i = 0; i < count; i++)
        {
            await producer.Input.WriteAsync(new SaramaMessage { Topic = topic, Value = value }).ConfigureAwait(false);
        }

        await producer.CloseAsync().ConfigureAwait(false);
        var run = measure.Stop(count);
        ThrowIfFailed(producer.ErrorCount, count);
        return run;
    }

    private static async Task<Run> AnchorAsync(Config config, EmbeddedKafkaCluster cluster, AnchorInput input, bool inTurn, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        var settings = ProducerSettings<Null, byte[]>.Create(config, null, null);
        using var producer = KafkaProducer.CreateProducer(settings);
        using (var admin = new DependentAdminClientBuilder(producer.Handle).Build())
        {
            admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        }

        var destinations = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, inTurn ? new Partition(p) : Partition.Any)).ToArray();
        var remaining = count;
        var failures = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<DeliveryReport<Null, byte[]>> handler = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failures);
            }

            if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        };
        var measure = Measure.Start();
        await Task.Run(
            () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var message = new Message<Null, byte[]> { Value = input.Text is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : input.Bytes! };
                    var destination = destinations[i % Partitions];
                    while (true)
                    {
                        try
                        {
                            producer.Produce(destination, message, handler);
                            break;
                        }
                        catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
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

    private static string NewTopic(EmbeddedKafkaCluster cluster)
    {
        var topic = "bench-frontdoors-" + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(topic, Partitions);
        return topic;
    }

    private static void ThrowIfFailed(long failures, int count)
    {
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {count} benchmark records were not delivered.");
        }
    }

    /// <summary>What an anchor produces: each string encoded as it is sent, or the same bytes every time.</summary>
    private sealed record AnchorInput(string? Text, byte[]? Bytes);
}
