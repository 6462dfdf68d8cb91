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
/// which awaits every delivery (1 MiB chunks); the async producer: <c>Input</c>, then <c>CloseAsync</c>. Runs alternate;
/// the best of each side counts. Then go-queue's queue against a hand-written consume loop (<see cref="QueueConsumeCase"/>).
/// </summary>
internal sealed class FrontDoorsSuite : IBenchmarkSuite
{
    private const int Partitions = 16;
    private const int ValueSize = 100;

    public string Name => "frontdoors";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(500_000, 20_000);
        var rounds = options.Quick ? 1 : 3;
        using var cluster = EmbeddedKafkaCluster.Start(1);
        var config = ConfigurationFactory.ParseString(
            $$"""
            akka.loglevel = WARNING
            akka.kafka.producer.kafka-clients { bootstrap.servers = "{{cluster.BootstrapServers}}", linger.ms = 5 }
            """).WithFallback(PipelinesConfiguration.Reference());
        var system = ActorSystem.Create("bench-frontdoors", config);
        try
        {
            var text = new string('v', ValueSize);
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var strings = new AnchorInput(text, null);
            var raw = new AnchorInput(null, bytes);
            var warmUp = count / 10;
            await PusherAsync(system, cluster, text, Balancer.LeastBytes, warmUp, cancellationToken).ConfigureAwait(false);
            await PusherAsync(system, cluster, text, Balancer.Fnv1a, warmUp, cancellationToken).ConfigureAwait(false);
            await AsyncProducerAsync(config, cluster, bytes, warmUp).ConfigureAwait(false);
            await AnchorAsync(config, cluster, strings, inTurn: true, warmUp, cancellationToken).ConfigureAwait(false);
            await AnchorAsync(config, cluster, strings, inTurn: false, warmUp, cancellationToken).ConfigureAwait(false);
            await AnchorAsync(config, cluster, raw, inTurn: false, warmUp, cancellationToken).ConfigureAwait(false);

            Run pusher = default, pusherHash = default, asyncProducer = default, anchorInTurn = default, anchorClient = default, anchorBytes = default;
            for (var round = 0; round < rounds; round++)
            {
                var pusherRun = await PusherAsync(system, cluster, text, Balancer.LeastBytes, count, cancellationToken).ConfigureAwait(false);
                var inTurnRun = await AnchorAsync(config, cluster, strings, inTurn: true, count, cancellationToken).ConfigureAwait(false);
                var hashRun = await PusherAsync(system, cluster, text, Balancer.Fnv1a, count, cancellationToken).ConfigureAwait(false);
                var clientRun = await AnchorAsync(config, cluster, strings, inTurn: false, count, cancellationToken).ConfigureAwait(false);
                var asyncRun = await AsyncProducerAsync(config, cluster, bytes, count).ConfigureAwait(false);
                var bytesRun = await AnchorAsync(config, cluster, raw, inTurn: false, count, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"  round {round + 1}: pusher {pusherRun}; anchor in turn {inTurnRun}");
                Console.WriteLine($"  round {round + 1}: pusher fnv1a {hashRun}; anchor client-placed {clientRun}");
                Console.WriteLine($"  round {round + 1}: async producer {asyncRun}; anchor bytes {bytesRun}");
                pusher = Run.Better(pusher, pusherRun);
                anchorInTurn = Run.Better(anchorInTurn, inTurnRun);
                pusherHash = Run.Better(pusherHash, hashRun);
                anchorClient = Run.Better(anchorClient, clientRun);
                asyncProducer = Run.Better(asyncProducer, asyncRun);
                anchorBytes = Run.Better(anchorBytes, bytesRun);
            }

            report.Case(Name, "pusher-push", pusher.PerSecond, anchorInTurn.PerSecond, "msg/s",
                $"{count:N0} string records of {ValueSize} bytes over {Partitions} partitions, KafkaPusher.Push (least-bytes: the partitions in turn) then "
                + $"DisposeAsync; anchor: a Produce loop encoding each string, to the partitions in turn, awaiting every delivery; best of {rounds}; "
                + $"CPU per record: ours {pusher.CpuMicroseconds:F2} us, anchor {anchorInTurn.CpuMicroseconds:F2} us; allocated per record: ours "
                + $"{pusher.AllocatedBytes:F0} B, anchor {anchorInTurn.AllocatedBytes:F0} B");
            report.Case(Name, "pusher-push-client-placed", pusherHash.PerSecond, anchorClient.PerSecond, "msg/s",
                $"the same with the fnv1a balancer (no keys: the client's sticky partitioner places them) vs the same loop leaving placement to the "
                + $"client; CPU per record: ours {pusherHash.CpuMicroseconds:F2} us, anchor {anchorClient.CpuMicroseconds:F2} us");
            report.Case(Name, "async-producer-input", asyncProducer.PerSecond, anchorBytes.PerSecond, "msg/s",
                $"the records as bytes through AsyncProducer.Input (fnv1a, no successes returned) then CloseAsync vs a Produce loop of the same bytes, "
                + $"placed by the client; CPU per record: ours {asyncProducer.CpuMicroseconds:F2} us, anchor {anchorBytes.CpuMicroseconds:F2} us");

            await QueueConsumeCase.RunAsync(Name, system, cluster, options, report, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

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
