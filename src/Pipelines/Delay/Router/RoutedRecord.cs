using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// One record of a tier on its way through the router: the consumed record and its offset, its envelope, when it is
/// eligible, and what the router decided to do with it. One per record, carried through the graph to the committer.
/// </summary>
internal sealed class RoutedRecord
{
    public RoutedRecord(ConsumeResult<byte[], byte[]> record, ICommittableOffset offset, DelayTier tier, in DelayEnvelope envelope, DateTimeOffset movableAt, DateTimeOffset eligibleAt)
    {
        Record = record;
        Offset = offset;
        Tier = tier;
        Envelope = envelope;
        MovableAt = movableAt;
        EligibleAt = eligibleAt;
    }

    public ConsumeResult<byte[], byte[]> Record { get; }

    public ICommittableOffset Offset { get; }

    /// <summary>The tier the record was read from.</summary>
    public DelayTier Tier { get; }

    public DelayEnvelope Envelope { get; }

    /// <summary>When the record may move on: <see cref="DelayTier.MovableAt"/> of its hop's written time and due time.</summary>
    public DateTimeOffset MovableAt { get; }

    /// <summary>When the router releases the record unless its hold buffer needs the room: <see cref="DelayTier.ReleaseTime"/> of its hop's written time and due time.</summary>
    public DateTimeOffset EligibleAt { get; }

    public RouteAction Action { get; set; }

    /// <summary>The tier a cascaded record goes to.</summary>
    public DelayTier? NextTier { get; set; }

    /// <summary>The router's clock when the record was released (the written time of its next hop).</summary>
    public DateTimeOffset ReleasedAt { get; set; }
}
