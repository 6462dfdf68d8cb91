using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Pipelines.Host.Commands;

/// <summary>The records <c>pipelines produce</c> sends: from <c>--value</c> arguments, from a generator, or from stdin.</summary>
internal static class ProduceInput
{
    /// <summary>One record per value, each with <paramref name="key"/>.</summary>
    public static IAsyncEnumerable<(string? Key, string Value)> FromValues(IReadOnlyList<string> values, string? key) =>
        values.Select(value => (key, value)).ToAsyncEnumerable();

    /// <summary>
    /// <paramref name="count"/> records; record i has key <c>key-(i mod keys)</c> (or <paramref name="key"/> when
    /// <paramref name="keys"/> is null) and a value of <paramref name="valueSize"/> characters that starts with its number.
    /// </summary>
    public static IAsyncEnumerable<(string? Key, string Value)> Generate(int count, int? keys, string? key, int valueSize)
    {
        var keyNames = keys is { } k ? Enumerable.Range(0, k).Select(i => "key-" + i.ToString(CultureInfo.InvariantCulture)).ToArray() : null;
        return Enumerable.Range(0, count).Select(i =>
        {
            var number = "value-" + i.ToString(CultureInfo.InvariantCulture);
            var value = number.Length >= valueSize ? number[..valueSize] : number.PadRight(valueSize, '.');
            return (keyNames is null ? key : keyNames[i % keyNames.Length], value);
        }).ToAsyncEnumerable();
    }

    /// <summary>
    /// One record per line of <paramref name="input"/>. With a <paramref name="separator"/>, the key is the text before its
    /// first occurrence and the value the rest (a line without it is an error); without, the line is the value and the key
    /// is <paramref name="key"/>.
    /// </summary>
    public static async IAsyncEnumerable<(string? Key, string Value)> FromLines(
        TextReader input, string? separator, string? key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lineNumber = 0;
        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (separator is null)
            {
                yield return (key, line);
                continue;
            }

            var at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new CommandException(
                    $"stdin line {lineNumber} has no key separator {Describe(separator)}: expected the key, the separator and the value (records before it were sent).");
            }

            yield return (line[..at], line[(at + separator.Length)..]);
        }
    }

    /// <summary>Turns the escapes a shell makes awkward to type (<c>\t</c>) into the characters.</summary>
    public static string Unescape(string separator) => separator.Replace("\\t", "\t", StringComparison.Ordinal);

    private static string Describe(string separator)
    {
        var text = new StringBuilder();
        foreach (var c in separator)
        {
            text.Append(c == '\t' ? "\\t" : c.ToString());
        }

        return $"\"{text}\"";
    }
}
