using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka;

/// <summary>
/// Topic administration over Confluent's admin client: create topics that are missing (partitions, replication, configs)
/// and list topics with their partitions. Thread-safe; dispose it to close its connections.
/// </summary>
public sealed class KafkaAdmin : IDisposable
{
    private readonly IAdminClient _client;

    /// <summary>Creates an admin client for the cluster at <paramref name="bootstrapServers"/>.</summary>
    /// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
    public KafkaAdmin(string bootstrapServers)
        : this(new AdminClientConfig { BootstrapServers = bootstrapServers })
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
    }

    /// <summary>Creates an admin client from a full configuration (security settings and the like).</summary>
    /// <param name="config">The admin client configuration; <c>bootstrap.servers</c> is required.</param>
    public KafkaAdmin(AdminClientConfig config)
        : this(config, logger: null)
    {
    }

    /// <summary>
    /// Creates an admin client from a full configuration whose log lines and errors go to <paramref name="logger"/>
    /// (with a null logger they go where librdkafka writes them by default: stderr).
    /// </summary>
    /// <param name="config">The admin client configuration; <c>bootstrap.servers</c> is required.</param>
    /// <param name="logger">Where the client's log lines and (retried) errors such as unreachable brokers go.</param>
    public KafkaAdmin(AdminClientConfig config, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = new AdminClientBuilder(config);
        if (logger is not null)
        {
            builder
                .SetLogHandler((_, message) => Log(logger, message))
                .SetErrorHandler((client, error) => AdminLog.ClientError(logger, client.Name, error.Code, error.Reason));
        }

        _client = builder.Build();
    }

    /// <summary>
    /// Creates an admin client over the connections of an existing Confluent producer or consumer (its
    /// <see cref="IClient.Handle"/>), which keeps its configuration and log handlers. Disposing this admin client leaves
    /// that client open; dispose this one first.
    /// </summary>
    /// <param name="handle">The handle of the producer or consumer to share.</param>
    public KafkaAdmin(Handle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _client = new DependentAdminClientBuilder(handle).Build();
    }

    /// <summary>Lists the cluster's topics (internal topics excluded) with their partitions.</summary>
    /// <param name="timeout">How long to wait for the cluster's metadata.</param>
    /// <exception cref="KafkaException">The metadata could not be fetched in time.</exception>
    public IReadOnlyList<KafkaTopicInfo> ListTopics(TimeSpan timeout)
    {
        var metadata = _client.GetMetadata(timeout);
        return [.. metadata.Topics
            .Where(t => t.Error.Code == ErrorCode.NoError && !t.Topic.StartsWith("__", StringComparison.Ordinal))
            .Select(ToInfo)
            .OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>Describes one topic, or returns <see langword="null"/> when it does not exist.</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="timeout">How long to wait for the cluster's metadata.</param>
    /// <exception cref="KafkaException">The metadata could not be fetched, or the cluster reported another error for the topic.</exception>
    public KafkaTopicInfo? DescribeTopic(string topic, TimeSpan timeout)
    {
        KafkaTopicName.Validate(topic, nameof(topic));
        var metadata = _client.GetMetadata(timeout);
        var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic)
        {
            return null;
        }

        if (found.Error.Code != ErrorCode.NoError)
        {
            throw new KafkaException(new Error(found.Error.Code, $"Describing topic \"{topic}\" failed: {found.Error.Reason}"));
        }

        return ToInfo(found);
    }

    /// <summary>
    /// Creates each topic of <paramref name="topics"/> that does not exist yet and leaves existing ones unchanged (their
    /// partition count is not altered). A topic created concurrently by someone else counts as existing.
    /// </summary>
    /// <param name="topics">The topics with partitions, replication factor and configs.</param>
    /// <param name="timeout">How long to wait for metadata and for the creation.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The names of the topics this call created.</returns>
    /// <exception cref="KafkaException">The cluster refused to create a topic; the message names it and the reason.</exception>
    public async Task<IReadOnlyList<string>> CreateTopicsIfMissingAsync(
        IEnumerable<TopicSpecification> topics, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var wanted = topics.ToList();
        foreach (var spec in wanted)
        {
            KafkaTopicName.Validate(spec.Name, nameof(topics));
            if (spec.NumPartitions < 1)
            {
                throw new ArgumentException($"Topic \"{spec.Name}\" needs at least one partition; {spec.NumPartitions} was given.", nameof(topics));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var existing = ListTopics(timeout).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.Where(s => !existing.Contains(s.Name)).GroupBy(s => s.Name).Select(g => g.First()).ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        try
        {
            await _client.CreateTopicsAsync(missing, new CreateTopicsOptions { OperationTimeout = timeout, RequestTimeout = timeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. missing.Select(s => s.Name)];
        }
        catch (CreateTopicsException ex)
        {
            var failed = ex.Results.Where(r => r.Error.Code is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists)).ToList();
            if (failed.Count > 0)
            {
                var reasons = string.Join("; ", failed.Select(r => $"\"{r.Topic}\": {r.Error.Reason} ({r.Error.Code})"));
                throw new KafkaException(new Error(failed[0].Error.Code, $"Creating topics failed: {reasons}"));
            }

            return [.. ex.Results.Where(r => r.Error.Code == ErrorCode.NoError).Select(r => r.Topic)];
        }
        catch (KafkaException ex)
        {
            var names = string.Join(", ", missing.Select(s => $"\"{s.Name}\""));
            throw new KafkaException(new Error(ex.Error.Code, $"Creating topics {names} failed: {ex.Error.Reason} ({ex.Error.Code})."), ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static KafkaTopicInfo ToInfo(TopicMetadata topic) => new(
        topic.Topic,
        [.. topic.Partitions.Select(p => p.PartitionId).Order()],
        topic.Partitions.Count == 0 ? 0 : topic.Partitions[0].Replicas.Length)
    {
        PartitionDetails = [.. topic.Partitions
            .OrderBy(p => p.PartitionId)
            .Select(p => new KafkaPartitionInfo(p.PartitionId, p.Leader, [.. p.Replicas], [.. p.InSyncReplicas]))],
    };

    private static void Log(ILogger logger, LogMessage message)
    {
        switch (message.Level)
        {
            case <= SyslogLevel.Warning:
                AdminLog.ClientWarning(logger, message.Name, message.Facility, message.Message);
                break;
            case SyslogLevel.Notice:
                AdminLog.ClientInfo(logger, message.Name, message.Facility, message.Message);
                break;
            default:
                AdminLog.ClientDebug(logger, message.Name, message.Facility, message.Message);
                break;
        }
    }
}
