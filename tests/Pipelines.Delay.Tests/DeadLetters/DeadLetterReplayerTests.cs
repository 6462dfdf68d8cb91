using System.Text;
using Confluent.Kafka;
using Pipelines.Delay.Tests.Client;
using Pipelines.Kafka;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Delay.Tests.DeadLetters;

using Headers = Confluent.Kafka.Headers;

public sealed class DeadLetterReplayerTests : IClassFixture<KafkaClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly KafkaClusterFixture _kafka;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly RetryMetrics _metrics = new();
    private string _deadLetters = string.Empty;
    private string _orders = string.Empty;
    private string _payments = string.Empty;

    public DeadLetterReplayerTests(KafkaClusterFixture kafka)
    {
        _kafka = kafka;
        _producer = KafkaProducer.CreateProducer(DelayQueueTestKit.ProducerSettings(kafka));
    }

    private DeadLetterReplayer Replayer => new(DelayQueueTestKit.ProducerSettings(_kafka), _producer, _metrics);

    public async Task InitializeAsync()
    {
        _deadLetters = await _kafka.CreateTopicAsync(partitions: 2);
        _orders = await _kafka.CreateTopicAsync();
        _payments = await _kafka.CreateTopicAsync();
    }

    public Task DisposeAsync()
    {
        _producer.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ReplayAsync_All_SendsEveryDeadLetterToItsOriginalTopicWithOnlyTheUserHeaders()
    {
        await WriteDeadLettersAsync();

        var result = await Replayer.ReplayAsync(_deadLetters);

        result.Should().Be(new DeadLetterReplayResult(Read: 4, Matched: 4, Replayed: 4, Skipped: 0));
        var orders = await _kafka.ConsumeAllAsync<byte[], byte[]>(_orders, 2, Patience);
        var payments = await _kafka.ConsumeAllAsync<byte[], byte[]>(_payments, 2, Patience);
        orders.Select(r => Text(r.Message.Key)).Should().BeEquivalentTo(["k1", "k2"]);
        payments.Select(r => Text(r.Message.Key)).Should().BeEquivalentTo(new string?[] { "k3", null });
        foreach (var record in orders.Concat(payments))
        {
            var key = Text(record.Message.Key) ?? "null";
            Text(record.Message.Value).Should().Be($"value of {key}");
            record.Message.Headers.Select(h => (h.Key, Text(h.GetValueBytes()))).Should().Equal([("tenant", $"tenant of {key}")], "only the user's headers go back");
        }

        _metrics.Snapshot().Replayed.Should().Be(4);
    }

    [Fact]
    public async Task ReplayAsync_FilteredByExceptionTypeAndOriginalTopic_ReplaysOnlyTheMatchAndCountsTheRestSkipped()
    {
        await WriteDeadLettersAsync();
        var filter = new DeadLetterFilter { ExceptionType = "System.FormatException", OriginalTopic = _orders };

        var result = await Replayer.ReplayAsync(_deadLetters, filter);

        result.Should().Be(new DeadLetterReplayResult(Read: 4, Matched: 1, Replayed: 1, Skipped: 3));
        (await _kafka.ConsumeAllAsync<byte[], byte[]>(_orders, 1, Patience)).Select(r => Text(r.Message.Key)).Should().Equal("k2");
        (await _kafka.ConsumeAllAsync<byte[], byte[]>(_payments, 0, Patience)).Should().BeEmpty();
    }

    [Fact]
    public async Task ListAsync_FilteredByFailureTimeAndKey_ReturnsTheMatchingDeadLettersWithTheirFailure()
    {
        await WriteDeadLettersAsync();

        var inRange = await Replayer.ListAsync(_deadLetters, new DeadLetterFilter { FailedFrom = T0.AddHours(1), FailedBefore = T0.AddHours(3) });
        var byKey = await Replayer.ListAsync(_deadLetters, new DeadLetterFilter { Key = Encoding.UTF8.GetBytes("k3") });
        var byPredicate = await Replayer.ListAsync(_deadLetters, new DeadLetterFilter { Where = letter => letter.Key is null });

        inRange.Select(l => Text(l.Key)).Should().BeEquivalentTo(["k2", "k3"], "the lower bound is inclusive, the upper exclusive");
        var letter = byKey.Should().ContainSingle().Subject;
        letter.Topic.Should().Be(_deadLetters);
        letter.Failure.OriginalTopic.Should().Be(_payments);
        letter.Failure.ExceptionType.Should().Be("System.TimeoutException");
        letter.Failure.LastFailure.Should().Be(T0.AddHours(2));
        letter.Failure.DeadLetterReason.Should().Be(DeadLetterReason.AttemptsExhausted);
        letter.UserHeaders.Select(h => h.Key).Should().Equal("tenant");
        byPredicate.Should().ContainSingle().Which.Failure.ExceptionType.Should().Be("System.FormatException");
        _metrics.Snapshot().Replayed.Should().Be(0, "listing sends nothing");
    }

    [Fact]
    public async Task ReplayAsync_EmptyTopic_ReplaysNothing()
    {
        var result = await Replayer.ReplayAsync(_deadLetters);

        result.Should().Be(new DeadLetterReplayResult(0, 0, 0, 0));
    }

    [Fact]
    public async Task ReplayAsync_RecordWithoutFailureHeaders_FailsNamingItAndSendsNothing()
    {
        await WriteDeadLettersAsync();
        var stray = (await _kafka.ProduceBatchAsync(_deadLetters, [new Message<string, string> { Key = "stray", Value = "not a dead letter" }])).Single();

        var act = () => Replayer.ReplayAsync(_deadLetters);

        var failure = (await act.Should().ThrowAsync<KafkaHeaderException>()).Which;
        failure.Header.Should().Be(PipelinesHeaders.OriginalTopic);
        failure.Message.Should().Contain($"{_deadLetters} [{stray.Partition.Value}] @{stray.Offset.Value}").And.Contain("no failure headers");
        (await _kafka.ConsumeAllAsync<byte[], byte[]>(_orders, 0, Patience)).Should().BeEmpty();
    }

    /// <summary>Four dead letters: k1 and k2 from the orders topic, k3 and a null key from the payments topic, failing an hour apart.</summary>
    private async Task WriteDeadLettersAsync()
    {
        (string? Key, string Topic, string Exception)[] letters =
        [
            ("k1", _orders, "System.TimeoutException"),
            ("k2", _orders, "System.FormatException"),
            ("k3", _payments, "System.TimeoutException"),
            (null, _payments, "System.FormatException"),
        ];
        var messages = letters.Select((l, i) =>
        {
            var key = l.Key ?? "null";
            var headers = new Headers { { "tenant", Encoding.UTF8.GetBytes($"tenant of {key}") } };
            FailureHeaders.Write(headers, new FailureInfo
            {
                OriginalTopic = l.Topic,
                OriginalPartition = 0,
                OriginalOffset = i,
                OriginalTimestamp = T0,
                OriginalKey = l.Key is null ? null : Encoding.UTF8.GetBytes(l.Key),
                ConsumerGroup = "billing",
                ExceptionType = l.Exception,
                ExceptionMessage = "failed",
                StackTrace = l.Exception + ": failed",
                Attempt = 3,
                FirstFailure = T0,
                LastFailure = T0.AddHours(i),
                DeadLetterReason = DeadLetterReason.AttemptsExhausted,
            });
            headers.Add(PipelinesHeaders.DelayId, Encoding.ASCII.GetBytes(DelayMessageId.New(T0).ToString()));
            return new Message<byte[], byte[]> { Key = l.Key is null ? null! : Encoding.UTF8.GetBytes(l.Key), Value = Encoding.UTF8.GetBytes($"value of {key}"), Headers = headers };
        });
        await _kafka.ProduceBatchAsync(_deadLetters, messages);
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
