using Pipelines.Kafka.Embedded;

namespace Pipelines.Host.Commands;

/// <summary>Runs a standalone embedded Kafka cluster until cancelled (Ctrl+C or SIGTERM).</summary>
internal static class EmbeddedBroker
{
    /// <summary>
    /// Starts the cluster, creates <paramref name="topics"/>, writes the bootstrap servers as the first line of
    /// <paramref name="output"/> (and to <paramref name="bootstrapFile"/>), and stops cleanly when cancelled.
    /// Human-readable text goes to <paramref name="messages"/>, so scripts can read the first output line.
    /// </summary>
    public static async Task<int> RunAsync(
        int brokers,
        IReadOnlyList<TopicArgument> topics,
        string? bootstrapFile,
        TextWriter output,
        TextWriter messages,
        CancellationToken cancellationToken)
    {
        foreach (var topic in topics)
        {
            if (topic.ReplicationFactor > brokers)
            {
                await messages.WriteLineAsync(
                    $"error: topic {topic.Name} asks for replication factor {topic.ReplicationFactor}, but the cluster has {brokers} broker(s).").ConfigureAwait(false);
                return 1;
            }
        }

        using var cluster = EmbeddedKafkaCluster.Start(brokers);
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor);
        }

        // Disposed before the cluster (declared after it), so no request reaches a stopped cluster.
        using var control = EmbeddedClusterControl.TryStart(cluster, messages);

        if (bootstrapFile is not null)
        {
            // Written whole and then renamed, so a reader polling for the file never sees half a line.
            var temporary = bootstrapFile + ".tmp";
            await File.WriteAllTextAsync(temporary, cluster.BootstrapServers + "\n", cancellationToken).ConfigureAwait(false);
            File.Move(temporary, bootstrapFile, overwrite: true);
        }

        await output.WriteLineAsync(cluster.BootstrapServers).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);

        await messages.WriteLineAsync($"Embedded Kafka cluster running with {brokers} broker(s) (in memory; data is lost when it stops).").ConfigureAwait(false);
        await messages.WriteLineAsync($"  bootstrap.servers={cluster.BootstrapServers}").ConfigureAwait(false);
        await messages.WriteLineAsync($"  e.g. export KAFKA_BOOTSTRAP_SERVERS={cluster.BootstrapServers}").ConfigureAwait(false);
        foreach (var topic in topics)
        {
            await messages.WriteLineAsync($"  topic {topic}").ConfigureAwait(false);
        }

        await messages.WriteLineAsync("  Producers create other topics on first use (4 partitions); pipelines topics create makes them with other counts.").ConfigureAwait(false);
        await messages.WriteLineAsync("  Press Ctrl+C to stop.").ConfigureAwait(false);
        await messages.FlushAsync(cancellationToken).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: the normal way to stop.
        }

        control?.Dispose();
        cluster.Dispose();
        if (bootstrapFile is not null)
        {
            // The addresses are dead now; a stale file would point clients at closed ports.
            File.Delete(bootstrapFile);
        }

        await messages.WriteLineAsync("Embedded Kafka cluster stopped.").ConfigureAwait(false);
        return 0;
    }
}
