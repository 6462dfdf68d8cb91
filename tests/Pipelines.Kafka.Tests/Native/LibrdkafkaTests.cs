using Pipelines.Kafka.Native;

namespace Pipelines.Kafka.Tests.Native;

public sealed class LibrdkafkaTests
{
    [Fact]
    public void EnsureLoaded_OnThisMachine_LoadsTheSystemLibrary()
    {
        Librdkafka.EnsureLoaded();

        Librdkafka.LoadedFrom.Should().Contain("librdkafka");
        Librdkafka.Version.Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }
}
