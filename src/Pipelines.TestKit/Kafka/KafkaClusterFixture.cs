using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Kafka.Embedded;
using Xunit;

namespace Pipelines.TestKit.Kafka;

/// <summary>
/// An xunit fixture that gives a test class a Kafka cluster: an <see cref="EmbeddedKafkaCluster"/>, or the real
/// cluster named by <c>KAFKA_BOOTSTRAP_SERVERS</c> when that variable is set. Use it with <c>IClassFixture</c>.
/// </summary>
/// <remarks>
/// Every topic and group a test asks for has a unique name, so tests and runs never collide on a shared cluster;
/// the topics the fixture created are deleted when it is disposed (or earlier, through <see cref="DeleteTopicsAsync"/>).
/// The helpers produce a batch and read a whole topic back for assertions, with client settings tuned for fast tests.
/// </remarks>
public sealed class KafkaClusterFixture : IAsyncLifetime
{
    /// <summary>The environment variable that points the fixture at a real cluster.</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>The number of brokers of the embedded cluster.</summary>
    public const int EmbeddedBrokerCount = 3;

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
    private readonly string? _externalBootstrapServers;
    private readonly ConcurrentDictionary<string, byte> _createdTopics = new(StringComparer.Ordinal);
    private EmbeddedKafkaCluster? _embedded;
    private string? _bootstrapServers;

    /// <summary>Creates the fixture; the cluster starts in <see cref="InitializeAsync"/> (xunit calls it).</summary>
    public KafkaClusterFixture()
        : this(Environment.GetEnvironmentVariable(BootstrapServersVariable))
    {
    }

    /// <summary>Creates a fixture for the cluster at <paramref name="externalBootstrapServers"/>, or an embedded one when it is blank.</summary>
    internal KafkaClusterFixture(string? externalBootstrapServers)
    {
        _externalBootstrapServers = string.IsNullOrWhiteSpace(externalBootstrapServers) ? null : externalBootstrapServers.Trim();
    }

    /// <summary>The cluster's bootstrap servers, for a client's <c>bootstrap.servers</c>.</summary>
    /// <exception cref="InvalidOperationException">The fixture has not been initialized.</exception>
    public string BootstrapServers => _bootstrapServers ?? throw new InvalidOperationException("The Kafka fixture is not initialized; xunit calls InitializeAsync before the tests.");

    /// <summary>The embedded cluster (for fault injection), or <see langword="null"/> when the fixture uses a real cluster.</summary>
    public EmbeddedKafkaCluster? Embedded => _embedded;

    /// <summary>Whether the fixture runs an embedded cluster rather than using the one in <c>KAFKA_BOOTSTRAP_SERVERS</c>.</summary>
    public bool IsEmbedded => _externalBootstrapServers is null;

    /// <summary>Starts the embedded cluster, or takes the real cluster's bootstrap servers.</summary>
    public Task InitializeAsync()
    {
        if (_externalBootstrapServers is null)
        {
            _embedded = EmbeddedKafkaCluster.Start(EmbeddedBrokerCount);
            _bootstrapServers = _embedded.BootstrapServers;
        }
        else
        {
            _bootstrapServers = _externalBootstrapServers;
        }

        return Task.CompletedTask;
    }

    /// <summary>Deletes the topics this fixture created and not yet deleted, then stops the embedded cluster.</summary>
    public async Task DisposeAsync()
    {
        if (_bootstrapServers is not null)
        {
            await DeleteTopicsAsync(_createdTopics.Keys.ToArray()).ConfigureAwait(false);
        }

        if (_embedded is not null)
        {
            // Stopping the cluster joins its native threads; keep that off xunit's few test threads.
            await Task.Run(_embedded.Dispose).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes topics created by <see cref="CreateTopicAsync"/>, so a cluster shared by many tests does not keep their records.</summary>
    /// <param name="topics">The topics; names this fixture did not create, or already deleted, are skipped.</param>
    /// <param name="cancellationToken">Cancels waiting for a real cluster's answer.</param>
    /// <returns>A task that completes when the topics are gone.</returns>
    /// <exception cref="DeleteTopicsException">A real cluster refused to delete a topic.</exception>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var owned = topics.Where(topic => _createdTopics.TryRemove(topic, out _)).ToList();
        if (owned.Count == 0)
        {
            return;
        }

        if (_embedded is not null)
        {
            foreach (var topic in owned)
            {
                try
                {
                    _embedded.DeleteTopic(topic);
                }
                catch (KafkaException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
                {
                    // A test deleted it through Embedded already: the topic is gone, which is what was asked.
                }
            }

            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.DeleteTopicsAsync(owned).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new, unique topic name (not created), prefixed with the calling test's name.</summary>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    public static string NewTopicName([CallerMemberName] string testName = "") => UniqueName(testName);

    /// <summary>A new, unique consumer group id, prefixed with the calling test's name.</summary>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    public static string NewGroupId([CallerMemberName] string testName = "") => "group-" + UniqueName(testName);

    /// <summary>Creates a topic with a unique name and waits until every partition has a leader.</summary>
    /// <param name="partitions">The number of partitions.</param>
    /// <param name="cancellationToken">Cancels waiting for the topic.</param>
    /// <param name="testName">Filled in by the compiler with the calling member's name.</param>
    /// <returns>The new topic's name.</returns>
    public async Task<string> CreateTopicAsync(int partitions = 1, CancellationToken cancellationToken = default, [CallerMemberName] string testName = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var name = UniqueName(testName);
        if (_embedded is not null)
        {
            // The embedded cluster creates topics synchronously; it does not implement the admin API's CreateTopics.
            _embedded.CreateTopic(name, partitions);
            _createdTopics.TryAdd(name, 0);
            return name;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        // A replication factor of -1 takes the cluster's default.replication.factor.
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }]).ConfigureAwait(false);
        _createdTopics.TryAdd(name, 0);
        await WaitForLeadersAsync(admin, name, partitions, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Producer settings for tests: this cluster, acks from all replicas, idempotence (no duplicates or reordering on retries).</summary>
    public ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        LingerMs = 1,
        MessageTimeoutMs = 30_000,
    };

    /// <summary>Consumer settings for tests: this cluster, group <paramref name="groupId"/>, manual commits, earliest reset and short timeouts.</summary>
    /// <param name="groupId">The consumer group id (see <see cref="NewGroupId"/>).</param>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
        HeartbeatIntervalMs = 500,
        FetchWaitMaxMs = 50,
    };

    /// <summary>Produces <paramref name="messages"/> to <paramref name="topic"/> in order and waits for every delivery.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="messages">The messages; keys and values use Confluent.Kafka's default serializers.</param>
    /// <param name="cancellationToken">Cancels waiting for deliveries.</param>
    /// <returns>The delivery results, in the order of <paramref name="messages"/>.</returns>
    /// <exception cref="ProduceException{TKey, TValue}">A message was not delivered.</exception>
    public async Task<IReadOnlyList<DeliveryResult<TKey, TValue>>> ProduceBatchAsync<TKey, TValue>(
        string topic, IEnumerable<Message<TKey, TValue>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(messages);
        using var producer = new ProducerBuilder<TKey, TValue>(ProducerConfig()).Build();
        WarmUpMetadata(producer.Handle, topic);
        // ProduceAsync enqueues synchronously, so starting all before awaiting keeps the order and batches the sends.
        var deliveries = messages.Select(message => producer.ProduceAsync(topic, message, cancellationToken)).ToList();
        return await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    /// <summary>Produces <paramref name="count"/> messages with keys <c>key-{i}</c> and values <c>value-{i}</c> (i from 0).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="count">How many messages.</param>
    /// <param name="cancellationToken">Cancels waiting for deliveries.</param>
    /// <returns>The delivery results, in order.</returns>
    public Task<IReadOnlyList<DeliveryResult<string, string>>> ProduceBatchAsync(string topic, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return ProduceBatchAsync(
            topic,
            Enumerable.Range(0, count).Select(i => new Message<string, string> { Key = $"key-{i}", Value = $"value-{i}" }),
            cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning of every partition until at least <paramref name="expectedCount"/>
    /// records have arrived and every partition is read to its end, so duplicates beyond the expected count show up too.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="expectedCount">The number of records to wait for.</param>
    /// <param name="timeout">How long to wait for them.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Every record read, in the order received (per partition, in offset order).</returns>
    /// <exception cref="TimeoutException">Fewer records than expected arrived within <paramref name="timeout"/>.</exception>
    public Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeAllAsync<TKey, TValue>(
        string topic, int expectedCount, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return ReadAsync<TKey, TValue>(topic, expectedCount, readToEnd: true, timeout, cancellationToken);
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> records to arrive from <paramref name="topic"/>, starting at the beginning
    /// of every partition, with a plain consumer outside any group.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="count">How many records to read.</param>
    /// <param name="timeout">How long to wait for them.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Exactly <paramref name="count"/> records, in the order received (per partition, in offset order).</returns>
    /// <exception cref="TimeoutException">Fewer records arrived within <paramref name="timeout"/>.</exception>
    public Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeAsync<TKey, TValue>(
        string topic, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return ReadAsync<TKey, TValue>(topic, count, readToEnd: false, timeout, cancellationToken);
    }

    /// <summary>Reads <paramref name="topic"/> as strings; see <see cref="ConsumeAllAsync{TKey, TValue}"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="expectedCount">The number of records to wait for.</param>
    /// <param name="timeout">How long to wait for them.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Every record read.</returns>
    public Task<IReadOnlyList<ConsumeResult<string, string>>> ConsumeAllAsync(
        string topic, int expectedCount, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ConsumeAllAsync<string, string>(topic, expectedCount, timeout, cancellationToken);

    /// <summary>The offsets group <paramref name="groupId"/> has committed on each partition of <paramref name="topic"/>.</summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per partition, in partition order; <see cref="Offset.Unset"/> where nothing was committed.</returns>
    public Task<IReadOnlyList<TopicPartitionOffset>> GetCommittedOffsetsAsync(string groupId, string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var config = ConsumerConfig(groupId);
        return Task.Factory.StartNew<IReadOnlyList<TopicPartitionOffset>>(
            () =>
            {
                using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
                var partitions = Partitions(consumer.Handle, topic);
                // OffsetFetch needs no group membership, so this never disturbs the group's members.
                return consumer.Committed(partitions, MetadataTimeout).OrderBy(p => p.Partition.Value).ToList();
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ReadAsync<TKey, TValue>(
        string topic, int expectedCount, bool readToEnd, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var config = ConsumerConfig(NewGroupId("consume-all"));
        config.EnablePartitionEof = true;
        // The consumer API blocks, so the loop runs on its own thread instead of a pool thread.
        return Task.Factory.StartNew<IReadOnlyList<ConsumeResult<TKey, TValue>>>(
            () => Read<TKey, TValue>(config, topic, expectedCount, readToEnd, timeout, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static List<ConsumeResult<TKey, TValue>> Read<TKey, TValue>(
        ConsumerConfig config, string topic, int expectedCount, bool readToEnd, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var consumer = new ConsumerBuilder<TKey, TValue>(config).Build();
        var partitions = Partitions(consumer.Handle, topic);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));

        var records = new List<ConsumeResult<TKey, TValue>>(expectedCount);
        var atEnd = new HashSet<int>();
        while (records.Count < expectedCount || (readToEnd && atEnd.Count < partitions.Count))
        {
            if (timeoutSource.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException(
                    $"Read {records.Count} of {expectedCount} expected records from topic \"{topic}\" within {timeout} "
                    + $"({atEnd.Count} of {partitions.Count} partitions read to their end).");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else if (readToEnd || records.Count < expectedCount)
            {
                atEnd.Remove(result.Partition.Value);
                records.Add(result);
            }
        }

        consumer.Close();
        return records;
    }

    private static List<TopicPartition> Partitions(Handle handle, string topic)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        var metadata = admin.GetMetadata(topic, MetadataTimeout).Topics.Single(t => t.Topic == topic);
        if (metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            throw new InvalidOperationException($"Topic \"{topic}\" has no partitions: {metadata.Error.Reason}.");
        }

        return metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
    }

    // librdkafka 2.0 looks up a topic it has not seen before on a one-second timer; asking for its metadata
    // up front fills the client's cache so the first send goes out at once.
    private static void WarmUpMetadata(Handle handle, string topic)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        admin.GetMetadata(topic, MetadataTimeout);
    }

    private static async Task WaitForLeadersAsync(IAdminClient admin, string topic, int partitions, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var metadata = admin.GetMetadata(topic, MetadataTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is { Error.IsError: false } && metadata.Partitions.Count == partitions && metadata.Partitions.All(p => p.Leader >= 0))
            {
                return;
            }

            await Task.Delay(delay, timeout.Token).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }

    private static string UniqueName(string testName)
    {
        var prefix = new string(testName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
        if (prefix.Length > 100)
        {
            prefix = prefix[..100];
        }

        return (prefix.Length == 0 ? "test" : prefix) + "-" + Guid.NewGuid().ToString("N");
    }
}
