using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// One message to deliver later: its target topic, key, value and headers (kept byte for byte), an optional target
/// partition, and either a due time (<see cref="At"/>) or a delay from the moment it is scheduled (<see cref="After"/>).
/// The element of <see cref="DelayQueue.ScheduleFlow{TPassThrough}(int)"/>.
/// </summary>
public sealed class ScheduleRequest
{
    private ScheduleRequest(string targetTopic, byte[]? key, byte[]? value, Headers? headers, int? targetPartition, DateTimeOffset? dueTime, TimeSpan? delay)
    {
        KafkaTopicName.Validate(targetTopic, nameof(targetTopic));
        if (targetPartition is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(targetPartition), targetPartition, "The target partition must be zero or more, or null to let the target's partitioner choose by key.");
        }

        TargetTopic = targetTopic;
        Key = key;
        Value = value;
        Headers = headers;
        TargetPartition = targetPartition;
        DueTime = dueTime;
        Delay = delay;
    }

    /// <summary>The topic the message is delivered to when due.</summary>
    public string TargetTopic { get; }

    /// <summary>The message key, delivered unchanged.</summary>
    public byte[]? Key { get; }

    /// <summary>The message value, delivered unchanged.</summary>
    public byte[]? Value { get; }

    /// <summary>The user's headers, delivered unchanged (headers named <c>pipelines-delay-…</c> are the queue's own and are replaced).</summary>
    public Headers? Headers { get; }

    /// <summary>The partition of the target topic, or <see langword="null"/> to let the target's partitioner choose by key.</summary>
    public int? TargetPartition { get; }

    /// <summary>When the message is due, for a request made with <see cref="At"/>; <see langword="null"/> for one made with <see cref="After"/>.</summary>
    public DateTimeOffset? DueTime { get; }

    /// <summary>How long after scheduling the message is due, for a request made with <see cref="After"/>; <see langword="null"/> for one made with <see cref="At"/>.</summary>
    public TimeSpan? Delay { get; }

    /// <summary>A message due at <paramref name="dueTime"/>; a due time already passed is delivered at once (through the smallest tier).</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key (null for none).</param>
    /// <param name="value">The value (null for a tombstone).</param>
    /// <param name="dueTime">When the message is due.</param>
    /// <param name="headers">The user's headers, or null.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <exception cref="ArgumentException"><paramref name="targetTopic"/> is not a legal topic name, or <paramref name="targetPartition"/> is negative.</exception>
    public static ScheduleRequest At(string targetTopic, byte[]? key, byte[]? value, DateTimeOffset dueTime, Headers? headers = null, int? targetPartition = null) =>
        new(targetTopic, key, value, headers, targetPartition, dueTime, delay: null);

    /// <summary>A message due <paramref name="delay"/> after it is scheduled (by the queue's clock); a zero delay delivers it at once.</summary>
    /// <param name="targetTopic">The topic the message is delivered to.</param>
    /// <param name="key">The key (null for none).</param>
    /// <param name="value">The value (null for a tombstone).</param>
    /// <param name="delay">How long after scheduling the message is due; not negative.</param>
    /// <param name="headers">The user's headers, or null.</param>
    /// <param name="targetPartition">The target partition, or null to let the target's partitioner choose by key.</param>
    /// <exception cref="ArgumentException"><paramref name="targetTopic"/> is not a legal topic name, <paramref name="targetPartition"/> is negative, or <paramref name="delay"/> is negative.</exception>
    public static ScheduleRequest After(string targetTopic, byte[]? key, byte[]? value, TimeSpan delay, Headers? headers = null, int? targetPartition = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(targetTopic, key, value, headers, targetPartition, dueTime: null, delay);
    }

    /// <summary>The due time of this request when it is scheduled at <paramref name="now"/>.</summary>
    internal DateTimeOffset DueAt(DateTimeOffset now) =>
        DueTime ?? (Delay!.Value > DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + Delay.Value);

    /// <inheritdoc/>
    public override string ToString() =>
        $"ScheduleRequest(target={TargetTopic}{(TargetPartition is { } p ? $" [{p}]" : string.Empty)}, " +
        (DueTime is { } due ? $"due={due:O})" : $"delay={Delay})");
}
