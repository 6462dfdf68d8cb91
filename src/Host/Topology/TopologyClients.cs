using Akka.Actor;
using Akka.DependencyInjection;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Host.Topology;

/// <summary>Kafka client settings shared by the topology's pipelines.</summary>
internal static class TopologyClients
{
    /// <summary>
    /// <c>akka.kafka.consumer</c> in the group <c>group</c> of the pipeline's section, <c>client.id</c> the pipeline's name. A group new to the cluster starts at
    /// the beginning (records written before the pipeline joined are not skipped), and lag is measured every second,
    /// unless <c>akka.kafka.consumer.kafka-clients</c> says otherwise.
    /// </summary>
    public static ConsumerSettings<TKey, TValue> Consumer<TKey, TValue>(
        ActorSystem system, PipelineSettings settings, string defaultGroup, IDeserializer<TKey>? keys, IDeserializer<TValue>? values)
    {
        var consumer = ConsumerSettings<TKey, TValue>.Create(system, keys, values).WithGroupId(settings.GetString("group", defaultGroup));
        if (!consumer.Properties.ContainsKey("auto.offset.reset"))
        {
            consumer = consumer.WithProperty("auto.offset.reset", "earliest");
        }

        if (!consumer.Properties.ContainsKey("statistics.interval.ms"))
        {
            consumer = consumer.WithProperty("statistics.interval.ms", "1000");
        }

        // The live view (and any meter reader) finds a pipeline's figures by client.id = its name.
        return consumer.Properties.ContainsKey("client.id") ? consumer : consumer.WithClientId(settings.Name);
    }

    /// <summary><c>akka.kafka.producer</c>, with <c>client.id</c> the pipeline's name unless the configuration sets one.</summary>
    public static ProducerSettings<TKey, TValue> Producer<TKey, TValue>(
        ActorSystem system, PipelineSettings settings, ISerializer<TKey>? keys, ISerializer<TValue>? values)
    {
        var producer = ProducerSettings<TKey, TValue>.Create(system, keys, values);
        return producer.GetProperty("client.id") is null ? producer.WithProperty("client.id", settings.Name) : producer;
    }

    /// <summary>The committer of <c>akka.kafka.committer</c>, with the section's <c>commit.max-batch</c> and <c>commit.max-interval</c> when set.</summary>
    public static CommitterSettings Committer(ActorSystem system, PipelineSettings settings)
    {
        var committer = CommitterSettings.Create(system);
        if (settings.HasKey("commit.max-batch"))
        {
            committer = committer.WithMaxBatch(settings.GetInt("commit.max-batch"));
        }

        if (settings.HasKey("commit.max-interval"))
        {
            committer = committer.WithMaxInterval(settings.GetDuration("commit.max-interval"));
        }

        return committer;
    }

    /// <summary>Where Kafka clients of the topology log: the host's logger factory.</summary>
    public static ILogger? Logger(ActorSystem system, string category) =>
        DependencyResolver.For(system).Resolver?.GetService<ILoggerFactory>()?.CreateLogger(category);
}
