using System.Globalization;

namespace Pipelines.Telemetry;

/// <summary>Partition numbers as the text of <see cref="TagNames.Partition"/>, made once for the partitions most topics have.</summary>
internal static class PartitionIds
{
    private static readonly string[] Cached = [.. Enumerable.Range(0, 1024).Select(p => p.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The text of partition <paramref name="partition"/>.</summary>
    public static string Of(int partition) =>
        (uint)partition < (uint)Cached.Length ? Cached[partition] : partition.ToString(CultureInfo.InvariantCulture);
}
