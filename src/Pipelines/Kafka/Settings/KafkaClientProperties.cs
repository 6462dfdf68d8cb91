using System.Collections.Immutable;
using Pipelines.Configuration;

namespace Pipelines.Kafka;

/// <summary>The checks and updates of the librdkafka property maps that consumer and producer settings share.</summary>
internal static class KafkaClientProperties
{
    /// <summary>Returns <paramref name="map"/> with <paramref name="key"/> set; the key must be non-empty, the value non-null.</summary>
    public static ImmutableSortedDictionary<string, string> Set(ImmutableSortedDictionary<string, string> map, string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return map.SetItem(key, value);
    }

    /// <summary>Returns <paramref name="map"/> with every property set; nothing is set when one of them is invalid.</summary>
    public static ImmutableSortedDictionary<string, string> SetAll(ImmutableSortedDictionary<string, string> map, IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var list = properties.ToList();
        foreach (var (key, value) in list)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(properties));
            ArgumentNullException.ThrowIfNull(value, nameof(properties));
        }

        return map.SetItems(list);
    }

    /// <summary>Renders the properties as <c>{key=value, …}</c> in key order, secret values replaced by <see cref="SecretKeys.Redacted"/>.</summary>
    public static string Describe(ImmutableSortedDictionary<string, string> map) =>
        "{" + string.Join(", ", map.Select(p => $"{p.Key}={SecretKeys.Redact(p.Key, p.Value)}")) + "}";
}
