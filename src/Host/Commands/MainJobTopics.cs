using Microsoft.Extensions.Hosting;
using Pipelines.Host.Topology;
using Pipelines.Kafka.Embedded;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Commands;

/// <summary>Creates the missing topics of the enabled pipelines when the host starts, before the actor system does.</summary>
internal sealed class MainJobTopics(Config config, string? bootstrapServers, EmbeddedKafkaCluster? embedded, TextWriter messages) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var topics = ExampleTopology.Topics(config);
        if (topics.Count == 0 || string.IsNullOrWhiteSpace(bootstrapServers))
        {
            return;
        }

        var timeout = config.GetTimeSpan("pipelines.main-job.admin-timeout", TimeSpan.FromSeconds(30));
        IReadOnlyList<string> created;
        try
        {
            created = await TopologyTopics.EnsureAsync(topics, bootstrapServers, embedded, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            throw new CommandException(
                $"creating the topology's topics on {bootstrapServers} failed: {e.Message} Check that the cluster is reachable (pipelines.main-job.admin-timeout {Durations.Format(timeout)}) and that this client may create topics, or create them beforehand.");
        }

        await messages.WriteLineAsync(created.Count == 0
            ? $"The topology's {topics.Count} topics exist."
            : $"Created {created.Count} of the topology's {topics.Count} topics: {string.Join(", ", created)}.").ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
