using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Pipelines.Delay;

/// <summary>Reads and writes the text-encoded values of Pipelines' headers straight from and to the headers' bytes.</summary>
internal static class HeaderValues
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Finds the last header named <paramref name="name"/> (Kafka allows repeats; the last one wins, as in Confluent's <c>GetLastBytes</c>).</summary>
    public static bool TryFind(Headers? headers, string name, out byte[]? value)
    {
        if (headers is not null)
        {
            for (var i = headers.Count - 1; i >= 0; i--)
            {
                var header = headers[i];
                if (string.Equals(header.Key, name, StringComparison.Ordinal))
                {
                    value = header.GetValueBytes();
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    public static byte[]? Require(Headers? headers, string name, in RecordPosition at, string meaning) =>
        TryFind(headers, name, out var value) ? value : throw KafkaHeaderException.Missing(name, at.Topic, at.Partition, at.Offset, meaning);

    public static long ParseUnixMilliseconds(byte[]? value, string name, in RecordPosition at)
    {
        if (value is not null && Utf8Parser.TryParse(value, out long ms, out var consumed) && consumed == value.Length && ms >= 0
            && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() && value[0] is >= (byte)'0' and <= (byte)'9')
        {
            return ms;
        }

        throw KafkaHeaderException.Malformed(name, at.Topic, at.Partition, at.Offset, "Unix milliseconds as decimal digits", value);
    }

    public static long ParseNonNegative(byte[]? value, string name, in RecordPosition at, long max)
    {
        if (value is not null && Utf8Parser.TryParse(value, out long number, out var consumed) && consumed == value.Length && number >= 0 && number <= max
            && value[0] is >= (byte)'0' and <= (byte)'9')
        {
            return number;
        }

        throw KafkaHeaderException.Malformed(name, at.Topic, at.Partition, at.Offset, $"a whole number from 0 to {max} as decimal digits", value);
    }

    public static string ParseText(byte[]? value, string name, in RecordPosition at, bool allowEmpty)
    {
        if (value is not null && (allowEmpty || value.Length > 0))
        {
            try
            {
                return StrictUtf8.GetString(value);
            }
            catch (DecoderFallbackException)
            {
                // Reported below with the bytes shown as hex.
            }
        }

        throw KafkaHeaderException.Malformed(name, at.Topic, at.Partition, at.Offset, allowEmpty ? "UTF-8 text" : "non-empty UTF-8 text", value);
    }

    /// <summary>Removes every header named <paramref name="name"/> and adds one with <paramref name="value"/>.</summary>
    public static void Set(Headers headers, string name, byte[] value)
    {
        headers.Remove(name);
        headers.Add(name, value);
    }

    public static void SetUnixMilliseconds(Headers headers, string name, DateTimeOffset time) =>
        Set(headers, name, Encoding.ASCII.GetBytes(time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));

    public static void SetNumber(Headers headers, string name, long number) =>
        Set(headers, name, Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture)));

    public static void SetText(Headers headers, string name, string text) => Set(headers, name, Encoding.UTF8.GetBytes(text));
}
