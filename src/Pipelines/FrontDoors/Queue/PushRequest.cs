using Confluent.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>
/// One pushed record on its way to the client: the message itself (serialized key and value, headers) handed to
/// <c>Produce</c> as it is, and the caller's promise when it awaits.
/// </summary>
internal sealed class PushRequest : Message<byte[]?, byte[]?>
{
    public PushRequest(byte[]? key, byte[] value, Headers? headers, TaskCompletionSource<Delivery>? promise)
    {
        Key = key;
        Value = value;
        Headers = headers;
        Promise = promise;
    }

    /// <summary>Completed with the delivery for <c>PushAsync</c>; null for <c>Push</c>, whose failures go to the handler.</summary>
    public TaskCompletionSource<Delivery>? Promise { get; }

    /// <summary>The record's weight in a chunk: key and value bytes, at least 1 so that empty records still count.</summary>
    public long Weight => Math.Max(1L, (Key?.Length ?? 0) + (long)(Value?.Length ?? 0));
}
