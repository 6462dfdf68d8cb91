using System.Globalization;
using Pipelines.Kafka;

namespace Pipelines.Host.Commands;

/// <summary>A topic to create, given on the command line as <c>name[:partitions[:replication-factor]]</c>.</summary>
internal sealed record TopicArgument(string Name, int Partitions, int ReplicationFactor)
{
    public const string Syntax = "name[:partitions[:replication-factor]]";

    /// <summary>Parses <paramref name="text"/>; on failure returns <see langword="null"/> and says why in <paramref name="error"/>.</summary>
    public static TopicArgument? TryParse(string text, out string? error)
    {
        var parts = text.Split(':');
        error = null;
        if (parts.Length > 3)
        {
            error = $"--topic \"{text}\": expected {Syntax}.";
            return null;
        }

        var problem = KafkaTopicName.Problem(parts[0]);
        if (problem is not null)
        {
            error = $"--topic \"{text}\": invalid topic name \"{parts[0]}\": {problem} ({KafkaTopicName.Rule}).";
            return null;
        }

        var partitions = 1;
        if (parts.Length > 1 && !TryPositive(parts[1], out partitions))
        {
            error = $"--topic \"{text}\": the partition count \"{parts[1]}\" is not a whole number of at least 1.";
            return null;
        }

        var replication = 1;
        if (parts.Length > 2 && !TryPositive(parts[2], out replication))
        {
            error = $"--topic \"{text}\": the replication factor \"{parts[2]}\" is not a whole number of at least 1.";
            return null;
        }

        return new TopicArgument(parts[0], partitions, replication);
    }

    public override string ToString() => $"{Name} ({Partitions} partition(s), replication factor {ReplicationFactor})";

    private static bool TryPositive(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
}
