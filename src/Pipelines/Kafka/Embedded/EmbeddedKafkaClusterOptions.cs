namespace Pipelines.Kafka.Embedded;

/// <summary>
/// How an <see cref="EmbeddedKafkaCluster"/> is started: its size and the broker settings tests may want to change.
/// </summary>
public sealed class EmbeddedKafkaClusterOptions
{
    /// <summary>The number of brokers (1 to <see cref="EmbeddedKafkaCluster.MaxBrokerCount"/>).</summary>
    /// <value>Defaults to 3.</value>
    public int BrokerCount { get; init; } = 3;

    /// <summary>
    /// How long a consumer group with no members waits for more members after the first one joins before it assigns
    /// partitions (a broker's <c>group.initial.rebalance.delay.ms</c>), at millisecond resolution.
    /// </summary>
    /// <value>
    /// Defaults to <see cref="TimeSpan.Zero"/>: a new group's first member is assigned at once. A real broker (and
    /// librdkafka's mock on its own) waits 3 seconds; set that to test members that join together.
    /// </value>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Every problem of these options, one message each; empty when they are valid.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (BrokerCount is < 1 or > EmbeddedKafkaCluster.MaxBrokerCount)
        {
            problems.Add($"{nameof(BrokerCount)} must be 1 to {EmbeddedKafkaCluster.MaxBrokerCount}, but is {BrokerCount}.");
        }

        if (GroupInitialRebalanceDelay < TimeSpan.Zero || GroupInitialRebalanceDelay.TotalMilliseconds > int.MaxValue)
        {
            problems.Add($"{nameof(GroupInitialRebalanceDelay)} must be zero or positive and under 24 days, but is {GroupInitialRebalanceDelay}.");
        }

        return problems;
    }
}
