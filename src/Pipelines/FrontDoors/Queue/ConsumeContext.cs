using System.Text;
using Confluent.Kafka;

namespace Pipelines.FrontDoors.Queue;

/// <summary>One message handed to an <see cref="IConsumeHandler"/>: its key and value as UTF-8 text, its headers and where it was stored.</summary>
public sealed class ConsumeContext
{
    private readonly byte[]? _keyBytes;
    private readonly byte[]? _valueBytes;
    private string? _key;
    private string? _value;

    internal ConsumeContext(string topic, int partition, long offset, DateTimeOffset timestamp, byte[]? key, byte[]? value, Headers? headers)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        _keyBytes = key;
        _valueBytes = value;
        Headers = headers ?? [];
    }

    internal ConsumeContext(string topic, int partition, long offset, DateTimeOffset timestamp, string? key, string? value, Headers? headers)
        : this(topic, partition, offset, timestamp, (byte[]?)null, null, headers)
    {
        _key = key;
        _value = value ?? string.Empty;
    }

    /// <summary>The topic the message was read from.</summary>
    public string Topic { get; }

    /// <summary>The partition the message was read from.</summary>
    public int Partition { get; }

    /// <summary>The message's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>The message's timestamp (producer's create time or broker's log-append time, as the topic says).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The key as UTF-8 text, or null for a message without a key.</summary>
    public string? Key => _key ??= _keyBytes is null ? null : Encoding.UTF8.GetString(_keyBytes);

    /// <summary>The value as UTF-8 text (empty for a message without a value).</summary>
    public string Value => _value ??= _valueBytes is null ? string.Empty : Encoding.UTF8.GetString(_valueBytes);

    /// <summary>The key's bytes as stored (null for a message without a key, or when the message came through the retry route).</summary>
    public byte[]? KeyBytes => _keyBytes;

    /// <summary>The message's headers (with <see cref="KafkaQueueOptions.Retry"/>, a retried message carries the retry headers, <c>pipelines-retry-attempt</c> among them).</summary>
    public Headers Headers { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";

    internal static ConsumeContext From(ConsumeResult<byte[], byte[]> record) =>
        new(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime, record.Message.Key, record.Message.Value, record.Message.Headers);

    internal static ConsumeContext From(ConsumeResult<string, string> record) =>
        new(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime, record.Message.Key, record.Message.Value, record.Message.Headers);
}
