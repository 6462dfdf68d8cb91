using Confluent.Kafka;
using Pipelines.FrontDoors.Producing;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>Partition counts given by the test; a topic it does not know is missing, as the metadata would say.</summary>
internal sealed class FixedPartitionCounts(IReadOnlyDictionary<string, int> counts) : IPartitionCounts
{
    public ValueTask<int> GetAsync(string topic, CancellationToken cancellationToken) =>
        counts.TryGetValue(topic, out var count)
            ? ValueTask.FromResult(count)
            : ValueTask.FromException<int>(new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"Topic \"{topic}\" does not exist.")));

    public void Dispose()
    {
    }
}
