using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Delay.Tests.Client;

/// <summary>An embedded cluster of its own for a test class that injects faults, whatever KAFKA_BOOTSTRAP_SERVERS says.</summary>
public sealed class EmbeddedKafkaFixture : IAsyncLifetime
{
    public KafkaClusterFixture Kafka { get; } = new(externalBootstrapServers: null);

    public EmbeddedKafkaCluster Cluster => Kafka.Embedded!;

    public Task InitializeAsync() => Kafka.InitializeAsync();

    public Task DisposeAsync() => Kafka.DisposeAsync();
}
