using System.Runtime.CompilerServices;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Pipelines.Configuration.Values;
using AkkaArray = Akka.Configuration.Hocon.HoconArray;
using AkkaObject = Akka.Configuration.Hocon.HoconObject;
using AkkaValue = Akka.Configuration.Hocon.HoconValue;
using HoconArray = Pipelines.Configuration.Values.HoconArray;
using HoconObject = Pipelines.Configuration.Values.HoconObject;
using HoconValue = Pipelines.Configuration.Values.HoconValue;

namespace Pipelines.Configuration.Conversion;

/// <summary>
/// Builds Akka's configuration model from a tree this library has parsed and resolved, so that Akka's own parser
/// never reads a user's file, and reads Akka's model back into a tree for the settings classes.
/// </summary>
/// <remarks>
/// Akka keeps every scalar as the text it was written as (<see cref="HoconLiteral"/>), so numbers, booleans,
/// durations (<c>50ms</c>) and sizes (<c>64KiB</c>) are handed over exactly as the user wrote them and Akka's getters
/// (<c>GetTimeSpan</c>, <c>GetByteSize</c>) read them. <c>null</c> becomes the literal <c>null</c>, which Akka reads as
/// a missing string (as it reads the string <c>"null"</c>, and trims strings, whichever parser read them); the
/// settings classes read the tree back and see the value as written. Each element built is remembered with the value it came from: Akka's merges
/// (<c>WithFallback</c>, the ActorSystem's defaults) reuse literal and array elements, so a setting read from an
/// ActorSystem still knows the file, line and column of a bad value.
/// </remarks>
internal static class AkkaConfigConverter
{
    /// <summary>The origin of values that did not come through this library's parser (no file position is known).</summary>
    public const string UnknownOrigin = "Akka.Configuration.Config";

    private static readonly HoconPosition Unknown = new(UnknownOrigin, 0, 0);

    // Weak keys: an entry lives exactly as long as the Akka element it describes.
    private static readonly ConditionalWeakTable<IHoconElement, HoconValue> Sources = new();

    /// <summary>Returns Akka's configuration holding the values of the resolved <paramref name="root"/>.</summary>
    public static Config ToAkka(HoconObject root) => new(new HoconRoot(Convert(root)));

    /// <summary>
    /// Returns the tree of an Akka value: scalars this library converted come back as they were read (type and
    /// position included); anything else (objects, values Akka parsed itself) is rebuilt, strings staying strings.
    /// </summary>
    public static HoconValue FromAkka(AkkaValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var elements = value.Values;
        if (elements.Count == 1 && Sources.TryGetValue(elements[0], out var source) && source is not (HoconObject or HoconArray))
        {
            return source;
        }

        if (value.GetObject() is { } akkaObject)
        {
            var fields = new OrderedDictionary<string, HoconValue>(akkaObject.Items.Count, StringComparer.Ordinal);
            foreach (var (key, field) in akkaObject.Items)
            {
                fields[key] = FromAkka(field);
            }

            return new HoconObject(fields, PositionOf(akkaObject));
        }

        if (elements.FirstOrDefault(e => e is AkkaArray) is { } firstArray)
        {
            // Akka's own parser keeps a concatenation of arrays as several array elements, with the whitespace between
            // them as literals; like Akka's GetArray, read the arrays' items and nothing else.
            var items = elements.OfType<AkkaArray>().SelectMany(a => a).Select(FromAkka).ToArray();
            return new HoconArray(items, PositionOf(firstArray));
        }

        var position = elements.Count > 0 ? PositionOf(elements[0]) : Unknown;
        if (value.IsString())
        {
            return value.GetString() is { } text ? new HoconString(text, position) : new HoconNull(position);
        }

        // No elements (or an unresolved substitution, which Akka's parser would have replaced): Akka reads it as missing.
        return new HoconNull(position);
    }

    private static HoconPosition PositionOf(IHoconElement element) => Sources.TryGetValue(element, out var source) ? source.Position : Unknown;

    private static AkkaValue Convert(HoconValue value)
    {
        IHoconElement element = value switch
        {
            HoconObject o => ConvertObject(o),
            HoconArray a => ConvertArray(a),
            _ => new HoconLiteral
            {
                Value = value.ScalarText
                    ?? throw new InvalidOperationException($"{value.Position}: an unresolved value cannot be handed to Akka; resolve the configuration first."),
            },
        };
        Sources.AddOrUpdate(element, value);

        // The parameterless constructor marks the value as the configuration's own, not adopted from a fallback.
        var result = new AkkaValue();
        result.AppendValue(element);
        return result;
    }

    private static AkkaObject ConvertObject(HoconObject value)
    {
        var result = new AkkaObject();
        foreach (var (key, field) in value)
        {
            result.Items[key] = Convert(field);
        }

        return result;
    }

    private static AkkaArray ConvertArray(HoconArray value)
    {
        var result = new AkkaArray();
        foreach (var item in value)
        {
            result.Add(Convert(item));
        }

        return result;
    }
}
