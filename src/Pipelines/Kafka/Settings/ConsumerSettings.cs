using System.Collections.Immutable;
using Akka.Actor;
using Confluent.Kafka;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Kafka;

/// <summary>
/// Everything a Kafka consumer source needs: deserializers, librdkafka properties (<c>kafka-clients</c>) and the
/// source's own timings and buffer sizes, read from <c>akka.kafka.consumer</c>. Immutable: each <c>With…</c>
/// method returns a validated copy.
/// </summary>
/// <typeparam name="TKey">The message key type.</typeparam>
/// <typeparam name="TValue">The message value type.</typeparam>
public sealed class ConsumerSettings<TKey, TValue>
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "akka.kafka.consumer";

    private ConsumerSettings()
    {
    }

    /// <summary>Deserializes message keys.</summary>
    public IDeserializer<TKey> KeyDeserializer { get; private set; } = null!;

    /// <summary>Deserializes message values.</summary>
    public IDeserializer<TValue> ValueDeserializer { get; private set; } = null!;

    /// <summary>
    /// The librdkafka properties (<c>kafka-clients</c>), keys as librdkafka names them: what the client is given. With
    /// <c>group.protocol = consumer</c> (KIP-848) the reference configuration's <c>partition.assignment.strategy</c> is left
    /// out, since librdkafka refuses it there; the classic protocol's other properties are settings errors then.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties => ClientMap;

    /// <summary><c>bootstrap.servers</c> of <see cref="Properties"/>; null means the embedded cluster.</summary>
    public string? BootstrapServers => GetProperty("bootstrap.servers");

    /// <summary><c>group.id</c> of <see cref="Properties"/>.</summary>
    public string? GroupId => GetProperty("group.id");

    /// <summary><c>client.id</c> of <see cref="Properties"/>.</summary>
    public string? ClientId => GetProperty("client.id");

    /// <summary>How often the source polls while downstream has demand, or partitions are paused (<c>poll-interval</c>).</summary>
    public TimeSpan PollInterval { get; private set; }

    /// <summary>The longest one poll waits for a message (<c>poll-timeout</c>).</summary>
    public TimeSpan PollTimeout { get; private set; }

    /// <summary>How long stopping may take to hand out in-flight messages (<c>stop-timeout</c>).</summary>
    public TimeSpan StopTimeout { get; private set; }

    /// <summary>How long closing the client may take (<c>close-timeout</c>).</summary>
    public TimeSpan CloseTimeout { get; private set; }

    /// <summary>How long a commit may take before it fails the stream (<c>commit-timeout</c>).</summary>
    public TimeSpan CommitTimeout { get; private set; }

    /// <summary>A commit slower than this is logged as a warning (<c>commit-time-warning</c>).</summary>
    public TimeSpan CommitTimeWarning { get; private set; }

    /// <summary>A partition handler slower than this is logged as a warning (<c>partition-handler-warning</c>).</summary>
    public TimeSpan PartitionHandlerWarning { get; private set; }

    /// <summary>Messages buffered ahead of demand before partitions are paused (<c>buffer-size</c>).</summary>
    public int BufferSize { get; private set; }

    /// <summary>The most messages one poll round takes before serving demand again (<c>max-poll-records</c>).</summary>
    public int MaxPollRecords { get; private set; }

    // The properties as configured, and as the client is given them (derived on every change, see ConsumerGroupProtocol).
    private ImmutableSortedDictionary<string, string> PropertyMap { get; set; } = ImmutableSortedDictionary<string, string>.Empty;

    private ImmutableSortedDictionary<string, string> ClientMap { get; set; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Reads <c>akka.kafka.consumer</c> from <paramref name="config"/> (the whole configuration, or that section itself),
    /// with the reference configuration as fallback. A null deserializer means Confluent.Kafka's built-in one for
    /// string, byte[], Ignore, Null, int, long, float and double.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value, or a deserializer is missing; every problem is listed.</exception>
    public static ConsumerSettings<TKey, TValue> Create(Config config, IDeserializer<TKey>? keyDeserializer, IDeserializer<TValue>? valueDeserializer)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new ConsumerSettings<TKey, TValue>
        {
            KeyDeserializer = keyDeserializer ?? DefaultSerdes.Deserializer<TKey>()!,
            ValueDeserializer = valueDeserializer ?? DefaultSerdes.Deserializer<TValue>()!,
            PropertyMap = reader.Properties("kafka-clients"),
            PollInterval = reader.Duration("poll-interval"),
            PollTimeout = reader.Duration("poll-timeout"),
            StopTimeout = reader.Duration("stop-timeout"),
            CloseTimeout = reader.Duration("close-timeout"),
            CommitTimeout = reader.Duration("commit-timeout"),
            CommitTimeWarning = reader.Duration("commit-time-warning"),
            PartitionHandlerWarning = reader.Duration("partition-handler-warning"),
            BufferSize = reader.Int("buffer-size"),
            MaxPollRecords = reader.Int("max-poll-records"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>
    /// Reads <c>akka.kafka.consumer</c> from the configuration of <paramref name="system"/> (its
    /// <c>Settings.Config</c>), with the reference configuration as fallback, as Akka.Streams.Kafka does. A null
    /// deserializer means Confluent.Kafka's built-in one.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value, or a deserializer is missing; every problem is listed.</exception>
    public static ConsumerSettings<TKey, TValue> Create(ActorSystem system, IDeserializer<TKey>? keyDeserializer, IDeserializer<TValue>? valueDeserializer)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config, keyDeserializer, valueDeserializer);
    }

    /// <summary>
    /// Reads the settings from <see cref="PipelinesConfiguration.Load(string?)"/>: <c>config/akka.hocon</c> when present,
    /// over the reference configuration, with environment overrides.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static ConsumerSettings<TKey, TValue> Create(IDeserializer<TKey>? keyDeserializer, IDeserializer<TValue>? valueDeserializer) =>
        Create(PipelinesConfiguration.Load(), keyDeserializer, valueDeserializer);

    /// <summary>Returns a librdkafka property as the client is given it (<see cref="Properties"/>), or null when it is not set.</summary>
    public string? GetProperty(string key) => ClientMap.GetValueOrDefault(key);

    /// <summary>Returns a copy with <c>bootstrap.servers</c> set.</summary>
    public ConsumerSettings<TKey, TValue> WithBootstrapServers(string bootstrapServers) => WithProperty("bootstrap.servers", bootstrapServers);

    /// <summary>Returns a copy with <c>group.id</c> set.</summary>
    public ConsumerSettings<TKey, TValue> WithGroupId(string groupId) => WithProperty("group.id", groupId);

    /// <summary>Returns a copy with <c>client.id</c> set.</summary>
    public ConsumerSettings<TKey, TValue> WithClientId(string clientId) => WithProperty("client.id", clientId);

    /// <summary>Returns a copy with the librdkafka property <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public ConsumerSettings<TKey, TValue> WithProperty(string key, string value)
    {
        var map = KafkaClientProperties.Set(PropertyMap, key, value);
        return With(s => s.PropertyMap = map);
    }

    /// <summary>Returns a copy with every property of <paramref name="properties"/> set (others are kept).</summary>
    public ConsumerSettings<TKey, TValue> WithProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var map = KafkaClientProperties.SetAll(PropertyMap, properties);
        return With(s => s.PropertyMap = map);
    }

    /// <summary>Returns a copy with <see cref="KeyDeserializer"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithKeyDeserializer(IDeserializer<TKey> keyDeserializer)
    {
        ArgumentNullException.ThrowIfNull(keyDeserializer);
        return With(s => s.KeyDeserializer = keyDeserializer);
    }

    /// <summary>Returns a copy with <see cref="ValueDeserializer"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithValueDeserializer(IDeserializer<TValue> valueDeserializer)
    {
        ArgumentNullException.ThrowIfNull(valueDeserializer);
        return With(s => s.ValueDeserializer = valueDeserializer);
    }

    /// <summary>Returns a copy with <see cref="PollInterval"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithPollInterval(TimeSpan pollInterval) => With(s => s.PollInterval = pollInterval);

    /// <summary>Returns a copy with <see cref="PollTimeout"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithPollTimeout(TimeSpan pollTimeout) => With(s => s.PollTimeout = pollTimeout);

    /// <summary>Returns a copy with <see cref="StopTimeout"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithStopTimeout(TimeSpan stopTimeout) => With(s => s.StopTimeout = stopTimeout);

    /// <summary>Returns a copy with <see cref="CloseTimeout"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithCloseTimeout(TimeSpan closeTimeout) => With(s => s.CloseTimeout = closeTimeout);

    /// <summary>Returns a copy with <see cref="CommitTimeout"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithCommitTimeout(TimeSpan commitTimeout) => With(s => s.CommitTimeout = commitTimeout);

    /// <summary>Returns a copy with <see cref="CommitTimeWarning"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithCommitTimeWarning(TimeSpan commitTimeWarning) => With(s => s.CommitTimeWarning = commitTimeWarning);

    /// <summary>Returns a copy with <see cref="PartitionHandlerWarning"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithPartitionHandlerWarning(TimeSpan partitionHandlerWarning) =>
        With(s => s.PartitionHandlerWarning = partitionHandlerWarning);

    /// <summary>Returns a copy with <see cref="BufferSize"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithBufferSize(int bufferSize) => With(s => s.BufferSize = bufferSize);

    /// <summary>Returns a copy with <see cref="MaxPollRecords"/> set.</summary>
    public ConsumerSettings<TKey, TValue> WithMaxPollRecords(int maxPollRecords) => With(s => s.MaxPollRecords = maxPollRecords);

    /// <summary>Creates the Confluent.Kafka configuration: <see cref="Properties"/> verbatim.</summary>
    public ConsumerConfig CreateConsumerConfig() => new(new Dictionary<string, string>(ClientMap, StringComparer.Ordinal));

    /// <summary>
    /// Lists every setting with its HOCON name, and the librdkafka properties with secret values (<see cref="SecretKeys"/>)
    /// shown as <see cref="SecretKeys.Redacted"/>, so that the settings can be logged.
    /// </summary>
    public override string ToString() =>
        $"ConsumerSettings<{typeof(TKey).Name}, {typeof(TValue).Name}>(key-deserializer={KeyDeserializer?.GetType().Name}, "
        + $"value-deserializer={ValueDeserializer?.GetType().Name}, poll-interval={PollInterval}, poll-timeout={PollTimeout}, "
        + $"stop-timeout={StopTimeout}, close-timeout={CloseTimeout}, commit-timeout={CommitTimeout}, commit-time-warning={CommitTimeWarning}, "
        + $"partition-handler-warning={PartitionHandlerWarning}, buffer-size={BufferSize}, max-poll-records={MaxPollRecords}, "
        + $"kafka-clients={KafkaClientProperties.Describe(ClientMap)})";

    private ConsumerSettings<TKey, TValue> With(Action<ConsumerSettings<TKey, TValue>> change)
    {
        var copy = (ConsumerSettings<TKey, TValue>)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        problems.Check(KeyDeserializer is not null, "key-deserializer",
            $"no deserializer was given for key type {typeof(TKey).Name} and Confluent.Kafka has no built-in one; pass one to Create");
        problems.Check(ValueDeserializer is not null, "value-deserializer",
            $"no deserializer was given for value type {typeof(TValue).Name} and Confluent.Kafka has no built-in one; pass one to Create");
        // Validation derives what the client is given, so that every copy (Create, With…) has it checked and current.
        ClientMap = ConsumerGroupProtocol.ClientProperties(PropertyMap, problems);
        Positive(problems, PollInterval, "poll-interval");
        NotNegative(problems, PollTimeout, "poll-timeout");
        NotNegative(problems, StopTimeout, "stop-timeout");
        NotNegative(problems, CloseTimeout, "close-timeout");
        Positive(problems, CommitTimeout, "commit-timeout");
        Positive(problems, CommitTimeWarning, "commit-time-warning");
        Positive(problems, PartitionHandlerWarning, "partition-handler-warning");
        problems.Check(BufferSize >= 1, "buffer-size", $"must be at least 1, but is {BufferSize}");
        problems.Check(MaxPollRecords >= 1, "max-poll-records", $"must be at least 1, but is {MaxPollRecords}");
    }

    private static void Positive(SettingsProblems problems, TimeSpan value, string key) =>
        problems.Check(value > TimeSpan.Zero, key, $"must be greater than zero, but is {value}");

    private static void NotNegative(SettingsProblems problems, TimeSpan value, string key) =>
        problems.Check(value >= TimeSpan.Zero, key, $"must not be negative, but is {value}");
}
