namespace Pipelines.Kafka.Embedded;

/// <summary>
/// A request an <see cref="EmbeddedKafkaCluster"/> received while request tracking was on: which broker, which
/// request type and when.
/// </summary>
/// <param name="BrokerId">The broker that received the request (1 to <see cref="EmbeddedKafkaCluster.BrokerCount"/>).</param>
/// <param name="ApiKey">The request type.</param>
/// <param name="ReceivedAt">
/// When the broker received it, on librdkafka's monotonic clock (microsecond resolution, arbitrary origin): compare it
/// with other requests' times, not with wall-clock time.
/// </param>
public readonly record struct TrackedRequest(int BrokerId, KafkaApiKey ApiKey, TimeSpan ReceivedAt);
