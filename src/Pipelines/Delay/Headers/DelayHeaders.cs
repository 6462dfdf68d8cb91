using System.Text;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// Writes and reads the <see cref="DelayEnvelope"/> of a delayed message in its Kafka headers (names in
/// <see cref="PipelinesHeaders"/>). Reading is strict: a missing or malformed header throws a
/// <see cref="KafkaHeaderException"/> naming the header and the record; user headers are never touched.
/// </summary>
public static class DelayHeaders
{
    // Routers deliver to a handful of targets: their names are decoded once per thread and then found by their bytes.
    [ThreadStatic]
    private static TopicNameCache? _topicNames;

    /// <summary>Sets the envelope's headers on <paramref name="headers"/>, replacing envelope headers already there.</summary>
    /// <exception cref="ArgumentException">The envelope has no id, an illegal target topic, or a negative target partition.</exception>
    public static void Write(Headers headers, in DelayEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (envelope.Id.IsEmpty)
        {
            throw new ArgumentException("The delay envelope has no id; create one with DelayMessageId.New(dueTime).", nameof(envelope));
        }

        KafkaTopicName.Validate(envelope.TargetTopic, nameof(envelope));
        if (envelope.TargetPartition is < 0)
        {
            throw new ArgumentException($"The target partition must be zero or more, but is {envelope.TargetPartition}.", nameof(envelope));
        }

        var id = new byte[DelayMessageId.TextLength];
        envelope.Id.WriteUtf8(id);
        HeaderValues.Set(headers, PipelinesHeaders.DelayId, id);
        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.DelayDue, envelope.DueTime);
        HeaderValues.SetText(headers, PipelinesHeaders.DelayTargetTopic, envelope.TargetTopic);
        if (envelope.TargetPartition is { } partition)
        {
            HeaderValues.SetNumber(headers, PipelinesHeaders.DelayTargetPartition, partition);
        }
        else
        {
            headers.Remove(PipelinesHeaders.DelayTargetPartition);
        }

        HeaderValues.SetUnixMilliseconds(headers, PipelinesHeaders.DelayScheduledAt, envelope.ScheduledAt);
    }

    /// <summary>
    /// Reads the envelope of the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>
    /// from its headers, parsing the values from the headers' bytes.
    /// </summary>
    /// <exception cref="KafkaHeaderException">A header is missing or malformed; the message names it and the record.</exception>
    public static DelayEnvelope Read(Headers? headers, string topic, int partition, long offset)
    {
        var at = new RecordPosition(topic, partition, offset);
        var idBytes = HeaderValues.Require(headers, PipelinesHeaders.DelayId, at, "the delayed message's id");
        if (idBytes is null || !DelayMessageId.TryParseUtf8(idBytes, out var id))
        {
            throw KafkaHeaderException.Malformed(PipelinesHeaders.DelayId, topic, partition, offset, $"an id of {DelayMessageId.TextLength} Crockford base32 characters", idBytes);
        }

        var dueBytes = HeaderValues.Require(headers, PipelinesHeaders.DelayDue, at, "when the message is due");
        var due = HeaderValues.ParseUnixMilliseconds(dueBytes, PipelinesHeaders.DelayDue, at);
        var targetBytes = HeaderValues.Require(headers, PipelinesHeaders.DelayTargetTopic, at, "the topic the message is delivered to");
        var target = (_topicNames ??= new TopicNameCache()).Get(targetBytes, at);
        int? targetPartition = HeaderValues.TryFind(headers, PipelinesHeaders.DelayTargetPartition, out var partitionBytes)
            ? (int)HeaderValues.ParseNonNegative(partitionBytes, PipelinesHeaders.DelayTargetPartition, at, int.MaxValue)
            : null;
        var scheduledBytes = HeaderValues.Require(headers, PipelinesHeaders.DelayScheduledAt, at, "when the message was scheduled");
        var scheduledAt = HeaderValues.ParseUnixMilliseconds(scheduledBytes, PipelinesHeaders.DelayScheduledAt, at);
        return new DelayEnvelope(
            id,
            DateTimeOffset.FromUnixTimeMilliseconds(due),
            target,
            targetPartition,
            DateTimeOffset.FromUnixTimeMilliseconds(scheduledAt));
    }

    /// <summary>
    /// Reads only the due time of the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>,
    /// what a router needs to hold a partition's head; it allocates nothing.
    /// </summary>
    /// <exception cref="KafkaHeaderException">The header is missing or malformed.</exception>
    public static DateTimeOffset ReadDueTime(Headers? headers, string topic, int partition, long offset)
    {
        var at = new RecordPosition(topic, partition, offset);
        var dueBytes = HeaderValues.Require(headers, PipelinesHeaders.DelayDue, at, "when the message is due");
        return DateTimeOffset.FromUnixTimeMilliseconds(HeaderValues.ParseUnixMilliseconds(dueBytes, PipelinesHeaders.DelayDue, at));
    }

    /// <summary>
    /// Removes the envelope's headers before delivery to the target, keeping <see cref="PipelinesHeaders.DelayId"/> when
    /// <paramref name="keepId"/> is true (the default) so that consumers of the target can drop duplicates.
    /// </summary>
    public static void RemoveEnvelope(Headers headers, bool keepId = true)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!keepId)
        {
            headers.Remove(PipelinesHeaders.DelayId);
        }

        headers.Remove(PipelinesHeaders.DelayDue);
        headers.Remove(PipelinesHeaders.DelayTargetTopic);
        headers.Remove(PipelinesHeaders.DelayTargetPartition);
        headers.Remove(PipelinesHeaders.DelayScheduledAt);
        headers.Remove(PipelinesHeaders.DelayWrittenAt);
    }

    /// <summary>A small per-thread cache of target topic names, found by their UTF-8 bytes so that a hit allocates nothing.</summary>
    private sealed class TopicNameCache
    {
        private const int Capacity = 16;
        private readonly byte[][] _bytes = new byte[Capacity][];
        private readonly string[] _names = new string[Capacity];
        private int _count;
        private int _next;

        public string Get(byte[]? value, in RecordPosition at)
        {
            if (value is not null)
            {
                for (var i = 0; i < _count; i++)
                {
                    if (_bytes[i].AsSpan().SequenceEqual(value))
                    {
                        return _names[i];
                    }
                }
            }

            var name = HeaderValues.ParseText(value, PipelinesHeaders.DelayTargetTopic, at, allowEmpty: false);
            if (KafkaTopicName.Problem(name) is { } problem)
            {
                throw new KafkaHeaderException(PipelinesHeaders.DelayTargetTopic, at.Topic, at.Partition, at.Offset, $"is malformed: \"{name}\" is not a topic name ({problem})");
            }

            // Replace round-robin once full: a router with more targets than the capacity still works, it only decodes more.
            var slot = _count < Capacity ? _count++ : _next++ % Capacity;
            _bytes[slot] = Encoding.UTF8.GetBytes(name);
            _names[slot] = name;
            return name;
        }
    }
}
