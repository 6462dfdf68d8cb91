using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipelines.FrontDoors.Balancers;
using Pipelines.Kafka;

namespace Pipelines.FrontDoors.Producing;

/// <summary>
/// The producer client under every front door: places each record with the front door's <see cref="Balancer"/> and
/// reports every delivery to a callback, a failed one as a <see cref="KafkaProduceException{TKey, TValue}"/>.
/// </summary>
internal sealed class BalancedProducer : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _client;
    private readonly IPartitionCounts _partitions;

    internal BalancedProducer(IProducer<byte[]?, byte[]?> client, Balancer balancer, IPartitionCounts partitions)
    {
        _client = client;
        Balancer = balancer.ForProducer();
        _partitions = partitions;
    }

    /// <summary>This producer's balancer (its own copy of a stateful one).</summary>
    public Balancer Balancer { get; }

    /// <summary>The client, for flushing.</summary>
    public IProducer<byte[]?, byte[]?> Client => _client;

    /// <summary>
    /// Creates the client from <paramref name="settings"/> with the balancer's librdkafka partitioner, if it has one. A
    /// <c>partitioner</c> property that disagrees with the balancer is refused.
    /// </summary>
    /// <exception cref="ArgumentException">The settings set <c>partitioner</c>, which the balancer decides.</exception>
    public static BalancedProducer Create(ProducerSettings<byte[]?, byte[]?> settings, Balancer balancer, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(balancer);
        var configured = settings.GetProperty("partitioner");
        if (configured is not null && configured != balancer.LibrdkafkaPartitioner)
        {
            throw new ArgumentException(
                $"kafka-clients.partitioner = {configured} contradicts the balancer {balancer.Name}, which places the records: remove "
                + "partitioner from the producer properties and choose the placement with the balancer (murmur2 is the Java client's, fnv1a Sarama's).",
                nameof(settings));
        }

        if (balancer.LibrdkafkaPartitioner is { } builtIn)
        {
            settings = settings.WithProperty("partitioner", builtIn);
        }

        var client = ProducerFactory.Create(settings, logger, onFatal: null);
        try
        {
            var refresh = int.TryParse(settings.GetProperty("topic.metadata.refresh.interval.ms"), out var ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms)
                : TimeSpan.FromMinutes(5);
            return new BalancedProducer(client, balancer, new MetadataPartitionCounts(client.Handle, refresh, time));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the record for <paramref name="topic"/> with its partition (<see cref="PartitionAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No partition was requested under <see cref="Balancer.Manual"/>.</exception>
    /// <exception cref="KafkaException">The topic's partition count is needed and the topic does not exist.</exception>
    /// <exception cref="InvalidOperationException">A custom balancer chose a partition the topic does not have.</exception>
    public ValueTask<ProducerRecord<byte[]?, byte[]?>> PrepareAsync(
        string topic, byte[]? key, byte[]? value, Headers? headers, int? partition, CancellationToken cancellationToken)
    {
        var placing = PartitionAsync(topic, key, value, partition, cancellationToken);
        return placing.IsCompletedSuccessfully
            ? ValueTask.FromResult(Record(topic, placing.Result, key, value, headers))
            : RecordAsync(placing, topic, key, value, headers);
    }

    /// <summary>
    /// The partition of a record for <paramref name="topic"/>: the requested one under <see cref="Balancer.Manual"/>
    /// (other balancers ignore it, as Sarama's do), the balancer's choice when it chooses before sending, else
    /// <see cref="Partition.Any"/> (the client's partitioner places it). Completes synchronously unless the topic's
    /// partition count must be fetched.
    /// </summary>
    /// <exception cref="ArgumentException">No partition was requested under <see cref="Balancer.Manual"/>.</exception>
    /// <exception cref="KafkaException">The topic's partition count is needed and the topic does not exist.</exception>
    /// <exception cref="InvalidOperationException">A custom balancer chose a partition the topic does not have.</exception>
    public ValueTask<Partition> PartitionAsync(string topic, byte[]? key, byte[]? value, int? partition, CancellationToken cancellationToken)
    {
        if (Balancer.UsesRecordPartition)
        {
            if (partition is not { } requested || requested < 0)
            {
                throw new ArgumentException(
                    $"The message for topic \"{topic}\" names no partition ({(partition is null ? "none" : partition.Value)}), and the manual balancer sends each "
                    + "message to the partition it names: set the message's partition, or use another balancer.", nameof(partition));
            }

            return ValueTask.FromResult(new Partition(requested));
        }

        if (!Balancer.ChoosesBeforeSend)
        {
            return ValueTask.FromResult(Partition.Any);
        }

        var counting = _partitions.GetAsync(topic, cancellationToken);
        return counting.IsCompletedSuccessfully
            ? ValueTask.FromResult(Choose(topic, counting.Result, key, value))
            : ChooseAsync(counting, topic, key, value);
    }

    /// <summary>Fails unless <paramref name="topic"/> exists (for front doors that may not create topics).</summary>
    /// <exception cref="KafkaException">The topic does not exist, or the cluster did not answer in time.</exception>
    public async ValueTask EnsureTopicExistsAsync(string topic, CancellationToken cancellationToken) =>
        await _partitions.GetAsync(topic, cancellationToken).ConfigureAwait(false);

    /// <summary>Hands <paramref name="record"/> to the client; <paramref name="onDelivered"/> or <paramref name="onFailed"/> runs once it is reported.</summary>
    /// <exception cref="KafkaProduceException{TKey, TValue}">The client refused the record (its queue is full, the record is too large, …).</exception>
    public void Send(ProducerRecord<byte[]?, byte[]?> record, Action<Delivery> onDelivered, Action<KafkaProduceException<byte[]?, byte[]?>> onFailed)
    {
        void Report(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                onFailed(new KafkaProduceException<byte[]?, byte[]?>(report.Error, record, report.Partition));
            }
            else
            {
                onDelivered(new Delivery(report.Topic, report.Partition.Value, report.Offset.Value));
            }
        }

        Produce(record.TopicPartition ?? new TopicPartition(record.Topic, Partition.Any), record, Report);
    }

    /// <summary>
    /// Hands <paramref name="message"/> for <paramref name="destination"/> to the client with <paramref name="handler"/>
    /// as its delivery handler: the way for callers that send many messages with one handler (no per-message closure).
    /// </summary>
    /// <exception cref="KafkaProduceException{TKey, TValue}">The client refused the message (its queue is full, the message is too large, …).</exception>
    public void Produce(TopicPartition destination, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>> handler)
    {
        try
        {
            // With Partition.Any the client's partitioner places it (Confluent's topic overload builds this same object).
            _client.Produce(destination, message, handler);
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            throw new KafkaProduceException<byte[]?, byte[]?>(e.Error, Record(destination, message), destination.Partition, e);
        }
        catch (KafkaException e)
        {
            throw new KafkaProduceException<byte[]?, byte[]?>(e.Error, Record(destination, message), destination.Partition, e);
        }
    }

    /// <summary>The record a failed message of <paramref name="destination"/> is reported with: the message itself when it is one.</summary>
    public static ProducerRecord<byte[]?, byte[]?> Record(TopicPartition destination, Message<byte[]?, byte[]?> message) =>
        message as ProducerRecord<byte[]?, byte[]?>
        ?? Record(destination.Topic, destination.Partition.Value >= 0 ? destination.Partition : Partition.Any, message.Key, message.Value, message.Headers);

    /// <summary>Waits until every record handed to the client is reported, at most <paramref name="timeout"/>; returns how many are still outstanding.</summary>
    public int Flush(TimeSpan timeout) => _client.Flush(timeout);

    public void Dispose()
    {
        _partitions.Dispose();
        _client.Dispose();
    }

    private static ProducerRecord<byte[]?, byte[]?> Record(string topic, Partition partition, byte[]? key, byte[]? value, Headers? headers) =>
        new(topic, partition, key, value) { Headers = headers };

    private static async ValueTask<ProducerRecord<byte[]?, byte[]?>> RecordAsync(
        ValueTask<Partition> placing, string topic, byte[]? key, byte[]? value, Headers? headers) =>
        Record(topic, await placing.ConfigureAwait(false), key, value, headers);

    private async ValueTask<Partition> ChooseAsync(ValueTask<int> counting, string topic, byte[]? key, byte[]? value) =>
        Choose(topic, await counting.ConfigureAwait(false), key, value);

    private Partition Choose(string topic, int partitionCount, byte[]? key, byte[]? value)
    {
        var chosen = Balancer.Choose(topic, partitionCount, key, value);
        if (chosen < 0 || chosen >= partitionCount)
        {
            throw new InvalidOperationException(
                $"The {Balancer.Name} balancer chose partition {chosen} for topic \"{topic}\", which has partitions 0 to {partitionCount - 1}.");
        }

        return new Partition(chosen);
    }
}
