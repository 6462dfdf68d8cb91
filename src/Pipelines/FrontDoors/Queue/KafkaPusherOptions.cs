using Akka.Configuration;
using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.Configuration.Conversion;
using Pipelines.FrontDoors.Balancers;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// The options of a <see cref="KafkaPusher"/>, go-queue's <c>kq.NewPusher(addrs, topic, opts...)</c>: set in code, read
/// from HOCON (<c>pipelines.pushers.&lt;name&gt;</c> over <c>pipelines.pusher-defaults</c>) or bound from
/// Microsoft.Extensions.Configuration. Every option is applied or refused with a <see cref="SettingsException"/> that
/// lists every problem; unknown keys are refused, never ignored.
/// </summary>
public sealed class KafkaPusherOptions
{
    /// <summary>The HOCON section holding one section per named pusher.</summary>
    public const string PushersPath = "pipelines.pushers";

    /// <summary>The HOCON section every named pusher takes its unset keys from.</summary>
    public const string DefaultsPath = "pipelines.pusher-defaults";

    private static readonly string[] KnownKeys =
        ["brokers", "topic", "chunk-size", "flush-interval", "allow-auto-topic-creation", "sync-push", "balancer", "max-pending", "kafka-clients"];

    /// <summary>The bootstrap servers (<c>host:port</c> each); empty takes <c>akka.kafka.producer.kafka-clients.bootstrap.servers</c>.</summary>
    /// <value>Empty.</value>
    public IList<string> Brokers { get; set; } = [];

    /// <summary>The topic every pushed record goes to.</summary>
    /// <value>None: required.</value>
    public string Topic { get; set; } = string.Empty;

    /// <summary>A chunk of records is handed to the client once its keys and values weigh this many bytes (go-zero's <c>WithChunkSize</c>).</summary>
    /// <value>1 MiB, as go-queue.</value>
    public long ChunkSize { get; set; } = 1024 * 1024;

    /// <summary>A chunk is handed to the client at the latest this long after the previous one (go-zero's <c>WithFlushInterval</c>).</summary>
    /// <value>1 second, as go-queue.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a push to a missing topic may create it (librdkafka's <c>allow.auto.create.topics</c>); when false the push fails naming the topic.</summary>
    /// <value>False, as kafka-go's writer.</value>
    public bool AllowAutoTopicCreation { get; set; }

    /// <summary>True sends every push to the client at once, without chunks (go-queue's <c>WithSyncPush</c>).</summary>
    /// <value>False.</value>
    public bool SyncPush { get; set; }

    /// <summary>Places the records on the topic's partitions; <see cref="Balancer.Manual"/> is refused (pushed records name no partition).</summary>
    /// <value><see cref="Balancer.LeastBytes"/>, go-queue's default.</value>
    public Balancer Balancer { get; set; } = Balancer.LeastBytes;

    /// <summary>
    /// How many records may wait for their chunk; beyond, <c>Push</c> and <c>PushAsync</c> wait until the chunk stage has
    /// taken them down to half this many (waking once per half-full queue, not once per record).
    /// </summary>
    /// <value>10,000.</value>
    public int MaxPending { get; set; } = 10_000;

    /// <summary>librdkafka properties over <c>akka.kafka.producer.kafka-clients</c> (<c>acks</c>, <c>linger.ms</c>, <c>compression.type</c>, …).</summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> KafkaClients { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where these options came from, for error messages.</summary>
    internal string Origin { get; private set; } = nameof(KafkaPusherOptions);

    /// <summary>Reads the pusher named <paramref name="name"/>: <c>pipelines.pushers.&lt;name&gt;</c> over <c>pipelines.pusher-defaults</c>.</summary>
    /// <param name="config">The whole configuration (an ActorSystem's, or <c>PipelinesConfiguration.Load()</c>).</param>
    /// <param name="name">The pusher's name.</param>
    /// <exception cref="SettingsException">There is no such section, a key is unknown, or a value is wrong; every problem is listed.</exception>
    public static KafkaPusherOptions FromConfig(Config config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = $"{PushersPath}.{name}";
        var reader = SettingsReader.OpenNamed(config, path, DefaultsPath, "pusher", KnownKeys, $"no pusher named \"{name}\" is configured; add a section {path} {{ topic = ... }}");

        var options = new KafkaPusherOptions
        {
            Origin = path,
            Brokers = [.. reader.StringList("brokers")],
            Topic = reader.String("topic") ?? string.Empty,
            ChunkSize = reader.ByteSize("chunk-size"),
            FlushInterval = reader.Duration("flush-interval"),
            AllowAutoTopicCreation = reader.Boolean("allow-auto-topic-creation"),
            SyncPush = reader.Boolean("sync-push"),
            MaxPending = reader.Int("max-pending"),
            KafkaClients = new Dictionary<string, string>(reader.Properties("kafka-clients"), StringComparer.Ordinal),
        };
        var balancer = reader.String("balancer");
        if (balancer is not null)
        {
            try
            {
                options.Balancer = Balancer.Parse(balancer);
            }
            catch (ArgumentException e)
            {
                reader.Problems.Fail("balancer", e.Message.Split(" (Parameter", 2)[0]);
            }
        }

        options.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return options;
    }

    /// <summary>
    /// Binds a Microsoft.Extensions.Configuration section: keys in PascalCase (<c>ChunkSize</c>) or as in HOCON
    /// (<c>chunk-size</c>); <c>Brokers</c> an array or a comma-separated string; <c>ChunkSize</c> bytes or a size such as
    /// <c>1M</c>; <c>FlushInterval</c> a <see cref="TimeSpan"/> or a duration such as <c>500ms</c>; <c>KafkaClients</c>
    /// an object of librdkafka properties.
    /// </summary>
    /// <exception cref="SettingsException">A key is unknown or a value is wrong; every problem is listed.</exception>
    public static KafkaPusherOptions FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section is IConfigurationSection s ? s.Path : nameof(KafkaPusherOptions);
        var problems = new SettingsProblems(path);
        var options = new KafkaPusherOptions { Origin = path };
        foreach (var child in section.GetChildren())
        {
            var key = child.Key;
            switch (Normalize(key))
            {
                case "BROKERS":
                    options.Brokers = child.Value is { } list
                        ? [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]
                        : [.. child.GetChildren().Select(c => c.Value ?? string.Empty)];
                    break;
                case "TOPIC":
                    options.Topic = child.Value ?? string.Empty;
                    break;
                case "CHUNKSIZE":
                    if (long.TryParse(child.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
                        || HoconByteSizes.TryParse(child.Value ?? string.Empty, out bytes, out _))
                    {
                        options.ChunkSize = bytes;
                    }
                    else
                    {
                        problems.Fail(key, $"must be a size in bytes such as 1048576 or 1M, but is \"{child.Value}\"");
                    }

                    break;
                case "FLUSHINTERVAL":
                    if (TimeSpan.TryParse(child.Value, System.Globalization.CultureInfo.InvariantCulture, out var interval)
                        || HoconDurations.TryParse(child.Value ?? string.Empty, allowInfinite: false, out interval, out _))
                    {
                        options.FlushInterval = interval;
                    }
                    else
                    {
                        problems.Fail(key, $"must be a duration such as 00:00:01 or 500ms, but is \"{child.Value}\"");
                    }

                    break;
                case "ALLOWAUTOTOPICCREATION":
                    options.AllowAutoTopicCreation = ReadBoolean(child, problems);
                    break;
                case "SYNCPUSH":
                    options.SyncPush = ReadBoolean(child, problems);
                    break;
                case "BALANCER":
                    try
                    {
                        options.Balancer = Balancer.Parse(child.Value ?? string.Empty);
                    }
                    catch (ArgumentException e)
                    {
                        problems.Fail(key, e.Message.Split(" (Parameter", 2)[0]);
                    }

                    break;
                case "MAXPENDING":
                    if (int.TryParse(child.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pending))
                    {
                        options.MaxPending = pending;
                    }
                    else
                    {
                        problems.Fail(key, $"must be a whole number, but is \"{child.Value}\"");
                    }

                    break;
                case "KAFKACLIENTS":
                    foreach (var property in child.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null))
                    {
                        options.KafkaClients[property.Key.Replace(':', '.')] = property.Value!;
                    }

                    break;
                default:
                    problems.Fail(key, $"is not a pusher setting; the settings are Brokers, Topic, ChunkSize, FlushInterval, AllowAutoTopicCreation, SyncPush, Balancer, MaxPending, KafkaClients");
                    break;
            }
        }

        options.Validate(problems);
        problems.ThrowIfAny();
        return options;
    }

    /// <summary>Checks every option and throws one <see cref="SettingsException"/> listing every problem.</summary>
    /// <exception cref="SettingsException">An option is wrong.</exception>
    public void Validate()
    {
        var problems = new SettingsProblems(Origin);
        Validate(problems);
        problems.ThrowIfAny();
    }

    /// <summary>The producer settings of the pusher: <paramref name="settings"/> with the brokers, the client properties and topic creation applied.</summary>
    internal ProducerSettings<byte[]?, byte[]?> Apply(ProducerSettings<byte[]?, byte[]?> settings)
    {
        settings = settings.WithProperties(KafkaClients)
            .WithProperty("allow.auto.create.topics", AllowAutoTopicCreation ? "true" : "false");
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }

    private void Validate(SettingsProblems problems)
    {
        var brokers = Brokers ?? [];
        problems.Check(brokers.All(b => !string.IsNullOrWhiteSpace(b)), "brokers", "must not contain empty entries");
        problems.Check(Topic is not null && KafkaTopicName.Problem(Topic) is null, "topic",
            Topic is null || Topic.Length == 0 ? "is required: the topic every pushed record goes to" : $"\"{Topic}\" is not a topic name: {KafkaTopicName.Problem(Topic)} ({KafkaTopicName.Rule})");
        problems.Check(ChunkSize >= 1, "chunk-size", $"must be at least 1 byte, but is {ChunkSize}");
        problems.Check(FlushInterval > TimeSpan.Zero, "flush-interval", $"must be greater than zero, but is {FlushInterval}");
        problems.Check(MaxPending >= 1, "max-pending", $"must be at least 1, but is {MaxPending}");
        problems.Check(Balancer is not null, "balancer", "is required (least-bytes, round-robin, murmur2 or fnv1a)");
        problems.Check(Balancer is null || !Balancer.UsesRecordPartition, "balancer",
            "manual is not possible for a pusher: pushed records name no partition; use least-bytes, round-robin, murmur2, fnv1a or a custom balancer");
        var clients = KafkaClients ?? new Dictionary<string, string>();
        problems.Check(!clients.ContainsKey("partitioner"), "kafka-clients",
            "partitioner is decided by the balancer: remove it and set balancer (murmur2 is the Java client's placement, fnv1a Sarama's)");
        problems.Check(!clients.ContainsKey("allow.auto.create.topics"), "kafka-clients",
            "allow.auto.create.topics is decided by allow-auto-topic-creation: remove it and set that option");
        problems.Check(brokers.Count == 0 || !clients.ContainsKey("bootstrap.servers"), "kafka-clients",
            "bootstrap.servers and brokers are both set: keep one of them");
    }

    private static bool ReadBoolean(IConfigurationSection child, SettingsProblems problems)
    {
        switch (child.Value?.Trim().ToUpperInvariant())
        {
            case "TRUE" or "YES" or "ON":
                return true;
            case "FALSE" or "NO" or "OFF":
                return false;
            default:
                problems.Fail(child.Key, $"must be true or false, but is \"{child.Value}\"");
                return false;
        }
    }

    private static string Normalize(string key) =>
        key.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
