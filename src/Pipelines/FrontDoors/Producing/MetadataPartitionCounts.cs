using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Pipelines.FrontDoors.Producing;

/// <summary>
/// Partition counts from the cluster's metadata, asked over the producer's own connections and kept for the client's
/// <c>topic.metadata.refresh.interval.ms</c>, so that partitions added later are used after that interval.
/// </summary>
internal sealed class MetadataPartitionCounts : IPartitionCounts
{
    /// <summary>How long a metadata request may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly IAdminClient _admin;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (int Count, long FetchedAt)> _counts = new(StringComparer.Ordinal);

    public MetadataPartitionCounts(Handle producerHandle, TimeSpan refreshInterval, TimeProvider time)
    {
        _admin = new DependentAdminClientBuilder(producerHandle).Build();
        _refreshInterval = refreshInterval;
        _time = time;
    }

    public ValueTask<int> GetAsync(string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_counts.TryGetValue(topic, out var known) && _time.GetElapsedTime(known.FetchedAt) < _refreshInterval)
        {
            return ValueTask.FromResult(known.Count);
        }

        // GetMetadata blocks for a round trip: keep it off the caller's (possibly an actor's) thread.
        return new ValueTask<int>(Task.Run(() => Fetch(topic), cancellationToken));
    }

    public void Dispose() => _admin.Dispose();

    private int Fetch(string topic)
    {
        var metadata = _admin.GetMetadata(topic, Timeout);
        var info = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (info is null || info.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic)
        {
            throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart,
                $"Topic \"{topic}\" does not exist: create it, or allow automatic topic creation (AllowAutoTopicCreation, allow.auto.create.topics)."));
        }

        if (info.Error.Code != ErrorCode.NoError)
        {
            throw new KafkaException(new Error(info.Error.Code, $"The cluster's metadata for topic \"{topic}\" reports an error: {info.Error.Reason} ({info.Error.Code})."));
        }

        if (info.Partitions.Count == 0)
        {
            throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"Topic \"{topic}\" has no partitions in the cluster's metadata yet; retry once it is created."));
        }

        _counts[topic] = (info.Partitions.Count, _time.GetTimestamp());
        return info.Partitions.Count;
    }
}
