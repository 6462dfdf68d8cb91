namespace Pipelines.Telemetry;

/// <summary>
/// The tag (attribute) names of Pipelines' instruments and spans: OpenTelemetry's messaging semantic conventions where one
/// exists, <c>pipelines.*</c> otherwise.
/// </summary>
public static class TagNames
{
    /// <summary>The messaging system, always <c>kafka</c> (on spans).</summary>
    public const string System = "messaging.system";

    /// <summary>The Kafka client id (<c>client.id</c>), or for a consumer without one its group id: the pipeline's name in metrics.</summary>
    public const string ClientId = "messaging.client.id";

    /// <summary>The consumer group.</summary>
    public const string ConsumerGroup = "messaging.consumer.group.name";

    /// <summary>The topic.</summary>
    public const string Topic = "messaging.destination.name";

    /// <summary>The partition number, as text.</summary>
    public const string Partition = "messaging.destination.partition.id";

    /// <summary>The record's offset (on spans).</summary>
    public const string Offset = "messaging.kafka.offset";

    /// <summary>The operation of a span: <c>send</c> or <c>process</c>.</summary>
    public const string OperationType = "messaging.operation.type";

    /// <summary>The operation's name on a send span (<c>send</c>); a process span's name is the one given to its step.</summary>
    public const string OperationName = "messaging.operation.name";

    /// <summary>What went wrong: a Kafka error code or an exception's type name; present only on failures.</summary>
    public const string ErrorType = "error.type";

    /// <summary>The kind of retry: <c>in-place</c> or <c>non-blocking</c>.</summary>
    public const string RetryKind = "pipelines.retry.kind";

    /// <summary>The name of a hosted pipeline.</summary>
    public const string Pipeline = "pipelines.pipeline.name";
}
