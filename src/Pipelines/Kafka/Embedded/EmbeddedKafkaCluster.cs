using System.Runtime.InteropServices;
using Confluent.Kafka;
using Pipelines.Kafka.Native;

namespace Pipelines.Kafka.Embedded;

/// <summary>
/// An in-process Kafka cluster (librdkafka's mock cluster) that listens on loopback TCP ports and speaks the Kafka
/// protocol, consumer groups and offset commits included, with fault injection for tests.
/// </summary>
/// <remarks>
/// <para>
/// Any Kafka client can connect to <see cref="BootstrapServers"/>. Data lives in memory only and is lost on
/// <see cref="Dispose"/>. Brokers are numbered 1 to <see cref="BrokerCount"/>. All members are thread-safe.
/// </para>
/// <para>
/// A consumer group with no members assigns partitions as soon as its first member joins
/// (<see cref="EmbeddedKafkaClusterOptions.GroupInitialRebalanceDelay"/>, zero unless set).
/// Topics that do not exist are created on first use by requests that allow it (producers and explicit metadata
/// lookups do by default, consumer subscriptions do not), with 4 partitions and a replication factor of
/// <c>min(3, BrokerCount)</c>; create topics
/// explicitly with <see cref="CreateTopic"/> to control the partition count. The cluster does not answer the
/// admin API's CreateTopics request. Each partition keeps a bounded log (librdkafka's mock keeps about
/// 100,000 record batches and 5 MB per partition and drops the oldest beyond that).
/// </para>
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    /// <summary>The largest cluster <see cref="Start(EmbeddedKafkaClusterOptions)"/> accepts; every broker listens on its own port.</summary>
    public const int MaxBrokerCount = 100;

    private readonly MockClusterHandle _handle;
    private int _disposed;

    private EmbeddedKafkaCluster(MockClusterHandle handle, int brokerCount, string bootstrapServers)
    {
        _handle = handle;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>The brokers' addresses, comma separated (<c>127.0.0.1:port,...</c>), for a client's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers on free loopback ports, with the default options.</summary>
    /// <param name="brokerCount">How many brokers to run (1 to <see cref="MaxBrokerCount"/>).</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerCount"/> is out of range.</exception>
    public static EmbeddedKafkaCluster Start(int brokerCount = 3)
    {
        if (brokerCount is < 1 or > MaxBrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(brokerCount), brokerCount, $"An embedded Kafka cluster needs 1 to {MaxBrokerCount} brokers; {brokerCount} was given.");
        }

        return Start(new EmbeddedKafkaClusterOptions { BrokerCount = brokerCount });
    }

    /// <summary>Starts a cluster as <paramref name="options"/> say, on free loopback ports.</summary>
    /// <param name="options">The number of brokers and the broker settings.</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names every one.</exception>
    public static EmbeddedKafkaCluster Start(EmbeddedKafkaClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid embedded Kafka cluster options: {string.Join(" ", problems)}", nameof(options));
        }

        var handle = MockClusterHandle.Create(options.BrokerCount);
        try
        {
            var bootstrap = Marshal.PtrToStringUTF8(MockClusterNative.Bootstraps(handle));
            if (string.IsNullOrEmpty(bootstrap))
            {
                throw new InvalidOperationException("The embedded Kafka cluster started but reported no bootstrap servers.");
            }

            // The mock reads the delay whenever a group with no members gets its first one, so setting it before any
            // client connects covers every group.
            MockClusterNative.GroupInitialRebalanceDelayMs(handle, (int)options.GroupInitialRebalanceDelay.TotalMilliseconds);
            return new EmbeddedKafkaCluster(handle, options.BrokerCount, bootstrap);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic.</summary>
    /// <param name="name">The topic name (Kafka's rules: 1 to 249 characters of <c>[a-zA-Z0-9._-]</c>, not "." or "..").</param>
    /// <param name="partitions">The number of partitions (at least 1).</param>
    /// <param name="replicationFactor">How many brokers hold each partition (1 to <see cref="BrokerCount"/>).</param>
    /// <exception cref="ArgumentException">The name breaks Kafka's rules, or a count is out of range.</exception>
    /// <exception cref="KafkaException">The cluster refused, for example <see cref="ErrorCode.TopicAlreadyExists"/>.</exception>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ThrowIfDisposed();
        KafkaTopicName.Validate(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (replicationFactor < 1 || replicationFactor > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(replicationFactor), replicationFactor,
                $"The replication factor must be 1 to {BrokerCount} (the number of brokers) for topic \"{name}\".");
        }

        Check(MockClusterNative.TopicCreate(_handle, name, partitions, replicationFactor), $"Creating topic \"{name}\"");
    }

    /// <summary>Deletes a topic with its records; clients find out through metadata refreshes (a consumer loses its partitions).</summary>
    /// <param name="name">The topic name.</param>
    /// <exception cref="ArgumentException">The name breaks Kafka's rules.</exception>
    /// <exception cref="KafkaException">The topic does not exist (<see cref="ErrorCode.UnknownTopicOrPart"/>).</exception>
    /// <remarks>The groups' committed offsets on the topic go with it; a topic created again under the same name starts empty at offset 0.</remarks>
    public void DeleteTopic(string name)
    {
        ThrowIfDisposed();
        KafkaTopicName.Validate(name, nameof(name));
        Check(MockClusterNative.TopicDelete(_handle, name), $"Deleting topic \"{name}\"");
    }

    /// <summary>
    /// Starts recording every request the brokers receive (broker, request type, time), discarding what was recorded
    /// before; read them with <see cref="GetRequests"/>.
    /// </summary>
    /// <remarks>Recording costs memory per request until <see cref="StopRequestTracking"/> or <see cref="ClearRequests"/>.</remarks>
    public void StartRequestTracking()
    {
        ThrowIfDisposed();
        MockClusterNative.StartRequestTracking(_handle);
    }

    /// <summary>Stops recording requests and discards the recorded ones (read them with <see cref="GetRequests"/> first).</summary>
    public void StopRequestTracking()
    {
        ThrowIfDisposed();
        MockClusterNative.StopRequestTracking(_handle);
    }

    /// <summary>Discards the recorded requests; recording goes on if it was on.</summary>
    public void ClearRequests()
    {
        ThrowIfDisposed();
        MockClusterNative.ClearRequests(_handle);
    }

    /// <summary>The requests recorded since <see cref="StartRequestTracking"/> (or the last <see cref="ClearRequests"/>), in the order they arrived.</summary>
    /// <returns>A snapshot; empty when tracking is off or nothing arrived.</returns>
    public IReadOnlyList<TrackedRequest> GetRequests()
    {
        ThrowIfDisposed();
        unsafe
        {
            var requests = MockClusterNative.GetRequests(_handle, out var count);
            if (requests is null)
            {
                return [];
            }

            try
            {
                var result = new TrackedRequest[checked((int)count)];
                for (var i = 0; i < result.Length; i++)
                {
                    var request = requests[i];
                    result[i] = new TrackedRequest(
                        MockClusterNative.RequestBrokerId(request),
                        (KafkaApiKey)MockClusterNative.RequestApiKey(request),
                        TimeSpan.FromMicroseconds(MockClusterNative.RequestTimestamp(request)));
                }

                return result;
            }
            finally
            {
                MockClusterNative.RequestDestroyArray(requests, count);
            }
        }
    }

    /// <summary>Makes every request about <paramref name="topic"/> fail with <paramref name="error"/> until set back to <see cref="ErrorCode.NoError"/>.</summary>
    /// <param name="topic">The topic (created if it does not exist yet).</param>
    /// <param name="error">The error the brokers report for the topic; <see cref="ErrorCode.NoError"/> clears it.</param>
    public void SetTopicError(string topic, ErrorCode error)
    {
        ThrowIfDisposed();
        KafkaTopicName.Validate(topic, nameof(topic));
        MockClusterNative.TopicSetError(_handle, topic, (int)error);
    }

    /// <summary>Takes a broker down: its connections close and new ones are refused until <see cref="SetBrokerUp"/>.</summary>
    /// <param name="brokerId">The broker (1 to <see cref="BrokerCount"/>).</param>
    public void SetBrokerDown(int brokerId)
    {
        ThrowIfDisposed();
        CheckBroker(brokerId);
        Check(MockClusterNative.BrokerSetDown(_handle, brokerId), $"Taking broker {brokerId} down");
    }

    /// <summary>Brings a broker taken down by <see cref="SetBrokerDown"/> back up.</summary>
    /// <param name="brokerId">The broker (1 to <see cref="BrokerCount"/>).</param>
    public void SetBrokerUp(int brokerId)
    {
        ThrowIfDisposed();
        CheckBroker(brokerId);
        Check(MockClusterNative.BrokerSetUp(_handle, brokerId), $"Bringing broker {brokerId} up");
    }

    /// <summary>Delays every response of a broker by <paramref name="roundTripTime"/> (millisecond resolution).</summary>
    /// <param name="brokerId">The broker (1 to <see cref="BrokerCount"/>).</param>
    /// <param name="roundTripTime">The added delay; <see cref="TimeSpan.Zero"/> removes it.</param>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTripTime)
    {
        ThrowIfDisposed();
        CheckBroker(brokerId);
        if (roundTripTime < TimeSpan.Zero || roundTripTime.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(roundTripTime), roundTripTime, "The round-trip time must be zero or positive and under 24 days.");
        }

        Check(MockClusterNative.BrokerSetRtt(_handle, brokerId, (int)roundTripTime.TotalMilliseconds), $"Setting broker {brokerId}'s round-trip time");
    }

    /// <summary>
    /// Makes the next requests of type <paramref name="apiKey"/> (to any broker) fail, one request per error, in order.
    /// </summary>
    /// <param name="apiKey">The request type.</param>
    /// <param name="errors">
    /// One error per request; <see cref="ErrorCode.NoError"/> lets a request through and
    /// <see cref="ErrorCode.Local_Transport"/> closes the connection instead of answering.
    /// </param>
    /// <remarks>
    /// The cluster checks an idempotent producer's sequence numbers only for transactional producers. A producer with
    /// several requests in flight that gets a produce error of unknown outcome (a timeout, a closed connection) takes a
    /// later request's success as proof that the earlier records were stored, and reports them delivered though they were
    /// not: when injecting such errors, give the producer <c>max.in.flight.requests.per.connection = 1</c>.
    /// </remarks>
    public void PushRequestErrors(KafkaApiKey apiKey, params ReadOnlySpan<ErrorCode> errors)
    {
        ThrowIfDisposed();
        CheckApiKey(apiKey);
        if (errors.IsEmpty)
        {
            throw new ArgumentException("Give at least one error code to push.", nameof(errors));
        }

        unsafe
        {
            // ErrorCode is an int enum, the same size as rd_kafka_resp_err_t.
            fixed (ErrorCode* codes = errors)
            {
                MockClusterNative.PushRequestErrorsArray(_handle, (short)apiKey, (nuint)errors.Length, (int*)codes);
            }
        }
    }

    /// <summary>Drops the errors pushed by <see cref="PushRequestErrors"/> for <paramref name="apiKey"/> that have not fired yet.</summary>
    /// <param name="apiKey">The request type.</param>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        ThrowIfDisposed();
        CheckApiKey(apiKey);
        MockClusterNative.ClearRequestErrors(_handle, (short)apiKey);
    }

    /// <summary>Moves the leadership of a partition to another broker; clients find out through metadata refreshes.</summary>
    /// <param name="topic">The topic (the mock creates a missing topic with enough partitions).</param>
    /// <param name="partition">The partition (0-based).</param>
    /// <param name="brokerId">The new leader (1 to <see cref="BrokerCount"/>).</param>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ThrowIfDisposed();
        KafkaTopicName.Validate(topic, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        CheckBroker(brokerId);
        Check(MockClusterNative.PartitionSetLeader(_handle, topic, partition, brokerId), $"Moving the leader of {topic} [{partition}] to broker {brokerId}");
    }

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of consumer group <paramref name="groupId"/>.</summary>
    /// <param name="groupId">The consumer group id.</param>
    /// <param name="brokerId">The new coordinator (1 to <see cref="BrokerCount"/>).</param>
    public void SetGroupCoordinator(string groupId, int brokerId) => SetCoordinator("group", groupId, nameof(groupId), brokerId);

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of the transactional producer <paramref name="transactionalId"/>.</summary>
    /// <param name="transactionalId">The producer's <c>transactional.id</c>.</param>
    /// <param name="brokerId">The new coordinator (1 to <see cref="BrokerCount"/>).</param>
    public void SetTransactionCoordinator(string transactionalId, int brokerId) =>
        SetCoordinator("transaction", transactionalId, nameof(transactionalId), brokerId);

    /// <summary>Stops every broker, closes every connection and frees the cluster; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Blocks until every native thread of the cluster has exited.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _handle.Dispose();
        }
    }

    private void SetCoordinator(string keyType, string key, string paramName, int brokerId)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrEmpty(key, paramName);
        CheckBroker(brokerId);
        Check(MockClusterNative.CoordinatorSet(_handle, keyType, key, brokerId), $"Moving the {keyType} coordinator of \"{key}\" to broker {brokerId}");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void CheckBroker(int brokerId)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(brokerId), brokerId, $"Broker ids of this cluster are 1 to {BrokerCount}; {brokerId} was given.");
        }
    }

    private static void CheckApiKey(KafkaApiKey apiKey)
    {
        if ((short)apiKey < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "A Kafka API key is zero or positive.");
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            var code = (ErrorCode)error;
            throw new KafkaException(new Error(code, $"{what} failed: {new Error(code).Reason} ({code})."));
        }
    }
}
