using System.Globalization;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// Lists the dead letters of a dead-letter topic and sends them, all or those a <see cref="DeadLetterFilter"/> matches,
/// back to their original topic with their original key, value and user headers (the <c>pipelines-</c> headers are
/// dropped, so the message starts over with no retries made). Thread-safe.
/// </summary>
/// <remarks>
/// Each call reads the topic from the beginning up to the end offsets it had when the call started (dead letters written
/// meanwhile wait for the next call), with a consumer of its own that joins no group and commits nothing: the topic is
/// not changed, so replaying the same dead letters twice sends them twice; narrow a second replay with
/// <see cref="DeadLetterFilter.FailedFrom"/> or <see cref="DeadLetterFilter.Where"/>. Matching dead letters are held in
/// memory until sent. A record without failure headers, or with malformed ones, fails the call with a
/// <see cref="KafkaHeaderException"/> naming it, before anything is sent.
/// </remarks>
public sealed class DeadLetterReplayer
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly ConsumerConfig _consumerConfig;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly RetryMetrics? _metrics;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a replayer that reads with the connection of <paramref name="settings"/> and sends with <paramref name="producer"/>.</summary>
    /// <param name="settings">Whose connection and security properties the reader uses.</param>
    /// <param name="producer">Sends replayed messages; it should wait for every in-sync replica (<c>acks=all</c>). Neither flushed nor disposed here.</param>
    /// <param name="metrics">Where replays are counted (<see cref="RetryMetricsSnapshot.Replayed"/>), or null.</param>
    /// <param name="timeout">How long reading a topic to its end may take; 30 seconds when null.</param>
    public DeadLetterReplayer(ProducerSettings<byte[], byte[]> settings, IProducer<byte[], byte[]> producer, RetryMetrics? metrics = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(producer);
        if (string.IsNullOrWhiteSpace(settings.BootstrapServers))
        {
            throw new ArgumentException("The producer settings have no bootstrap.servers, so the replayer has no cluster to read from.", nameof(settings));
        }

        _timeout = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_timeout, TimeSpan.Zero, nameof(timeout));
        _producer = producer;
        _metrics = metrics;
        _consumerConfig = new ConsumerConfig(ClientProperties.Connection(settings.Properties).ToDictionary())
        {
            // Confluent's consumer requires a group id; this one is never joined (partitions are assigned) and nothing is committed.
            GroupId = "pipelines-dead-letter-reader-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 100,
        };
    }

    /// <summary>The dead letters of <paramref name="deadLetterTopic"/> that <paramref name="filter"/> matches, in partition and offset order.</summary>
    /// <param name="deadLetterTopic">The dead-letter topic (<see cref="RetrySettings.DeadLetterTopic"/>).</param>
    /// <param name="filter">Which dead letters; all when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="KafkaHeaderException">(In the task.) A record has no failure headers or malformed ones.</exception>
    /// <exception cref="TimeoutException">(In the task.) The topic was not read to its end within the timeout.</exception>
    /// <exception cref="ArgumentException">(In the task.) The topic does not exist.</exception>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string deadLetterTopic, DeadLetterFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var (matched, _) = await ReadAsync(deadLetterTopic, filter ?? DeadLetterFilter.All, cancellationToken).ConfigureAwait(false);
        return matched;
    }

    /// <summary>
    /// Sends the dead letters of <paramref name="deadLetterTopic"/> that <paramref name="filter"/> matches back to their
    /// original topic (partitioned by key there), and completes once every one is acknowledged.
    /// </summary>
    /// <param name="deadLetterTopic">The dead-letter topic (<see cref="RetrySettings.DeadLetterTopic"/>).</param>
    /// <param name="filter">Which dead letters; all when null.</param>
    /// <param name="cancellationToken">Stops reading, or waiting for acknowledgements (messages already sent may be stored).</param>
    /// <returns>How many were read, matched, replayed and skipped.</returns>
    /// <exception cref="DeadLetterReplayException">(In the task.) Some replayed messages were not acknowledged.</exception>
    /// <exception cref="KafkaHeaderException">(In the task.) A record has no failure headers or malformed ones; nothing was sent.</exception>
    /// <exception cref="TimeoutException">(In the task.) The topic was not read to its end within the timeout; nothing was sent.</exception>
    public async Task<DeadLetterReplayResult> ReplayAsync(string deadLetterTopic, DeadLetterFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var (matched, read) = await ReadAsync(deadLetterTopic, filter ?? DeadLetterFilter.All, cancellationToken).ConfigureAwait(false);

        // Sent all at once (the client batches and keeps each partition's order), then every acknowledgement is awaited.
        var sends = new List<Task<DeliveryResult<byte[], byte[]>>>(matched.Count);
        foreach (var letter in matched)
        {
            var message = new Message<byte[], byte[]> { Key = letter.Key!, Value = letter.Value!, Headers = letter.UserHeaders };
            sends.Add(_producer.ProduceAsync(letter.Failure.OriginalTopic, message, cancellationToken));
        }

        long replayed = 0;
        Exception? first = null;
        for (var i = 0; i < sends.Count; i++)
        {
            try
            {
                var stored = await sends[i].ConfigureAwait(false);
                if (stored.Status == PersistenceStatus.Persisted)
                {
                    replayed++;
                    continue;
                }

                first ??= new InvalidOperationException($"The broker did not acknowledge the replay of {Describe(matched[i])} (status {stored.Status}); create the producer with acks=all.");
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                first ??= ex;
            }
        }

        _metrics?.Replayed(replayed);
        if (first is not null)
        {
            var failed = matched.Count - replayed;
            throw new DeadLetterReplayException(
                $"Replaying dead letters of \"{deadLetterTopic}\": {replayed} of {matched.Count} were acknowledged, {failed} were not; the first failure: {first.Message}",
                replayed,
                failed,
                first);
        }

        return new DeadLetterReplayResult(read, matched.Count, replayed, read - matched.Count);
    }

    private static string Describe(DeadLetter letter) =>
        $"the dead letter at {letter.Topic} [{letter.Partition}] @{letter.Offset} to \"{letter.Failure.OriginalTopic}\"";

    private Task<(List<DeadLetter> Matched, long Read)> ReadAsync(string topic, DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        KafkaTopicName.Validate(topic, nameof(topic));

        // The consumer API blocks; the read runs on a thread of its own.
        return Task.Factory.StartNew(
            () => Read(topic, filter, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private (List<DeadLetter> Matched, long Read) Read(string topic, DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(_consumerConfig).Build();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ends = EndOffsets(consumer, topic);
        var matched = new List<DeadLetter>();
        long read = 0;
        var open = ends.Where(e => e.Value.High > e.Value.Low).ToDictionary(e => e.Key, e => e.Value.High);
        if (open.Count == 0)
        {
            return (matched, 0);
        }

        consumer.Assign(open.Keys.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        while (open.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (watch.Elapsed >= _timeout)
            {
                throw new TimeoutException(
                    $"Reading the dead-letter topic \"{topic}\" to its end took longer than {_timeout}: partitions {string.Join(", ", open.Keys.Order())} " +
                    "are not read yet. Check that their leaders are reachable, or give the replayer a longer timeout.");
            }

            var result = consumer.Consume(PollTimeout);
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (!open.TryGetValue(partition, out var end) || result.Offset.Value >= end)
            {
                continue;
            }

            read++;
            var letter = ToDeadLetter(result);
            if (filter.Matches(letter))
            {
                matched.Add(letter);
            }

            if (result.Offset.Value + 1 >= end)
            {
                open.Remove(partition);
            }
        }

        consumer.Close();
        matched.Sort(static (a, b) => a.Partition != b.Partition ? a.Partition.CompareTo(b.Partition) : a.Offset.CompareTo(b.Offset));
        return (matched, read);
    }

    private Dictionary<int, (long Low, long High)> EndOffsets(IConsumer<byte[], byte[]> consumer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(topic, _timeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            throw new ArgumentException(
                $"The dead-letter topic \"{topic}\" cannot be read: {metadata?.Error.Reason ?? "it is unknown to the cluster"}. Check its name (RetrySettings.DeadLetterTopic(group)).",
                nameof(topic));
        }

        var ends = new Dictionary<int, (long, long)>();
        foreach (var partition in metadata.Partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition.PartitionId), _timeout);
            ends[partition.PartitionId] = (marks.Low.Value, marks.High.Value);
        }

        return ends;
    }

    private static DeadLetter ToDeadLetter(ConsumeResult<byte[], byte[]> record)
    {
        var headers = record.Message.Headers;
        if (!FailureHeaders.TryRead(headers, record.Topic, record.Partition.Value, record.Offset.Value, out var failure))
        {
            throw new KafkaHeaderException(
                PipelinesHeaders.OriginalTopic,
                record.Topic,
                record.Partition.Value,
                record.Offset.Value,
                "is missing: the record carries no failure headers, so it is not a dead letter written by Pipelines and has no original topic to go back to");
        }

        return new DeadLetter(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Key, record.Message.Value, RetryHeaders.UserHeaders(headers), failure);
    }
}
