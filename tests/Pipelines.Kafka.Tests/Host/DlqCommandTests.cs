using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Pipelines.Delay;

namespace Pipelines.Kafka.Tests.Host;

/// <summary>
/// <c>dlq list</c> and <c>dlq replay</c> run as processes against the standalone broker, over dead letters written with the
/// retry route's failure headers; replays are counted by a consumer of the test's own.
/// </summary>
[Collection(HostCommandsCollection.Name)]
public sealed class DlqCommandTests(BrokerProcessFixture broker)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task List_TextFormat_PrintsWhereEachDeadLetterCameFromAndWhyOnOneLine()
    {
        var (dlt, original) = await TopicsAsync();
        await WriteAsync(dlt, Letter(original, "order-1", "v1", typeof(TimeoutException), partition: 1, offset: 42, attempt: 3, Now.AddHours(-1)));
        await WriteAsync(dlt, Letter(original, null, "v2", typeof(FormatException), partition: 0, offset: 7, attempt: 0, Now.AddHours(-2), DeadLetterReason.NonRetriable));

        var result = (await broker.RunAsync("dlq", "list", dlt)).ShouldSucceed();

        result.Lines.Should().HaveCount(2);
        result.Lines[0].Should().Be(
            $"partition=0 offset=0 original-topic={original} original-partition=1 original-offset=42 group=billing attempt=3 reason=attempts-exhausted " +
            $"exception=System.TimeoutException first-failure={Text(Now.AddHours(-1).AddMinutes(-5))} last-failure={Text(Now.AddHours(-1))} " +
            "message=\"boom order-1\" key=\"order-1\" headers={\"trace\":\"t-order-1\"} value=\"v1\"");
        result.Lines[1].Should().StartWith($"partition=0 offset=1 original-topic={original} original-partition=0 original-offset=7 group=billing attempt=0 reason=non-retriable exception=System.FormatException ")
            .And.EndWith(" key=null headers={\"trace\":\"t-null\"} value=\"v2\"");
        result.Error.Should().Contain($"Listed 2 dead letter(s) of topic {dlt}.");
    }

    [Fact]
    public async Task List_JsonFormat_CarriesEveryFailureFieldAndTheStackTrace()
    {
        var (dlt, original) = await TopicsAsync();
        await WriteAsync(dlt, Letter(original, "order-3", "v3", typeof(InvalidOperationException), partition: 2, offset: 9, attempt: 2, Now.AddMinutes(-10)));

        var result = (await broker.RunAsync("dlq", "list", dlt, "--format", "json")).ShouldSucceed();

        using var json = JsonDocument.Parse(result.Lines.Should().ContainSingle().Subject);
        var root = json.RootElement;
        root.GetProperty("topic").GetString().Should().Be(dlt);
        root.GetProperty("originalTopic").GetString().Should().Be(original);
        root.GetProperty("originalPartition").GetInt32().Should().Be(2);
        root.GetProperty("originalOffset").GetInt64().Should().Be(9);
        root.GetProperty("attempt").GetInt32().Should().Be(2);
        root.GetProperty("exception").GetString().Should().Be("System.InvalidOperationException");
        root.GetProperty("reason").GetString().Should().Be("attempts-exhausted");
        root.GetProperty("stackTrace").GetString().Should().Be("System.InvalidOperationException: boom order-3\n   at Handler()");
        root.GetProperty("lastFailure").GetString().Should().Be(Text(Now.AddMinutes(-10)));
        root.GetProperty("key").GetString().Should().Be("order-3");
        root.GetProperty("value").GetString().Should().Be("v3");
        root.GetProperty("headers")[0].GetProperty("key").GetString().Should().Be("trace");
    }

    [Fact]
    public async Task List_Filters_SelectByKeyExceptionOriginalTopicTimeAndCount()
    {
        var (dlt, original) = await TopicsAsync();
        await WriteAsync(dlt, Letter(original, "a", "1", typeof(TimeoutException), 0, 1, 1, Now.AddHours(-3)));
        await WriteAsync(dlt, Letter(original, "b", "2", typeof(TimeoutException), 0, 2, 1, Now.AddHours(-2)));
        await WriteAsync(dlt, Letter(original, "a", "3", typeof(FormatException), 0, 3, 1, Now.AddHours(-1)));
        await WriteAsync(dlt, Letter(original, "c", "4", typeof(TimeoutException), 0, 4, 1, Now.AddMinutes(-1)));
        await WriteAsync(dlt, Letter(original + "-other", "d", "5", typeof(FormatException), 0, 5, 1, Now.AddMinutes(-1)));

        var byKey = (await broker.RunAsync("dlq", "list", dlt, "--key", "a")).ShouldSucceed();
        var byException = (await broker.RunAsync("dlq", "list", dlt, "--exception", "System.TimeoutException", "--format", "json")).ShouldSucceed();
        var byTime = (await broker.RunAsync("dlq", "list", dlt, "--from", "150m", "--to", Text(Now.AddMinutes(-30)))).ShouldSucceed();
        var byCount = (await broker.RunAsync("dlq", "list", dlt, "--exception", "System.TimeoutException", "--max", "2")).ShouldSucceed();
        var byOriginal = (await broker.RunAsync("dlq", "list", dlt, "--original-topic", original)).ShouldSucceed();

        Values(byKey).Should().Equal("1", "3");
        byException.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("value").GetString()).Should().Equal("1", "2", "4");
        Values(byTime).Should().Equal("2", "3");
        Values(byCount).Should().Equal("1", "2");
        Values(byOriginal).Should().Equal("1", "2", "3", "4");
    }

    [Fact]
    public async Task Replay_WithAFilter_SendsTheMatchesToTheirOriginalTopicWithKeyValueAndUserHeadersOnly()
    {
        var (dlt, original) = await TopicsAsync();
        await WriteAsync(dlt, Letter(original, "k1", "v1", typeof(TimeoutException), 0, 1, 3, Now.AddMinutes(-3)));
        await WriteAsync(dlt, Letter(original, "k2", "v2", typeof(FormatException), 0, 2, 0, Now.AddMinutes(-2), DeadLetterReason.NonRetriable));
        await WriteAsync(dlt, Letter(original, "k3", "v3", typeof(TimeoutException), 0, 3, 3, Now.AddMinutes(-1)));

        var result = (await broker.RunAsync("dlq", "replay", dlt, "--exception", "System.TimeoutException")).ShouldSucceed();

        result.Lines.Should().Equal("read=3 matched=2 replayed=2 skipped=1");
        result.Error.Should().Contain($"Replayed 2 dead letter(s) of topic {dlt}");
        var replayed = await ReadAllAsync(original);
        replayed.Select(r => (Encoding.UTF8.GetString(r.Message.Key), Encoding.UTF8.GetString(r.Message.Value))).Should().BeEquivalentTo([("k1", "v1"), ("k3", "v3")]);
        replayed.Should().OnlyContain(r => r.Message.Headers.Count == 1 && r.Message.Headers[0].Key == "trace", "the pipelines- headers are dropped, the user's stay");
        (await ReadAllAsync(dlt)).Should().HaveCount(3, "the dead-letter topic is not changed");
    }

    [Fact]
    public async Task Replay_WithMax_SendsOnlyTheFirstMatches()
    {
        var (dlt, original) = await TopicsAsync();
        for (var i = 0; i < 4; i++)
        {
            await WriteAsync(dlt, Letter(original, $"k{i}", $"v{i}", typeof(TimeoutException), 0, i, 3, Now.AddMinutes(-i - 1)));
        }

        var result = (await broker.RunAsync("dlq", "replay", dlt, "--max", "3")).ShouldSucceed();

        result.Lines.Should().Equal("read=4 matched=3 replayed=3 skipped=1");
        (await ReadAllAsync(original)).Select(r => Encoding.UTF8.GetString(r.Message.Value)).Should().BeEquivalentTo(["v0", "v1", "v2"]);
    }

    [Fact]
    public async Task Replay_DryRun_ListsWhatWouldGoAndSendsNothing()
    {
        var (dlt, original) = await TopicsAsync();
        await WriteAsync(dlt, Letter(original, "k1", "v1", typeof(TimeoutException), 0, 1, 3, Now.AddMinutes(-1)));

        var result = (await broker.RunAsync("dlq", "replay", dlt, "--dry-run")).ShouldSucceed();

        result.Lines.Should().ContainSingle().Which.Should().StartWith($"partition=0 offset=0 original-topic={original} ");
        result.Error.Should().Contain("Dry run: 1 dead letter(s)").And.Contain("nothing was sent");
        (await ReadAllAsync(original)).Should().BeEmpty();
    }

    [Fact]
    public async Task Replay_OriginalTopicMissing_FailsBeforeSendingAnything()
    {
        var (dlt, original) = await TopicsAsync();
        var missing = BrokerProcessFixture.NewTopicName();
        await WriteAsync(dlt, Letter(original, "k1", "v1", typeof(TimeoutException), 0, 1, 3, Now.AddMinutes(-2)));
        await WriteAsync(dlt, Letter(missing, "k2", "v2", typeof(TimeoutException), 0, 2, 3, Now.AddMinutes(-1)));

        var result = await broker.RunAsync("dlq", "replay", dlt);

        result.ShouldFailWith($"the original topic \"{missing}\" of 1 dead letter(s) of \"{dlt}\" does not exist");
        (await ReadAllAsync(original)).Should().BeEmpty("nothing is sent when one original topic is missing");
    }

    [Fact]
    public async Task List_ARecordWithoutFailureHeaders_FailsNamingIt()
    {
        var (dlt, _) = await TopicsAsync();
        (await broker.RunAsync("produce", dlt, "--key", "k", "--value", "not a dead letter")).ShouldSucceed();

        var result = await broker.RunAsync("dlq", "list", dlt);

        result.ShouldFailWith($"reading the dead-letter topic \"{dlt}\" failed");
        result.Error.Should().Contain(PipelinesHeaders.OriginalTopic).And.Contain("not a dead letter written by Pipelines");
    }

    [Fact]
    public async Task List_UnknownTopic_SaysItDoesNotExist()
    {
        var missing = BrokerProcessFixture.NewTopicName();

        var result = await broker.RunAsync("dlq", "list", missing);

        result.ShouldFailWith($"topic \"{missing}\" does not exist");
    }

    [Theory]
    [InlineData("dlq|list|bad topic", "invalid topic name \"bad topic\"")]
    [InlineData("dlq|list|billing-dlt|--from|tomorrow", "--from \"tomorrow\": not a time")]
    [InlineData("dlq|list|billing-dlt|--to|5", "--to 5: give a time")]
    [InlineData("dlq|list|billing-dlt|--from|1h|--to|2h", "--from (")]
    [InlineData("dlq|replay|billing-dlt|--max|0", "--max must be at least 1")]
    [InlineData("dlq|list|billing-dlt|--format|xml", "--format must be text or json")]
    [InlineData("dlq|replay|billing-dlt|--exception|", "--exception is empty")]
    [InlineData("dlq|list|billing-dlt|--timeout|5", "--timeout 5: give a unit")]
    public async Task BadInput_FailsWithOneClearLineBeforeConnecting(string arguments, string expected)
    {
        var result = await BrokerProcessFixture.RunAsync(new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1" }, arguments.Split('|'));

        result.ShouldFailWith(expected);
    }

    private async Task<(string DeadLetterTopic, string OriginalTopic)> TopicsAsync() =>
        (await broker.CreateTopicAsync(partitions: 1), await broker.CreateTopicAsync(partitions: 2));

    private static FailureInfo Failure(string original, string? key, Type exception, int partition, long offset, int attempt, DateTimeOffset lastFailure, DeadLetterReason reason) => new()
    {
        OriginalTopic = original,
        OriginalPartition = partition,
        OriginalOffset = offset,
        OriginalTimestamp = lastFailure.AddMinutes(-10),
        OriginalKey = key is null ? null : Encoding.UTF8.GetBytes(key),
        ConsumerGroup = "billing",
        ExceptionType = exception.FullName!,
        ExceptionMessage = $"boom {key}",
        StackTrace = $"{exception.FullName}: boom {key}\n   at Handler()",
        Attempt = attempt,
        FirstFailure = lastFailure.AddMinutes(-5),
        LastFailure = lastFailure,
        DeadLetterReason = reason,
    };

    /// <summary>A dead letter as the retry route writes it: the original key, value and user header, and the failure headers.</summary>
    private static Message<byte[]?, byte[]> Letter(
        string original, string? key, string value, Type exception, int partition, long offset, int attempt, DateTimeOffset lastFailure,
        DeadLetterReason reason = DeadLetterReason.AttemptsExhausted)
    {
        var headers = new Headers { { "trace", Encoding.UTF8.GetBytes($"t-{key ?? "null"}") } };
        FailureHeaders.Write(headers, Failure(original, key, exception, partition, offset, attempt, lastFailure, reason));
        return new Message<byte[]?, byte[]> { Key = key is null ? null : Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value), Headers = headers };
    }

    private async Task WriteAsync(string topic, Message<byte[]?, byte[]> letter)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build();
        var stored = await producer.ProduceAsync(new TopicPartition(topic, 0), letter);
        stored.Status.Should().Be(PersistenceStatus.Persisted);
    }

    /// <summary>Every record of <paramref name="topic"/> up to its end offsets now, read by a consumer of the test's own (no group).</summary>
    private Task<List<ConsumeResult<byte[], byte[]>>> ReadAllAsync(string topic) => Task.Run(() =>
    {
        var config = new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = BrokerProcessFixture.NewGroupId(), EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, BrokerProcessFixture.Patience).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, BrokerProcessFixture.Patience).High.Value);
        var records = new List<ConsumeResult<byte[], byte[]>>();
        var open = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        using var deadline = new CancellationTokenSource(BrokerProcessFixture.Patience);
        while (open.Count > 0)
        {
            var record = consumer.Consume(deadline.Token);
            records.Add(record);
            if (record.Offset.Value + 1 >= ends[record.Partition.Value])
            {
                open.Remove(record.Partition.Value);
            }
        }

        return records;
    });

    private static IEnumerable<string> Values(CommandResult result) =>
        result.Lines.Select(l => l[(l.LastIndexOf(" value=\"", StringComparison.Ordinal) + 8)..^1]);

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
