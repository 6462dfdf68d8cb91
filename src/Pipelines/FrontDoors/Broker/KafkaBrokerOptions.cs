using System.Globalization;
using Config = Akka.Configuration.Config;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Pipelines.Configuration;
using Pipelines.Configuration.Conversion;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// The options of a <see cref="KafkaBroker"/>: set in code, read from HOCON (<c>pipelines.brokers.&lt;name&gt;</c> over
/// <c>pipelines.broker-defaults</c>) or bound from Microsoft.Extensions.Configuration. Every option is applied or refused
/// with a <see cref="SettingsException"/> that lists every problem; unknown keys and client properties that an option
/// decides are refused, never ignored.
/// </summary>
public sealed class KafkaBrokerOptions
{
    /// <summary>The HOCON section holding one section per named broker.</summary>
    public const string BrokersPath = "pipelines.brokers";

    /// <summary>The HOCON section every named broker takes its unset keys from.</summary>
    public const string DefaultsPath = "pipelines.broker-defaults";

    private static readonly string[] KnownKeys =
    [
        "brokers", "codec", "concurrency", "ordering", "auto-offset-reset", "retry", "retry-backoff", "retry-max-backoff",
        "drain-timeout", "producer-clients", "consumer-clients",
    ];

    /// <summary>The bootstrap servers (<c>host:port</c> each); empty takes <c>akka.kafka.producer/consumer.kafka-clients.bootstrap.servers</c>.</summary>
    /// <value>Empty.</value>
    public IList<string> Brokers { get; set; } = [];

    /// <summary>How messages are encoded unless a publish or subscription chooses.</summary>
    /// <value><see cref="BrokerCodec.Json"/>.</value>
    public BrokerCodec Codec { get; set; } = BrokerCodec.Json;

    /// <summary>Messages a subscription handles at once.</summary>
    /// <value>16.</value>
    public int Concurrency { get; set; } = 16;

    /// <summary>Per-key order (one message of a key at a time) or none.</summary>
    /// <value><see cref="BrokerOrdering.PerKey"/>.</value>
    public BrokerOrdering Ordering { get; set; } = BrokerOrdering.PerKey;

    /// <summary>Where a group without committed offsets starts: <see cref="AutoOffsetReset.Earliest"/> or <see cref="AutoOffsetReset.Latest"/>.</summary>
    /// <value><see cref="AutoOffsetReset.Earliest"/>.</value>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>What a failed handler leads to.</summary>
    /// <value><see cref="BrokerRetryMode.Forever"/>: retried in place with backoff, never skipped.</value>
    public BrokerRetryMode Retry { get; set; } = BrokerRetryMode.Forever;

    /// <summary>Under <see cref="BrokerRetryMode.Forever"/>: the wait after the first failure, doubled after each further one.</summary>
    /// <value>100 ms.</value>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Under <see cref="BrokerRetryMode.Forever"/>: the longest wait between two attempts.</summary>
    /// <value>10 s.</value>
    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long stopping a subscription waits for its messages in flight before cancelling their handlers.</summary>
    /// <value>30 s.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>librdkafka properties over <c>akka.kafka.producer.kafka-clients</c> (<c>linger.ms</c>, <c>compression.type</c>, …).</summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> ProducerClients { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>librdkafka properties over <c>akka.kafka.consumer.kafka-clients</c> (<c>session.timeout.ms</c>, …); <c>group.id</c>, <c>auto.offset.reset</c> and <c>enable.auto.commit</c> are refused.</summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> ConsumerClients { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The clock of the in-place retry backoff, the drain timeout and the retry route's policy (code only; tests pass a fake one).</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where these options came from, for error messages.</summary>
    internal string Origin { get; private set; } = nameof(KafkaBrokerOptions);

    /// <summary>Reads the broker named <paramref name="name"/>: <c>pipelines.brokers.&lt;name&gt;</c> over <c>pipelines.broker-defaults</c>.</summary>
    /// <param name="config">The whole configuration (an ActorSystem's, or <c>PipelinesConfiguration.Load()</c>).</param>
    /// <param name="name">The broker's name.</param>
    /// <exception cref="SettingsException">There is no such section, a key is unknown, or a value is wrong; every problem is listed.</exception>
    public static KafkaBrokerOptions FromConfig(Config config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = $"{BrokersPath}.{name}";
        var reader = SettingsReader.OpenNamed(config, path, DefaultsPath, "broker", KnownKeys, $"no broker named \"{name}\" is configured; add a section {path} {{ }} (it takes every key it does not set from {DefaultsPath})");

        var options = new KafkaBrokerOptions
        {
            Origin = path,
            Brokers = [.. reader.StringList("brokers")],
            Concurrency = reader.Int("concurrency"),
            Ordering = reader.Enum<BrokerOrdering>("ordering"),
            Retry = reader.Enum<BrokerRetryMode>("retry"),
            RetryBackoff = reader.Duration("retry-backoff"),
            RetryMaxBackoff = reader.Duration("retry-max-backoff"),
            DrainTimeout = reader.Duration("drain-timeout"),
            ProducerClients = new Dictionary<string, string>(reader.Properties("producer-clients"), StringComparer.Ordinal),
            ConsumerClients = new Dictionary<string, string>(reader.Properties("consumer-clients"), StringComparer.Ordinal),
        };
        if (reader.String("codec") is { } codec)
        {
            options.Codec = ParseCodec(codec, "codec", reader.Problems);
        }

        if (reader.String("auto-offset-reset") is { } reset)
        {
            options.AutoOffsetReset = ParseOffsetReset(reset, "auto-offset-reset", reader.Problems);
        }

        options.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return options;
    }

    /// <summary>
    /// Binds a Microsoft.Extensions.Configuration section: keys in PascalCase (<c>RetryBackoff</c>) or as in HOCON
    /// (<c>retry-backoff</c>); <c>Brokers</c> an array or a comma-separated string; durations as a <see cref="TimeSpan"/>
    /// or such as <c>500ms</c>; <c>ProducerClients</c> and <c>ConsumerClients</c> objects of librdkafka properties.
    /// </summary>
    /// <exception cref="SettingsException">A key is unknown or a value is wrong; every problem is listed.</exception>
    public static KafkaBrokerOptions FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section is IConfigurationSection s ? s.Path : nameof(KafkaBrokerOptions);
        var problems = new SettingsProblems(path);
        var options = new KafkaBrokerOptions { Origin = path };
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
                case "CODEC":
                    options.Codec = ParseCodec(child.Value ?? string.Empty, key, problems);
                    break;
                case "CONCURRENCY":
                    if (int.TryParse(child.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var concurrency))
                    {
                        options.Concurrency = concurrency;
                    }
                    else
                    {
                        problems.Fail(key, $"must be a whole number, but is \"{child.Value}\"");
                    }

                    break;
                case "ORDERING":
                    options.Ordering = ParseEnum(child, problems, BrokerOrdering.PerKey);
                    break;
                case "AUTOOFFSETRESET":
                    options.AutoOffsetReset = ParseOffsetReset(child.Value ?? string.Empty, key, problems);
                    break;
                case "RETRY":
                    options.Retry = ParseEnum(child, problems, BrokerRetryMode.Forever);
                    break;
                case "RETRYBACKOFF":
                    options.RetryBackoff = ReadDuration(child, problems, options.RetryBackoff);
                    break;
                case "RETRYMAXBACKOFF":
                    options.RetryMaxBackoff = ReadDuration(child, problems, options.RetryMaxBackoff);
                    break;
                case "DRAINTIMEOUT":
                    options.DrainTimeout = ReadDuration(child, problems, options.DrainTimeout);
                    break;
                case "PRODUCERCLIENTS":
                    ReadProperties(child, options.ProducerClients);
                    break;
                case "CONSUMERCLIENTS":
                    ReadProperties(child, options.ConsumerClients);
                    break;
                default:
                    problems.Fail(key, "is not a broker setting; the settings are Brokers, Codec, Concurrency, Ordering, AutoOffsetReset, Retry, RetryBackoff, "
                        + "RetryMaxBackoff, DrainTimeout, ProducerClients, ConsumerClients");
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

    /// <summary>Checks a subscription's options against what the broker accepts; every problem at once.</summary>
    internal static void Validate(SubscribeOptions options, string topic, string queue)
    {
        var problems = new SettingsProblems($"subscription to \"{topic}\" in queue \"{queue}\"");
        problems.Check(KafkaTopicName.Problem(topic) is null, "topic", $"\"{topic}\" is not a topic name: {KafkaTopicName.Problem(topic)} ({KafkaTopicName.Rule})");
        problems.Check(!string.IsNullOrWhiteSpace(queue), "queue", "is required: the consumer group the subscription joins");
        problems.Check(options.Concurrency is null or >= 1, "concurrency", $"must be at least 1, but is {options.Concurrency}");
        problems.Check(options.Ordering is null || Enum.IsDefined(options.Ordering.Value), "ordering", $"must be per-key or unordered, but is {options.Ordering}");
        problems.Check(options.Retry is null || Enum.IsDefined(options.Retry.Value), "retry", $"must be forever or route, but is {options.Retry}");
        problems.Check(options.AutoOffsetReset is null or AutoOffsetReset.Earliest or AutoOffsetReset.Latest, "auto-offset-reset",
            $"must be earliest or latest, but is {options.AutoOffsetReset} (error would fail the subscription of a new group)");
        problems.ThrowIfAny();
    }

    /// <summary>The producer settings: <paramref name="settings"/> with the brokers and the producer properties applied.</summary>
    internal ProducerSettings<byte[], byte[]> Apply(ProducerSettings<byte[], byte[]> settings)
    {
        settings = settings.WithProperties(ProducerClients);
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }

    /// <summary>The consumer settings: <paramref name="settings"/> with the brokers and the consumer properties applied.</summary>
    internal ConsumerSettings<byte[], byte[]> Apply(ConsumerSettings<byte[], byte[]> settings)
    {
        settings = settings.WithProperties(ConsumerClients);
        return Brokers.Count > 0 ? settings.WithBootstrapServers(string.Join(",", Brokers)) : settings;
    }

    private void Validate(SettingsProblems problems)
    {
        var brokers = Brokers ?? [];
        problems.Check(brokers.All(b => !string.IsNullOrWhiteSpace(b)), "brokers", "must not contain empty entries");
        problems.Check(Codec is not null, "codec", "is required (json, proto or bytes)");
        problems.Check(Concurrency >= 1, "concurrency", $"must be at least 1, but is {Concurrency}");
        problems.Check(Enum.IsDefined(Ordering), "ordering", $"must be per-key or unordered, but is {Ordering}");
        problems.Check(Enum.IsDefined(Retry), "retry", $"must be forever or route, but is {Retry}");
        problems.Check(AutoOffsetReset is AutoOffsetReset.Earliest or AutoOffsetReset.Latest, "auto-offset-reset",
            $"must be earliest or latest, but is {AutoOffsetReset} (error would fail the subscription of a new group)");
        problems.Check(RetryBackoff > TimeSpan.Zero, "retry-backoff", $"must be greater than zero, but is {RetryBackoff}");
        problems.Check(RetryMaxBackoff >= RetryBackoff, "retry-max-backoff", $"must be at least retry-backoff ({RetryBackoff}), but is {RetryMaxBackoff}");
        problems.Check(DrainTimeout > TimeSpan.Zero, "drain-timeout", $"must be greater than zero, but is {DrainTimeout}");
        problems.Check(TimeProvider is not null, "time-provider", "is required");
        var producer = ProducerClients ?? new Dictionary<string, string>();
        var consumer = ConsumerClients ?? new Dictionary<string, string>();
        problems.Check(brokers.Count == 0 || !producer.ContainsKey("bootstrap.servers"), "producer-clients", "bootstrap.servers and brokers are both set: keep one of them");
        problems.Check(brokers.Count == 0 || !consumer.ContainsKey("bootstrap.servers"), "consumer-clients", "bootstrap.servers and brokers are both set: keep one of them");
        problems.Check(!consumer.ContainsKey("group.id"), "consumer-clients", "group.id is decided by each subscription's queue: remove it");
        problems.Check(!consumer.ContainsKey("auto.offset.reset"), "consumer-clients",
            "auto.offset.reset is decided by auto-offset-reset (and each subscription's AutoOffsetReset): remove it and set that option");
        problems.Check(!consumer.TryGetValue("enable.auto.commit", out var autoCommit) || !string.Equals(autoCommit, "true", StringComparison.OrdinalIgnoreCase),
            "consumer-clients", "enable.auto.commit = true would commit messages before their handler ran: the broker commits after handling; remove it");
    }

    private static BrokerCodec ParseCodec(string text, string key, SettingsProblems problems)
    {
        try
        {
            return BrokerCodec.Parse(text);
        }
        catch (ArgumentException e)
        {
            problems.Fail(key, e.Message.Split(" (Parameter", 2)[0]);
            return BrokerCodec.Json;
        }
    }

    private static AutoOffsetReset ParseOffsetReset(string text, string key, SettingsProblems problems)
    {
        switch (text.Trim().ToUpperInvariant())
        {
            case "EARLIEST" or "SMALLEST" or "BEGINNING":
                return AutoOffsetReset.Earliest;
            case "LATEST" or "LARGEST" or "END":
                return AutoOffsetReset.Latest;
            default:
                problems.Fail(key, $"must be earliest or latest, but is \"{text}\"");
                return AutoOffsetReset.Earliest;
        }
    }

    private static TEnum ParseEnum<TEnum>(IConfigurationSection child, SettingsProblems problems, TEnum fallback)
        where TEnum : struct, Enum
    {
        var normalized = Normalize(child.Value ?? string.Empty);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Normalize(value.ToString()), normalized, StringComparison.Ordinal))
            {
                return value;
            }
        }

        problems.Fail(child.Key, $"must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, but is \"{child.Value}\"");
        return fallback;
    }

    private static TimeSpan ReadDuration(IConfigurationSection child, SettingsProblems problems, TimeSpan fallback)
    {
        if (TimeSpan.TryParse(child.Value, CultureInfo.InvariantCulture, out var value)
            || HoconDurations.TryParse(child.Value ?? string.Empty, allowInfinite: false, out value, out _))
        {
            return value;
        }

        problems.Fail(child.Key, $"must be a duration such as 00:00:01 or 500ms, but is \"{child.Value}\"");
        return fallback;
    }

    private static void ReadProperties(IConfigurationSection child, IDictionary<string, string> into)
    {
        foreach (var property in child.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null))
        {
            into[property.Key.Replace(':', '.')] = property.Value!;
        }
    }

    private static string Normalize(string key) =>
        key.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
