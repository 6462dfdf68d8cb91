using Akka.Actor;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Kafka;

/// <summary>
/// How committer sinks and flows batch and send offset commits, read from <c>akka.kafka.committer</c>.
/// Immutable: each <c>With…</c> method returns a validated copy.
/// </summary>
public sealed class CommitterSettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "akka.kafka.committer";

    private static readonly Lazy<CommitterSettings> DefaultSettings = new(() => Create(PipelinesConfiguration.Reference()));

    private CommitterSettings()
    {
    }

    /// <summary>The settings of the reference configuration.</summary>
    public static CommitterSettings Default => DefaultSettings.Value;

    /// <summary>The most offsets aggregated into one commit (<c>max-batch</c>).</summary>
    public int MaxBatch { get; private set; }

    /// <summary>The longest time offsets wait before they are committed (<c>max-interval</c>).</summary>
    public TimeSpan MaxInterval { get; private set; }

    /// <summary>The most commits in flight at once (<c>parallelism</c>).</summary>
    public int Parallelism { get; private set; }

    /// <summary>Whether commits are awaited (<c>delivery</c>).</summary>
    public CommitDelivery Delivery { get; private set; }

    /// <summary>When an offset may be committed (<c>when</c>).</summary>
    public CommitWhen When { get; private set; }

    /// <summary>Reads <c>akka.kafka.committer</c> from <paramref name="config"/> (the whole configuration, or that section itself), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static CommitterSettings Create(Config config)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new CommitterSettings
        {
            MaxBatch = reader.Int("max-batch"),
            MaxInterval = reader.Duration("max-interval"),
            Parallelism = reader.Int("parallelism"),
            Delivery = reader.Enum<CommitDelivery>("delivery"),
            When = reader.Enum<CommitWhen>("when"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>Reads <c>akka.kafka.committer</c> from the configuration of <paramref name="system"/> (its <c>Settings.Config</c>), with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static CommitterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>Returns a copy with <see cref="MaxBatch"/> set.</summary>
    public CommitterSettings WithMaxBatch(int maxBatch) => With(s => s.MaxBatch = maxBatch);

    /// <summary>Returns a copy with <see cref="MaxInterval"/> set.</summary>
    public CommitterSettings WithMaxInterval(TimeSpan maxInterval) => With(s => s.MaxInterval = maxInterval);

    /// <summary>Returns a copy with <see cref="Parallelism"/> set.</summary>
    public CommitterSettings WithParallelism(int parallelism) => With(s => s.Parallelism = parallelism);

    /// <summary>Returns a copy with <see cref="Delivery"/> set.</summary>
    public CommitterSettings WithDelivery(CommitDelivery delivery) => With(s => s.Delivery = delivery);

    /// <summary>Returns a copy with <see cref="When"/> set.</summary>
    public CommitterSettings WithWhen(CommitWhen when) => With(s => s.When = when);

    /// <inheritdoc/>
    public override string ToString() =>
        $"CommitterSettings(max-batch={MaxBatch}, max-interval={MaxInterval}, parallelism={Parallelism}, delivery={Delivery}, when={When})";

    private CommitterSettings With(Action<CommitterSettings> change)
    {
        var copy = (CommitterSettings)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        problems.Check(MaxBatch >= 1, "max-batch", $"must be at least 1, but is {MaxBatch}");
        problems.Check(MaxInterval > TimeSpan.Zero, "max-interval", $"must be greater than zero, but is {MaxInterval}");
        problems.Check(Parallelism >= 1, "parallelism", $"must be at least 1, but is {Parallelism}");
        problems.Check(Enum.IsDefined(Delivery), "delivery", $"must be WaitForAck or SendAndForget, but is {Delivery}");
        problems.Check(Enum.IsDefined(When), "when", $"must be OffsetFirstObserved or NextOffsetObserved, but is {When}");
    }
}
