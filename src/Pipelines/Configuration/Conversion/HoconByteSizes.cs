using System.Globalization;

namespace Pipelines.Configuration.Conversion;

/// <summary>
/// Parses byte sizes as HOCON defines them: a number and an optional unit; <c>K</c>, <c>Ki</c>, <c>KiB</c>
/// (and <c>M</c>, <c>G</c>, … alike) are powers of 1024, <c>kB</c>/<c>KB</c>, <c>MB</c>, <c>GB</c>, … powers of 1000.
/// </summary>
internal static class HoconByteSizes
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = Build();

    /// <summary>Parses <paramref name="text"/>; on failure returns false and a reason for the error message.</summary>
    public static bool TryParse(string text, out long result, out string? problem)
    {
        result = 0;
        if (!HoconUnits.Split(text.Trim(), out var number, out var unit))
        {
            problem = "expected a size in bytes such as 512, 64KiB or 10MB";
            return false;
        }

        if (!BytesPerUnit.TryGetValue(unit, out var factor))
        {
            problem = $"unknown size unit '{unit}' (use B, K/KiB, M/MiB, G/GiB, T/TiB for powers of 1024, or kB, MB, GB, TB for powers of 1000)";
            return false;
        }

        try
        {
            var bytes = decimal.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture) * factor;
            if (bytes > long.MaxValue || bytes < long.MinValue)
            {
                problem = "the size does not fit in 64 bits";
                return false;
            }

            result = (long)decimal.Truncate(bytes);
            problem = null;
            return true;
        }
        catch (OverflowException)
        {
            problem = "the size does not fit in 64 bits";
            return false;
        }
    }

    private static Dictionary<string, decimal> Build()
    {
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            [string.Empty] = 1, ["B"] = 1, ["b"] = 1, ["byte"] = 1, ["bytes"] = 1,
        };
        (string Prefix, string Binary)[] powers =
        [
            ("kilo", "kibi"), ("mega", "mebi"), ("giga", "gibi"), ("tera", "tebi"), ("peta", "pebi"), ("exa", "exbi"),
        ];
        decimal binary = 1, metric = 1;
        foreach (var (prefix, binaryPrefix) in powers)
        {
            binary *= 1024;
            metric *= 1000;
            var letter = prefix[..1];
            var upper = letter.ToUpperInvariant();
            map[letter] = binary;
            map[upper] = binary;
            map[upper + "i"] = binary;
            map[upper + "iB"] = binary;
            map[binaryPrefix + "byte"] = binary;
            map[binaryPrefix + "bytes"] = binary;
            map[prefix + "byte"] = metric;
            map[prefix + "bytes"] = metric;
            map[upper + "B"] = metric;
            if (letter == "k")
            {
                map["kB"] = metric;
            }
        }

        return map;
    }
}
