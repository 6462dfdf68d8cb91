using System.Text;
using Confluent.Kafka;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Sarama;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Balancers;

/// <summary>Where the balancers put records on a cluster, read back from the partitions.</summary>
public sealed class PlacementTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Murmur2_ThroughLibrdkafkasMurmur2Random_PlacesEveryKeyAsTheJavaClient()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 7);
        using var producer = Producer(Balancer.Murmur2);
        var keys = Enumerable.Range(0, 200).Select(i => $"order-{i}").Append("foobar").Append(string.Empty).ToList();

        foreach (var key in keys)
        {
            await producer.SendAsync(SaramaMessage.Create(topic, key, "v"));
        }

        var stored = await kafka.ConsumeAllAsync(topic, keys.Count, Patience);
        stored.Should().HaveCount(keys.Count);
        foreach (var record in stored)
        {
            record.Partition.Value.Should().Be(Murmur2Hash.Partition(Encoding.UTF8.GetBytes(record.Message.Key), 7), $"key \"{record.Message.Key}\"");
        }
    }

    [Fact]
    public async Task Fnv1a_ManagedPartitioner_PlacesEveryKeyAsSarama()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 7);
        using var producer = Producer(Balancer.Fnv1a);
        var keys = Enumerable.Range(0, 200).Select(i => $"order-{i}").Append("a").Append("1468509572224").ToList();

        foreach (var key in keys)
        {
            await producer.SendAsync(SaramaMessage.Create(topic, key, "v"));
        }

        var stored = await kafka.ConsumeAllAsync(topic, keys.Count, Patience);
        stored.Should().HaveCount(keys.Count);
        foreach (var record in stored)
        {
            record.Partition.Value.Should().Be(Fnv1aHash.Partition(Encoding.UTF8.GetBytes(record.Message.Key), 7), $"key \"{record.Message.Key}\"");
        }

        stored.Single(r => r.Message.Key == "a").Partition.Value.Should().Be(6);
    }

    [Fact]
    public async Task LibrdkafkasFnv1aRandom_PlacesKeysAsSarama_NotAsTheJavaRuleOrAnUnsignedModulo()
    {
        // The check behind Balancer.Fnv1a using librdkafka's built-in: a plain client with partitioner=fnv1a_random.
        var topic = await kafka.CreateTopicAsync(partitions: 7);
        var config = kafka.ProducerConfig();
        config.Set("partitioner", "fnv1a_random");
        using var plain = new ProducerBuilder<string, string>(config).Build();
        var keys = Enumerable.Range(0, 100).Select(i => $"order-{i}").Append("a").Append("1468509572224").ToList();

        var unlikeJava = 0;
        var unlikeUnsigned = 0;
        foreach (var key in keys)
        {
            var delivery = await plain.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "v" });
            var bytes = Encoding.UTF8.GetBytes(key);
            var hash = Fnv1aHash.Compute(bytes);
            delivery.Partition.Value.Should().Be(Fnv1aHash.Partition(bytes, 7), $"key \"{key}\"");
            unlikeJava += delivery.Partition.Value != (int)(hash & 0x7fffffff) % 7 ? 1 : 0;
            unlikeUnsigned += delivery.Partition.Value != (int)(hash % 7) ? 1 : 0;
        }

        unlikeJava.Should().BeGreaterThan(0, "Sarama's rule is not the Java client's");
        unlikeUnsigned.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task RoundRobin_ChoosesBeforeSending_EachPartitionInTurn()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 3);
        using var producer = Producer(Balancer.RoundRobin);

        var partitions = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            partitions.Add((await producer.SendAsync(SaramaMessage.Create(topic, "same-key", $"v{i}"))).Partition);
        }

        partitions.Should().Equal(0, 1, 2, 0, 1, 2, 0);
    }

    [Fact]
    public async Task LeastBytes_SendsToThePartitionWithFewestBytes()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 3);
        using var producer = Producer(Balancer.LeastBytes);

        var first = await producer.SendAsync(SaramaMessage.Create(topic, null, new string('x', 1000)));
        var second = await producer.SendAsync(SaramaMessage.Create(topic, null, "small"));
        var third = await producer.SendAsync(SaramaMessage.Create(topic, null, "small"));
        var fourth = await producer.SendAsync(SaramaMessage.Create(topic, null, "small"));

        new[] { first.Partition, second.Partition, third.Partition, fourth.Partition }.Should().Equal(0, 1, 2, 1);
    }

    [Fact]
    public async Task Manual_SendsToTheMessagesPartition_AndRefusesAMessageWithout()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 4);
        using var producer = Producer(Balancer.Manual);
        var message = SaramaMessage.Create(topic, "k", "v");
        message.Partition = 3;

        var delivery = await producer.SendAsync(message);
        var unplaced = () => producer.SendAsync(SaramaMessage.Create(topic, "k", "v"));

        delivery.Partition.Should().Be(3);
        (await unplaced.Should().ThrowAsync<ArgumentException>()).WithMessage($"*\"{topic}\"*names no partition*");
    }

    [Fact]
    public async Task Custom_GetsThePartitionCountFromTheCluster_AndAnOutOfRangeChoiceFailsTheSend()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 5);
        var counts = new List<int>();
        using var producer = Producer(Balancer.Custom((_, count, _, value) =>
        {
            counts.Add(count);
            return Encoding.UTF8.GetString(value!) == "beyond" ? count : count - 1;
        }, "last-partition"));

        var delivery = await producer.SendAsync(SaramaMessage.Create(topic, null, "v"));
        var beyond = () => producer.SendAsync(SaramaMessage.Create(topic, null, "beyond"));

        delivery.Partition.Should().Be(4);
        counts.Should().OnlyContain(c => c == 5);
        (await beyond.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*last-partition*partition 5*0 to 4*");
    }

    private SyncProducer Producer(Balancer balancer) =>
        new(TestSettings.Producer(kafka.BootstrapServers), new SaramaProducerOptions { Balancer = balancer });
}
