using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Broker;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Broker;

/// <summary>A test of the broker on the class's embedded cluster: brokers made here are stopped after each test.</summary>
public abstract class BrokerSpec : KafkaSpec
{
    /// <summary>Fast commits and group joins for tests; a member that left is replaced within seconds.</summary>
    private const string TestConfig = """
        akka.loglevel = INFO
        akka.kafka.committer.max-interval = 100ms
        akka.kafka.consumer.kafka-clients { session.timeout.ms = 6000, heartbeat.interval.ms = 500, fetch.wait.max.ms = 50 }
        akka.kafka.producer.kafka-clients { linger.ms = 1 }
        pipelines.retry { in-place.attempts = 1, in-place.backoff = 10ms, in-place.max-backoff = 20ms, non-blocking.attempts = 0 }
        """;

    private readonly ConcurrentBag<KafkaBroker> _brokers = [];

    protected BrokerSpec(KafkaClusterFixture kafka, ITestOutputHelper output, string? config = null)
        : base(kafka, output, PipelinesConfiguration.ParseString(TestConfig + "\n" + (config ?? string.Empty), "BrokerSpec")
            .WithFallback(PipelinesConfiguration.Reference()))
    {
    }

    protected static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    public override async Task DisposeAsync()
    {
        var hung = new List<string>();
        foreach (var broker in _brokers)
        {
            try
            {
                // Bounded in real time: a broker on a test's virtual clock waits its drain timeout on that clock, and a
                // stop that never ends must fail this test rather than hang the whole run.
                await broker.StopAsync().WaitAsync(Patience);
            }
            catch (AggregateException)
            {
                // A test that failed a subscription on purpose has checked it already.
            }
            catch (TimeoutException)
            {
                hung.Add(broker.ToString()!);
            }
        }

        await base.DisposeAsync();
        hung.Should().BeEmpty($"every broker stops within {Patience}");
    }

    protected KafkaBroker Broker(Action<KafkaBrokerOptions>? change = null)
    {
        var options = new KafkaBrokerOptions { RetryBackoff = TimeSpan.FromMilliseconds(10), RetryMaxBackoff = TimeSpan.FromMilliseconds(50) };
        change?.Invoke(options);
        var broker = new KafkaBroker(Sys, options);
        _brokers.Add(broker);
        return broker;
    }

    protected Task<IReadOnlyList<ConsumeResult<byte[], byte[]>>> ReadAllAsync(string topic, int count) =>
        Kafka.ConsumeAllAsync<byte[], byte[]>(topic, count, Patience);

    protected static string? Header(ConsumeResult<byte[], byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    protected async Task<long> CommittedAsync(string group, string topic)
    {
        var offsets = await CommittedOffsetsAsync(group, topic);
        return offsets.Where(o => o.Offset.Value >= 0).Sum(o => o.Offset.Value);
    }
}
