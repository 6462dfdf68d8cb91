using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>What a Kafka source stage needs to start its consumer: settings, subscription and how it tracks offsets.</summary>
internal sealed class ConsumerStageContext<TKey, TValue>
{
    public ConsumerStageContext(
        ConsumerSettings<TKey, TValue> settings,
        Subscription subscription,
        bool trackOffsets,
        bool partitioned,
        Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>>? offsetsOnAssign = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(subscription);
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            throw new ArgumentException(
                "The consumer settings have no bootstrap.servers; set them (WithBootstrapServers, or kafka-clients.bootstrap.servers " +
                "in akka.kafka.consumer), e.g. to an EmbeddedKafkaCluster's BootstrapServers.",
                nameof(settings));
        }

        if ((trackOffsets || subscription is AutoSubscription) && string.IsNullOrWhiteSpace(settings.GroupId))
        {
            throw new ArgumentException(
                $"The consumer settings have no group.id, which {(trackOffsets ? "committing offsets" : "a topic subscription")} needs; set it with WithGroupId.",
                nameof(settings));
        }

        Settings = settings;
        Subscription = subscription;
        TrackOffsets = trackOffsets;
        Partitioned = partitioned;
        OffsetsOnAssign = offsetsOnAssign;
    }

    public ConsumerSettings<TKey, TValue> Settings { get; }

    public Subscription Subscription { get; }

    public bool TrackOffsets { get; }

    public bool Partitioned { get; }

    public Func<IReadOnlySet<TopicPartition>, IReadOnlyDictionary<TopicPartition, long>>? OffsetsOnAssign { get; }

    /// <summary>Creates (without starting) the consumer for one materialization.</summary>
    public KafkaConsumerActor<TKey, TValue> CreateActor(TimeProvider timeProvider, ILogger logger)
    {
        var options = new ConsumerActorOptions
        {
            Partitioned = Partitioned,
            TrackOffsets = TrackOffsets,
            OffsetsOnAssign = OffsetsOnAssign,
            PollTimeout = Settings.PollTimeout,
            PollInterval = Settings.PollInterval,
            BufferSize = Settings.BufferSize,
            MaxPollRecords = Settings.MaxPollRecords,
            CommitTimeout = Settings.CommitTimeout,
            CommitTimeWarning = Settings.CommitTimeWarning,
            CloseTimeout = Settings.CloseTimeout,
            PartitionHandlerWarning = Settings.PartitionHandlerWarning,
            TimeProvider = timeProvider,
            Logger = logger,
        };
        return new KafkaConsumerActor<TKey, TValue>(
            Settings.CreateConsumerConfig(), Settings.KeyDeserializer, Settings.ValueDeserializer, Subscription, options);
    }
}
