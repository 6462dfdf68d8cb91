namespace Pipelines.Kafka.Tests.Host;

/// <summary>The tests of the Kafka commands share one broker process and run one after the other (each starts processes of its own).</summary>
[CollectionDefinition(Name)]
public sealed class HostCommandsCollection : ICollectionFixture<BrokerProcessFixture>
{
    public const string Name = "Kafka commands against a broker process";
}
