using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Producing;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Sarama;

/// <summary>What the Sarama producers share: building the balanced client from the options and the configuration.</summary>
internal static class SaramaProducers
{
    public static BalancedProducer Create(SaramaProducerOptions options, Config config, ILogger logger, bool requireAcksAll)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        options.Validate();
        var settings = options.Apply(ProducerSettings<byte[]?, byte[]?>.Create(config, null, null));
        if (requireAcksAll && settings.GetProperty("acks") is { } acks && acks is not ("all" or "-1"))
        {
            throw new SettingsException(nameof(SaramaProducerOptions),
                [$"kafka-clients.acks: a SyncProducer returns once every in-sync replica has the message, so acks must be all (or -1), but is {acks}"]);
        }

        return BalancedProducer.Create(requireAcksAll ? settings.WithProperty("acks", "all") : settings, options.Balancer, logger, TimeProvider.System);
    }

    /// <summary>Fills in where a stored message went, as Sarama does.</summary>
    public static void Stored(SaramaMessage message, Delivery delivery)
    {
        message.Partition = delivery.Partition;
        message.Offset = delivery.Offset;
    }
}
