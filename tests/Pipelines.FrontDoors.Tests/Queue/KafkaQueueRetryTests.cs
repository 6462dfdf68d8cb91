using System.Text;
using Akka.Actor;
using Confluent.Kafka;
using Pipelines.Configuration;
using Pipelines.Delay;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;
using Config = Akka.Configuration.Config;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>A queue with <c>retry = on</c>: a failing handler is retried in place, then dead-lettered with the failure in headers.</summary>
public sealed class KafkaQueueRetryTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EmbeddedClusterFixture _fixture;

    public KafkaQueueRetryTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(SystemConfig, nameof(KafkaQueueRetryTests), output)
    {
        _fixture = fixture;
    }

    // Two retries in place, 1 ms apart, then straight to the dead-letter topic (no non-blocking retry, so no delay router).
    private static Config SystemConfig { get; } = PipelinesConfiguration.ParseString(
        """
        pipelines.retry {
          in-place { attempts = 2, backoff = 1ms, max-backoff = 1ms, backoff-type = constant, jitter = off }
          non-blocking.attempts = 0
        }
        """).WithFallback(AkkaTestConfig.RealTime).WithFallback(PipelinesConfiguration.Reference());

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Theory]
    [InlineData(KafkaQueueOrdering.PerKey)]
    [InlineData(KafkaQueueOrdering.Unordered)]
    public async Task HandlerFails_RetriedInPlace_ThenDeadLetteredWithHeaders_AndThePartitionGoesOn(KafkaQueueOrdering ordering)
    {
        var topic = await Kafka.CreateTopicAsync(partitions: 2);
        var group = KafkaClusterFixture.NewGroupId();
        Kafka.Embedded!.CreateTopic($"{group}-retry", 2);
        Kafka.Embedded.CreateTopic($"{group}-dlt", 2);
        await Kafka.ProduceBatchAsync(topic, Enumerable.Range(0, 20).Select(i => new Message<string, string>
        {
            Key = i == 7 ? "user-bad" : $"user-{i}",
            Value = $"login-{i}",
            Headers = [new Header("trace", Encoding.UTF8.GetBytes($"t{i}"))],
        }));
        var handler = new RecordingHandler
        {
            Work = static (c, _) => c.Key == "user-bad" ? throw new InvalidOperationException($"cannot store {c.Value}") : Task.CompletedTask,
        };
        var options = QueueTestOptions.For(Kafka, topic, o => (o.Group, o.Retry, o.Ordering) = (group, true, ordering));
        var queue = new KafkaQueue(Sys, options, handler);

        queue.RetryTopic.Should().Be($"{group}-retry");
        queue.DeadLetterTopic.Should().Be($"{group}-dlt");
        queue.Start();
        var letter = (await Kafka.ConsumeAllAsync<string, string>($"{group}-dlt", 1, Patience)).Should().ContainSingle().Subject;
        await Eventually.TrueAsync(() => handler.FinishedCount == 19, Patience, "every other message handled");
        await Eventually.TrueAsync(
            async () => (await Kafka.GetCommittedOffsetsAsync(group, topic)).Sum(o => o.Offset.Value) == 20,
            Patience,
            "the dead-lettered message is committed with the others");
        await queue.DisposeAsync();

        handler.Started.Count(c => c.Key == "user-bad").Should().Be(3, "one call and two retries in place");
        letter.Message.Key.Should().Be("user-bad");
        letter.Message.Value.Should().Be("login-7");
        Text(letter.Message.Headers, PipelinesHeaders.OriginalTopic).Should().Be(topic);
        Text(letter.Message.Headers, PipelinesHeaders.ConsumerGroup).Should().Be(group);
        Text(letter.Message.Headers, PipelinesHeaders.ExceptionType).Should().Be("System.InvalidOperationException");
        Text(letter.Message.Headers, PipelinesHeaders.ExceptionMessage).Should().Be("cannot store login-7");
        Text(letter.Message.Headers, PipelinesHeaders.DeadLetterReason).Should().Be("attempts-exhausted");
        Text(letter.Message.Headers, "trace").Should().Be("t7", "the user's headers travel with the dead letter");
        var metrics = queue.RetryMetrics!.Snapshot();
        metrics.Handled.Should().Be(19);
        metrics.RetriedInPlace.Should().Be(2);
        metrics.DeadLettered.Should().Be(1);
    }

    private static string Text(Headers headers, string key) => Encoding.UTF8.GetString(headers.GetLastBytes(key));
}
