using Confluent.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>Produces test records spread evenly over a topic's partitions (record i goes to partition i mod n).</summary>
/// <remarks>
/// Kept beside <see cref="KafkaClusterFixture.ProduceBatchAsync(string, int, CancellationToken)"/> because the tests need
/// each record on a chosen partition (the fixture lets the partitioner pick) and numeric values they can count.
/// </remarks>
public static class TestProducer
{
    /// <summary>Produces <paramref name="count"/> records with key <c>key-{i mod keys}</c> and value <c>{i}</c>, and waits for every delivery.</summary>
    /// <remarks>
    /// <paramref name="oneRequestInFlight"/> is for produce errors injected into the embedded cluster whose outcome the
    /// client cannot know (see <c>ProducerTestSettings.OneRequestInFlight</c>).
    /// </remarks>
    public static async Task<IReadOnlyList<DeliveryResult<string, string>>> ProduceAsync(
        KafkaClusterFixture kafka, string topic, int partitions, int count, int keys = int.MaxValue, int firstValue = 0, bool oneRequestInFlight = false)
    {
        var config = kafka.ProducerConfig();
        config.LingerMs = 5;
        if (oneRequestInFlight)
        {
            config.MaxInFlight = 1;
        }

        using var producer = new ProducerBuilder<string, string>(config).Build();
        var deliveries = new List<Task<DeliveryResult<string, string>>>(count);
        for (var i = 0; i < count; i++)
        {
            var value = firstValue + i;
            deliveries.Add(producer.ProduceAsync(
                new TopicPartition(topic, value % partitions),
                new Message<string, string> { Key = $"key-{value % keys}", Value = value.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }

        return await Task.WhenAll(deliveries);
    }
}
