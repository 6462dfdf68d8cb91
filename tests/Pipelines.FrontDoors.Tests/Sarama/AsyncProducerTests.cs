using System.Threading.Channels;
using Confluent.Kafka;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Sarama;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;

namespace Pipelines.FrontDoors.Tests.Sarama;

public sealed class AsyncProducerTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Input_ReturnSuccesses_EveryMessageComesBackStored_WithItsMetadata()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 3);
        var producer = Producer(new SaramaProducerOptions { ReturnSuccesses = true, Balancer = Balancer.RoundRobin });
        const int count = 200;

        for (var i = 0; i < count; i++)
        {
            var message = SaramaMessage.Create(topic, $"k{i}", $"v{i}");
            message.Metadata = i;
            await producer.Input.WriteAsync(message);
        }

        var successes = await ReadAsync(producer.Successes, count);
        await producer.CloseAsync();

        successes.Select(m => (int)m.Metadata!).Should().BeEquivalentTo(Enumerable.Range(0, count));
        successes.Should().OnlyContain(m => m.Partition != null && m.Offset != null);
        producer.SuccessCount.Should().Be(count);
        producer.ErrorCount.Should().Be(0);
        var stored = await kafka.ConsumeAllAsync(topic, count, Patience);
        stored.Select(r => (r.Partition.Value, r.Offset.Value))
            .Should().BeEquivalentTo(successes.Select(m => (m.Partition!.Value, m.Offset!.Value)));
        await producer.Errors.Completion.WaitAsync(Patience);
        producer.Errors.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Errors_FailedMessages_ComeBackWithTheirReason()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var producer = Producer(new SaramaProducerOptions { ReturnSuccesses = true, Balancer = Balancer.Manual });

        await producer.SendAsync(Placed(topic, "ok", 0));
        await producer.SendAsync(Placed(topic, "nowhere", 5));
        await producer.SendAsync(SaramaMessage.Create(topic, null, "unplaced"));

        var errors = await ReadAsync(producer.Errors, 2);
        var successes = await ReadAsync(producer.Successes, 1);
        await producer.CloseAsync();

        successes.Single().Value.Should().Equal("ok"u8.ToArray());
        errors.Should().Contain(e => e.Exception is KafkaProduceException<byte[]?, byte[]?>
            && ((KafkaProduceException<byte[]?, byte[]?>)e.Exception).Error.Code == ErrorCode.Local_UnknownPartition);
        errors.Should().Contain(e => e.Exception is ArgumentException && e.Exception.Message.Contains("names no partition", StringComparison.Ordinal));
        producer.ErrorCount.Should().Be(2);
    }

    [Fact]
    public async Task ReaderNeverReadsSuccesses_InputBackPressures_NothingIsDropped_AndCloseDrains()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var producer = Producer(new SaramaProducerOptions { ReturnSuccesses = true, ChannelBufferSize = 4 });

        for (var i = 0; i < 8; i++)
        {
            await producer.SendAsync(SaramaMessage.Create(topic, null, $"v{i}")).AsTask().WaitAsync(Patience);
        }

        // Four results wait unread (the bound), four messages wait in Input (its capacity): the next writer waits.
        await Eventually.TrueAsync(() => producer.SuccessCount == 4 && producer.InputCount == 4, what: "four unread successes and a full input");
        var ninth = producer.SendAsync(SaramaMessage.Create(topic, null, "v8")).AsTask();
        ninth.IsCompleted.Should().BeFalse("no permit is free until a result is read");
        producer.SuccessCount.Should().Be(4);

        producer.Successes.TryRead(out var first).Should().BeTrue();
        await ninth.WaitAsync(Patience);
        await Eventually.TrueAsync(() => producer.SuccessCount == 5, what: "one more message once a result was read");

        await producer.CloseAsync().WaitAsync(Patience);   // with 4 results still unread and 4 messages in Input

        producer.SuccessCount.Should().Be(9);
        var rest = await ReadAsync(producer.Successes, 8);
        await producer.Successes.Completion.WaitAsync(Patience);
        rest.Prepend(first!).Select(m => System.Text.Encoding.UTF8.GetString(m.Value!))
            .Should().Equal(Enumerable.Range(0, 9).Select(i => $"v{i}"), "one partition keeps the order");
        (await kafka.ConsumeAllAsync(topic, 9, Patience)).Should().HaveCount(9);
    }

    [Fact]
    public async Task ReaderNeverReadsErrors_ErrorsAreKept_CloseDrains_AndLateWritersAreRefused()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var producer = Producer(new SaramaProducerOptions { Balancer = Balancer.Manual, ChannelBufferSize = 2 });

        for (var i = 0; i < 4; i++)
        {
            await producer.SendAsync(Placed(topic, $"v{i}", 7)).AsTask().WaitAsync(Patience);
        }

        await Eventually.TrueAsync(() => producer.ErrorCount == 2 && producer.InputCount == 2, what: "two unread errors and a full input");
        var fifth = producer.SendAsync(Placed(topic, "v4", 7)).AsTask();
        fifth.IsCompleted.Should().BeFalse();

        await producer.CloseAsync().WaitAsync(Patience);

        await fifth.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<ChannelClosedException>();
        producer.ErrorCount.Should().Be(4);
        var errors = await ReadAsync(producer.Errors, 4);
        errors.Select(e => System.Text.Encoding.UTF8.GetString(e.Message.Value!)).Should().Equal("v0", "v1", "v2", "v3");
        await producer.Errors.Completion.WaitAsync(Patience);
        producer.Successes.TryRead(out _).Should().BeFalse("ReturnSuccesses is off");
        await producer.Successes.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task ReturnErrorsOff_FailuresReachTheFailedHandler_AndASendWithoutOneIsRefused()
    {
        var topic = await kafka.CreateTopicAsync(partitions: 1);
        var producer = Producer(new SaramaProducerOptions { Balancer = Balancer.Manual, ReturnErrors = false });

        var refused = () => producer.SendAsync(Placed(topic, "v", 3)).AsTask();
        await refused.Should().ThrowAsync<InvalidOperationException>().WithMessage("*ReturnErrors is false*Failed*");

        var failed = new System.Collections.Concurrent.ConcurrentQueue<ProducerError>();
        producer.Failed += (_, error) => failed.Enqueue(error);
        await producer.SendAsync(Placed(topic, "v", 3));
        await producer.SendAsync(Placed(topic, "w", 0));
        await producer.CloseAsync();

        failed.Should().ContainSingle().Which.Message.Partition.Should().Be(3);
        producer.ErrorCount.Should().Be(1);
        producer.SuccessCount.Should().Be(1);
        producer.Errors.TryRead(out _).Should().BeFalse();
    }

    private static SaramaMessage Placed(string topic, string value, int partition)
    {
        var message = SaramaMessage.Create(topic, null, value);
        message.Partition = partition;
        return message;
    }

    private static async Task<List<T>> ReadAsync<T>(ChannelReader<T> reader, int count)
    {
        var read = new List<T>(count);
        using var timeout = new CancellationTokenSource(Patience);
        while (read.Count < count)
        {
            read.Add(await reader.ReadAsync(timeout.Token));
        }

        return read;
    }

    private AsyncProducer Producer(SaramaProducerOptions options) => new(TestSettings.Producer(kafka.BootstrapServers), options);
}
