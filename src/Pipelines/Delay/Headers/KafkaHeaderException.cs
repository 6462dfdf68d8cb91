using System.Text;

namespace Pipelines.Delay;

/// <summary>
/// A record lacks a header Pipelines needs, or the header's value is malformed. The message names the header, the
/// record (topic, partition, offset) and what was expected.
/// </summary>
public sealed class KafkaHeaderException : Exception
{
    /// <summary>Creates the exception for <paramref name="header"/> of the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>.</summary>
    /// <param name="header">The header's name.</param>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="problem">What is wrong, e.g. <c>is missing</c>.</param>
    public KafkaHeaderException(string header, string topic, int partition, long offset, string problem)
        : base($"Header '{header}' of the record at {topic} [{partition}] @{offset} {problem}.")
    {
        Header = header;
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the header and record).</summary>
    public KafkaHeaderException()
        : this("unknown", string.Empty, -1, -1, "is invalid")
    {
    }

    /// <summary>Creates an exception with a message only (prefer the constructor that names the header and record).</summary>
    public KafkaHeaderException(string message)
        : base(message)
    {
        Header = string.Empty;
        Topic = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause (prefer the constructor that names the header and record).</summary>
    public KafkaHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
        Header = string.Empty;
        Topic = string.Empty;
    }

    /// <summary>The header's name.</summary>
    public string Header { get; }

    /// <summary>The record's topic.</summary>
    public string Topic { get; }

    /// <summary>The record's partition.</summary>
    public int Partition { get; }

    /// <summary>The record's offset.</summary>
    public long Offset { get; }

    internal static KafkaHeaderException Missing(string header, string topic, int partition, long offset, string meaning) =>
        new(header, topic, partition, offset, $"is missing ({meaning}); records on this path are written by Pipelines with that header");

    internal static KafkaHeaderException Malformed(string header, string topic, int partition, long offset, string expected, byte[]? value) =>
        new(header, topic, partition, offset, $"is malformed: expected {expected}, but it holds {Show(value)}");

    /// <summary>Shows a header value for an error message: as quoted text when it is printable UTF-8, else as hex; at most 64 bytes.</summary>
    internal static string Show(byte[]? bytes)
    {
        const int Limit = 64;
        if (bytes is null)
        {
            return "a null value";
        }

        ReadOnlySpan<byte> value = bytes;
        var shown = value.Length > Limit ? value[..Limit] : value;
        var more = value.Length > Limit ? $"… ({value.Length} bytes)" : string.Empty;
        if (value.Length == 0)
        {
            return "nothing (0 bytes)";
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(shown);
            if (!text.Any(char.IsControl))
            {
                return $"\"{text}\"{more}";
            }
        }
        catch (DecoderFallbackException)
        {
            // Not text: shown as hex below.
        }

        return $"0x{Convert.ToHexString(shown)}{more}";
    }
}
