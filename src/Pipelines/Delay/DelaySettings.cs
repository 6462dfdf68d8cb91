using System.Collections.Immutable;
using Akka.Actor;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Config = Akka.Configuration.Config;

namespace Pipelines.Delay;

/// <summary>
/// The delay queue's tiers, topic naming and creation, router group and cancellation, read from <c>pipelines.delay</c>.
/// Immutable: each <c>With…</c> method returns a validated copy.
/// </summary>
public sealed class DelaySettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "pipelines.delay";

    private static readonly Lazy<DelaySettings> DefaultSettings = new(() => Create(PipelinesConfiguration.Reference()));

    private DelaySettings()
    {
    }

    /// <summary>The settings of the reference configuration.</summary>
    public static DelaySettings Default => DefaultSettings.Value;

    /// <summary>The fixed delays of the tier topics, strictly increasing (<c>tiers</c>).</summary>
    public IReadOnlyList<TimeSpan> Tiers { get; private set; } = [];

    /// <summary>The prefix of the tier topics' names, followed by the tier's delay such as <c>30s</c> (<c>topic-prefix</c>).</summary>
    public string TopicPrefix { get; private set; } = string.Empty;

    /// <summary>The consumer group the routers share (<c>router-group-id</c>).</summary>
    public string RouterGroupId { get; private set; } = string.Empty;

    /// <summary>The longest delay a message may be scheduled with (<c>max-delay</c>).</summary>
    public TimeSpan MaxDelay { get; private set; }

    /// <summary>Partitions of each topic created for the delay queue (<c>topics.partitions</c>).</summary>
    public int Partitions { get; private set; }

    /// <summary>
    /// How long past its delay every tier but the smallest holds a message that is due by then, delivering it from the
    /// tier instead of writing it to a smaller one (<c>hold-window</c>); see <see cref="DelayTier.Hold"/>.
    /// </summary>
    public TimeSpan HoldWindow { get; private set; }

    /// <summary>Replicas of each created topic; -1 takes the broker's default (<c>topics.replication-factor</c>).</summary>
    public int ReplicationFactor { get; private set; }

    /// <summary>How long routers may be down or behind before pending messages are deleted by retention (<c>topics.retention-margin</c>).</summary>
    public TimeSpan RetentionMargin { get; private set; }

    /// <summary>Topic configs added verbatim to every created tier topic, winning over the computed ones (<c>topics.config</c>).</summary>
    public ImmutableSortedDictionary<string, string> TopicConfig { get; private set; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The compacted topic of cancellation facts (<c>cancellation.topic</c>).</summary>
    public string CancellationTopic { get; private set; } = string.Empty;

    /// <summary>The most facts one cancellation registry holds (<c>cancellation.max-entries</c>).</summary>
    public int CancellationMaxEntries { get; private set; }

    /// <summary>Whether the scheduling client records a Scheduled fact per message (<c>cancellation.record-schedules</c>).</summary>
    public bool RecordSchedules { get; private set; }

    /// <summary>Whether routers record a Delivered fact for every delivered message, many to a record (<c>cancellation.record-deliveries</c>).</summary>
    public bool RecordDeliveries { get; private set; }

    /// <summary>Reads <c>pipelines.delay</c> from <paramref name="config"/> (the whole configuration, or that section itself), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelaySettings Create(Config config)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new DelaySettings
        {
            Tiers = reader.DurationList("tiers"),
            TopicPrefix = reader.String("topic-prefix") ?? string.Empty,
            RouterGroupId = reader.String("router-group-id") ?? string.Empty,
            MaxDelay = reader.Duration("max-delay"),
            HoldWindow = reader.Duration("hold-window"),
            Partitions = reader.Int("topics.partitions"),
            ReplicationFactor = reader.Int("topics.replication-factor"),
            RetentionMargin = reader.Duration("topics.retention-margin"),
            TopicConfig = reader.Properties("topics.config"),
            CancellationTopic = reader.String("cancellation.topic") ?? string.Empty,
            CancellationMaxEntries = reader.Int("cancellation.max-entries"),
            RecordSchedules = reader.Boolean("cancellation.record-schedules"),
            RecordDeliveries = reader.Boolean("cancellation.record-deliveries"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>Reads <c>pipelines.delay</c> from the configuration of <paramref name="system"/> (its <c>Settings.Config</c>), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelaySettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>Returns a copy with <see cref="Tiers"/> set.</summary>
    public DelaySettings WithTiers(IEnumerable<TimeSpan> tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        var list = tiers.ToArray();
        return With(s => s.Tiers = list);
    }

    /// <summary>Returns a copy with <see cref="TopicPrefix"/> set.</summary>
    public DelaySettings WithTopicPrefix(string topicPrefix) => With(s => s.TopicPrefix = topicPrefix);

    /// <summary>Returns a copy with <see cref="RouterGroupId"/> set.</summary>
    public DelaySettings WithRouterGroupId(string routerGroupId) => With(s => s.RouterGroupId = routerGroupId);

    /// <summary>Returns a copy with <see cref="MaxDelay"/> set.</summary>
    public DelaySettings WithMaxDelay(TimeSpan maxDelay) => With(s => s.MaxDelay = maxDelay);

    /// <summary>Returns a copy with <see cref="Partitions"/> set.</summary>
    public DelaySettings WithPartitions(int partitions) => With(s => s.Partitions = partitions);

    /// <summary>Returns a copy with <see cref="ReplicationFactor"/> set (-1 for the broker's default).</summary>
    public DelaySettings WithReplicationFactor(int replicationFactor) => With(s => s.ReplicationFactor = replicationFactor);

    /// <summary>Returns a copy with <see cref="HoldWindow"/> set.</summary>
    public DelaySettings WithHoldWindow(TimeSpan holdWindow) => With(s => s.HoldWindow = holdWindow);

    /// <summary>Returns a copy with <see cref="RetentionMargin"/> set.</summary>
    public DelaySettings WithRetentionMargin(TimeSpan retentionMargin) => With(s => s.RetentionMargin = retentionMargin);

    /// <summary>Returns a copy whose <see cref="TopicConfig"/> sets <paramref name="name"/> to <paramref name="value"/> (or removes it when <paramref name="value"/> is null).</summary>
    public DelaySettings WithTopicConfig(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return With(s => s.TopicConfig = value is null ? s.TopicConfig.Remove(name) : s.TopicConfig.SetItem(name, value));
    }

    /// <summary>Returns a copy with <see cref="CancellationTopic"/> set.</summary>
    public DelaySettings WithCancellationTopic(string cancellationTopic) => With(s => s.CancellationTopic = cancellationTopic);

    /// <summary>Returns a copy with <see cref="CancellationMaxEntries"/> set.</summary>
    public DelaySettings WithCancellationMaxEntries(int maxEntries) => With(s => s.CancellationMaxEntries = maxEntries);

    /// <summary>Returns a copy with <see cref="RecordSchedules"/> set.</summary>
    public DelaySettings WithRecordSchedules(bool recordSchedules) => With(s => s.RecordSchedules = recordSchedules);

    /// <summary>Returns a copy with <see cref="RecordDeliveries"/> set.</summary>
    public DelaySettings WithRecordDeliveries(bool recordDeliveries) => With(s => s.RecordDeliveries = recordDeliveries);

    /// <inheritdoc/>
    public override string ToString() =>
        $"DelaySettings(tiers=[{string.Join(", ", Tiers.Select(DelayTier.Label))}], topic-prefix={TopicPrefix}, router-group-id={RouterGroupId}, " +
        $"max-delay={MaxDelay}, hold-window={HoldWindow}, partitions={Partitions}, replication-factor={ReplicationFactor}, retention-margin={RetentionMargin}, " +
        $"cancellation.topic={CancellationTopic}, cancellation.max-entries={CancellationMaxEntries})";

    private DelaySettings With(Action<DelaySettings> change)
    {
        var copy = (DelaySettings)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        ValidateTiers(problems);
        problems.Check(!string.IsNullOrEmpty(TopicPrefix), "topic-prefix", "must not be empty: tier topics are named <topic-prefix><delay>");
        if (!string.IsNullOrEmpty(TopicPrefix) && Tiers.Count > 0)
        {
            foreach (var tier in Tiers.Where(t => t > TimeSpan.Zero))
            {
                var name = TopicPrefix + DelayTier.Label(tier);
                var problem = KafkaTopicName.Problem(name);
                if (problem is not null)
                {
                    problems.Check(false, "topic-prefix", $"makes the tier topic name \"{name}\" illegal: {problem} ({KafkaTopicName.Rule})");
                    break;
                }
            }
        }

        problems.Check(!string.IsNullOrWhiteSpace(RouterGroupId), "router-group-id", "must not be empty");
        problems.Check(MaxDelay > TimeSpan.Zero, "max-delay", $"must be greater than zero, but is {MaxDelay}");
        problems.Check(
            HoldWindow >= TimeSpan.Zero && HoldWindow.Ticks % TimeSpan.TicksPerMillisecond == 0,
            "hold-window",
            $"must be zero or more whole milliseconds, but is {HoldWindow}");
        problems.Check(Partitions >= 1, "topics.partitions", $"must be at least 1, but is {Partitions}");
        problems.Check(
            ReplicationFactor == -1 || ReplicationFactor is >= 1 and <= short.MaxValue,
            "topics.replication-factor",
            $"must be -1 (the broker's default) or between 1 and {short.MaxValue}, but is {ReplicationFactor}");
        problems.Check(RetentionMargin > TimeSpan.Zero, "topics.retention-margin", $"must be greater than zero, but is {RetentionMargin}");

        var cancellationProblem = KafkaTopicName.Problem(CancellationTopic ?? string.Empty);
        problems.Check(cancellationProblem is null, "cancellation.topic", $"must be a legal topic name, but \"{CancellationTopic}\" is not: {cancellationProblem} ({KafkaTopicName.Rule})");
        problems.Check(
            cancellationProblem is not null || !Tiers.Any(t => t > TimeSpan.Zero && TopicPrefix + DelayTier.Label(t) == CancellationTopic),
            "cancellation.topic",
            $"must differ from every tier topic, but \"{CancellationTopic}\" is one");
        problems.Check(CancellationMaxEntries >= 1, "cancellation.max-entries", $"must be at least 1, but is {CancellationMaxEntries}");
    }

    private void ValidateTiers(SettingsProblems problems)
    {
        if (problems.HasFailed("tiers"))
        {
            return;
        }

        if (Tiers.Count == 0)
        {
            problems.Check(false, "tiers", "must list at least one delay, such as [1s, 5s, 30s]");
            return;
        }

        for (var i = 0; i < Tiers.Count; i++)
        {
            var tier = Tiers[i];
            if (tier <= TimeSpan.Zero)
            {
                problems.Check(false, "tiers", $"must be strictly increasing positive durations, but element {i} is {Show(tier)}");
            }
            else if (tier.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                problems.Check(false, "tiers", $"must be whole milliseconds (due times are Unix milliseconds), but element {i} is {tier}");
            }

            if (i > 0 && tier <= Tiers[i - 1])
            {
                problems.Check(
                    false,
                    "tiers",
                    $"must be strictly increasing positive durations, but element {i} ({Show(tier)}) is not greater than element {i - 1} ({Show(Tiers[i - 1])})");
            }
        }

        var largest = Tiers[^1];
        problems.Check(
            MaxDelay <= TimeSpan.Zero || largest <= MaxDelay,
            "tiers",
            $"the largest tier ({Show(largest)}) exceeds max-delay ({Show(MaxDelay)}), so it would never be used; lower it or raise max-delay");
    }

    private static string Show(TimeSpan duration) =>
        duration > TimeSpan.Zero && duration.Ticks % TimeSpan.TicksPerMillisecond == 0 ? DelayTier.Label(duration) : duration.ToString();
}
