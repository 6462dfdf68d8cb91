namespace Pipelines.Kafka.Embedded;

/// <summary>
/// Kafka protocol request types (API keys), for injecting request errors into an <see cref="EmbeddedKafkaCluster"/>
/// and reading the requests it received (<see cref="EmbeddedKafkaCluster.GetRequests"/>).
/// </summary>
/// <remarks>
/// The values are the wire protocol's. The embedded cluster answers the client-facing requests (produce, fetch,
/// offsets, metadata, consumer groups, transactions, telemetry); an error pushed for a request it never receives never
/// fires. A tracked request of a type not named here keeps its numeric value.
/// </remarks>
public enum KafkaApiKey : short
{
    /// <summary>Produce: appending records to partitions.</summary>
    Produce = 0,

    /// <summary>Fetch: reading records from partitions.</summary>
    Fetch = 1,

    /// <summary>ListOffsets: looking up offsets by timestamp (earliest, latest).</summary>
    ListOffsets = 2,

    /// <summary>Metadata: brokers, topics, partitions and leaders.</summary>
    Metadata = 3,

    /// <summary>OffsetCommit: a consumer group committing offsets.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch: a consumer group reading its committed offsets.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator: locating a group's or a transaction's coordinator broker.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup: a member joining a consumer group (first phase of a rebalance).</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat: a member keeping its group membership alive.</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroup: a member leaving a consumer group.</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroup: distributing partition assignments (second phase of a rebalance).</summary>
    SyncGroup = 14,

    /// <summary>DescribeGroups: describing consumer groups.</summary>
    DescribeGroups = 15,

    /// <summary>ListGroups: listing consumer groups.</summary>
    ListGroups = 16,

    /// <summary>ApiVersions: negotiating protocol versions when a connection opens.</summary>
    ApiVersions = 18,

    /// <summary>CreateTopics: creating topics through the admin API.</summary>
    CreateTopics = 19,

    /// <summary>DeleteTopics: deleting topics through the admin API.</summary>
    DeleteTopics = 20,

    /// <summary>InitProducerId: an idempotent or transactional producer obtaining its id.</summary>
    InitProducerId = 22,

    /// <summary>OffsetForLeaderEpoch: validating a consumer's position after a leader change.</summary>
    OffsetForLeaderEpoch = 23,

    /// <summary>AddPartitionsToTxn: adding partitions to a transaction.</summary>
    AddPartitionsToTxn = 24,

    /// <summary>AddOffsetsToTxn: adding a consumer group's offsets to a transaction.</summary>
    AddOffsetsToTxn = 25,

    /// <summary>EndTxn: committing or aborting a transaction.</summary>
    EndTxn = 26,

    /// <summary>TxnOffsetCommit: committing consumer offsets inside a transaction.</summary>
    TxnOffsetCommit = 28,

    /// <summary>ConsumerGroupHeartbeat: a member of a group on the KIP-848 consumer protocol (<c>group.protocol = consumer</c>).</summary>
    ConsumerGroupHeartbeat = 68,

    /// <summary>GetTelemetrySubscriptions: a client asking which metrics to push (KIP-714).</summary>
    GetTelemetrySubscriptions = 71,

    /// <summary>PushTelemetry: a client pushing its metrics (KIP-714).</summary>
    PushTelemetry = 72,
}
