using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Configuration;
using Akka.Streams;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Xunit;
using Xunit.Abstractions;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.TestKit.Kafka;

/// <summary>
/// A base class for tests of Akka.Streams graphs on Kafka: an ActorSystem and a materializer (Akka.TestKit), the test
/// class's Kafka cluster, unique topic and group names, and helpers that create topics, produce, consume and read
/// committed offsets with plain Confluent.Kafka clients.
/// </summary>
/// <remarks>
/// <para>
/// Derive with a constructor that takes the <see cref="KafkaClusterFixture"/> xunit shares among the tests of the class
/// (an embedded cluster, or the cluster in <c>KAFKA_BOOTSTRAP_SERVERS</c>), and optionally an
/// <see cref="ITestOutputHelper"/> for Akka's log and extra HOCON:
/// <c>public sealed class OrderSpec(KafkaClusterFixture kafka, ITestOutputHelper output) : KafkaSpec(kafka, output)</c>.
/// </para>
/// <para>
/// The ActorSystem's configuration is the derived class's, over <c>akka.kafka.consumer</c> and <c>akka.kafka.producer</c>
/// <c>kafka-clients.bootstrap.servers</c> set to the cluster, over Akka's and Akka.TestKit's defaults. After each test
/// the ActorSystem is shut down and then the topics the test created are deleted.
/// </para>
/// </remarks>
public abstract class KafkaSpec : Akka.TestKit.Xunit2.TestKit, IClassFixture<KafkaClusterFixture>, IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _topics = new();

    /// <summary>Starts the test's ActorSystem and materializer on the class's Kafka cluster.</summary>
    /// <param name="kafka">The cluster xunit shares among the tests of the class.</param>
    /// <param name="output">Where Akka's log goes; <see langword="null"/> for nowhere.</param>
    /// <param name="config">Extra configuration for the ActorSystem (it wins over the defaults); <see langword="null"/> for none.</param>
    protected KafkaSpec(KafkaClusterFixture kafka, ITestOutputHelper? output = null, AkkaConfig? config = null)
        : base(SystemConfig(kafka, config), actorSystemName: null, output)
    {
        Kafka = kafka;
        Materializer = Sys.Materializer();
    }

    /// <summary>How long the helpers wait for the cluster when no timeout is given: 30 seconds, generous on a loaded machine.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The test class's Kafka cluster.</summary>
    protected KafkaClusterFixture Kafka { get; }

    /// <summary>The materializer of the test's ActorSystem (<c>Sys.Materializer()</c>).</summary>
    protected ActorMaterializer Materializer { get; }

    /// <summary>The cluster's bootstrap servers, for a client's <c>bootstrap.servers</c>.</summary>
    protected string BootstrapServers => Kafka.BootstrapServers;

    /// <summary>The embedded cluster, for fault injection and request tracking; <see langword="null"/> on a real cluster.</summary>
    protected EmbeddedKafkaCluster? EmbeddedCluster => Kafka.Embedded;

    /// <summary>Nothing to prepare: the cluster and the ActorSystem are up when the constructor returns.</summary>
    /// <returns>A completed task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Shuts the ActorSystem down, so no stream still reads or writes, then deletes the topics the test created.</summary>
    /// <returns>A task that completes when both are done.</returns>
    public virtual async Task DisposeAsync()
    {
        await ShutdownAsync().ConfigureAwait(false);
        await Kafka.DeleteTopicsAsync(_topics).ConfigureAwait(false);
    }

    /// <summary>A new, unique topic name (the topic is not created), prefixed with the calling test's name.</summary>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    /// <returns>A legal Kafka topic name no other test uses.</returns>
    protected static string CreateTopicName([CallerMemberName] string testName = "") => KafkaClusterFixture.NewTopicName(testName);

    /// <summary>A new, unique consumer group id, prefixed with the calling test's name.</summary>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    /// <returns>A group id no other test uses.</returns>
    protected static string CreateGroupId([CallerMemberName] string testName = "") => KafkaClusterFixture.NewGroupId(testName);

    /// <summary>Creates a topic with a unique name, deleted again after the test.</summary>
    /// <param name="partitions">The number of partitions.</param>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    /// <returns>The new topic's name.</returns>
    protected async Task<string> CreateTopicAsync(int partitions = 1, [CallerMemberName] string testName = "")
    {
        var topic = await Kafka.CreateTopicAsync(partitions, CancellationToken.None, testName).ConfigureAwait(false);
        _topics.Enqueue(topic);
        return topic;
    }

    /// <summary>Producer settings for the cluster: acks from all replicas, idempotence, a short linger.</summary>
    /// <returns>A new configuration the test may change.</returns>
    protected ProducerConfig ProducerConfig() => Kafka.ProducerConfig();

    /// <summary>Consumer settings for the cluster in group <paramref name="groupId"/>: manual commits, earliest reset, short timeouts.</summary>
    /// <param name="groupId">The consumer group id (see <see cref="CreateGroupId"/>).</param>
    /// <returns>A new configuration the test may change.</returns>
    protected ConsumerConfig ConsumerConfig(string groupId) => Kafka.ConsumerConfig(groupId);

    /// <summary>Produces <paramref name="count"/> records with keys <c>key-{i}</c> and values <c>value-{i}</c> (i from 0) and waits for every acknowledgement.</summary>
    /// <param name="topic">The topic; records spread over its partitions by key.</param>
    /// <param name="count">How many records.</param>
    /// <param name="cancellationToken">Cancels waiting for acknowledgements.</param>
    /// <returns>The delivery results, in production order.</returns>
    /// <exception cref="ProduceException{TKey, TValue}">A record was not delivered.</exception>
    protected Task<IReadOnlyList<DeliveryResult<string, string>>> ProduceAsync(string topic, int count, CancellationToken cancellationToken = default) =>
        Kafka.ProduceBatchAsync(topic, count, cancellationToken);

    /// <summary>Produces <paramref name="messages"/> in order with a plain Confluent.Kafka producer and waits for every acknowledgement.</summary>
    /// <typeparam name="TKey">The key type (Confluent.Kafka's default serializers).</typeparam>
    /// <typeparam name="TValue">The value type (Confluent.Kafka's default serializers).</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="messages">The records.</param>
    /// <param name="cancellationToken">Cancels waiting for acknowledgements.</param>
    /// <returns>The delivery results, in the order of <paramref name="messages"/>.</returns>
    /// <exception cref="ProduceException{TKey, TValue}">A record was not delivered.</exception>
    protected Task<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceAsync<TKey, TValue>(
        string topic, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default) =>
        Kafka.ProduceBatchAsync(topic, messages, cancellationToken);

    /// <summary>Reads the first <paramref name="count"/> records of <paramref name="topic"/> (every partition from its beginning) with a plain consumer outside any group.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="count">How many records.</param>
    /// <param name="timeout">How long to wait for them; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Exactly <paramref name="count"/> records, in the order received (per partition, in offset order).</returns>
    /// <exception cref="TimeoutException">Fewer records arrived in time.</exception>
    protected Task<IReadOnlyList<ConsumeResult<string, string>>> ConsumeAsync(
        string topic, int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Kafka.ConsumeAsync<string, string>(topic, count, timeout ?? DefaultTimeout, cancellationToken);

    /// <summary>
    /// Reads every record of <paramref name="topic"/> once at least <paramref name="expectedCount"/> have arrived and every
    /// partition is read to its end, so duplicates and extras show up in assertions.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="expectedCount">The number of records to wait for.</param>
    /// <param name="timeout">How long to wait for them; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Every record read.</returns>
    /// <exception cref="TimeoutException">Fewer records than expected arrived in time.</exception>
    protected Task<IReadOnlyList<ConsumeResult<string, string>>> ConsumeAllAsync(
        string topic, int expectedCount, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Kafka.ConsumeAllAsync(topic, expectedCount, timeout ?? DefaultTimeout, cancellationToken);

    /// <summary>The offsets group <paramref name="groupId"/> has committed on each partition of <paramref name="topic"/>, read without joining the group.</summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per partition, in partition order; <see cref="Offset.Unset"/> where nothing was committed.</returns>
    protected Task<IReadOnlyList<TopicPartitionOffset>> CommittedOffsetsAsync(string groupId, string topic, CancellationToken cancellationToken = default) =>
        Kafka.GetCommittedOffsetsAsync(groupId, topic, cancellationToken);

    private static AkkaConfig SystemConfig(KafkaClusterFixture kafka, AkkaConfig? config)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        // Settings created from the ActorSystem (akka.kafka.consumer/producer) point at the test class's cluster.
        var servers = kafka.BootstrapServers.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var cluster = ConfigurationFactory.ParseString(
            $"""
            akka.kafka.consumer.kafka-clients.bootstrap.servers = "{servers}"
            akka.kafka.producer.kafka-clients.bootstrap.servers = "{servers}"
            """);
        return config is null ? cluster : config.WithFallback(cluster);
    }
}
