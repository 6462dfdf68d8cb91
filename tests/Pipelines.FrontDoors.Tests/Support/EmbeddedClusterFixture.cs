using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>An embedded cluster of the test class's own, whatever KAFKA_BOOTSTRAP_SERVERS says: the tests inject faults into it.</summary>
public sealed class EmbeddedClusterFixture : IAsyncLifetime
{
    public KafkaClusterFixture Kafka { get; } = new(externalBootstrapServers: null);

    public EmbeddedKafkaCluster Cluster => Kafka.Embedded!;

    public Task InitializeAsync() => Kafka.InitializeAsync();

    public Task DisposeAsync() => Kafka.DisposeAsync();
}
