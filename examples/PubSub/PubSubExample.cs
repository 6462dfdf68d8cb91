using System.Globalization;
using Akka.Actor;
using Confluent.Kafka.Admin;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Broker;
using Pipelines.Kafka;
using Pipelines.Kafka.Embedded;

namespace PubSub;

/// <summary>
/// A Kratos-style publish/subscribe: a subscriber in queue <c>printer</c> prints every greeting, a publisher sends
/// <c>--count</c> greetings (10 by default) keyed by user, and the program ends once all were handled.
/// </summary>
public static class PubSubExample
{
    /// <summary>The topic of the greetings.</summary>
    public const string Topic = "greetings";

    /// <summary>Runs the example; returns the process exit code.</summary>
    /// <param name="args"><c>--count N</c>: how many greetings to publish.</param>
    /// <param name="output">Where the publisher and the subscriber print.</param>
    /// <param name="cancellationToken">Stops the run early (Ctrl+C).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var count = 10;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--count" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n >= 1)
            {
                count = n;
                i++;
            }
            else
            {
                await output.WriteLineAsync($"error: unknown argument \"{args[i]}\"; usage: PubSub [--count N] (N >= 1)").ConfigureAwait(false);
                return 1;
            }
        }

        // No brokers configured: start an embedded cluster in this process, so the example needs nothing else.
        var bootstrap = Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        using var cluster = string.IsNullOrWhiteSpace(bootstrap) ? EmbeddedKafkaCluster.Start(brokerCount: 1) : null;
        if (cluster is not null)
        {
            bootstrap = cluster.BootstrapServers;
            cluster.CreateTopic(Topic, partitions: 3);
            await output.WriteLineAsync($"embedded Kafka cluster at {bootstrap}").ConfigureAwait(false);
        }
        else
        {
            using var admin = new KafkaAdmin(bootstrap!);
            await admin.CreateTopicsIfMissingAsync([new TopicSpecification { Name = Topic, NumPartitions = 3 }], TimeSpan.FromSeconds(30), cancellationToken)
                .ConfigureAwait(false);
        }

        using var system = ActorSystem.Create("pubsub", PipelinesConfiguration.Load());
        try
        {
            await using var broker = new KafkaBroker(system, new KafkaBrokerOptions { Brokers = [bootstrap!] });
            var handled = 0;
            var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Kratos: broker.Subscribe("greetings", handler, broker.Queue("printer"))
            var subscription = broker.Subscribe<Greeting>(Topic, "printer", async (e, ct) =>
            {
                await output.WriteLineAsync($"received #{e.Message.Number} \"{e.Message.Text}\" key={e.Key} partition={e.Partition} offset={e.Offset}")
                    .ConfigureAwait(false);
                if (Interlocked.Increment(ref handled) == count)
                {
                    allHandled.TrySetResult();
                }
            });

            // Kratos: broker.Publish(ctx, "greetings", greeting)
            for (var i = 1; i <= count; i++)
            {
                var greeting = new Greeting(i, $"hello {i}", DateTimeOffset.UtcNow);
                var delivery = await broker.PublishAsync(Topic, greeting, key: $"user-{i % 3}", cancellationToken: cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"published #{i} to partition {delivery.Partition} offset {delivery.Offset}").ConfigureAwait(false);
            }

            await allHandled.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            await subscription.StopAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"done: {count} published, {subscription.Metrics}").ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }
}
