namespace Pipelines.FrontDoors.Producing;

/// <summary>Knows how many partitions a topic has; a missing topic is an error.</summary>
internal interface IPartitionCounts : IDisposable
{
    /// <summary>The partition count of <paramref name="topic"/>.</summary>
    /// <exception cref="Confluent.Kafka.KafkaException">The topic does not exist, or the cluster did not answer in time.</exception>
    ValueTask<int> GetAsync(string topic, CancellationToken cancellationToken);
}
