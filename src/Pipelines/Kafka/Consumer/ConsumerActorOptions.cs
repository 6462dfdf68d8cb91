namespace Pipelines.Kafka;

/// <summary>How a <see cref="KafkaConsumerActor{TKey, TValue}"/> polls, buffers and commits; filled from the consumer settings.</summary>
internal sealed record ConsumerActorOptions
{
    /// <summary>How long one poll waits for records when there is nothing else to do.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long a partition's buffer may stay over its size while the poll loop waits for it to drain before the partition
    /// is paused; also how often the loop polls while it waits (keeping the group membership and serving rebalances).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Records buffered per partition before the poll loop stops taking records; it goes on at half.</summary>
    public int BufferSize { get; init; } = 1000;

    /// <summary>Ledger entries per partition (emitted records not yet committable) before the partition is paused.</summary>
    public int MaxInFlightPerPartition { get; init; } = 100_000;

    /// <summary>Records taken from the client per loop turn before the mailbox is served again.</summary>
    public int MaxPollRecords { get; init; } = 500;

    /// <summary>How long a commit may be retried before it fails.</summary>
    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Commits slower than this, and commit positions held longer than this by an emitted record, are logged.</summary>
    public TimeSpan CommitTimeWarning { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The first delay before retrying a failed commit; it doubles up to one second.</summary>
    public TimeSpan CommitRetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a source that ended other than through its control keeps the consumer serving commits (external sources).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long closing the client (leaving the group) may take.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Assignment handlers slower than this are logged.</summary>
    public TimeSpan PartitionHandlerWarning { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The options of <paramref name="settings"/>.</summary>
    public static ConsumerActorOptions From<TKey, TValue>(ConsumerSettings<TKey, TValue> settings) => new()
    {
        PollTimeout = settings.PollTimeout,
        PollInterval = settings.PollInterval,
        BufferSize = settings.BufferSize,
        MaxPollRecords = settings.MaxPollRecords,
        CommitTimeout = settings.CommitTimeout,
        CommitTimeWarning = settings.CommitTimeWarning,
        StopTimeout = settings.StopTimeout,
        CloseTimeout = settings.CloseTimeout,
        PartitionHandlerWarning = settings.PartitionHandlerWarning,
    };
}
