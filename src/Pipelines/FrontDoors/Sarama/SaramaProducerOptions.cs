using Pipelines.Configuration;
using Pipelines.FrontDoors.Balancers;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Sarama;

/// <summary>
/// The options of <see cref="SyncProducer"/> and <see cref="AsyncProducer"/>, after Sarama's <c>Config.Producer</c>:
/// the brokers, the partitioner (<see cref="Balancer"/>), <c>Return.Successes</c>/<c>Return.Errors</c> and
/// <c>ChannelBufferSize</c>. The client properties come from <c>akka.kafka.producer</c> with <see cref="KafkaClients"/> over them.
/// </summary>
public sealed class SaramaProducerOptions
{
    /// <summary>The bootstrap servers (<c>host:port</c> each); empty takes <c>akka.kafka.producer.kafka-clients.bootstrap.servers</c>.</summary>
    /// <value>Empty.</value>
    public IList<string> Brokers { get; set; } = [];

    /// <summary>Places the messages (Sarama's <c>Producer.Partitioner</c>).</summary>
    /// <value><see cref="Balancer.Fnv1a"/>, Sarama's default <c>NewHashPartitioner</c>.</value>
    public Balancer Balancer { get; set; } = Balancer.Fnv1a;

    /// <summary>Whether <see cref="AsyncProducer.Successes"/> receives the stored messages (Sarama's <c>Return.Successes</c>).</summary>
    /// <value>False, as Sarama.</value>
    public bool ReturnSuccesses { get; set; }

    /// <summary>
    /// Whether <see cref="AsyncProducer.Errors"/> receives the failed messages (Sarama's <c>Return.Errors</c>); when false
    /// they are raised through <see cref="AsyncProducer.Failed"/>, which must then have a handler, and counted.
    /// </summary>
    /// <value>True, as Sarama.</value>
    public bool ReturnErrors { get; set; } = true;

    /// <summary>
    /// How many messages <see cref="AsyncProducer.Input"/> buffers, and how many may be in flight or waiting unread in
    /// <see cref="AsyncProducer.Successes"/> and <see cref="AsyncProducer.Errors"/> together (Sarama's <c>ChannelBufferSize</c>).
    /// </summary>
    /// <value>256, as Sarama.</value>
    public int ChannelBufferSize { get; set; } = 256;

    /// <summary>librdkafka properties over <c>akka.kafka.producer.kafka-clients</c> (<c>acks</c>, <c>linger.ms</c>, <c>compression.type</c>, …).</summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> KafkaClients { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Checks every option and throws one <see cref="SettingsException"/> listing every problem.</summary>
    /// <exception cref="SettingsException">An option is wrong.</exception>
    public void Validate()
    {
        var problems = new SettingsProblems(nameof(SaramaProducerOptions));
        var brokers = Brokers ?? [];
        var clients = KafkaClients ?? new Dictionary<string, string>();
        problems.Check(brokers.All(b => !string.IsNullOrWhiteSpace(b)), "brokers", "must not contain empty entries");
        problems.Check(Balancer is not null, "balancer", "is required (fnv1a, murmur2, round-robin, least-bytes, manual or custom)");
        problems.Check(ChannelBufferSize >= 1, "channel-buffer-size", $"must be at least 1, but is {ChannelBufferSize}");
        problems.Check(!clients.ContainsKey("partitioner"), "kafka-clients",
            "partitioner is decided by the balancer: remove it and set Balancer (murmur2 is the Java client's placement, fnv1a Sarama's)");
        problems.Check(brokers.Count == 0 || !clients.ContainsKey("bootstrap.servers"), "kafka-clients",
            "bootstrap.servers and brokers are both set: keep one of them");
        problems.ThrowIfAny();
    }

    /// <summary>The producer settings: <paramref name="settings"/> with the brokers and the client properties applied.</summary>
    internal ProducerSettings<byte[]?, byte[]?> Apply(ProducerSettings<byte[]?, byte[]?> settings)
    {
        settings = settings.WithProperties(KafkaClients);
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }
}
