using System.Globalization;
using Akka.Actor;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Polly;
using Config = Akka.Configuration.Config;

namespace Pipelines.Delay;

/// <summary>
/// How failed processing is retried — in place with Polly.Core, then non-blocking through the delay tiers — and when a
/// message goes to the dead-letter topic, read from <c>pipelines.retry</c>. Immutable: each <c>With…</c> method returns a
/// validated copy.
/// </summary>
public sealed class RetrySettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "pipelines.retry";

    /// <summary>The placeholder in <see cref="RetryTopicPattern"/> and <see cref="DeadLetterTopicPattern"/> replaced by the consumer group id.</summary>
    public const string GroupPlaceholder = "{group}";

    /// <summary>Polly's limit for the base delay of a retry strategy.</summary>
    private static readonly TimeSpan PollyMaxDelay = TimeSpan.FromDays(1);

    private static readonly Lazy<RetrySettings> DefaultSettings = new(() => Create(PipelinesConfiguration.Reference()));

    private RetrySettings()
    {
    }

    /// <summary>The settings of the reference configuration.</summary>
    public static RetrySettings Default => DefaultSettings.Value;

    /// <summary>Retries in place after the first failure, 0 for none (<c>in-place.attempts</c>).</summary>
    public int InPlaceAttempts { get; private set; }

    /// <summary>The base delay before an in-place retry, Polly's <c>Delay</c> (<c>in-place.backoff</c>).</summary>
    public TimeSpan InPlaceBackoff { get; private set; }

    /// <summary>The longest delay between two in-place retries, Polly's <c>MaxDelay</c> (<c>in-place.max-backoff</c>).</summary>
    public TimeSpan InPlaceMaxBackoff { get; private set; }

    /// <summary>How in-place delays grow (<c>in-place.backoff-type</c>).</summary>
    public DelayBackoffType InPlaceBackoffType { get; private set; }

    /// <summary>Whether Polly randomizes in-place delays (<c>in-place.jitter</c>).</summary>
    public bool InPlaceJitter { get; private set; }

    /// <summary>Retries through the delay tiers after the in-place retries failed, 0 for none (<c>non-blocking.attempts</c>).</summary>
    public int NonBlockingAttempts { get; private set; }

    /// <summary>The delay before the first non-blocking retry (<c>non-blocking.backoff</c>).</summary>
    public TimeSpan NonBlockingBackoff { get; private set; }

    /// <summary>The factor by which each non-blocking retry's delay grows (<c>non-blocking.multiplier</c>).</summary>
    public double NonBlockingMultiplier { get; private set; }

    /// <summary>The longest delay before a non-blocking retry (<c>non-blocking.max-backoff</c>).</summary>
    public TimeSpan NonBlockingMaxBackoff { get; private set; }

    /// <summary>The fraction in [0, 1) by which a non-blocking delay is randomly shortened or lengthened (<c>non-blocking.jitter</c>).</summary>
    public double NonBlockingJitter { get; private set; }

    /// <summary>The retry topic's name with <see cref="GroupPlaceholder"/> for the consumer group (<c>retry-topic</c>).</summary>
    public string RetryTopicPattern { get; private set; } = string.Empty;

    /// <summary>The dead-letter topic's name with <see cref="GroupPlaceholder"/> for the consumer group (<c>dead-letter-topic</c>).</summary>
    public string DeadLetterTopicPattern { get; private set; } = string.Empty;

    /// <summary>Full type names of exceptions that are dead-lettered without retries (<c>non-retriable-exceptions</c>).</summary>
    public IReadOnlyList<string> NonRetriableExceptions { get; private set; } = [];

    /// <summary>Whether later messages of a key follow a message of that key into the retry path (<c>preserve-key-order</c>).</summary>
    public bool PreserveKeyOrder { get; private set; }

    /// <summary>The most characters of an exception message carried in a header (<c>max-exception-message-length</c>).</summary>
    public int MaxExceptionMessageLength { get; private set; }

    /// <summary>The most characters of an exception's stack trace carried in a header (<c>max-stack-trace-length</c>).</summary>
    public int MaxStackTraceLength { get; private set; }

    /// <summary>How many messages the retry route's handler works on at once (<c>parallelism</c>).</summary>
    public int Parallelism { get; private set; }

    /// <summary>How the retry route runs its handler: per key in order, or unordered (<c>processing</c>).</summary>
    public RetryProcessing Processing { get; private set; }

    /// <summary>Reads <c>pipelines.retry</c> from <paramref name="config"/> (the whole configuration, or that section itself), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static RetrySettings Create(Config config)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new RetrySettings
        {
            InPlaceAttempts = reader.Int("in-place.attempts"),
            InPlaceBackoff = reader.Duration("in-place.backoff"),
            InPlaceMaxBackoff = reader.Duration("in-place.max-backoff"),
            InPlaceBackoffType = reader.Enum<DelayBackoffType>("in-place.backoff-type"),
            InPlaceJitter = reader.Boolean("in-place.jitter"),
            NonBlockingAttempts = reader.Int("non-blocking.attempts"),
            NonBlockingBackoff = reader.Duration("non-blocking.backoff"),
            NonBlockingMultiplier = reader.Double("non-blocking.multiplier"),
            NonBlockingMaxBackoff = reader.Duration("non-blocking.max-backoff"),
            NonBlockingJitter = reader.Double("non-blocking.jitter"),
            RetryTopicPattern = reader.String("retry-topic") ?? string.Empty,
            DeadLetterTopicPattern = reader.String("dead-letter-topic") ?? string.Empty,
            NonRetriableExceptions = reader.StringList("non-retriable-exceptions"),
            PreserveKeyOrder = reader.Boolean("preserve-key-order"),
            MaxExceptionMessageLength = reader.Int("max-exception-message-length"),
            MaxStackTraceLength = reader.Int("max-stack-trace-length"),
            Parallelism = reader.Int("parallelism"),
            Processing = reader.Enum<RetryProcessing>("processing"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>Reads <c>pipelines.retry</c> from the configuration of <paramref name="system"/> (its <c>Settings.Config</c>), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static RetrySettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>The retry topic of consumer group <paramref name="groupId"/>.</summary>
    /// <exception cref="ArgumentException">The group id makes an illegal topic name.</exception>
    public string RetryTopic(string groupId) => TopicFor(RetryTopicPattern, "retry-topic", groupId);

    /// <summary>The dead-letter topic of consumer group <paramref name="groupId"/>.</summary>
    /// <exception cref="ArgumentException">The group id makes an illegal topic name.</exception>
    public string DeadLetterTopic(string groupId) => TopicFor(DeadLetterTopicPattern, "dead-letter-topic", groupId);

    /// <summary>
    /// The delay before non-blocking retry <paramref name="retry"/> (1 for the first):
    /// <c>min(max-backoff, backoff × multiplier^(retry-1))</c>, multiplied by <c>1 + jitter × (2 × sample − 1)</c> and capped at
    /// max-backoff again. <paramref name="sample"/> is a uniform random number in [0, 1), so the delay lies in
    /// <c>[nominal × (1 − jitter), min(nominal × (1 + jitter), max-backoff))</c>, rounded down to whole milliseconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is below 1 or <paramref name="sample"/> is outside [0, 1).</exception>
    public TimeSpan NonBlockingDelay(int retry, double sample)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        if (!(sample >= 0 && sample < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sample), sample, "A random sample lies in [0, 1).");
        }

        var max = (double)NonBlockingMaxBackoff.Ticks;
        var nominal = Math.Min(max, NonBlockingBackoff.Ticks * Math.Pow(NonBlockingMultiplier, retry - 1));
        var jittered = Math.Min(max, nominal * (1 + (NonBlockingJitter * ((2 * sample) - 1))));
        var ticks = (long)jittered;
        return TimeSpan.FromTicks(ticks - (ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>Returns a copy with the in-place retries set: attempts, base and longest delay, how delays grow, and jitter.</summary>
    public RetrySettings WithInPlace(int attempts, TimeSpan backoff, TimeSpan maxBackoff, DelayBackoffType backoffType, bool jitter) => With(s =>
    {
        s.InPlaceAttempts = attempts;
        s.InPlaceBackoff = backoff;
        s.InPlaceMaxBackoff = maxBackoff;
        s.InPlaceBackoffType = backoffType;
        s.InPlaceJitter = jitter;
    });

    /// <summary>Returns a copy with the non-blocking retries set: attempts, first delay, growth factor, longest delay and jitter.</summary>
    public RetrySettings WithNonBlocking(int attempts, TimeSpan backoff, double multiplier, TimeSpan maxBackoff, double jitter) => With(s =>
    {
        s.NonBlockingAttempts = attempts;
        s.NonBlockingBackoff = backoff;
        s.NonBlockingMultiplier = multiplier;
        s.NonBlockingMaxBackoff = maxBackoff;
        s.NonBlockingJitter = jitter;
    });

    /// <summary>Returns a copy with <see cref="RetryTopicPattern"/> set.</summary>
    public RetrySettings WithRetryTopic(string pattern) => With(s => s.RetryTopicPattern = pattern);

    /// <summary>Returns a copy with <see cref="DeadLetterTopicPattern"/> set.</summary>
    public RetrySettings WithDeadLetterTopic(string pattern) => With(s => s.DeadLetterTopicPattern = pattern);

    /// <summary>Returns a copy with <see cref="NonRetriableExceptions"/> set (full type names).</summary>
    public RetrySettings WithNonRetriableExceptions(IEnumerable<string> typeNames)
    {
        ArgumentNullException.ThrowIfNull(typeNames);
        var names = typeNames.ToArray();
        return With(s => s.NonRetriableExceptions = names);
    }

    /// <summary>Returns a copy with <see cref="PreserveKeyOrder"/> set.</summary>
    public RetrySettings WithPreserveKeyOrder(bool preserveKeyOrder) => With(s => s.PreserveKeyOrder = preserveKeyOrder);

    /// <summary>Returns a copy with the limits of the exception text carried in headers set.</summary>
    public RetrySettings WithExceptionLimits(int maxMessageLength, int maxStackTraceLength) => With(s =>
    {
        s.MaxExceptionMessageLength = maxMessageLength;
        s.MaxStackTraceLength = maxStackTraceLength;
    });

    /// <summary>Returns a copy with the retry route's <see cref="Parallelism"/> and <see cref="Processing"/> set.</summary>
    public RetrySettings WithProcessing(int parallelism, RetryProcessing processing) => With(s =>
    {
        s.Parallelism = parallelism;
        s.Processing = processing;
    });

    /// <inheritdoc/>
    public override string ToString() =>
        $"RetrySettings(in-place: {InPlaceAttempts} × {InPlaceBackoffType} {InPlaceBackoff}..{InPlaceMaxBackoff}{(InPlaceJitter ? " with jitter" : string.Empty)}, " +
        $"non-blocking: {NonBlockingAttempts} × {NonBlockingBackoff} ×{NonBlockingMultiplier.ToString(CultureInfo.InvariantCulture)} ..{NonBlockingMaxBackoff} ±{NonBlockingJitter.ToString(CultureInfo.InvariantCulture)}, " +
        $"retry-topic={RetryTopicPattern}, dead-letter-topic={DeadLetterTopicPattern}, preserve-key-order={PreserveKeyOrder}, parallelism={Parallelism}, processing={Processing})";

    private string TopicFor(string pattern, string key, string groupId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var topic = pattern.Replace(GroupPlaceholder, groupId, StringComparison.Ordinal);
        return KafkaTopicName.Problem(topic) is { } problem
            ? throw new ArgumentException(
                $"Consumer group \"{groupId}\" makes the {key} name \"{topic}\" (from {ConfigPath}.{key} = \"{pattern}\") illegal: {problem} ({KafkaTopicName.Rule}). Use a group id of legal characters or a pattern that leaves it out.",
                nameof(groupId))
            : topic;
    }

    private RetrySettings With(Action<RetrySettings> change)
    {
        var copy = (RetrySettings)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        problems.Check(InPlaceAttempts >= 0, "in-place.attempts", $"must be 0 or more, but is {InPlaceAttempts}");
        problems.Check(
            InPlaceBackoff >= TimeSpan.Zero && InPlaceBackoff <= PollyMaxDelay,
            "in-place.backoff",
            $"must be between 0 and 1d (Polly's limit), but is {InPlaceBackoff}");
        problems.Check(
            InPlaceMaxBackoff >= InPlaceBackoff,
            "in-place.max-backoff",
            $"must be at least in-place.backoff ({InPlaceBackoff}), but is {InPlaceMaxBackoff}");
        problems.Check(Enum.IsDefined(InPlaceBackoffType), "in-place.backoff-type", $"must be constant, linear or exponential, but is {InPlaceBackoffType}");

        problems.Check(NonBlockingAttempts >= 0, "non-blocking.attempts", $"must be 0 or more, but is {NonBlockingAttempts}");
        problems.Check(NonBlockingBackoff > TimeSpan.Zero, "non-blocking.backoff", $"must be greater than zero, but is {NonBlockingBackoff}");
        problems.Check(
            double.IsFinite(NonBlockingMultiplier) && NonBlockingMultiplier >= 1,
            "non-blocking.multiplier",
            $"must be at least 1.0, but is {NonBlockingMultiplier.ToString(CultureInfo.InvariantCulture)}");
        problems.Check(
            NonBlockingMaxBackoff >= NonBlockingBackoff,
            "non-blocking.max-backoff",
            $"must be at least non-blocking.backoff ({NonBlockingBackoff}), but is {NonBlockingMaxBackoff}");
        problems.Check(
            NonBlockingJitter is >= 0 and < 1,
            "non-blocking.jitter",
            $"must be at least 0 and below 1, but is {NonBlockingJitter.ToString(CultureInfo.InvariantCulture)}");

        CheckPattern(problems, "retry-topic", RetryTopicPattern);
        CheckPattern(problems, "dead-letter-topic", DeadLetterTopicPattern);
        problems.Check(
            RetryTopicPattern != DeadLetterTopicPattern || string.IsNullOrEmpty(RetryTopicPattern),
            "dead-letter-topic",
            $"must differ from retry-topic, but both are \"{RetryTopicPattern}\"");

        for (var i = 0; i < NonRetriableExceptions.Count; i++)
        {
            var name = NonRetriableExceptions[i];
            problems.Check(
                !string.IsNullOrWhiteSpace(name) && !name.Any(char.IsWhiteSpace),
                "non-retriable-exceptions",
                $"must hold full type names such as System.FormatException, but element {i} is \"{name}\"");
        }

        problems.Check(MaxExceptionMessageLength >= 100, "max-exception-message-length", $"must be at least 100, but is {MaxExceptionMessageLength}");
        problems.Check(MaxStackTraceLength >= 100, "max-stack-trace-length", $"must be at least 100, but is {MaxStackTraceLength}");
        problems.Check(Parallelism is >= 1 and <= 10_000, "parallelism", $"must be between 1 and 10000, but is {Parallelism}");
        problems.Check(Enum.IsDefined(Processing), "processing", $"must be per-key or unordered, but is {Processing}");
        problems.Check(
            !(PreserveKeyOrder && Processing == RetryProcessing.Unordered),
            "processing",
            "must be per-key when preserve-key-order is on (unordered processing keeps no order to preserve), but is unordered");
    }

    private static void CheckPattern(SettingsProblems problems, string key, string pattern)
    {
        if (!pattern.Contains(GroupPlaceholder, StringComparison.Ordinal))
        {
            problems.Check(false, key, $"must contain {GroupPlaceholder} (each consumer group has its own topic), but is \"{pattern}\"");
            return;
        }

        var sample = pattern.Replace(GroupPlaceholder, "group", StringComparison.Ordinal);
        var problem = KafkaTopicName.Problem(sample);
        problems.Check(problem is null, key, $"must make legal topic names, but \"{pattern}\" gives \"{sample}\" for group \"group\": {problem}");
    }
}
