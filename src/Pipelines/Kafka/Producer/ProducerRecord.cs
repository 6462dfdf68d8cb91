using System.Diagnostics;
using Confluent.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Kafka;

/// <summary>
/// A message to produce together with its destination: a Confluent <see cref="Message{TKey, TValue}"/> (key, value,
/// headers, timestamp) plus the topic and, optionally, the partition. The producer stages send it as it is, without
/// copying.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// Headers and timestamp are set with an object initializer (<c>new ProducerRecord&lt;K, V&gt;(topic, key, value) { Headers = h }</c>);
/// a default timestamp means the client stamps the record when it is sent.
/// </remarks>
public sealed class ProducerRecord<TKey, TValue> : Message<TKey, TValue>
{
    /// <summary>Creates a record for <paramref name="topic"/>; the partitioner picks the partition from the key.</summary>
    /// <param name="topic">The destination topic.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public ProducerRecord(string topic, TKey key, TValue value)
        : this(topic, Partition.Any, key, value)
    {
    }

    /// <summary>Creates a record for one partition of <paramref name="topic"/> (<see cref="Partition.Any"/> lets the partitioner choose).</summary>
    /// <param name="topic">The destination topic.</param>
    /// <param name="partition">The destination partition, or <see cref="Partition.Any"/>.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The topic is empty, or the partition is negative and not <see cref="Partition.Any"/>.</exception>
    public ProducerRecord(string topic, Partition partition, TKey key, TValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (partition.Value < 0 && partition != Partition.Any)
        {
            throw new ArgumentException($"Partition {partition.Value} is not a partition number; use Partition.Any to let the partitioner choose.", nameof(partition));
        }

        Topic = topic;
        Partition = partition;
        Key = key;
        Value = value;

        // Confluent's Produce takes the destination as a TopicPartition object: build it once here, not per send.
        TopicPartition = partition == Partition.Any ? null : new TopicPartition(topic, partition);

        // Activity.Current does not flow into the producer stage: the record remembers the activity it is made in (a traced
        // processing step, a request), which becomes the parent of its send span.
        if (ProducerTelemetry.IsTracing)
        {
            Parent = Activity.Current;
        }
    }

    /// <summary>The destination topic.</summary>
    public string Topic { get; }

    /// <summary>The destination partition, or <see cref="Partition.Any"/> when the partitioner chooses.</summary>
    public Partition Partition { get; }

    /// <summary>The explicit destination, or <see langword="null"/> when the partitioner chooses.</summary>
    internal TopicPartition? TopicPartition { get; }

    /// <summary>The activity current where the record was made, while tracing; the parent of its send span.</summary>
    internal Activity? Parent { get; }

    /// <inheritdoc />
    public override string ToString() =>
        Partition == Partition.Any ? $"record for {Topic} (key {Key})" : $"record for {Topic} [{Partition.Value}] (key {Key})";
}
