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
/// The front doors' throughput on the embedded cluster, side by side with a hand-written loop of <c>Produce</c> calls
/// with a delivery handler that waits for every delivery (the anchor), all with the same client settings (the reference
/// configuration, acks=all and idempotence, linger.ms 5). Ours: go-queue's pusher (<c>Push</c> without waiting, then
/// <c>DisposeAsync</c>, which awaits every delivery; the default least-bytes balancer and 1 MiB chunks) and Sarama's
/// async producer (<c>Input</c>, then <c>CloseAsync</c>). Runs alternate; the best of each side counts. Then go-queue's
/// queue against a hand-written consume loop (<see cref="QueueConsumeCase"/>).
/// </summary>
internal sealed class FrontDoorsSuite : IBenchmarkSuite
{
    private const int Partitions = 16;
    private const int ValueSize = 100;

    public string Name => "frontdoors";

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var count = options.Size(200_000, 20_000);
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
            await PusherAsync(system, cluster, text, count / 10, cancellationToken).ConfigureAwait(false);
            await AsyncProducerAsync(config, cluster, bytes, count / 10).ConfigureAwait(false);
            await AnchorAsync(config, cluster, bytes, count / 10, cancellationToken).ConfigureAwait(false);

            Run pusher = default, asyncProducer = default, anchor = default;
            for (var round = 0; round < rounds; round++)
            {
                var pusherRun = await PusherAsync(system, cluster, text, count, cancellationToken).ConfigureAwait(false);
                var asyncRun = await AsyncProducerAsync(config, cluster, bytes, count).ConfigureAwait(false);
                var anchorRun = await AnchorAsync(config, cluster, bytes, count, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"  round {round + 1}: pusher {pusherRun}; async producer {asyncRun}; anchor {anchorRun}");
                pusher = Run.Better(pusher, pusherRun);
                asyncProducer = Run.Better(asyncProducer, asyncRun);
                anchor = Run.Better(anchor, anchorRun);
            }

            report.Case(Name, "pusher-push", pusher.PerSecond, anchor.PerSecond, "msg/s",
                $"{count:N0} string records of {ValueSize} bytes over {Partitions} partitions, KafkaPusher.Push then DisposeAsync; anchor: Produce loop "
                + $"awaiting every delivery; best of {rounds}; CPU per record: ours {pusher.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us");
            report.Case(Name, "async-producer-input", asyncProducer.PerSecond, anchor.PerSecond, "msg/s",
                $"the same records through AsyncProducer.Input (fnv1a, no successes returned) then CloseAsync; CPU per record: ours "
                + $"{asyncProducer.CpuMicroseconds:F2} us, anchor {anchor.CpuMicroseconds:F2} us");

            await QueueConsumeCase.RunAsync(Name, system, cluster, options, report, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private static async Task<Run> PusherAsync(ActorSystem system, EmbeddedKafkaCluster cluster, string value, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        var pusher = new KafkaPusher(system, new KafkaPusherOptions { Topic = topic });
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

    private static async Task<Run> AnchorAsync(Config config, EmbeddedKafkaCluster cluster, byte[] value, int count, CancellationToken cancellationToken)
    {
        var topic = NewTopic(cluster);
        var settings = ProducerSettings<Null, byte[]>.Create(config, null, null);
        using var producer = KafkaProducer.CreateProducer(settings);
        using (var admin = new DependentAdminClientBuilder(producer.Handle).Build())
        {
            admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        }

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
                    while (true)
                    {
                        try
                        {
                            producer.Produce(topic, new Message<Null, byte[]> { Value = value }, handler);
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
}
