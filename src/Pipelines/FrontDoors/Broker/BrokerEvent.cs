using System.Text;
using Confluent.Kafka;

namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// A message handed to a subscription's handler (Kratos' <c>broker.Event</c>): the decoded message, its key and headers,
/// and where it was read. There is no <c>Ack</c>: a handler that returns has processed the message, and its offset is
/// committed; one that throws has not.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class BrokerEvent<T>
{
    internal BrokerEvent(T message, ConsumeResult<byte[], byte[]> record)
    {
        Message = message;
        Record = record;
    }

    /// <summary>The decoded message.</summary>
    public T Message { get; }

    /// <summary>The topic it was read from.</summary>
    public string Topic => Record.Topic;

    /// <summary>The partition it was read from.</summary>
    public int Partition => Record.Partition.Value;

    /// <summary>Its offset in the partition.</summary>
    public long Offset => Record.Offset.Value;

    /// <summary>Its timestamp.</summary>
    public DateTimeOffset Timestamp => Record.Message.Timestamp.UtcDateTime;

    /// <summary>The key as UTF-8 text, or null for a message without key.</summary>
    public string? Key => Record.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null;

    /// <summary>The headers as sent (trace context and retry headers included).</summary>
    public Headers Headers => Record.Message.Headers ?? [];

    /// <summary>The record as consumed, with the raw key and value bytes.</summary>
    public ConsumeResult<byte[], byte[]> Record { get; }

    /// <summary>The last header named <paramref name="name"/> as UTF-8 text, or null when there is none.</summary>
    public string? Header(string name) =>
        Record.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;

    /// <inheritdoc />
    public override string ToString() => $"{Topic} [{Partition}] @{Offset}";
}
