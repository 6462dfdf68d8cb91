using System.Globalization;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.Configuration.Conversion;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// The options of a <see cref="KafkaQueue"/>, go-zero's <c>kq.KqConf</c> with its defaults plus kafka-go's reader
/// options that go-queue sets (<c>CommitInterval</c>, <c>QueueCapacity</c>, <c>MaxWait</c>): set in code, read from
/// HOCON (<c>pipelines.queues.&lt;name&gt;</c> over <c>pipelines.queue-defaults</c>) or bound from
/// Microsoft.Extensions.Configuration. Every option is applied (to the consumer's librdkafka properties, the source,
/// the committer or the handler stage) or refused with a <see cref="SettingsException"/> that lists every problem, with
/// the value's file:line:column when it came from HOCON; unknown keys are refused, never ignored.
/// </summary>
public sealed class KafkaQueueOptions
{
    /// <summary>The HOCON section holding one section per named queue.</summary>
    public const string QueuesPath = "pipelines.queues";

    /// <summary>The HOCON section every named queue takes its unset keys from.</summary>
    public const string DefaultsPath = "pipelines.queue-defaults";

    /// <summary>librdkafka's <c>message.max.bytes</c> default, the least <c>fetch.max.bytes</c> it accepts.</summary>
    private const long DefaultMessageMaxBytes = 1_000_000;

    /// <summary>librdkafka's largest <c>queued.max.messages.kbytes</c>.</summary>
    private const long MaxQueuedKilobytes = 2_097_151;

    private static readonly string[] KnownKeys =
    [
        "brokers", "group", "topic", "topics", "offset", "conns", "consumers", "processors", "min-bytes", "max-bytes", "username",
        "password", "commit-interval", "queue-capacity", "max-wait", "ordering", "retry", "kafka-clients",
    ];

    // librdkafka properties an option decides, and the option to set instead.
    private static readonly (string Property, string Option)[] DecidedProperties =
    [
        ("group.id", "group"),
        ("auto.offset.reset", "offset"),
        ("fetch.min.bytes", "min-bytes"),
        ("fetch.max.bytes", "max-bytes"),
        ("max.partition.fetch.bytes", "max-bytes"),
        ("fetch.wait.max.ms", "max-wait"),
        ("queued.max.messages.kbytes", "consumers and max-bytes"),
        ("sasl.username", "username"),
        ("sasl.password", "password"),
        ("sasl.mechanisms", "username and password (SASL PLAIN)"),
        ("sasl.mechanism", "username and password (SASL PLAIN)"),
        ("enable.auto.commit", "the queue (it commits after the handler, never automatically)"),
    ];

    private readonly Dictionary<string, string> _positions = new(StringComparer.Ordinal);

    /// <summary>The bootstrap servers (<c>host:port</c> each); empty takes <c>akka.kafka.consumer.kafka-clients.bootstrap.servers</c>.</summary>
    /// <value>Empty.</value>
    public IList<string> Brokers { get; set; } = [];

    /// <summary>The consumer group (<c>group.id</c>); the queue's processes share the topics' partitions in it.</summary>
    /// <value>None: required.</value>
    public string Group { get; set; } = string.Empty;

    /// <summary>The topics consumed (go-queue's <c>Topic</c>; HOCON <c>topic = x</c> or <c>topics = [x, y]</c>).</summary>
    /// <value>None: at least one is required.</value>
    public IList<string> Topics { get; set; } = [];

    /// <summary>Where the group starts on a partition without a committed offset (<c>auto.offset.reset</c>).</summary>
    /// <value><see cref="KafkaQueueOffset.Last"/>, as go-queue.</value>
    public KafkaQueueOffset Offset { get; set; } = KafkaQueueOffset.Last;

    /// <summary>How many consumers this process runs in the group (each its own client and source, merged before the handler).</summary>
    /// <value>1, as go-queue.</value>
    public int Conns { get; set; } = 1;

    /// <summary>
    /// go-queue's fetching goroutines per consumer. librdkafka fetches on its own broker threads, so what they amount to
    /// here is how much fetched data the client may hold ahead of the queue: <see cref="Consumers"/> fetches of
    /// <see cref="MaxBytes"/>, <c>queued.max.messages.kbytes</c> = <see cref="Consumers"/> × <see cref="MaxBytes"/> / 1 KiB.
    /// </summary>
    /// <value>8, as go-queue.</value>
    public int Consumers { get; set; } = 8;

    /// <summary>How many handler calls run at once (go-queue's processing goroutines).</summary>
    /// <value>8, as go-queue.</value>
    public int Processors { get; set; } = 8;

    /// <summary>The least data a fetch waits for (<c>fetch.min.bytes</c>), up to <see cref="MaxWait"/>.</summary>
    /// <value>10 KiB (10,240), as go-queue.</value>
    public long MinBytes { get; set; } = 10 * 1024;

    /// <summary>The most data one fetch returns, in all and per partition (<c>fetch.max.bytes</c>, <c>max.partition.fetch.bytes</c>).</summary>
    /// <value>10 MiB (10,485,760), as go-queue.</value>
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The SASL PLAIN user; with <see cref="Password"/> it turns on <c>sasl.mechanisms = PLAIN</c>.</summary>
    /// <value>Empty: no SASL.</value>
    public string Username { get; set; } = string.Empty;

    /// <summary>The SASL PLAIN password (never shown: <see cref="ToString"/> and errors redact it).</summary>
    /// <value>Empty.</value>
    public string Password { get; set; } = string.Empty;

    /// <summary>The longest time a processed offset waits before it is committed (the committer's <c>max-interval</c>).</summary>
    /// <value>1 second, as go-queue.</value>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many messages a consumer's source holds ahead of the handlers (the source's <c>buffer-size</c>; a partition whose buffer is full is paused).</summary>
    /// <value>1,000, as go-queue.</value>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>The longest a fetch waits for <see cref="MinBytes"/> (<c>fetch.wait.max.ms</c>).</summary>
    /// <value>1 second, as go-queue.</value>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-key order (the default) or none.</summary>
    /// <value><see cref="KafkaQueueOrdering.PerKey"/>.</value>
    public KafkaQueueOrdering Ordering { get; set; } = KafkaQueueOrdering.PerKey;

    /// <summary>
    /// True runs the handler through the retry route (<c>pipelines.retry</c>: in-place retries, then non-blocking retries
    /// through the delay queue to <c>{group}-retry</c>, then <c>{group}-dlt</c>). False: a failing handler fails the queue,
    /// which restarts and receives the message again; nothing is committed past it.
    /// </summary>
    /// <value>False.</value>
    public bool Retry { get; set; }

    /// <summary>librdkafka properties over <c>akka.kafka.consumer.kafka-clients</c>; properties an option decides are refused.</summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> KafkaClients { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where these options came from, for error messages.</summary>
    internal string Origin { get; private set; } = nameof(KafkaQueueOptions);

    /// <summary>Reads the queue named <paramref name="name"/>: <c>pipelines.queues.&lt;name&gt;</c> over <c>pipelines.queue-defaults</c>.</summary>
    /// <param name="config">The whole configuration (an ActorSystem's, or <c>PipelinesConfiguration.Load()</c>).</param>
    /// <param name="name">The queue's name.</param>
    /// <exception cref="SettingsException">There is no such section, a key is unknown, or a value is wrong; every problem is listed.</exception>
    public static KafkaQueueOptions FromConfig(Config config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = $"{QueuesPath}.{name}";
        var reader = SettingsReader.OpenNamed(config, path, DefaultsPath, "queue", KnownKeys, $"no queue named \"{name}\" is configured; add a section {path} {{ group = ..., topic = ... }}");

        var options = new KafkaQueueOptions
        {
            Origin = path,
            Brokers = [.. reader.StringList("brokers")],
            Group = reader.String("group") ?? string.Empty,
            Offset = ReadEnum(reader, "offset", KafkaQueueOffset.Last, "first or last"),
            Conns = reader.Int("conns"),
            Consumers = reader.Int("consumers"),
            Processors = reader.Int("processors"),
            MinBytes = reader.ByteSize("min-bytes"),
            MaxBytes = reader.ByteSize("max-bytes"),
            Username = reader.String("username") ?? string.Empty,
            Password = reader.String("password") ?? string.Empty,
            CommitInterval = reader.Duration("commit-interval"),
            QueueCapacity = reader.Int("queue-capacity"),
            MaxWait = reader.Duration("max-wait"),
            Ordering = ReadEnum(reader, "ordering", KafkaQueueOrdering.PerKey, "per-key or unordered"),
            Retry = reader.Boolean("retry"),
            KafkaClients = new Dictionary<string, string>(reader.Properties("kafka-clients"), StringComparer.Ordinal),
        };
        var topic = reader.String("topic") ?? string.Empty;
        var topics = reader.StringList("topics");
        reader.Problems.Check(topic.Length == 0 || topics.Count == 0, "topics", $"and topic are both set: keep one of them{reader.PositionOf("topics")}");
        options.Topics = topic.Length > 0 ? [topic] : [.. topics];
        foreach (var key in KnownKeys)
        {
            options._positions[key] = reader.PositionOf(key);
        }

        options._positions["topic"] = reader.PositionOf(topic.Length > 0 ? "topic" : "topics");
        options.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return options;
    }

    /// <summary>
    /// Binds a Microsoft.Extensions.Configuration section: keys in PascalCase (<c>QueueCapacity</c>, go-zero's YAML names)
    /// or as in HOCON (<c>queue-capacity</c>); <c>Brokers</c> and <c>Topics</c> an array or a comma-separated string;
    /// sizes in bytes or as <c>10M</c>; durations as a <see cref="TimeSpan"/> or as <c>500ms</c>; <c>KafkaClients</c> an
    /// object of librdkafka properties.
    /// </summary>
    /// <exception cref="SettingsException">A key is unknown or a value is wrong; every problem is listed.</exception>
    public static KafkaQueueOptions FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section is IConfigurationSection s ? s.Path : nameof(KafkaQueueOptions);
        var problems = new SettingsProblems(path);
        var options = new KafkaQueueOptions { Origin = path };
        var topicSet = false;
        var topicsSet = false;
        foreach (var child in section.GetChildren())
        {
            var key = child.Key;
            switch (Normalize(key))
            {
                case "BROKERS":
                    options.Brokers = List(child);
                    break;
                case "GROUP":
                    options.Group = child.Value ?? string.Empty;
                    break;
                case "TOPIC":
                    options.Topics = [child.Value ?? string.Empty];
                    topicSet = true;
                    break;
                case "TOPICS":
                    options.Topics = List(child);
                    topicsSet = true;
                    break;
                case "OFFSET":
                    options.Offset = ReadEnum(child, problems, options.Offset);
                    break;
                case "CONNS":
                    options.Conns = ReadInt(child, problems, options.Conns);
                    break;
                case "CONSUMERS":
                    options.Consumers = ReadInt(child, problems, options.Consumers);
                    break;
                case "PROCESSORS":
                    options.Processors = ReadInt(child, problems, options.Processors);
                    break;
                case "MINBYTES":
                    options.MinBytes = ReadBytes(child, problems, options.MinBytes);
                    break;
                case "MAXBYTES":
                    options.MaxBytes = ReadBytes(child, problems, options.MaxBytes);
                    break;
                case "USERNAME":
                    options.Username = child.Value ?? string.Empty;
                    break;
                case "PASSWORD":
                    options.Password = child.Value ?? string.Empty;
                    break;
                case "COMMITINTERVAL":
                    options.CommitInterval = ReadDuration(child, problems, options.CommitInterval);
                    break;
                case "QUEUECAPACITY":
                    options.QueueCapacity = ReadInt(child, problems, options.QueueCapacity);
                    break;
                case "MAXWAIT":
                    options.MaxWait = ReadDuration(child, problems, options.MaxWait);
                    break;
                case "ORDERING":
                    options.Ordering = ReadEnum(child, problems, options.Ordering);
                    break;
                case "RETRY":
                    options.Retry = ReadBoolean(child, problems);
                    break;
                case "KAFKACLIENTS":
                    foreach (var property in child.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null))
                    {
                        options.KafkaClients[property.Key.Replace(':', '.')] = property.Value!;
                    }

                    break;
                default:
                    problems.Fail(key, "is not a queue setting; the settings are Brokers, Group, Topic, Topics, Offset, Conns, Consumers, Processors, MinBytes, " +
                        "MaxBytes, Username, Password, CommitInterval, QueueCapacity, MaxWait, Ordering, Retry, KafkaClients");
                    break;
            }
        }

        problems.Check(!(topicSet && topicsSet), "Topics", "and Topic are both set: keep one of them");
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

    /// <summary>The options with the password redacted.</summary>
    public override string ToString() =>
        $"KafkaQueueOptions(brokers=[{string.Join(",", Brokers ?? [])}], group={Group}, topics=[{string.Join(",", Topics ?? [])}], offset={Offset}, " +
        $"conns={Conns}, consumers={Consumers}, processors={Processors}, min-bytes={MinBytes}, max-bytes={MaxBytes}, " +
        $"username={Username}, password={(string.IsNullOrEmpty(Password) ? string.Empty : Configuration.SecretKeys.Redacted)}, " +
        $"commit-interval={CommitInterval}, queue-capacity={QueueCapacity}, max-wait={MaxWait}, ordering={Ordering}, retry={Retry}, " +
        $"kafka-clients={{{string.Join(", ", (KafkaClients ?? new Dictionary<string, string>()).Select(p => $"{p.Key}={(Configuration.SecretKeys.IsSecret(p.Key) ? Configuration.SecretKeys.Redacted : p.Value)}"))}}})";

    /// <summary>
    /// The consumer settings of the queue: <paramref name="settings"/> (from <c>akka.kafka.consumer</c>) with the client
    /// properties, the brokers, the group, the offset reset, the fetch sizes and wait, the prefetch depth, SASL and the
    /// source's buffer applied.
    /// </summary>
    internal ConsumerSettings<byte[], byte[]> Apply(ConsumerSettings<byte[], byte[]> settings)
    {
        settings = settings.WithProperties(KafkaClients)
            .WithGroupId(Group)
            .WithProperty("auto.offset.reset", Offset == KafkaQueueOffset.First ? "earliest" : "latest")
            .WithProperty("fetch.min.bytes", Text(MinBytes))
            .WithProperty("fetch.max.bytes", Text(MaxBytes))
            .WithProperty("max.partition.fetch.bytes", Text(MaxBytes))
            .WithProperty("fetch.wait.max.ms", Text((long)MaxWait.TotalMilliseconds))
            .WithProperty("queued.max.messages.kbytes", Text(Consumers * MaxBytes / 1024))
            .WithBufferSize(QueueCapacity);
        settings = settings.WithProperties(Sasl(settings.Properties));
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }

    /// <summary>The committer settings of the queue: <paramref name="settings"/> with <see cref="CommitInterval"/> as its <c>max-interval</c>.</summary>
    internal CommitterSettings Apply(CommitterSettings settings) => settings.WithMaxInterval(CommitInterval);

    /// <summary>The producer settings of the queue's dead letters and retries: <paramref name="settings"/> with the brokers and SASL of the consumer.</summary>
    internal ProducerSettings<byte[], byte[]> Apply(ProducerSettings<byte[], byte[]> settings)
    {
        settings = settings.WithProperties(Sasl(settings.Properties));
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }

    // SASL PLAIN, as kafka-go's plain.Mechanism; TLS stays the user's choice (security.protocol = SASL_SSL in kafka-clients).
    private Dictionary<string, string> Sasl(IReadOnlyDictionary<string, string> properties)
    {
        var sasl = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Username.Length == 0)
        {
            return sasl;
        }

        sasl["sasl.mechanisms"] = "PLAIN";
        sasl["sasl.username"] = Username;
        sasl["sasl.password"] = Password;
        var protocol = (KafkaClients.TryGetValue("security.protocol", out var p) ? p : properties.GetValueOrDefault("security.protocol")) ?? string.Empty;
        if (!protocol.StartsWith("SASL", StringComparison.OrdinalIgnoreCase))
        {
            sasl["security.protocol"] = "SASL_PLAINTEXT";
        }

        return sasl;
    }

    private void Validate(SettingsProblems problems)
    {
        var brokers = Brokers ?? [];
        var topics = Topics ?? [];
        var clients = KafkaClients ?? new Dictionary<string, string>();
        problems.Check(brokers.All(b => !string.IsNullOrWhiteSpace(b)), "brokers", $"must not contain empty entries{At("brokers")}");
        problems.Check(!string.IsNullOrWhiteSpace(Group), "group", $"is required: the consumer group the queue's processes share the topics in{At("group")}");
        if (topics.Count == 0)
        {
            problems.Check(false, "topic", "is required: set topic = <name> or topics = [<name>, ...]");
        }

        foreach (var topic in topics)
        {
            var problem = topic is null ? "it is missing" : KafkaTopicName.Problem(topic);
            problems.Check(problem is null, "topic", $"\"{topic}\" is not a topic name: {problem} ({KafkaTopicName.Rule}){At("topic")}");
        }

        problems.Check(topics.Distinct(StringComparer.Ordinal).Count() == topics.Count, "topics", $"names a topic twice{At("topic")}");
        problems.Check(Enum.IsDefined(Offset), "offset", $"must be first or last, but is {Offset}");
        problems.Check(Conns is >= 1 and <= 64, "conns", $"must be between 1 and 64 consumers in this process, but is {Conns}{At("conns")}");
        problems.Check(Consumers >= 1, "consumers", $"must be at least 1, but is {Consumers}{At("consumers")}");
        problems.Check(Processors >= 1, "processors", $"must be at least 1 concurrent handler call, but is {Processors}{At("processors")}");
        problems.Check(QueueCapacity >= 1, "queue-capacity", $"must be at least 1 message, but is {QueueCapacity}{At("queue-capacity")}");
        problems.Check(Consumers < 1 || MaxBytes < 1 || Consumers * MaxBytes / 1024 <= MaxQueuedKilobytes, "consumers",
            $"× max-bytes is what librdkafka may hold fetched (queued.max.messages.kbytes), at most {MaxQueuedKilobytes:N0} KiB, but is {Consumers * MaxBytes / 1024:N0} KiB{At("consumers")}");
        problems.Check(MinBytes is >= 1 and <= 100_000_000, "min-bytes", $"must be between 1 byte and 100,000,000 (librdkafka's fetch.min.bytes), but is {MinBytes}{At("min-bytes")}");
        var messageMax = clients.TryGetValue("message.max.bytes", out var m) && long.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultMessageMaxBytes;
        problems.Check(MaxBytes >= messageMax && MaxBytes <= 1_000_000_000, "max-bytes",
            $"must be between message.max.bytes ({messageMax}) and 1,000,000,000 (librdkafka's fetch.max.bytes and max.partition.fetch.bytes), but is {MaxBytes}{At("max-bytes")}");
        problems.Check(MaxBytes >= MinBytes, "max-bytes", $"must be at least min-bytes ({MinBytes}), but is {MaxBytes}{At("max-bytes")}");
        problems.Check(MaxWait >= TimeSpan.FromMilliseconds(1) && MaxWait <= TimeSpan.FromMinutes(5), "max-wait",
            $"must be between 1ms and 5m (librdkafka's fetch.wait.max.ms), but is {MaxWait}{At("max-wait")}");
        problems.Check(CommitInterval > TimeSpan.Zero, "commit-interval", $"must be greater than zero, but is {CommitInterval}{At("commit-interval")}");
        problems.Check(Enum.IsDefined(Ordering), "ordering", $"must be per-key or unordered, but is {Ordering}");
        problems.Check(Username.Length > 0 == Password.Length > 0, Username.Length > 0 ? "password" : "username",
            $"username and password go together (SASL PLAIN): set both or neither{At(Username.Length > 0 ? "username" : "password")}");
        foreach (var (property, option) in DecidedProperties.Where(d => clients.ContainsKey(d.Property)))
        {
            problems.Check(false, "kafka-clients", $"{property} is decided by {option}: remove it and set that option instead{At("kafka-clients")}");
        }

        problems.Check(brokers.Count == 0 || !clients.ContainsKey("bootstrap.servers"), "kafka-clients",
            $"bootstrap.servers and brokers are both set: keep one of them{At("kafka-clients")}");
        problems.Check(Username.Length == 0 || !clients.TryGetValue("security.protocol", out var protocol) || protocol.StartsWith("SASL", StringComparison.OrdinalIgnoreCase),
            "kafka-clients", $"security.protocol must be SASL_PLAINTEXT or SASL_SSL when username and password are set{At("kafka-clients")}");
    }

    private string At(string key) => _positions.GetValueOrDefault(key, string.Empty);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static List<string> List(IConfigurationSection child) => child.Value is { } list
        ? [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]
        : [.. child.GetChildren().Select(c => c.Value ?? string.Empty)];

    private static int ReadInt(IConfigurationSection child, SettingsProblems problems, int fallback)
    {
        if (int.TryParse(child.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Fail(child.Key, $"must be a whole number, but is \"{child.Value}\"");
        return fallback;
    }

    private static long ReadBytes(IConfigurationSection child, SettingsProblems problems, long fallback)
    {
        if (long.TryParse(child.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            || HoconByteSizes.TryParse(child.Value ?? string.Empty, out bytes, out _))
        {
            return bytes;
        }

        problems.Fail(child.Key, $"must be a size in bytes such as 10240 or 10K, but is \"{child.Value}\"");
        return fallback;
    }

    private static TimeSpan ReadDuration(IConfigurationSection child, SettingsProblems problems, TimeSpan fallback)
    {
        if (TimeSpan.TryParse(child.Value, CultureInfo.InvariantCulture, out var duration)
            || HoconDurations.TryParse(child.Value ?? string.Empty, allowInfinite: false, out duration, out _))
        {
            return duration;
        }

        problems.Fail(child.Key, $"must be a duration such as 00:00:01 or 500ms, but is \"{child.Value}\"");
        return fallback;
    }

    private static TEnum ReadEnum<TEnum>(SettingsReader reader, string key, TEnum fallback, string names)
        where TEnum : struct, Enum
    {
        var text = reader.String(key);
        if (text is null)
        {
            return fallback;
        }

        if (TryParseEnum<TEnum>(text, out var value))
        {
            return value;
        }

        reader.Problems.Fail(key, $"must be {names}, but is \"{text}\"{reader.PositionOf(key)}");
        return fallback;
    }

    private static bool TryParseEnum<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        text = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        return text.Length > 0 && char.IsAsciiLetter(text[0]) && Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    private static TEnum ReadEnum<TEnum>(IConfigurationSection child, SettingsProblems problems, TEnum fallback)
        where TEnum : struct, Enum
    {
        if (TryParseEnum<TEnum>(child.Value ?? string.Empty, out var value))
        {
            return value;
        }

        var names = typeof(TEnum) == typeof(KafkaQueueOrdering) ? "per-key or unordered" : "first or last";
        problems.Fail(child.Key, $"must be {names}, but is \"{child.Value}\"");
        return fallback;
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
