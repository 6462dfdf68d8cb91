using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Creates the subscriptions a Kafka source reads (the names of Akka.Streams.Kafka's <c>Subscriptions</c>).</summary>
public static class Subscriptions
{
    /// <summary>Subscribes to topics; the consumer group assigns their partitions.</summary>
    /// <param name="topics">One or more topic names.</param>
    /// <exception cref="ArgumentException">No topic, or a name breaks Kafka's rules.</exception>
    public static TopicSubscription Topics(params string[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Length == 0)
        {
            throw new ArgumentException("Subscribe to at least one topic.", nameof(topics));
        }

        foreach (var topic in topics)
        {
            KafkaTopicName.Validate(topic, nameof(topics));
        }

        return new TopicSubscription([.. topics.Distinct(StringComparer.Ordinal)], null);
    }

    /// <summary>Subscribes to every topic whose name matches a regular expression (librdkafka's regex syntax).</summary>
    /// <param name="pattern">The expression; a leading <c>^</c> is added when missing, since librdkafka needs it.</param>
    /// <exception cref="ArgumentException">The pattern is empty.</exception>
    public static TopicPatternSubscription TopicPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        return new TopicPatternSubscription(pattern.StartsWith('^') ? pattern : "^" + pattern, null);
    }

    /// <summary>Assigns partitions by hand; each starts at its committed offset (or <c>auto.offset.reset</c>).</summary>
    /// <param name="partitions">One or more partitions.</param>
    /// <exception cref="ArgumentException">No partition, a bad topic name or a negative partition.</exception>
    public static AssignmentSubscription Assignment(params TopicPartition[] partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        CheckPartitions(partitions, nameof(partitions));
        return new AssignmentSubscription([.. partitions.Distinct()]);
    }

    /// <summary>Assigns partitions by hand, each starting at the given offset.</summary>
    /// <param name="offsets">One or more partitions with offsets (special offsets such as <see cref="Offset.Beginning"/> are allowed).</param>
    /// <exception cref="ArgumentException">No partition, a partition given twice, a bad topic name or a negative partition.</exception>
    public static AssignmentWithOffsetSubscription AssignmentWithOffset(params TopicPartitionOffset[] offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        CheckPartitions(offsets.Select(o => o.TopicPartition).ToArray(), nameof(offsets));
        return new AssignmentWithOffsetSubscription([.. offsets]);
    }

    /// <summary>Assigns partitions by hand, each starting at its first record at or after the given timestamp.</summary>
    /// <param name="timestamps">One or more partitions with timestamps.</param>
    /// <exception cref="ArgumentException">No partition, a partition given twice, a bad topic name or a negative partition.</exception>
    public static AssignmentOffsetsForTimesSubscription AssignmentOffsetsForTimes(params TopicPartitionTimestamp[] timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        CheckPartitions(timestamps.Select(o => o.TopicPartition).ToArray(), nameof(timestamps));
        return new AssignmentOffsetsForTimesSubscription([.. timestamps]);
    }

    private static void CheckPartitions(TopicPartition[] partitions, string paramName)
    {
        if (partitions.Length == 0)
        {
            throw new ArgumentException("Assign at least one partition.", paramName);
        }

        var seen = new HashSet<TopicPartition>();
        foreach (var tp in partitions)
        {
            ArgumentNullException.ThrowIfNull(tp, paramName);
            KafkaTopicName.Validate(tp.Topic, paramName);
            if (tp.Partition.Value < 0)
            {
                throw new ArgumentException($"Partition numbers are zero or positive; {tp} was given.", paramName);
            }

            if (!seen.Add(tp) && paramName != "partitions")
            {
                throw new ArgumentException($"Partition {tp} is given twice.", paramName);
            }
        }
    }
}
