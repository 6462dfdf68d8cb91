using Confluent.Kafka;
using Pipelines.Kafka;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Commands;

/// <summary>
/// The cluster a command talks to and how: the loaded configuration (so <c>akka.kafka.*</c> tuning applies), the
/// bootstrap servers chosen by precedence (<c>--bootstrap-servers</c>, <c>KAFKA_BOOTSTRAP_SERVERS</c>, the
/// configuration), the time the cluster has to answer, and the clients' log.
/// </summary>
internal sealed class KafkaConnection(Config config, string? configFile, string? bootstrapServers, TimeSpan timeout, ClientLog log)
{
    /// <summary>The loaded configuration (the file over the reference, environment overrides applied).</summary>
    public Config Config { get; } = config;

    /// <summary>How long the command waits for the cluster (metadata, offsets, creation).</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>The clients' log and the last error they reported.</summary>
    public ClientLog Log { get; } = log;

    /// <summary>The bootstrap servers in use, once a settings method has resolved them.</summary>
    public string Servers { get; private set; } = string.Empty;

    /// <summary>Producer settings from <c>akka.kafka.producer</c> with the chosen bootstrap servers, keys and values as UTF-8 text.</summary>
    public ProducerSettings<string?, string?> ProducerSettings()
    {
        var settings = ProducerSettings<string?, string?>.Create(Config, null, null);
        return settings.WithBootstrapServers(Choose(settings.BootstrapServers, ProducerSettings<string, string>.ConfigPath));
    }

    /// <summary>Consumer settings from <c>akka.kafka.consumer</c> with the chosen bootstrap servers, keys and values as UTF-8 text.</summary>
    public ConsumerSettings<string?, string?> ConsumerSettings()
    {
        var settings = ConsumerSettings<string?, string?>.Create(Config, null, null);
        return settings.WithBootstrapServers(Choose(settings.BootstrapServers, ConsumerSettings<string, string>.ConfigPath));
    }

    /// <summary>A consumer builder from <paramref name="settings"/> whose client log and errors go to <see cref="Log"/>.</summary>
    public ConsumerBuilder<string?, string?> ConsumerBuilder(ConsumerSettings<string?, string?> settings)
    {
        return new ConsumerBuilder<string?, string?>(settings.CreateConsumerConfig())
            .SetKeyDeserializer(settings.KeyDeserializer)
            .SetValueDeserializer(settings.ValueDeserializer)
            .SetLogHandler((_, message) => Log.ClientLine(message))
            .SetErrorHandler((client, error) => Log.ClientError(client.Name, error.Reason));
    }

    /// <summary>An admin client with the consumer section's client properties (security settings and the like).</summary>
    public KafkaAdmin CreateAdmin()
    {
        var properties = ConsumerSettings().Properties.ToDictionary(StringComparer.Ordinal);
        return new KafkaAdmin(new AdminClientConfig(properties), Log);
    }

    /// <summary>Describes <paramref name="topic"/>, or fails the command when it does not exist or the cluster does not answer.</summary>
    public KafkaTopicInfo RequireTopic(KafkaAdmin admin, string topic)
    {
        var info = Describe(admin, topic);
        return info ?? throw new CommandException(
            $"topic \"{topic}\" does not exist on the cluster at {Servers}; create it with: pipelines topics create {topic} --partitions N.");
    }

    /// <summary>Describes <paramref name="topic"/> (null when it does not exist), or fails the command when the cluster does not answer.</summary>
    public KafkaTopicInfo? Describe(KafkaAdmin admin, string topic)
    {
        try
        {
            return admin.DescribeTopic(topic, Timeout);
        }
        catch (KafkaException e)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>The error for a cluster that did not answer: where, how long, why, and what to check.</summary>
    public CommandException Unreachable(KafkaException e)
    {
        var last = Log.LastError;
        var reason = last is null || last.Contains(e.Error.Reason, StringComparison.Ordinal) ? e.Error.Reason : $"{e.Error.Reason}; last client error: {last}";
        return new CommandException(
            $"the Kafka cluster at {Servers} did not answer within {Durations.Format(Timeout)} ({reason}); check the address and that the brokers are running.");
    }

    private string Choose(string? configured, string section)
    {
        var servers = bootstrapServers ?? configured;
        if (string.IsNullOrWhiteSpace(servers))
        {
            var where = configFile is null ? "a configuration file (--config-file)" : configFile;
            throw new CommandException(
                $"no Kafka cluster is configured: pass --bootstrap-servers host:port, set {MainJob.BootstrapServersVariable}, or set "
                + $"{section}.kafka-clients.bootstrap.servers in {where} (pipelines broker runs an embedded cluster).");
        }

        Servers = servers;
        return servers;
    }
}
