namespace Pipelines.Kafka;

/// <summary>Subscribes to every topic whose name matches a regular expression, including topics created later.</summary>
public sealed class TopicPatternSubscription : AutoSubscription
{
    internal TopicPatternSubscription(string pattern, IPartitionAssignmentHandler? handler)
        : base(handler) => Pattern = pattern;

    /// <summary>The pattern as librdkafka receives it (it starts with <c>^</c>, which marks a pattern).</summary>
    public string Pattern { get; }

    /// <inheritdoc />
    public override AutoSubscription WithPartitionAssignmentHandler(IPartitionAssignmentHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new TopicPatternSubscription(Pattern, handler);
    }

    /// <inheritdoc />
    public override string ToString() => $"TopicPattern({Pattern})";
}
