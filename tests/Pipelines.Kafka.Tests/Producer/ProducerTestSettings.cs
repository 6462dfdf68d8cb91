using Pipelines.Configuration;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>Producer settings for tests: the reference configuration (acks=all, idempotence) with a short linger.</summary>
internal static class ProducerTestSettings
{
    public static ProducerSettings<string, string> Strings(string bootstrapServers) =>
        ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null)
            .WithBootstrapServers(bootstrapServers)
            .WithProperty("linger.ms", "1")
            .WithProperty("message.timeout.ms", "30000");

    /// <summary>Settings for stages given a shared producer: only parallelism and the timeouts matter.</summary>
    public static ProducerSettings<string, string> ForSharedProducer(int parallelism) =>
        ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null).WithParallelism(parallelism);
}
