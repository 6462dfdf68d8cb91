using Confluent.Kafka.Admin;

namespace Pipelines.Delay;

/// <summary>Creates the delay queue's topics that do not exist yet, leaving existing ones unchanged.</summary>
internal interface IDelayTopicCreator : IDisposable
{
    /// <summary>Creates each topic of <paramref name="topics"/> that is missing; returns the names of those it created.</summary>
    /// <exception cref="Confluent.Kafka.KafkaException">The cluster refused or did not answer in time.</exception>
    Task<IReadOnlyList<string>> CreateMissingAsync(IReadOnlyList<TopicSpecification> topics, CancellationToken cancellationToken);
}
