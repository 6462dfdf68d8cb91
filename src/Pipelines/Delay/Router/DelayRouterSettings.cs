using Akka.Actor;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Delay;

/// <summary>
/// How a <see cref="DelayRouter"/> produces, holds, commits and reads cancellations, read from <c>pipelines.delay.router</c>.
/// Immutable: each <c>With…</c> method returns a validated copy.
/// </summary>
public sealed class DelayRouterSettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "pipelines.delay.router";

    private static readonly Lazy<DelayRouterSettings> DefaultSettings = new(() => Create(PipelinesConfiguration.Reference()));

    private DelayRouterSettings()
    {
    }

    /// <summary>The settings of the reference configuration.</summary>
    public static DelayRouterSettings Default => DefaultSettings.Value;

    /// <summary>Records produced at once and awaiting acknowledgement, over all partitions (<c>parallelism</c>).</summary>
    public int Parallelism { get; private set; }

    /// <summary>Per partition, the most records held until the tier's delay after they were written (or their due time), released earliest first (<c>reorder-buffer</c>).</summary>
    public int ReorderBuffer { get; private set; }

    /// <summary>Per partition of the smallest tier, the reorder buffer (<c>smallest-tier-reorder-buffer</c>): messages due sooner than that tier's delay overtake the others there.</summary>
    public int SmallestTierReorderBuffer { get; private set; }

    /// <summary>
    /// Per partition, the most records past the tier's delay held until their due time, released earliest first; when
    /// another arrives while it is full, the one due last moves on to the next hop (<c>hold-buffer</c>).
    /// </summary>
    public int HoldBuffer { get; private set; }

    /// <summary>
    /// How often the router's consumer asks the client for records while a partition has room (<c>consumer.poll-interval</c>),
    /// in place of <c>akka.kafka.consumer.poll-interval</c>: a router resumes partitions all the time, as held records
    /// leave, and each resumed partition is read again only at the next poll.
    /// </summary>
    public TimeSpan ConsumerPollInterval { get; private set; }

    /// <summary>
    /// Records the router's consumer buffers per partition ahead of the reorder buffer (<c>consumer.buffer-size</c>), in
    /// place of <c>akka.kafka.consumer.buffer-size</c>: what one poll can bring a partition that releases records quickly.
    /// </summary>
    public int ConsumerBufferSize { get; private set; }

    /// <summary>The most tier partitions one router instance serves at once (<c>max-partitions</c>).</summary>
    public int MaxPartitions { get; private set; }

    /// <summary>Offsets per commit (<c>commit-max-batch</c>).</summary>
    public int CommitMaxBatch { get; private set; }

    /// <summary>The longest time between commits while offsets wait (<c>commit-max-interval</c>).</summary>
    public TimeSpan CommitMaxInterval { get; private set; }

    /// <summary>How long one read of the cancellation topic up to its end may take before the router fails (<c>cancellation.catch-up-timeout</c>).</summary>
    public TimeSpan CatchUpTimeout { get; private set; }

    /// <summary>How long the cancellation reader waits for facts between catch-ups when no delivery waits (<c>cancellation.idle-poll</c>).</summary>
    public TimeSpan IdlePoll { get; private set; }

    /// <summary>Reads <c>pipelines.delay.router</c> from <paramref name="config"/>, with the reference configuration as fallback.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelayRouterSettings Create(Config config)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var settings = new DelayRouterSettings
        {
            Parallelism = reader.Int("parallelism"),
            ReorderBuffer = reader.Int("reorder-buffer"),
            SmallestTierReorderBuffer = reader.Int("smallest-tier-reorder-buffer"),
            HoldBuffer = reader.Int("hold-buffer"),
            MaxPartitions = reader.Int("max-partitions"),
            ConsumerPollInterval = reader.Duration("consumer.poll-interval"),
            ConsumerBufferSize = reader.Int("consumer.buffer-size"),
            CommitMaxBatch = reader.Int("commit-max-batch"),
            CommitMaxInterval = reader.Duration("commit-max-interval"),
            CatchUpTimeout = reader.Duration("cancellation.catch-up-timeout"),
            IdlePoll = reader.Duration("cancellation.idle-poll"),
        };
        settings.Validate(reader.Problems);
        reader.Problems.ThrowIfAny();
        return settings;
    }

    /// <summary>Reads <c>pipelines.delay.router</c> from the configuration of <paramref name="system"/>.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static DelayRouterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>Returns a copy with <see cref="Parallelism"/> set.</summary>
    public DelayRouterSettings WithParallelism(int parallelism) => With(s => s.Parallelism = parallelism);

    /// <summary>Returns a copy with <see cref="ReorderBuffer"/> set.</summary>
    public DelayRouterSettings WithReorderBuffer(int reorderBuffer) => With(s => s.ReorderBuffer = reorderBuffer);

    /// <summary>Returns a copy with <see cref="ConsumerPollInterval"/> and <see cref="ConsumerBufferSize"/> set.</summary>
    public DelayRouterSettings WithConsumer(TimeSpan pollInterval, int bufferSize) => With(s =>
    {
        s.ConsumerPollInterval = pollInterval;
        s.ConsumerBufferSize = bufferSize;
    });

    /// <summary>Returns a copy with <see cref="SmallestTierReorderBuffer"/> set.</summary>
    public DelayRouterSettings WithSmallestTierReorderBuffer(int reorderBuffer) => With(s => s.SmallestTierReorderBuffer = reorderBuffer);

    /// <summary>Returns a copy with <see cref="HoldBuffer"/> set.</summary>
    public DelayRouterSettings WithHoldBuffer(int holdBuffer) => With(s => s.HoldBuffer = holdBuffer);

    /// <summary>Returns a copy with <see cref="MaxPartitions"/> set.</summary>
    public DelayRouterSettings WithMaxPartitions(int maxPartitions) => With(s => s.MaxPartitions = maxPartitions);

    /// <summary>Returns a copy with <see cref="CommitMaxBatch"/> set.</summary>
    public DelayRouterSettings WithCommitMaxBatch(int commitMaxBatch) => With(s => s.CommitMaxBatch = commitMaxBatch);

    /// <summary>Returns a copy with <see cref="CommitMaxInterval"/> set.</summary>
    public DelayRouterSettings WithCommitMaxInterval(TimeSpan commitMaxInterval) => With(s => s.CommitMaxInterval = commitMaxInterval);

    /// <summary>Returns a copy with <see cref="CatchUpTimeout"/> set.</summary>
    public DelayRouterSettings WithCatchUpTimeout(TimeSpan catchUpTimeout) => With(s => s.CatchUpTimeout = catchUpTimeout);

    /// <summary>Returns a copy with <see cref="IdlePoll"/> set.</summary>
    public DelayRouterSettings WithIdlePoll(TimeSpan idlePoll) => With(s => s.IdlePoll = idlePoll);

    /// <inheritdoc/>
    public override string ToString() =>
        $"DelayRouterSettings(parallelism={Parallelism}, reorder-buffer={ReorderBuffer}, smallest-tier-reorder-buffer={SmallestTierReorderBuffer}, hold-buffer={HoldBuffer}, " +
        $"consumer.poll-interval={ConsumerPollInterval}, consumer.buffer-size={ConsumerBufferSize}, max-partitions={MaxPartitions}, commit-max-batch={CommitMaxBatch}, " +
        $"commit-max-interval={CommitMaxInterval}, cancellation.catch-up-timeout={CatchUpTimeout}, cancellation.idle-poll={IdlePoll})";

    private DelayRouterSettings With(Action<DelayRouterSettings> change)
    {
        var copy = (DelayRouterSettings)MemberwiseClone();
        change(copy);
        var problems = new SettingsProblems(ConfigPath);
        copy.Validate(problems);
        problems.ThrowIfAny();
        return copy;
    }

    private void Validate(SettingsProblems problems)
    {
        problems.Check(Parallelism >= 1, "parallelism", $"must be at least 1, but is {Parallelism}");
        problems.Check(ReorderBuffer >= 1, "reorder-buffer", $"must be at least 1 (1 holds each partition strictly head first), but is {ReorderBuffer}");
        problems.Check(ConsumerPollInterval > TimeSpan.Zero, "consumer.poll-interval", $"must be greater than zero, but is {ConsumerPollInterval}");
        problems.Check(ConsumerBufferSize >= 1, "consumer.buffer-size", $"must be at least 1, but is {ConsumerBufferSize}");
        problems.Check(SmallestTierReorderBuffer >= 1, "smallest-tier-reorder-buffer", $"must be at least 1, but is {SmallestTierReorderBuffer}");
        problems.Check(HoldBuffer >= 1, "hold-buffer", $"must be at least 1, but is {HoldBuffer}");
        problems.Check(MaxPartitions >= 1, "max-partitions", $"must be at least 1, but is {MaxPartitions}");
        problems.Check(CommitMaxBatch >= 1, "commit-max-batch", $"must be at least 1, but is {CommitMaxBatch}");
        problems.Check(CommitMaxInterval > TimeSpan.Zero, "commit-max-interval", $"must be greater than zero, but is {CommitMaxInterval}");
        problems.Check(CatchUpTimeout > TimeSpan.Zero, "cancellation.catch-up-timeout", $"must be greater than zero, but is {CatchUpTimeout}");
        problems.Check(IdlePoll > TimeSpan.Zero, "cancellation.idle-poll", $"must be greater than zero, but is {IdlePoll}");
    }
}
