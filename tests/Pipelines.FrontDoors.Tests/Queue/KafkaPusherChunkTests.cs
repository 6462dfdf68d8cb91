using System.Text;
using Akka.TestKit;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.FrontDoors.Balancers;
using Pipelines.FrontDoors.Producing;
using Pipelines.FrontDoors.Queue;
using Pipelines.FrontDoors.Tests.Support;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Xunit.Abstractions;

namespace Pipelines.FrontDoors.Tests.Queue;

/// <summary>
/// Chunks, flushes and outcomes of the pusher on virtual time: the ActorSystem's TestScheduler times the flush interval,
/// and a recording client stores every record at once, noting the virtual time it got it.
/// </summary>
public sealed class KafkaPusherChunkTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly RecordingProducer _client;

    public KafkaPusherChunkTests(ITestOutputHelper output)
        : base(AkkaTestConfig.VirtualTime, nameof(KafkaPusherChunkTests), output)
    {
        _client = new RecordingProducer { Clock = () => Scheduler.Now };
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task Push_LightRecords_WaitForTheFlushInterval_ThenLeaveAsOneChunk()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 100, FlushInterval = Interval });
        pusher.Push("first");
        await AdvanceUntilAsync(() => _client.Records.Count == 1);
        var tick = Scheduler.Now;

        pusher.Push("b");
        pusher.Push("c");
        await Eventually.TrueAsync(() => pusher.PendingCount == 0, what: "the chunk stage to take b and c");
        Scheduler.Advance(Interval - TimeSpan.FromSeconds(1));
        pusher.Push(new string('d', 98));   // 1 + 1 + 98 = ChunkSize: the chunk is full

        await Eventually.TrueAsync(() => _client.Records.Count == 4, what: "the full chunk");
        pusher.ChunkCount.Should().Be(2, "b and c were still waiting when d filled their chunk, one second before the interval");
        _client.Records.Skip(1).Select(r => r.At).Should().OnlyContain(at => at == tick + Interval - TimeSpan.FromSeconds(1));

        pusher.Push("e");
        await Eventually.TrueAsync(() => pusher.PendingCount == 0, what: "the chunk stage to take e");
        Scheduler.Advance(Interval);
        await Eventually.TrueAsync(() => _client.Records.Count == 5, what: "e after the interval");
        pusher.ChunkCount.Should().Be(3);
        Values().Should().Equal("first", "b", "c", new string('d', 98), "e");
    }

    [Fact]
    public async Task Push_ChunkSizeReached_LeavesWithoutWaiting_TheRestWaitsForTheInterval()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 100, FlushInterval = Interval });
        var start = Scheduler.Now;

        for (var i = 0; i < 5; i++)
        {
            pusher.Push(new string((char)('a' + i), 50));
        }

        await Eventually.TrueAsync(() => _client.Records.Count == 4, what: "two full chunks");
        pusher.ChunkCount.Should().Be(2);
        _client.Records.Should().OnlyContain(r => r.At == start, "no virtual time passed");

        await AdvanceUntilAsync(() => _client.Records.Count == 5);
        pusher.ChunkCount.Should().Be(3);
        _client.Records[4].At.Should().BeAfter(start);
    }

    [Fact]
    public async Task PushAsync_SyncPush_BypassesChunks_AndReturnsTheDelivery()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1_000_000, FlushInterval = TimeSpan.FromHours(1), SyncPush = true });

        var first = await pusher.PushAsync("k", "v1").WaitAsync(TimeSpan.FromSeconds(30));
        var second = await pusher.PushAsync("k", "v2").WaitAsync(TimeSpan.FromSeconds(30));

        first.Should().Be(new Delivery("t", 0, 0));
        second.Should().Be(new Delivery("t", 0, 1));
        pusher.ChunkCount.Should().Be(0);
        pusher.DeliveredCount.Should().Be(2);
    }

    [Fact]
    public async Task PushAsync_Chunked_CompletesWithTheDeliveryOnceItsChunkIsStored()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 100, FlushInterval = Interval });
        var headers = new Headers { { "trace", [1, 2] } };

        var pushing = pusher.PushAsync("key", "value", headers);
        await AdvanceUntilAsync(() => pushing.IsCompleted);

        (await pushing).Should().Be(new Delivery("t", 0, 0));
        var sent = _client.Records.Single();
        Encoding.UTF8.GetString(sent.Message.Key!).Should().Be("key");
        Encoding.UTF8.GetString(sent.Message.Value!).Should().Be("value");
        sent.Message.Headers.Should().BeSameAs(headers);
    }

    [Fact]
    public async Task Push_FailedDelivery_ReachesTheHandlerAndTheCounter_PushAsyncFailureReachesTheCaller()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1, FlushInterval = Interval });
        var failures = new List<PushFailure>();
        pusher.Failed += (_, failure) => failures.Add(failure);
        _client.FailNext(ErrorCode.TopicAuthorizationFailed, ErrorCode.MsgSizeTooLarge);

        pusher.Push("k1", "lost");
        var awaited = () => pusher.PushAsync("k2", "too large");

        var thrown = (await awaited.Should().ThrowAsync<KafkaProduceException<byte[]?, byte[]?>>()).Which;
        thrown.Error.Code.Should().Be(ErrorCode.MsgSizeTooLarge);
        thrown.Message.Should().Contain("topic \"t\"");
        await Eventually.TrueAsync(() => failures.Count == 1, what: "the failure handler");
        failures[0].Key.Should().Be("k1");
        failures[0].Value.Should().Be("lost");
        failures[0].Topic.Should().Be("t");
        failures[0].Exception.Should().BeOfType<KafkaProduceException<byte[]?, byte[]?>>()
            .Which.Message.Should().Contain("topic \"t\"").And.Contain("WRITE");
        pusher.FailedCount.Should().Be(2, "awaited and fire-and-forget failures are both counted");
        failures.Should().HaveCount(1, "an awaited push's failure goes to its caller, not the handler");
    }

    [Fact]
    public async Task Push_HandlerThrows_TheFailureIsStillCounted_AndTheHandlersErrorToo()
    {
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1, FlushInterval = Interval });
        pusher.Failed += (_, _) => throw new InvalidOperationException("handler bug");
        _client.FailNext(ErrorCode.TopicAuthorizationFailed);

        pusher.Push("lost");
        var stored = await pusher.PushAsync("next");

        stored.Offset.Should().Be(0, "the pusher keeps working after a handler threw");
        pusher.FailedCount.Should().Be(1);
        pusher.HandlerErrorCount.Should().Be(1);
    }

    [Fact]
    public async Task Push_MissingTopicWithoutAutoCreation_FailsNamingTheTopic()
    {
        var counts = new FixedPartitionCounts(new Dictionary<string, int>());
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "missing", ChunkSize = 1, FlushInterval = Interval }, counts);
        var failures = new List<PushFailure>();
        pusher.Failed += (_, failure) => failures.Add(failure);

        var awaited = () => pusher.PushAsync("v");
        pusher.Push("w");

        (await awaited.Should().ThrowAsync<KafkaException>()).Which.Error.Code.Should().Be(ErrorCode.UnknownTopicOrPart);
        await Eventually.TrueAsync(() => failures.Count == 1, what: "the failure handler");
        failures[0].Exception.Message.Should().Contain("\"missing\"");
        _client.Records.Should().BeEmpty();
        pusher.FailedCount.Should().Be(2);
    }

    [Fact]
    public async Task Dispose_PendingRecords_AreHandedOverAndAwaited_WithoutWaitingForTheInterval()
    {
        var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1_000_000, FlushInterval = TimeSpan.FromHours(1) });
        for (var i = 0; i < 100; i++)
        {
            pusher.Push($"k{i}", $"v{i}");
        }

        await pusher.DisposeAsync();

        _client.Records.Should().HaveCount(100);
        pusher.DeliveredCount.Should().Be(100);
        pusher.FailedCount.Should().Be(0);
        _client.IsDisposed.Should().BeTrue();
        Values().Should().Equal(Enumerable.Range(0, 100).Select(i => $"v{i}"));
    }

    [Fact]
    public async Task Push_MaxPendingRecordsWaiting_Blocks_UntilTheChunkStageTakesThem_NothingLost()
    {
        const int Count = 50;
        var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1, FlushInterval = Interval, MaxPending = 4 });
        _client.Accepting.Reset();
        var pushed = 0;
        var pushing = Task.Run(() =>
        {
            for (var i = 0; i < Count; i++)
            {
                pusher.Push($"v{i}");
                Interlocked.Increment(ref pushed);
            }
        });

        // The client holds the first chunk's record and the stages what they took; the caller waits once MaxPending are
        // admitted, and until the stages take them down to half (two): here, until the client takes records again.
        await Eventually.TrueAsync(() => pusher.IsHoldingCallers, what: "the caller to wait for room");
        pusher.PendingCount.Should().BeInRange(3, 4, "the caller waits from four records until two");
        pushing.IsCompleted.Should().BeFalse();
        Volatile.Read(ref pushed).Should().BeLessThan(Count);

        _client.Accepting.Set();
        await pushing.WaitAsync(TimeSpan.FromSeconds(60));
        await pusher.DisposeAsync();
        pusher.DeliveredCount.Should().Be(Count);
        Values().Should().Equal(Enumerable.Range(0, Count).Select(i => $"v{i}"), "every record, once, in push order");
    }

    [Fact]
    public async Task ActorSystemTerminated_RecordsTheChunksHeld_FailAndCloseEnds_NothingWaitsForever()
    {
        var pusher = Pusher(new KafkaPusherOptions { Topic = "t", ChunkSize = 1_000_000, FlushInterval = TimeSpan.FromHours(1) });
        var failures = new List<PushFailure>();
        pusher.Failed += (_, f) => failures.Add(f);
        pusher.Push("a");
        var awaited = pusher.PushAsync("b");
        await Eventually.TrueAsync(() => pusher.PendingCount == 0, what: "the chunk stage to take both");

        await Sys.Terminate();

        var closing = () => pusher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        (await closing.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("2 record(s)").And.Contain("\"t\"");
        (await awaited.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(60))).Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("stopped");
        failures.Should().ContainSingle().Which.Value.Should().Be("a");
        pusher.FailedCount.Should().Be(2);
        _client.Records.Should().BeEmpty();
        pusher.Invoking(p => p.Push("c")).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task PushAsync_AfterClose_IsRefused()
    {
        var pusher = Pusher(new KafkaPusherOptions { Topic = "t" });
        await pusher.CloseAsync();

        var act = () => pusher.PushAsync("v");

        await act.Should().ThrowAsync<ObjectDisposedException>().WithMessage("*\"t\"*closed*");
        pusher.Invoking(p => p.Push("w")).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task PushAsync_LeastBytes_SpreadsByBytesOverTheTopicsPartitions()
    {
        var counts = new FixedPartitionCounts(new Dictionary<string, int> { ["t"] = 3 });
        await using var pusher = Pusher(new KafkaPusherOptions { Topic = "t", SyncPush = true, Balancer = Balancer.LeastBytes }, counts);

        var partitions = new List<int>();
        foreach (var value in new[] { new string('x', 100), "a", "b", "c", "d" })
        {
            partitions.Add((await pusher.PushAsync(value)).Partition);
        }

        partitions.Should().Equal(0, 1, 2, 1, 2);
    }

    private KafkaPusher Pusher(KafkaPusherOptions options, IPartitionCounts? counts = null)
    {
        options.Validate();
        counts ??= new FixedPartitionCounts(new Dictionary<string, int> { [options.Topic] = 1 });
        return new KafkaPusher(Sys, options, new BalancedProducer(_client, options.Balancer, counts), NullLogger.Instance);
    }

    private IEnumerable<string> Values() => _client.Records.Select(r => Encoding.UTF8.GetString(r.Message.Value!));

    // Stage timers start when the stage does: advance in whole intervals until the condition holds.
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        await Eventually.TrueAsync(() =>
        {
            if (!condition())
            {
                Scheduler.Advance(Interval);
            }

            return condition();
        }, what: "the flush");
    }
}
