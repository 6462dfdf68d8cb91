using Confluent.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>One pushed record on its way to the client: serialized key and value, and the caller's promise when it awaits.</summary>
internal sealed class PushRequest(byte[]? key, byte[] value, Headers? headers, TaskCompletionSource<Delivery>? promise)
{
    public byte[]? Key { get; } = key;

    public byte[] Value { get; } = value;

    public Headers? Headers { get; } = headers;

    /// <summary>Completed with the delivery for <c>PushAsync</c>; null for <c>Push</c>, whose failures go to the handler.</summary>
    public TaskCompletionSource<Delivery>? Promise { get; } = promise;

    /// <summary>The record's weight in a chunk: key and value bytes, at least 1 so that empty records still count.</summary>
    public long Weight => Math.Max(1L, (Key?.Length ?? 0) + (long)Value.Length);
}
