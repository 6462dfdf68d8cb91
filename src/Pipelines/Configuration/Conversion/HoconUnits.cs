using System.Globalization;

namespace Pipelines.Configuration.Conversion;

/// <summary>Splits <c>10 seconds</c> or <c>512MiB</c> into its number and its unit (the trailing letters).</summary>
internal static class HoconUnits
{
    public static bool Split(string text, out string number, out string unit)
    {
        var end = text.Length;
        while (end > 0 && char.IsLetter(text[end - 1]))
        {
            end--;
        }

        unit = text[end..];
        number = text[..end].Trim();
        return number.Length > 0
            && double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value);
    }
}
