using System.Collections.Immutable;
using Akka.Actor;
using Confluent.Kafka;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Kafka;

/// <summary>
/// Everything a Kafka producer stage needs: serializers, librdkafka properties (<c>kafka-clients</c>) and the
/// stage's own limits and timeouts, read from <c>akka.kafka.producer</c>. Immutable: each <c>With…</c> method
/// returns a validated copy.
/// </summary>
/// <typeparam name="TKey">The message key type.</typeparam>
/// <typeparam name="TValue">The message value type.</typeparam>
public sealed class ProducerSettings<TKey, TValue>
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "akka.kafka.producer";

    private ProducerSettings()
    {
    }

    /// <summary>Serializes message keys.</summary>
    public ISerializer<TKey> KeySerializer { get; private set; } = null!;

    /// <summary>Serializes message values.</summary>
    public ISerializer<TValue> ValueSerializer { get; private set; } = null!;

    /// <summary>The librdkafka properties (<c>kafka-clients</c>), keys as librdkafka names them.</summary>
    public IReadOnlyDictionary<string, string> Properties => PropertyMap;

    /// <summary><c>bootstrap.servers</c> of <see cref="Properties"/>; null means the embedded cluster.</summary>
    public string? BootstrapServers => GetProperty("bootstrap.servers");

    /// <summary>The most messages in flight (sent, delivery not yet reported) per stage (<c>parallelism</c>).</summary>
    public int Parallelism { get; private set; }

    /// <summary>How long completing a stage waits for outstanding deliveries (<c>flush-timeout</c>).</summary>
    public TimeSpan FlushTimeout { get; private set; }

    /// <summary>How long disposing the producer client may take (<c>close-timeout</c>).</summary>
    public TimeSpan CloseTimeout { get; private set; }

    private ImmutableSortedDictionary<string, string> PropertyMap { get; set; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Reads <c>akka.kafka.producer</c> from <paramref name="config"/> (the whole configuration, or that section itself),
    /// with the reference configuration as fallback. A null serializer means Confluent.Kafka's built-in one for
    /// string, byte[], Null, int, long, float and double.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value, or a serializer is missing; every problem is listed.</exception>
    public static ProducerSettings<TKey, TValue> Create(Config config, ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new ProducerSettings<TKey, TValue>
        {
            KeySerializer = keySerializer ?? DefaultSerdes.Serializer<TKey>()!,
            ValueSerializer = valueSerializer ?? DefaultSerdes.Serializer<TValue>()!,
            PropertyMap = reader.Properties("kafka-clients"),
            Parallelism = reader.Int("parallelism"),
            FlushTimeout = reader.Duration("flush-timeout"),
            CloseTimeout = reader.Duration("close-timeout"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>
    /// Reads <c>akka.kafka.producer</c> from the configuration of <paramref name="system"/> (its
    /// <c>Settings.Config</c>), with the reference configuration as fallback, as Akka.Streams.Kafka does. A null
    /// serializer means Confluent.Kafka's built-in one.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value, or a serializer is missing; every problem is listed.</exception>
    public static ProducerSettings<TKey, TValue> Create(ActorSystem system, ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config, keySerializer, valueSerializer);
    }

    /// <summary>
    /// Reads the settings from <see cref="PipelinesConfiguration.Load(string?)"/>: <c>config/akka.hocon</c> when present,
    /// over the reference configuration, with environment overrides.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static ProducerSettings<TKey, TValue> Create(ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer) =>
        Create(PipelinesConfiguration.Load(), keySerializer, valueSerializer);

    /// <summary>Returns a librdkafka property, or null when it is not set.</summary>
    public string? GetProperty(string key) => PropertyMap.GetValueOrDefault(key);

    /// <summary>Returns a copy with <c>bootstrap.servers</c> set.</summary>
    public ProducerSettings<TKey, TValue> WithBootstrapServers(string bootstrapServers) => WithProperty("bootstrap.servers", bootstrapServers);

    /// <summary>Returns a copy with the librdkafka property <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public ProducerSettings<TKey, TValue> WithProperty(string key, string value)
    {
        var map = KafkaClientProperties.Set(PropertyMap, key, value);
        return With(s => s.PropertyMap = map);
    }

    /// <summary>Returns a copy with every property of <paramref name="properties"/> set (others are kept).</summary>
    public ProducerSettings<TKey, TValue> WithProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var map = KafkaClientProperties.SetAll(PropertyMap, properties);
        return With(s => s.PropertyMap = map);
    }

    /// <summary>Returns a copy with <see cref="KeySerializer"/> set.</summary>
    public ProducerSettings<TKey, TValue> WithKeySerializer(ISerializer<TKey> keySerializer)
    {
        ArgumentNullException.ThrowIfNull(keySerializer);
        return With(s => s.KeySerializer = keySerializer);
    }

    /// <summary>Returns a copy with <see cref="ValueSerializer"/> set.</summary>
    public ProducerSettings<TKey, TValue> WithValueSerializer(ISerializer<TValue> valueSerializer)
    {
        ArgumentNullException.ThrowIfNull(valueSerializer);
        return With(s => s.ValueSerializer = valueSerializer);
    }

    /// <summary>Returns a copy with <see cref="Parallelism"/> set.</summary>
    public ProducerSettings<TKey, TValue> WithParallelism(int parallelism) => With(s => s.Parallelism = parallelism);

    /// <summary>Returns a copy with <see cref="FlushTimeout"/> set.</summary>
    public ProducerSettings<TKey, TValue> WithFlushTimeout(TimeSpan flushTimeout) => With(s => s.FlushTimeout = flushTimeout);

    /// <summary>Returns a copy with <see cref="CloseTimeout"/> set.</summary>
    public ProducerSettings<TKey, TValue> WithCloseTimeout(TimeSpan closeTimeout) => With(s => s.CloseTimeout = closeTimeout);

    /// <summary>Creates the Confluent.Kafka configuration: <see cref="Properties"/> verbatim.</summary>
    public ProducerConfig CreateProducerConfig() => new(new Dictionary<string, string>(PropertyMap, StringComparer.Ordinal));

    /// <summary>
    /// Lists every setting with its HOCON name, and the librdkafka properties with secret values (<see cref="SecretKeys"/>)
    /// shown as <see cref="SecretKeys.Redacted"/>, so that the settings can be logged.
    /// </summary>
    public override string ToString() =>
        $"ProducerSettings<{typeof(TKey).Name}, {typeof(TValue).Name}>(key-serializer={KeySerializer?.GetType().Name}, "
        + $"value-serializer={ValueSerializer?.GetType().Name}, parallelism={Parallelism}, flush-timeout={FlushTimeout}, "
        + $"close-timeout={CloseTimeout}, kafka-clients={KafkaClientProperties.Describe(PropertyMap)})";

    private ProducerSettings<TKey, TValue> With(Action<ProducerSettings<TKey, TValue>> change)
    {
        var copy = (ProducerSettings<TKey, TValue>)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        problems.Check(KeySerializer is not null, "key-serializer",
            $"no serializer was given for key type {typeof(TKey).Name} and Confluent.Kafka has no built-in one; pass one to Create");
        problems.Check(ValueSerializer is not null, "value-serializer",
            $"no serializer was given for value type {typeof(TValue).Name} and Confluent.Kafka has no built-in one; pass one to Create");
        problems.Check(Parallelism >= 1, "parallelism", $"must be at least 1, but is {Parallelism}");
        problems.Check(FlushTimeout > TimeSpan.Zero, "flush-timeout", $"must be greater than zero, but is {FlushTimeout}");
        problems.Check(CloseTimeout >= TimeSpan.Zero, "close-timeout", $"must not be negative, but is {CloseTimeout}");
    }
}
