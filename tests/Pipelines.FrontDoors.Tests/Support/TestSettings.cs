using Pipelines.Configuration;
using AkkaConfig = Akka.Configuration.Config;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>Configurations for front doors under test: the reference producer settings with a short linger and timeout.</summary>
internal static class TestSettings
{
    /// <summary>
    /// <c>akka.kafka.producer</c> pointing at <paramref name="bootstrapServers"/>, with one request in flight so that injected
    /// produce errors cannot be taken as delivered by the embedded cluster (see the README's notes on the mock).
    /// </summary>
    public static AkkaConfig Producer(string bootstrapServers) =>
        PipelinesConfiguration.ParseString(
            $$"""
            akka.kafka.producer.kafka-clients {
              bootstrap.servers = "{{bootstrapServers}}"
              linger.ms = 1
              message.timeout.ms = 30000
              retry.backoff.ms = 10
              max.in.flight.requests.per.connection = 1
            }
            """).WithFallback(PipelinesConfiguration.Reference());
}
