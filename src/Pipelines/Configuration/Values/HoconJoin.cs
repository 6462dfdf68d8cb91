using System.Text;

namespace Pipelines.Configuration.Values;

/// <summary>
/// Joins the pieces of a value concatenation: strings (and numbers, booleans, null as their text) into one string,
/// arrays into one array, objects into one merged object. Whitespace next to an object or array is dropped;
/// any other mix is an error.
/// </summary>
internal static class HoconJoin
{
    /// <summary>Joins resolved pieces; returns null when there are none (every piece was an undefined <c>${?x}</c>).</summary>
    /// <param name="pieces">Resolved values, in order.</param>
    /// <param name="positions">Where each piece was written (for errors); the pieces' own positions when null.</param>
    /// <param name="isSecret">The pieces make up the value of a secret key: errors describe them without their text.</param>
    public static HoconValue? Join(IReadOnlyList<HoconValue> pieces, IReadOnlyList<HoconPosition>? positions = null, bool isSecret = false)
    {
        if (pieces.Count == 0)
        {
            return null;
        }

        if (pieces.Count == 1)
        {
            return pieces[0];
        }

        HoconValue? container = null;
        StringBuilder? text = null;
        var textIsWhitespace = true;
        var textPosition = default(HoconPosition);
        HoconValue? firstText = null;
        var textPieces = 0;
        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            var position = positions?[i] ?? piece.Position;
            if (piece is HoconObject or HoconArray)
            {
                if (text is not null && !textIsWhitespace)
                {
                    throw Incompatible(position, textPieces == 1 ? Describe(firstText!, isSecret) : "a string", piece, isSecret);
                }

                text = null;
                container = container switch
                {
                    null => piece,
                    HoconObject left when piece is HoconObject right => HoconMerge.Merge(right, left),
                    HoconArray left when piece is HoconArray right => new HoconArray([.. left.Items, .. right.Items], left.Position),
                    _ => throw Incompatible(position, Describe(container, isSecret), piece, isSecret),
                };
            }
            else if (container is not null)
            {
                if (!(piece is HoconString { IsConcatenationWhitespace: true }))
                {
                    throw Incompatible(position, Describe(container, isSecret), piece, isSecret);
                }
            }
            else
            {
                if (text is null)
                {
                    text = new StringBuilder();
                    textPosition = position;
                    firstText = null;
                    textPieces = 0;
                }

                text.Append(piece.ScalarText);
                if (piece is not HoconString { IsConcatenationWhitespace: true })
                {
                    firstText ??= piece;
                    textPieces++;
                }

                textIsWhitespace &= piece is HoconString { IsConcatenationWhitespace: true };
            }
        }

        return container ?? new HoconString(text!.ToString(), textPosition);
    }

    private static HoconException Incompatible(HoconPosition position, string left, HoconValue right, bool isSecret) =>
        new(position, $"cannot concatenate {left} with {Describe(right, isSecret)}: a concatenation joins only strings, only arrays or only objects");

    private static string Describe(HoconValue value, bool isSecret) => value switch
    {
        HoconObject => "an object",
        HoconArray => "an array",
        HoconNumber when isSecret => "a number",
        HoconNumber n => "the number " + n.Text,
        HoconBoolean b => "the boolean " + b.ScalarText,
        HoconNull => "null",
        HoconString when isSecret => "a string",
        HoconString s => "the string \"" + s.Value + "\"",
        _ => "a value",
    };
}
