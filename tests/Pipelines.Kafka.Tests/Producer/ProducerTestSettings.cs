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

    /// <summary>
    /// <c>max.in.flight.requests.per.connection</c> for tests that inject produce errors whose outcome a client cannot know
    /// (a timeout, a dropped connection). With several requests in flight, librdkafka takes a later request's success as
    /// proof that the earlier one was stored, which a real broker guarantees by checking the idempotent producer's
    /// sequence numbers; the embedded cluster checks them only for transactional producers, so the earlier records would
    /// be reported delivered without being stored.
    /// </summary>
    public const string OneRequestInFlight = "1";

    /// <summary>Settings for stages given a shared producer: only parallelism and the timeouts matter.</summary>
    public static ProducerSettings<string, string> ForSharedProducer(int parallelism) =>
        ProducerSettings<string, string>.Create(PipelinesConfiguration.Reference(), null, null).WithParallelism(parallelism);
}
