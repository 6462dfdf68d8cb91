using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Embedded;

/// <summary>
/// One embedded cluster per test class, whatever KAFKA_BOOTSTRAP_SERVERS says: these tests are about the embedded
/// cluster itself. The TestKit fixture over it supplies the produce/consume helpers.
/// </summary>
public sealed class EmbeddedClusterFixture : IAsyncLifetime
{
    public KafkaClusterFixture Kafka { get; } = new(externalBootstrapServers: null);

    public EmbeddedKafkaCluster Cluster => Kafka.Embedded!;

    public Task InitializeAsync() => Kafka.InitializeAsync();

    public Task DisposeAsync() => Kafka.DisposeAsync();
}
