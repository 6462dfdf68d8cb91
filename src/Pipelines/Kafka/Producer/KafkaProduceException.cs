using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// A record could not be produced: the broker refused it, it was not acknowledged in time, or it could not be serialized
/// or enqueued. A producer stage fails its stream with this exception (unless its supervision decider resumes), so a
/// failed delivery never goes unnoticed. The message names the topic, the partition, the reason and what to do.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class KafkaProduceException<TKey, TValue> : ProduceException<TKey, TValue>
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The Kafka error.</param>
    /// <param name="record">The record that was not produced.</param>
    /// <param name="partition">The partition it was assigned to, or <see cref="Partition.Any"/> when it never got one.</param>
    /// <param name="innerException">The client's exception, if the failure was thrown rather than reported.</param>
    public KafkaProduceException(Error error, ProducerRecord<TKey, TValue> record, Partition partition, Exception? innerException = null)
        : base(WithNativeLibrary(error), CreateDeliveryResult(record, partition), innerException)
    {
        Record = record;
        Partition = partition;
        Message = Describe(error, record.Topic, partition, innerException);
    }

    /// <summary>The record that was not produced.</summary>
    /// <remarks>
    /// The envelope's own record, except for a delivery that <see cref="KafkaProducer.PlainSink{TKey, TValue}(ProducerSettings{TKey, TValue})"/>
    /// saw fail: the sink keeps no records in flight, so it rebuilds this one from the delivery report (the same topic,
    /// key, value, headers and timestamp, as far as <c>dotnet.producer.enable.delivery.report.fields</c> keeps them).
    /// </remarks>
    public ProducerRecord<TKey, TValue> Record { get; }

    /// <summary>The topic the record was for.</summary>
    public string Topic => Record.Topic;

    /// <summary>The partition the record was assigned to, or <see cref="Partition.Any"/> when it failed before getting one.</summary>
    public Partition Partition { get; }

    /// <inheritdoc />
    public override string Message { get; }

    // Error.Reason asks librdkafka for the text of the code.
    private static Error WithNativeLibrary(Error error)
    {
        Confluent.Kafka.Library.Load();
        return error;
    }

    private static DeliveryResult<TKey, TValue> CreateDeliveryResult(ProducerRecord<TKey, TValue> record, Partition partition)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new DeliveryResult<TKey, TValue>
        {
            TopicPartitionOffset = new TopicPartitionOffset(record.Topic, partition, Offset.Unset),
            Message = record,
            Status = PersistenceStatus.NotPersisted,
        };
    }

    private static string Describe(Error error, string topic, Partition partition, Exception? innerException)
    {
        var where = partition == Partition.Any ? $"topic \"{topic}\"" : $"topic \"{topic}\" partition {partition.Value}";

        // For a serializer failure the client's reason is the serializer exception's full text, stack trace included.
        var reason = error.Code is ErrorCode.Local_KeySerialization or ErrorCode.Local_ValueSerialization && innerException is not null
            ? innerException.Message
            : error.Reason;
        var text = $"Producing a record to {where} failed: {reason} ({error.Code}).";
        var advice = Advice(error);
        return advice.Length == 0 ? text : text + " " + advice;
    }

    private static string Advice(Error error) => error.Code switch
    {
        ErrorCode.MsgSizeTooLarge =>
            "The record is larger than the producer's message.max.bytes or the topic's max.message.bytes: raise the limit or produce smaller records.",
        ErrorCode.TopicAuthorizationFailed =>
            "The client may not write to this topic: grant it WRITE on the topic or use other credentials.",
        ErrorCode.ClusterAuthorizationFailed =>
            "The client may not use the idempotent producer: grant it IDEMPOTENT_WRITE on the cluster, or turn enable.idempotence off.",
        ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition =>
            "The topic or partition does not exist: create it, or allow automatic topic creation.",
        ErrorCode.Local_MsgTimedOut =>
            "The record was not acknowledged within message.timeout.ms: check that the brokers are reachable and the partition has a leader.",
        ErrorCode.Local_KeySerialization => "The key serializer threw (the inner exception).",
        ErrorCode.Local_ValueSerialization => "The value serializer threw (the inner exception).",
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend =>
            "Fewer in-sync replicas than the topic's min.insync.replicas were available until retries ran out.",
        _ when error.IsFatal => "The producer hit a fatal error and cannot be used any more; restart the stream to create a new one.",
        _ => string.Empty,
    };
}
