using System.Globalization;
using System.Text.Json;
using Pipelines.Configuration.Values;

namespace Pipelines.Configuration.Tests;

/// <summary>Compares a parsed value tree with an expected JSON document, reporting the first difference by path.</summary>
internal static class TreeComparer
{
    public static string? Difference(HoconValue actual, string expectedJson)
    {
        using var document = JsonDocument.Parse(expectedJson);
        return Compare(actual, document.RootElement, "$");
    }

    private static string? Compare(HoconValue actual, JsonElement expected, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (actual is not HoconObject o)
                {
                    return $"{path}: expected an object, found {Describe(actual)}";
                }

                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).ToList();
                var missing = expectedKeys.Except(o.Keys).ToList();
                var extra = o.Keys.Except(expectedKeys).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                {
                    return $"{path}: keys differ; missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]";
                }

                foreach (var property in expected.EnumerateObject())
                {
                    if (Compare(o[property.Name], property.Value, path + "." + property.Name) is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (actual is not HoconArray a)
                {
                    return $"{path}: expected an array, found {Describe(actual)}";
                }

                var items = expected.EnumerateArray().ToList();
                if (items.Count != a.Count)
                {
                    return $"{path}: expected {items.Count} elements, found {a.Count}";
                }

                for (var i = 0; i < items.Count; i++)
                {
                    if (Compare(a[i], items[i], $"{path}[{i}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.String:
                return actual is HoconString s && s.Value == expected.GetString()
                    ? null
                    : $"{path}: expected string \"{expected.GetString()}\", found {Describe(actual)}";
            case JsonValueKind.Number:
                if (actual is not HoconNumber n)
                {
                    return $"{path}: expected number {expected.GetRawText()}, found {Describe(actual)}";
                }

                var integer = expected.TryGetInt64(out var l);
                if (integer != n.IsInteger || (integer ? l != n.Int64Value : expected.GetDouble() != n.DoubleValue))
                {
                    return $"{path}: expected number {expected.GetRawText()}, found {Describe(actual)}";
                }

                return null;
            case JsonValueKind.True:
            case JsonValueKind.False:
                return actual is HoconBoolean b && b.Value == expected.GetBoolean()
                    ? null
                    : $"{path}: expected {expected.GetRawText()}, found {Describe(actual)}";
            case JsonValueKind.Null:
                return actual is HoconNull ? null : $"{path}: expected null, found {Describe(actual)}";
            default:
                return $"{path}: unsupported expectation {expected.ValueKind}";
        }
    }

    private static string Describe(HoconValue value) => value switch
    {
        HoconString s => $"string \"{s.Value}\"",
        HoconNumber n => $"number {n.Text} ({(n.IsInteger ? "integer" : "double " + n.DoubleValue.ToString(CultureInfo.InvariantCulture))})",
        _ => value.Type + " " + value.ToString().Trim(),
    };
}
