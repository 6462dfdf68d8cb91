using System.Text;
using Confluent.Kafka;

namespace Pipelines.FrontDoors.Sarama;

/// <summary>
/// Sarama's <c>ProducerMessage</c>: a record for <see cref="SyncProducer"/> or <see cref="AsyncProducer"/>. Once it is
/// stored, <see cref="Partition"/> and <see cref="Offset"/> say where, as Sarama fills them in.
/// </summary>
public sealed class SaramaMessage
{
    /// <summary>The destination topic (required).</summary>
    public required string Topic { get; init; }

    /// <summary>The serialized key, or null for a record without a key.</summary>
    public byte[]? Key { get; set; }

    /// <summary>The serialized value, or null for a tombstone.</summary>
    public byte[]? Value { get; set; }

    /// <summary>The headers, or null.</summary>
    public Headers? Headers { get; set; }

    /// <summary>
    /// Under <see cref="Balancers.Balancer.Manual"/> the partition to send to (required); under other balancers ignored on
    /// sending, as in Sarama. After a successful send: the partition the record was stored in.
    /// </summary>
    public int? Partition { get; set; }

    /// <summary>The record's offset once it is stored; null before.</summary>
    public long? Offset { get; internal set; }

    /// <summary>Anything the caller wants back with the result in <see cref="AsyncProducer.Successes"/> or <see cref="AsyncProducer.Errors"/> (Sarama's <c>Metadata</c>); never sent.</summary>
    public object? Metadata { get; set; }

    /// <summary>A message with a UTF-8 key (null for none) and value (Sarama's <c>StringEncoder</c>).</summary>
    public static SaramaMessage Create(string topic, string? key, string? value) => new()
    {
        Topic = topic,
        Key = key is null ? null : Encoding.UTF8.GetBytes(key),
        Value = value is null ? null : Encoding.UTF8.GetBytes(value),
    };

    /// <inheritdoc />
    public override string ToString() => Offset is { } offset ? $"message for {Topic} [{Partition}] @{offset}" : $"message for {Topic}";
}
