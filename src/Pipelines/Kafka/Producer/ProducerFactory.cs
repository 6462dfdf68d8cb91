using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>Builds Confluent producers from <see cref="ProducerSettings{TKey, TValue}"/>, with librdkafka's logs and errors routed to a logger.</summary>
internal static class ProducerFactory
{
    /// <summary>Builds a producer.</summary>
    /// <param name="settings">The settings (serializers and librdkafka properties).</param>
    /// <param name="logger">Where librdkafka's log lines and errors go.</param>
    /// <param name="onFatal">Called (on the client's thread) when the client hits a fatal error and can no longer produce.</param>
    /// <exception cref="InvalidOperationException"><c>bootstrap.servers</c> is not set.</exception>
    /// <exception cref="ArgumentException">librdkafka rejected a property.</exception>
    public static IProducer<TKey, TValue> Create<TKey, TValue>(ProducerSettings<TKey, TValue> settings, ILogger logger, Action<Error>? onFatal)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            throw new InvalidOperationException(
                $"{ProducerSettings<TKey, TValue>.ConfigPath}.kafka-clients.bootstrap.servers is not set, so the producer has no cluster to "
                + "connect to: set it in the configuration (config/akka.hocon reads KAFKA_BOOTSTRAP_SERVERS), or call "
                + "ProducerSettings.WithBootstrapServers (for an embedded cluster: its BootstrapServers).");
        }

        return new ProducerBuilder<TKey, TValue>(settings.CreateProducerConfig())
            .SetKeySerializer(settings.KeySerializer)
            .SetValueSerializer(settings.ValueSerializer)
            .SetLogHandler((producer, message) => Log(logger, message))
            .SetErrorHandler((producer, error) =>
            {
                if (error.IsFatal)
                {
                    ProducerLog.FatalError(logger, producer.Name, error.Code, error.Reason);
                    onFatal?.Invoke(error);
                }
                else
                {
                    ProducerLog.ClientError(logger, producer.Name, error.Code, error.Reason);
                }
            })
            .Build();
    }

    private static void Log(ILogger logger, LogMessage message)
    {
        switch (message.Level)
        {
            case <= SyslogLevel.Warning:
                ProducerLog.ClientWarning(logger, message.Name, message.Facility, message.Message);
                break;
            case SyslogLevel.Notice:
                ProducerLog.ClientInfo(logger, message.Name, message.Facility, message.Message);
                break;
            default:
                ProducerLog.ClientDebug(logger, message.Name, message.Facility, message.Message);
                break;
        }
    }
}
